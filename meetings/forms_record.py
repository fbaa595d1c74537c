"""Forms of the meeting recording page. They parse and check the input; the views pass it to ``meetings.services``,
which hold the rules (times, presence, votes, the lock after approval)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from meetings.forms import missing_version
from meetings.models import AgendaItem, Attendance, Meeting, Speech, Visitor

# Every field of the main form lives outside the <form> element, next to the part of the meeting it belongs to
# (the small attendance, visitor and speaker forms sit in between): the HTML ``form`` attribute ties them to it.
RECORD_FORM_ID = "record-form"
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=DATETIME_LOCAL)


class RosterMemberField(forms.ChoiceField):
    """A member of this meeting's roll call. The select lists only the members marked present (``present``), but any
    roster member is accepted here so that the service can say why a non-present chair is refused."""

    def __init__(self, **kwargs):
        self.members: dict[str, object] = {}
        super().__init__(**kwargs)

    def set_members(self, attendances: list[Attendance], selected_pk: int | None) -> None:
        self.members = {str(row.member_id): row.member for row in attendances}
        choices = [("", _("— chọn đồng chí có mặt —"))]
        for row in attendances:
            if row.status == Attendance.Status.PRESENT:
                choices.append((str(row.member_id), row.member.full_name))
            elif row.member_id == selected_pk:
                choices.append((str(row.member_id), _("{name} (không có mặt)").format(name=row.member.full_name)))
        self.choices = choices

    def valid_value(self, value) -> bool:
        return str(value) in self.members

    def clean(self, value):
        value = super().clean(value)
        return self.members.get(str(value)) if value else None


class OpenChoiceField(forms.ChoiceField):
    """A select that lists some values but accepts those in ``accepted`` (checked further by a service)."""

    accepted: set = frozenset()

    def valid_value(self, value) -> bool:
        return str(value) in self.accepted


def _number(label, *, max_value=None, **kwargs):
    messages = {
        "invalid": _("Nhập một số nguyên."),
        "min_value": _("Không được là số âm."),
    }
    if max_value is not None:
        messages["max_value"] = _("Không được lớn hơn %(limit_value)s.")
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=max_value,
        error_messages=messages,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "form": RECORD_FORM_ID}),
        **kwargs,
    )


def _limit(model, field: str) -> int:
    """The browser's maxlength of a text input: the model field's limit (the services check it too)."""
    return model._meta.get_field(field).max_length


class RecordForm(forms.Form):
    """What happened at the meeting: times, chair and recorder, conclusions, the resolution and its vote, the score.

    Attendance, visitors and speeches are saved one by one by their own small forms (htmx)."""

    version = forms.IntegerField(widget=forms.HiddenInput(attrs={"id": "record-version"}), required=False)
    started_at = forms.DateTimeField(
        label=_("Bắt đầu lúc"),
        required=False,
        input_formats=[DATETIME_LOCAL, "%Y-%m-%dT%H:%M:%S", "%d/%m/%Y %H:%M"],
        widget=DateTimeLocalInput(),
        error_messages={"invalid": _("Nhập ngày giờ bắt đầu (ngày/tháng/năm giờ:phút).")},
    )
    ended_at = forms.DateTimeField(
        label=_("Kết thúc lúc"),
        required=False,
        input_formats=[DATETIME_LOCAL, "%Y-%m-%dT%H:%M:%S", "%d/%m/%Y %H:%M"],
        widget=DateTimeLocalInput(),
        error_messages={"invalid": _("Nhập ngày giờ kết thúc (ngày/tháng/năm giờ:phút).")},
    )
    confirm_long = forms.BooleanField(label=_("Xác nhận buổi họp dài hơn mức quy định"), required=False)
    confirm_votes = forms.BooleanField(
        label=_("Xác nhận số phiếu (có đảng viên có mặt không bỏ phiếu)"), required=False
    )
    chair = RosterMemberField(label=_("Chủ trì"), required=False)
    recorder = RosterMemberField(label=_("Thư ký"), required=False)
    resolution_title = forms.CharField(label=_("Tên nghị quyết / kết luận"), max_length=300, required=False)
    resolution_text = forms.CharField(
        label=_("Nội dung nghị quyết / kết luận"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": _limit(Meeting, "resolution_text")}),
    )
    votes_for = _number(_("Tán thành"))
    votes_against = _number(_("Không tán thành"))
    votes_abstain = _number(_("Không biểu quyết"))
    quality_score = _number(_("Điểm tự đánh giá (0–100)"), max_value=100)
    correction_reason = forms.CharField(label=_("Lý do đính chính"), max_length=300, required=False)

    def __init__(self, *args, meeting: Meeting, attendances: list[Attendance], agenda: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        self.agenda = agenda
        self.fields["chair"].set_members(attendances, meeting.chair_id)
        self.fields["recorder"].set_members(attendances, meeting.recorder_id)
        for item in agenda:
            self.fields[self.conclusion_name(item)] = forms.CharField(
                label=f"{item.order}. {item.title}",
                required=False,
                initial=item.conclusion,
                widget=forms.Textarea(attrs={"rows": 2, "maxlength": _limit(AgendaItem, "conclusion")}),
            )
        if not meeting.is_locked:
            del self.fields["correction_reason"]
        for field in self.fields.values():
            field.widget.attrs["form"] = RECORD_FORM_ID

    @staticmethod
    def conclusion_name(item) -> str:
        return f"conclusion_{item.pk}"

    def conclusion_fields(self):
        return [(item, self[self.conclusion_name(item)]) for item in self.agenda]

    def conclusions(self) -> dict[int, str]:
        return {item.pk: self.cleaned_data.get(self.conclusion_name(item)) or "" for item in self.agenda}

    def clean(self):
        data = super().clean()
        if data.get("version") is None and "version" not in self.errors:
            raise forms.ValidationError(missing_version())
        return data


class AttendanceForm(forms.Form):
    """One roll-call row: a tap on one of the three buttons sends ``status`` (with the reason when excused)."""

    status = forms.ChoiceField(
        choices=Attendance.Status.choices,
        error_messages={
            "required": _("Chọn có mặt, vắng có lý do hoặc vắng không lý do."),
            "invalid_choice": _("Chọn có mặt, vắng có lý do hoặc vắng không lý do."),
        },
    )
    reason = forms.CharField(label=_("Lý do vắng"), max_length=200, required=False)
    # The committee's acceptance of the reason is its explicit decision: the tick, never a default nor inferred (a
    # tap on "Vắng có lý do" sends no tick, so the absence stays counted in the vote's denominator).
    accepted = forms.BooleanField(label=_("Chi ủy chấp nhận lý do"), required=False)

    def absence_accepted(self) -> bool:
        return self.cleaned_data["accepted"]


class VisitorForm(forms.Form):
    """A superior-committee member (their seat) or a guest by name and title."""

    seat = forms.TypedChoiceField(label=_("Cấp ủy viên cấp trên"), coerce=int, required=False, empty_value=None)
    name = forms.CharField(label=_("hoặc họ tên đại biểu"), max_length=120, required=False)
    title = forms.CharField(label=_("Chức vụ, đơn vị"), max_length=200, required=False)
    is_superior = forms.BooleanField(label=_("Đại biểu cấp trên"), required=False, initial=True)

    def __init__(self, *args, seats: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.seats = {seat.pk: seat for seat in seats}
        followed = [(seat.pk, _seat_label(seat)) for seat in seats if seat.follows]
        others = [(seat.pk, _seat_label(seat)) for seat in seats if not seat.follows]
        choices: list = [("", _("— người ngoài danh sách: ghi họ tên —"))]
        if followed:
            choices.append((_("Được phân công theo dõi"), followed))
        if others:
            choices.append((_("Cấp ủy cấp trên"), others))
        self.fields["seat"].choices = choices

    def clean(self):
        data = super().clean()
        seat_pk = data.get("seat")
        data["seat_obj"] = self.seats.get(seat_pk) if seat_pk else None
        if seat_pk and data["seat_obj"] is None:
            self.add_error("seat", _("Chọn cấp ủy viên trong danh sách."))
        elif not seat_pk and not (data.get("name") or "").strip():
            self.add_error("name", _("Chọn cấp ủy viên hoặc ghi họ tên đại biểu."))
        return data


def _seat_label(seat) -> str:
    title = seat.title or seat.get_rank_display()
    return f"{seat.holder} — {title}"


class SpeechForm(forms.Form):
    """A speech: who (a present member or a visitor of this meeting), on which agenda item, in short."""

    # The speaker select is sent along with other parts' posts (hx-include): no browser "required" check there.
    use_required_attribute = False

    speaker = OpenChoiceField(
        label=_("Người phát biểu"),
        error_messages={
            "required": _("Chọn người phát biểu."),
            "invalid_choice": _("Người phát biểu phải có mặt (điểm danh “Có mặt”) hoặc là đại biểu dự buổi này."),
        },
    )
    agenda_item = forms.TypedChoiceField(label=_("Nội dung"), coerce=int, required=False, empty_value=None)
    summary = forms.CharField(
        label=_("Tóm tắt ý kiến"),
        max_length=_limit(Speech, "summary"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Ghi tóm tắt ý kiến phát biểu.")},
    )

    def __init__(self, *args, attendances: list[Attendance], visitors: list[Visitor], agenda: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.speakers = speaker_choices(attendances, visitors)
        self.fields["speaker"].choices = [("", _("— chọn người phát biểu —")), *self.speakers["choices"]]
        # Any roster member is accepted here: the service says why a member who is not present cannot speak.
        self.fields["speaker"].accepted = {*self.speakers["roster"], *self.speakers["visitors"]}
        self.items = {item.pk: item for item in agenda}
        self.fields["agenda_item"].choices = [("", _("— chung, không theo mục —"))] + [
            (item.pk, f"{item.order}. {item.title}") for item in agenda
        ]

    def clean(self):
        data = super().clean()
        value = data.get("speaker") or ""
        data["member"] = self.speakers["roster"].get(value)
        data["visitor"] = self.speakers["visitors"].get(value)
        item_pk = data.get("agenda_item")
        data["item"] = self.items.get(item_pk) if item_pk else None
        if item_pk and data["item"] is None:
            self.add_error("agenda_item", _("Mục chương trình không thuộc buổi này."))
        return data


def speaker_choices(attendances: list[Attendance], visitors: list[Visitor]) -> dict:
    """Select options "m<member pk>" for the present members and "v<visitor pk>" for the visitors."""
    present = [(f"m{row.member_id}", row.member.full_name) for row in attendances if row.status == "present"]
    guests = [
        (f"v{visitor.pk}", f"{visitor.name} ({visitor.title})" if visitor.title else visitor.name)
        for visitor in visitors
    ]
    choices: list = []
    if present:
        choices.append((_("Đảng viên có mặt"), present))
    if guests:
        choices.append((_("Đại biểu"), guests))
    return {
        "choices": choices,
        "roster": {f"m{row.member_id}": row.member for row in attendances},
        "visitors": {f"v{visitor.pk}": visitor for visitor in visitors},
    }
