"""The request of a long document: which month's minutes a board prints (``reports.jobs``)."""

import datetime

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cells.periods import add_months, month_start
from reports.periods import month_label

# The months offered: the last two years, newest first.
OFFERED_MONTHS = 24


class MonthMinutesForm(forms.Form):
    """A month (the last one by default) and whether the minutes not approved yet are printed too."""

    thang = forms.ChoiceField(label=gettext_lazy("Tháng"))
    du_thao = forms.BooleanField(
        label=gettext_lazy("Gồm cả biên bản chưa duyệt (in dấu DỰ THẢO)"),
        required=False,
        help_text=gettext_lazy("Để trống: chỉ in biên bản đã được chủ trì duyệt."),
    )

    def __init__(self, *args, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        this_month = month_start(today)
        months = [add_months(this_month, -n) for n in range(OFFERED_MONTHS)]
        self.fields["thang"].choices = [(m.isoformat(), month_label(m).capitalize()) for m in months]
        self.fields["thang"].initial = add_months(this_month, -1).isoformat()
        self.fields["thang"].error_messages["invalid_choice"] = _("Tháng “%(value)s” không có trong danh sách.")
        self.fields["thang"].error_messages["required"] = _("Hãy chọn tháng.")
        self.fields["thang"].widget.attrs["class"] = "form-select form-select-sm"
        self.fields["du_thao"].widget.attrs["class"] = "form-check-input"

    def params(self) -> dict:
        return {"month": self.cleaned_data["thang"], "drafts": self.cleaned_data["du_thao"]}
