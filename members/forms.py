"""Forms for members. They validate input only; the views hand ``cleaned_data`` to the services."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cells.forms import DateField, DateInput
from cells.models import Organization
from members.models import Member, Position, StatusChange
from members.services import check_card_number_free


def _not_future(value: datetime.date | None, message) -> None:
    if value and value > timezone.localdate():
        raise forms.ValidationError(message)


class MemberForm(forms.ModelForm):
    class Meta:
        model = Member
        fields = list(Member.RECORD_FIELDS)
        field_classes = {"birth_date": DateField, "admission_date": DateField, "official_date": DateField}
        widgets = {
            "birth_date": DateInput(),
            "admission_date": DateInput(),
            "official_date": DateInput(),
        }
        labels = {
            "full_name": _("Họ và tên"),
            "birth_date": _("Ngày sinh"),
            "gender": _("Giới tính"),
            "email": _("Thư điện tử"),
            "phone": _("Điện thoại"),
            "card_number": _("Số thẻ đảng viên"),
            "party_history_number": _("Số lý lịch đảng viên"),
            "register_number": _("Số danh bạ"),
            "admission_date": _("Ngày vào Đảng"),
            "official_date": _("Ngày chính thức"),
        }
        help_texts = {"official_date": _("Để trống nếu đảng viên còn dự bị.")}

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["full_name"].error_messages["required"] = _("Nhập họ và tên đảng viên.")
        self.fields["admission_date"].error_messages["required"] = _("Nhập ngày vào Đảng.")
        # Our own wording: Django's catalogue says "Nhập địa chỉ email hợp lệ.", Django REST framework's (installed
        # for the API, whose catalogue takes precedence over Django's) "Nhập một địa chỉ …".
        self.fields["email"].error_messages["invalid"] = _("Nhập địa chỉ email hợp lệ, ví dụ: ten@example.vn.")
        if editing:
            # Once recorded, the official date changes through a status change (it is dated history).
            self.fields["official_date"].disabled = True
            self.fields["official_date"].help_text = _("Đổi bằng chức năng “Đổi tình trạng”.")

    def clean_admission_date(self):
        value = self.cleaned_data["admission_date"]
        _not_future(value, _("Ngày vào Đảng không được ở tương lai."))
        return value

    def clean_birth_date(self):
        value = self.cleaned_data.get("birth_date")
        _not_future(value, _("Ngày sinh không được ở tương lai."))
        return value

    def clean_official_date(self):
        value = self.cleaned_data.get("official_date")
        _not_future(value, _("Ngày chính thức không được ở tương lai."))
        return value

    def clean_card_number(self):
        value = self.cleaned_data.get("card_number", "").strip()
        if value:
            probe = Member(pk=self.instance.pk, card_number=value)
            try:
                check_card_number_free(probe)
            except ValidationError as error:
                raise forms.ValidationError(error.message_dict["card_number"]) from None
        return value


class MemberAddForm(MemberForm):
    joined_cell_on = DateField(
        label=_("Ngày bắt đầu sinh hoạt tại chi bộ"),
        required=False,
        widget=DateInput(),
        help_text=_("Để trống nếu là ngày vào Đảng."),
    )

    class Meta(MemberForm.Meta):
        pass


class TransferForm(forms.Form):
    to_cell = forms.ModelChoiceField(
        label=_("Chuyển đến chi bộ"),
        queryset=Organization.objects.none(),
        error_messages={
            "required": _("Chọn chi bộ nhận."),
            "invalid_choice": _("Chi bộ này không có trong danh sách."),
        },
    )
    on = DateField(
        label=_("Từ ngày"),
        widget=DateInput(),
        error_messages={"required": _("Nhập ngày chuyển sinh hoạt.")},
    )

    def __init__(self, *args, cells, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_cell"].queryset = cells


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Tình trạng mới"),
        choices=[(value, label) for value, label in StatusChange.Status.choices if value != "probationary"],
    )
    effective_from = DateField(
        label=_("Từ ngày"), widget=DateInput(), error_messages={"required": _("Nhập ngày hiệu lực.")}
    )
    attached_to = forms.ModelChoiceField(
        label=_("Sinh hoạt tạm thời tại chi bộ"),
        queryset=Organization.objects.none(),
        required=False,
        help_text=_("Với tình trạng “Đi sinh hoạt tạm thời nơi khác”."),
    )
    attached_to_name = forms.CharField(
        label=_("hoặc nơi sinh hoạt tạm thời ngoài hệ thống"), max_length=200, required=False
    )
    until = DateField(label=_("Dự kiến đến ngày"), widget=DateInput(), required=False)
    note = forms.CharField(label=_("Căn cứ (số quyết định), ghi chú"), max_length=300, required=False)

    def __init__(self, *args, cells, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attached_to"].queryset = cells

    def clean_effective_from(self):
        value = self.cleaned_data["effective_from"]
        if value > timezone.localdate() + datetime.timedelta(days=366):
            raise forms.ValidationError(_("Ngày hiệu lực quá xa trong tương lai."))
        return value


class PositionForm(forms.Form):
    role = forms.ChoiceField(label=_("Chức vụ"), choices=Position.Role.choices)
    valid_from = DateField(label=_("Từ ngày"), widget=DateInput(), error_messages={"required": _("Nhập ngày bắt đầu.")})


class PositionEndForm(forms.Form):
    position = forms.IntegerField(widget=forms.HiddenInput)
    on = DateField(label=_("Kết thúc từ ngày"), widget=DateInput(), error_messages={"required": _("Nhập ngày.")})


class RosterDateForm(forms.Form):
    ngay = DateField(label=_("Danh sách tại ngày"), required=False, widget=DateInput())


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Tìm theo tên hoặc mã"), required=False, max_length=100)
