"""Forms of the policy page. They validate; the views hand ``policy_data()`` to ``cells.policies`` writes."""

import datetime
import json

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from cells.forms import DateField, DateInput
from cells.policies import RULE_FIELDS, SPEC, check_values, rule_label
from cells.presets import PRESETS, preset_choices
from cells.text import vi_date
from meetings.quota_presets import PRESETS as QUOTA_PRESETS


class PolicyDateForm(forms.Form):
    """The page's date switch (``?ngay=YYYY-MM-DD``; today when empty or wrong)."""

    ngay = DateField(label=_("Xem quy định áp dụng ngày"), required=False, widget=DateInput())


FLAG_CHOICES = [("", _("Kế thừa")), ("1", _("Có")), ("0", _("Không"))]


def _flag(value: str) -> bool | None:
    return None if value == "" else value == "1"


class PolicyForm(forms.Form):
    """A policy on one organization: every rule optional (empty inherits), a source, a first day.

    ``earliest``: the first day a new policy may apply from (``None``: any day). ``editing``: a policy not yet in
    force is being changed (no preset; it must stay in the future).
    """

    preset = forms.ChoiceField(
        label=_("Nạp bộ quy định mẫu"),
        required=False,
        help_text=_(
            "Các giá trị, tên và căn cứ lấy từ bộ mẫu, thay cho các giá trị điền sẵn; ô nào đồng chí sửa thì giá trị "
            "đó được ưu tiên (khi đó ghi căn cứ riêng)."
        ),
        error_messages={"invalid_choice": _("Chọn một bộ quy định mẫu trong danh sách.")},
    )
    valid_from = DateField(
        label=_("Áp dụng từ ngày"),
        widget=DateInput(),
        error_messages={"required": _("Nhập ngày bắt đầu áp dụng."), "invalid": _("Ngày không hợp lệ.")},
    )
    name = forms.CharField(
        label=_("Tên quy định"),
        max_length=200,
        required=False,
        help_text=_("Để trống: “Quy định của {tổ chức} từ {ngày}”."),
    )
    source = forms.CharField(
        label=_("Căn cứ"),
        max_length=300,
        required=False,
        help_text=_("Số, ngày và cơ quan ban hành văn bản (bắt buộc, trừ khi nạp bộ mẫu)."),
    )
    source_url = forms.URLField(
        label=_("Liên kết văn bản"),
        required=False,
        assume_scheme="https",
        error_messages={"invalid": _("Nhập một địa chỉ web hợp lệ (https://…).")},
    )
    note = forms.CharField(label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    # The rule values the form was served with (JSON), so that choosing a preset does not count them as typed.
    prefilled = forms.CharField(required=False, widget=forms.HiddenInput())

    def __init__(
        self,
        *args,
        earliest: datetime.date | None = None,
        editing: bool = False,
        in_force: dict | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.earliest, self.editing = earliest, editing
        if editing:
            del self.fields["preset"]
            del self.fields["prefilled"]
            self.fields["source"].help_text = _("Số, ngày và cơ quan ban hành văn bản (bắt buộc).")
        else:
            self.fields["preset"].choices = [("", _("— Không dùng bộ mẫu —")), *preset_choices()]
        for name in RULE_FIELDS:
            spec = SPEC[name]
            label = capfirst(rule_label(name))
            hint = in_force.get(name, "") if in_force else ""
            if spec.is_flag:
                self.fields[name] = forms.TypedChoiceField(
                    label=label, choices=FLAG_CHOICES, coerce=_flag, empty_value=None, required=False
                )
            else:
                self.fields[name] = forms.IntegerField(
                    label=label,
                    required=False,
                    error_messages={"invalid": _("Nhập một số nguyên.")},
                    widget=forms.NumberInput(attrs={"min": spec.minimum, "max": spec.maximum}),
                )
            if hint != "":
                self.fields[name].help_text = _("Để trống để kế thừa (đang áp dụng: {value}).").format(
                    value=hint if not spec.is_flag else (_("Có") if hint else _("Không"))
                )
            else:
                self.fields[name].help_text = _("Để trống để kế thừa.")

    @property
    def rule_fields(self) -> list:
        return [self[name] for name in RULE_FIELDS]

    @property
    def head_fields(self) -> list:
        names = ("preset", "valid_from", "name", "source", "source_url", "note")
        return [self[name] for name in names if name in self.fields]

    def clean_valid_from(self):
        value = self.cleaned_data["valid_from"]
        if self.earliest and value < self.earliest:
            if self.editing:
                raise forms.ValidationError(_("Quy định chưa có hiệu lực chỉ được dời tới một ngày sau hôm nay."))
            raise forms.ValidationError(
                _("Quy định mới chỉ áp dụng từ ngày {day} trở đi: không áp dụng ngược cho thời gian đã qua.").format(
                    day=vi_date(self.earliest)
                )
            )
        return value

    def _prefilled(self) -> dict:
        """The rule values the form was served with (the organization's latest policy), as posted back."""
        try:
            prefilled = json.loads(self.data.get("prefilled") or "{}")
        except ValueError:
            return {}
        return prefilled if isinstance(prefilled, dict) else {}

    def clean(self):
        data = super().clean()
        preset = PRESETS.get(data.get("preset") or "")
        values = dict(preset.values) if preset else {}
        # With a preset, the fields the user left as the form served them (the previous policy's values) are not
        # theirs to add: the preset replaces that policy. Without one, every filled field counts.
        prefilled = self._prefilled() if preset else {}
        entered = {
            name: data[name]
            for name in RULE_FIELDS
            if data.get(name) is not None and not (name in prefilled and prefilled[name] == data[name])
        }
        values.update(entered)
        self.values = {name: values.get(name) for name in RULE_FIELDS}
        for name, message in check_values(self.values).items():
            if name in self.fields and name not in self.errors:
                self.add_error(name, message)
        if all(value is None for value in self.values.values()) and not any(n in self.errors for n in RULE_FIELDS):
            raise forms.ValidationError(_("Quy định phải đặt ít nhất một giá trị."))
        # Values typed over a preset (changed or added) are the user's own rules: the preset's document does not set
        # them, so the policy cites the user's document, and the note says which preset it started from.
        typed = preset is not None and any(value != preset.values.get(name) for name, value in entered.items())
        overridden = [name for name, value in entered.items() if preset and value != preset.values.get(name)]
        if not (data.get("source") or "").strip():
            if typed:
                self.add_error(
                    "source",
                    _(
                        "Đồng chí đã nhập giá trị khác bộ mẫu: ghi căn cứ của quy định này (văn bản quy định các "
                        "giá trị đó); bộ mẫu được ghi vào phần ghi chú."
                    ),
                )
            elif preset:
                data["source"] = preset.source
                data["source_url"] = data.get("source_url") or preset.source_url
            else:
                self.add_error("source", _("Ghi căn cứ của quy định (số, ngày và cơ quan ban hành văn bản)."))
        if preset and not typed and not (data.get("name") or "").strip():
            data["name"] = preset.name
        if preset and not (data.get("note") or "").strip():
            data["note"] = preset.note(exclude=overridden)
        if typed:
            started = _("Dựa trên bộ mẫu “{name}” ({source}).").format(name=preset.name, source=preset.source)
            data["note"] = "\n".join(part for part in (started, data.get("note") or "") if part)
        return data

    def policy_data(self) -> dict:
        """Keyword arguments for ``policy_create`` / ``policy_update``."""
        data = self.cleaned_data
        return {
            "valid_from": data["valid_from"],
            "name": data.get("name", ""),
            "source": data.get("source", ""),
            "source_url": data.get("source_url", ""),
            "note": data.get("note", ""),
            "values": self.values,
        }


class QuotaPresetForm(forms.Form):
    """Load a regulation's visit quotas (``meetings.quota_presets``) on the organization from a date."""

    quota_preset = forms.ChoiceField(
        label=_("Mẫu định mức dự sinh hoạt"),
        error_messages={
            "required": _("Chọn một mẫu định mức."),
            "invalid_choice": _("Chọn một mẫu định mức trong danh sách."),
        },
    )
    quota_valid_from = DateField(
        label=_("Áp dụng từ ngày"),
        widget=DateInput(),
        help_text=_(
            "Mỗi tháng, quý, năm bắt đầu từ ngày này trở đi được xét theo định mức mới; kỳ trước đó giữ định mức cũ."
        ),
        error_messages={"required": _("Nhập ngày bắt đầu áp dụng."), "invalid": _("Ngày không hợp lệ.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quota_preset"].choices = [
            ("", _("— chọn —")),
            *((preset.key, preset.label or preset.name) for preset in QUOTA_PRESETS.values()),
        ]
