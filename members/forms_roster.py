"""Forms of the roster import and export pages. They validate only; the views call ``members.roster_import``."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from cells.forms import DateField
from cells.models import Organization
from members.roster_import import EXTENSIONS, RosterFileError, read_roster_file


class RosterUploadForm(forms.Form):
    """The roster file. A valid form's ``cleaned_data["file"]`` is the parsed ``RosterTable``."""

    file = forms.FileField(
        label=_("Tệp danh sách (Excel .xlsx hoặc CSV)"),
        help_text=_("Tối đa 2 MB. Dòng 1 là tiêu đề theo mẫu."),
        error_messages={
            "required": _("Chọn tệp danh sách để tải lên."),
            "empty": _("Tệp trống."),
            "invalid": _("Không nhận được tệp; hãy chọn lại."),
        },
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(EXTENSIONS)}),
    )

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            return read_roster_file(upload, needs_cell_code=not self.organization.is_cell)
        except RosterFileError as error:
            raise forms.ValidationError(error.message, code="roster_file") from error


class RosterConfirmForm(forms.Form):
    """The confirmation of a checked import: the token of the rows kept in the session."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=64)


class RosterExportForm(forms.Form):
    """``?ngay=`` picks the day of the roster (today by default)."""

    ngay = DateField(
        label=_("Danh sách vào ngày"),
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={"invalid": _("Ngày không hợp lệ.")},
    )

    def day(self, default: datetime.date) -> datetime.date:
        return self.cleaned_data.get("ngay") or default
