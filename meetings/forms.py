"""Forms for planning meetings, materials and absence notices. They validate; the views call the services."""

import datetime
from pathlib import Path

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cells.forms import DateField, DateInput
from meetings.models import Meeting
from meetings.services import check_plan_date, past_start_warning

MAX_MATERIAL_BYTES = 10 * 1024 * 1024
MATERIAL_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".doc": "application/msword",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".xls": "application/vnd.ms-excel",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}
# The first bytes of each kind of file: an upload must be what its name says.
MAGIC = {
    ".pdf": (b"%PDF",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".doc": (b"\xd0\xcf\x11\xe0",),
    ".xls": (b"\xd0\xcf\x11\xe0",),
    ".png": (b"\x89PNG",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
}


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


def missing_version() -> str:
    """A save of an existing meeting that does not say which version it was made on (a page from before versions, a
    hand-made request) is refused like a stale one: it could overwrite someone else's save without a word."""
    return _(
        "Không lưu được: trang gửi lên thiếu số phiên bản để đối chiếu với bản đã lưu. Hãy tải lại trang, xem nội "
        "dung mới nhất rồi lưu lại."
    )


class MeetingPlanForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Loại buổi sinh hoạt"),
        choices=Meeting.Kind.choices,
        error_messages={
            "invalid_choice": _("Chọn một loại trong danh sách: tổ chức này không tổ chức loại buổi họp đó.")
        },
    )
    topic = forms.CharField(
        label=_("Chuyên đề"), max_length=300, required=False, help_text=_("Bắt buộc với sinh hoạt chuyên đề.")
    )
    planned_date = DateField(label=_("Ngày họp"), widget=DateInput(), error_messages={"required": _("Nhập ngày họp.")})
    planned_time = forms.TimeField(
        label=_("Giờ bắt đầu"), widget=TimeInput(), error_messages={"required": _("Nhập giờ bắt đầu.")}
    )
    # Shown (as a checkbox) only once a new plan's date and time turn out to be past: see ``clean``.
    confirm_past = forms.BooleanField(
        label=_("Buổi họp này đã diễn ra: tôi lập kế hoạch để ghi lại biên bản"),
        required=False,
        widget=forms.HiddenInput,
    )
    venue = forms.CharField(label=_("Địa điểm"), max_length=200, error_messages={"required": _("Nhập địa điểm họp.")})
    agenda = forms.CharField(
        label=_("Chương trình (mỗi dòng một nội dung)"),
        widget=forms.Textarea(attrs={"rows": 9}),
        required=False,
        help_text=_("Để trống khi lập mới để dùng chương trình mẫu theo Hướng dẫn 42-HD/BTCTW."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        *args,
        kinds: tuple[str, ...] = Meeting.CELL_KINDS,
        now: datetime.datetime | None = None,
        current_start: datetime.datetime | None = None,
        **kwargs,
    ):
        """``kinds``: the kinds of meeting the organization holds (``Meeting.kinds_for``; an edited meeting's own kind
        too). ``now``: the instant a planned start must be after, unless the secretary confirms that the meeting
        already took place (a plan entered after the fact, to record it). ``current_start``: when a plan is edited,
        the start it has: keeping it asks nothing (a meeting whose hour has come may still have its venue or agenda
        corrected before it is recorded); moving it to another past instant asks again."""
        super().__init__(*args, **kwargs)
        labels = dict(Meeting.Kind.choices)
        self.fields["kind"].choices = [(kind, labels[kind]) for kind in kinds]
        if not set(kinds) & set(Meeting.CELL_KINDS):
            # A committee's meetings: the topic is the conference's subject.
            self.fields["kind"].label = _("Loại hội nghị, cuộc họp")
            self.fields["topic"].label = _("Nội dung")
            self.fields["topic"].help_text = _("Bắt buộc với hội nghị đảng bộ (học tập nghị quyết, sơ kết, tổng kết…).")
        self.now = now
        self.current_start = current_start
        if now is None:
            del self.fields["confirm_past"]

    def clean_planned_date(self):
        value = self.cleaned_data["planned_date"]
        try:
            check_plan_date(value)
        except ValidationError as error:
            raise forms.ValidationError(error.message_dict["planned_date"]) from None
        return value

    def clean(self):
        data = super().clean()
        if data.get("kind") == Meeting.Kind.THEMATIC and not (data.get("topic") or "").strip():
            self.add_error("topic", _("Sinh hoạt chuyên đề phải có tên chuyên đề."))
        if data.get("kind") == Meeting.Kind.CONFERENCE and not (data.get("topic") or "").strip():
            self.add_error("topic", _("Hội nghị đảng bộ phải có nội dung (tên hội nghị)."))
        if self.current_start is not None and data.get("version") is None and "version" not in self.errors:
            self.add_error(None, missing_version())
        day, at = data.get("planned_date"), data.get("planned_time")
        if self.now is not None and day and at:
            start = datetime.datetime.combine(day, at, tzinfo=timezone.get_default_timezone())
            confirm = _("đánh dấu ô “{confirm}” rồi lưu").format(confirm=self.fields["confirm_past"].label)
            warning = past_start_warning(day, at, confirm=confirm, now=self.now)
            if warning and start != self.current_start:
                # A warning the secretary can confirm, not a refusal: a meeting held before it was entered here
                # must still be planned to be recorded. The box appears with the message and stays checked.
                self.fields["confirm_past"].widget = forms.CheckboxInput()
                if not data.get("confirm_past"):
                    self.add_error("planned_date", warning)
        return data

    def agenda_items(self) -> list[tuple[str, str]] | None:
        """Agenda lines as (title, details); a line "Title: details" splits at the first colon."""
        text = self.cleaned_data.get("agenda", "").strip()
        if not text:
            return None
        items = []
        for line in text.splitlines():
            line = line.strip().lstrip("-•0123456789. ").strip()
            if line:
                title, _sep, details = line.partition(" — ")
                items.append((title.strip()[:300], details.strip()))
        return items or None


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Lý do hủy"), max_length=300, error_messages={"required": _("Ghi lý do hủy.")})


class MaterialForm(forms.Form):
    file = forms.FileField(label=_("Tài liệu (PDF, DOCX, XLSX, ảnh; tối đa 10 MB)"))
    name = forms.CharField(label=_("Tên tài liệu"), max_length=200, required=False)
    # Asked once the minutes are approved (the service refuses without it): the page shows the field then.
    correction_reason = forms.CharField(label=_("Lý do đính chính"), max_length=300, required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        suffix = Path(upload.name).suffix.lower()
        if suffix not in MATERIAL_TYPES:
            raise forms.ValidationError(_("Chỉ nhận tệp PDF, DOC, DOCX, XLS, XLSX, PNG, JPG."))
        if upload.size > MAX_MATERIAL_BYTES:
            raise forms.ValidationError(_("Tệp lớn hơn 10 MB."))
        head = upload.read(8)
        upload.seek(0)
        if not head.startswith(MAGIC[suffix]):
            raise forms.ValidationError(_("Nội dung tệp không đúng với đuôi {suffix}.").format(suffix=suffix))
        return upload


class AbsenceForm(forms.Form):
    reason = forms.CharField(label=_("Lý do vắng"), max_length=200, error_messages={"required": _("Ghi lý do vắng.")})


class MonthForm(forms.Form):
    """The months of the meeting list: a year (``nam``: January to December), or the twelve months ending with one
    (``thang``, the links to the previous and next twelve months)."""

    thang = forms.DateField(input_formats=["%Y-%m"], required=False)
    # From the Party's founding year to a few years ahead: any year a meeting may have been entered for.
    nam = forms.IntegerField(label=_("Năm"), min_value=1930, max_value=2100, required=False)
