"""The visit report's form (báo cáo dự sinh hoạt): it parses the input; ``meetings.services.visit_report_save`` holds
the rules (what a submission needs, the grade that follows from the score, the lock after submission)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from meetings.forms import missing_version
from meetings.models import Meeting, VisitReport
from meetings.services import REPORT_FIELDS


def _text(field: str, label, rows: int = 3, help_text="") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows, "maxlength": VisitReport._meta.get_field(field).max_length}),
    )


def _number(label, *, max_value: int, help_text="") -> forms.IntegerField:
    messages = {
        "invalid": _("Nhập một số nguyên."),
        "min_value": _("Không được là số âm."),
        "max_value": _("Không được lớn hơn %(limit_value)s."),
    }
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=max_value,
        help_text=help_text,
        error_messages=messages,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


class VisitReportForm(forms.Form):
    """Every part of the report; none is required to save a draft (the service says what a submission needs)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    attendance_observed = _text(
        "attendance_observed",
        _("Tình hình dự họp"),
        help_text=_("Số đảng viên có mặt, vắng; đúng giờ; ghi nhận của đồng chí."),
    )
    followed_guidance = forms.ChoiceField(
        label=_("Nội dung sinh hoạt theo hướng dẫn của cấp trên"),
        required=False,
        choices=VisitReport.Guidance.choices,
        widget=forms.RadioSelect,
    )
    guidance_note = _text("guidance_note", _("Nhận xét về nội dung"), rows=2)
    speakers = _number(_("Số đảng viên phát biểu"), max_value=1_000)
    discussion_note = _text("discussion_note", _("Chất lượng thảo luận"), rows=2)
    resolution_adopted = forms.TypedChoiceField(
        label=_("Buổi họp ra được nghị quyết, kết luận"),
        required=False,
        choices=[("", _("— chưa chọn —")), ("yes", _("Có")), ("no", _("Không"))],
        coerce=lambda value: value == "yes",
        empty_value=None,
    )
    contribution = _text("contribution", _("Ý kiến của đồng chí tại buổi họp"))
    recommendations = _text("recommendations", _("Kiến nghị, đề xuất của đảng viên và nhân dân"))
    score = _number(
        _("Điểm đánh giá (0–100)"),
        max_value=100,
        help_text=_(
            "Chấm theo thang điểm tự đánh giá của chi bộ: từ 90 điểm Tốt, từ 70 Khá, từ 50 Trung bình, dưới 50 Kém. "
            "Có điểm thì để trống xếp loại: xếp loại theo điểm."
        ),
    )
    grade = forms.ChoiceField(
        label=_("Xếp loại buổi sinh hoạt"),
        required=False,
        choices=[("", _("— theo điểm hoặc chọn —")), *Meeting.Grade.choices],
    )
    follow_ups = _text("follow_ups", _("Đề xuất với cấp ủy"))
    correction_reason = forms.CharField(label=_("Lý do đính chính"), max_length=300, required=False)

    def __init__(self, *args, correcting: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not correcting:
            del self.fields["correction_reason"]
        else:
            self.fields["correction_reason"].required = True
            self.fields["correction_reason"].error_messages["required"] = _("Ghi lý do đính chính.")

    def clean_version(self):
        version = self.cleaned_data.get("version")
        if version is None:
            raise forms.ValidationError(missing_version())
        return version

    def values(self) -> dict:
        """The report's fields, as the service takes them."""
        return {name: self.cleaned_data.get(name) for name in REPORT_FIELDS}

    @classmethod
    def initial_from(cls, report: VisitReport) -> dict:
        initial = {name: getattr(report, name) for name in REPORT_FIELDS}
        adopted = initial["resolution_adopted"]
        initial["resolution_adopted"] = "" if adopted is None else ("yes" if adopted else "no")
        initial["version"] = report.version
        return initial
