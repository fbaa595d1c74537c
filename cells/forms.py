"""Form pieces every app's forms share: the date widget and field, and how a service's refusal lands on a form."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

# No date this app records is before 1900 (the oldest members' births) or more than ten years ahead (a term, a plan):
# outside that, a typing slip (9999-12-31, 0202-03-01) that would otherwise be stored and break the month sums.
EARLIEST_YEAR = 1900
YEARS_AHEAD = 10


class DateInput(forms.DateInput):
    """A browser date picker (``<input type="date">``), which sends and shows ISO dates whatever the language."""

    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateField(forms.DateField):
    """A date typed in a form: the browser's date picker, and refused (with a message) outside the plausible years."""

    widget = DateInput

    def validate(self, value):
        super().validate(value)
        if value is None:
            return
        latest = timezone.localdate().year + YEARS_AHEAD
        if not EARLIEST_YEAR <= value.year <= latest:
            raise ValidationError(
                _("Ngày {day} không hợp lệ: hãy nhập một ngày từ năm {first} đến năm {last}.").format(
                    day=value.strftime("%d/%m/") + str(value.year), first=EARLIEST_YEAR, last=latest
                ),
                code="implausible",
            )


def apply_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: on its field when the form has one, else on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
