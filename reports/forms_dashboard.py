"""The dashboard's filters: the period (``?ky=``) and the cell type (``?loai=``), read from the query string."""

import datetime

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cells.models import Organization
from reports.periods import Period, recent_periods
from reports.visits import DEFAULT_MONTHS, MAX_MONTHS, MIN_MONTHS


class PeriodField(forms.ChoiceField):
    """A select of the recent periods that also accepts any other well-formed one (a link to an older year)."""

    def valid_value(self, value) -> bool:
        return Period.parse(value) is not None

    def clean(self, value) -> Period | None:
        value = super().clean(value)
        return Period.parse(value) if value else None


class DashboardFilterForm(forms.Form):
    ky = PeriodField(label=gettext_lazy("Kỳ báo cáo"), required=False)
    loai = forms.ChoiceField(label=gettext_lazy("Loại hình chi bộ"), required=False)

    def __init__(self, *args, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        offered = recent_periods(today)
        groups = [
            (_("Năm"), offered["year"]),
            (_("Quý"), offered["quarter"]),
            (_("Tháng"), offered["month"]),
        ]
        chosen = Period.parse(self.data.get("ky", "")) if self.is_bound else None
        if chosen is not None and all(chosen not in periods for _label, periods in groups):
            groups.insert(0, (_("Đang xem"), [chosen]))
        self.fields["ky"].choices = [(label, [(p.slug, p.label) for p in periods]) for label, periods in groups]
        self.fields["loai"].choices = [("", _("Tất cả loại hình")), *Organization.CellType.choices]
        for name in self.fields:
            self.fields[name].widget.attrs["class"] = "form-select form-select-sm"
        self.fields["ky"].error_messages["invalid_choice"] = _("Kỳ báo cáo “%(value)s” không hợp lệ.")
        self.fields["loai"].error_messages["invalid_choice"] = _("Loại hình chi bộ “%(value)s” không hợp lệ.")

    def selection(self, default: Period) -> tuple[Period, str, list[str]]:
        """The chosen period and cell type, each replaced by its default (the given period, every type) when missing
        or bad, and the messages about the bad ones, each saying what is shown instead."""
        self.is_valid()
        period = self.cleaned_data.get("ky") or default
        errors = [
            _("{error} Đang hiện: {period}.").format(error=error, period=period.label)
            for error in self.errors.get("ky", [])
        ]
        errors += [
            _("{error} Đang hiện: tất cả loại hình.").format(error=error) for error in self.errors.get("loai", [])
        ]
        return period, self.cleaned_data.get("loai") or "", errors


class AbsencesFilterForm(DashboardFilterForm):
    """The absences list's filters: a calendar year (the strike-off review counts the months of one calendar year,
    Quy định 294-QĐ/TW 8.1) and the cell type. A month or a quarter in the query string (a link from a dashboard)
    stands for its year."""

    def __init__(self, *args, today: datetime.date, **kwargs):
        super().__init__(*args, today=today, **kwargs)
        years = recent_periods(today)["year"]
        chosen = Period.parse(self.data.get("ky", "")) if self.is_bound else None
        if chosen is not None:
            chosen = Period("year", chosen.year)
            self.data = self.data.copy()
            self.data["ky"] = chosen.slug
            if chosen not in years:
                years = [chosen, *years]
        self.fields["ky"].label = _("Năm")
        self.fields["ky"].choices = [(p.slug, p.label) for p in years]


class VisitsFilterForm(DashboardFilterForm):
    """The visits page's filters: the period (``?ky=``, as the dashboard) and the months without a visit after which
    a cell is listed (``?thang=``, 1 to 24, 3 when missing)."""

    thang = forms.IntegerField(
        label=gettext_lazy("Chưa được dự sinh hoạt trong (tháng)"),
        required=False,
        min_value=MIN_MONTHS,
        max_value=MAX_MONTHS,
    )

    def __init__(self, *args, today: datetime.date, **kwargs):
        super().__init__(*args, today=today, **kwargs)
        del self.fields["loai"]
        field = self.fields["thang"]
        field.widget.attrs.update({"class": "form-control form-control-sm", "min": MIN_MONTHS, "max": MAX_MONTHS})
        message = _("Số tháng không hợp lệ: từ {low} đến {high}.").format(low=MIN_MONTHS, high=MAX_MONTHS)
        for key in ("invalid", "min_value", "max_value"):
            field.error_messages[key] = message

    def visits_selection(self, default: Period) -> tuple[Period, int, list[str]]:
        """The chosen period and number of months, each replaced by its default when missing or bad, with the messages
        about the bad ones."""
        period, _cell_type, errors = self.selection(default)
        months = self.cleaned_data.get("thang") or DEFAULT_MONTHS
        errors += [
            _("{error} Đang hiện: {months} tháng.").format(error=error, months=months)
            for error in self.errors.get("thang", [])
        ]
        return period, months, errors
