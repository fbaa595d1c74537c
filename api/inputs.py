"""What a write request carries. These serializers check only the shape (types, required keys); every rule is the
service's (``meetings.services``), which answers with the same Vietnamese messages as the form."""

from rest_framework import serializers

# Ids are 64-bit integers in the database: a larger number is refused as input, never sent to it.
MAX_ID = 2**63 - 1


def Id(**kwargs) -> serializers.IntegerField:  # noqa: N802 - a field, named as the fields are
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


def OptionalId(**kwargs) -> serializers.IntegerField:  # noqa: N802
    return Id(required=False, allow_null=True, default=None, **kwargs)


class AgendaItemInput(serializers.Serializer):
    title = serializers.CharField(max_length=300)
    details = serializers.CharField(required=False, allow_blank=True, default="", max_length=2_000)


class MeetingPlanInput(serializers.Serializer):
    """A planned meeting. ``venue`` and ``planned_time`` default to the organization's usual ones; ``agenda`` to the
    order of business for the kind."""

    organization = Id()
    kind = serializers.CharField(default="regular", help_text="regular, thematic, combined, extraordinary, …")
    planned_date = serializers.DateField()
    planned_time = serializers.TimeField(required=False, allow_null=True, default=None)
    venue = serializers.CharField(required=False, allow_blank=True, default="")
    topic = serializers.CharField(required=False, allow_blank=True, default="")
    agenda = AgendaItemInput(many=True, required=False, allow_null=True, default=None)
    confirm_past = serializers.BooleanField(
        required=False, default=False, help_text="The start has passed: the meeting was held, planned to be recorded."
    )


class AttendanceInput(serializers.Serializer):
    member = Id()
    status = serializers.CharField(help_text="present, excused or absent.")
    reason = serializers.CharField(required=False, allow_blank=True, default="", help_text="Of an excused absence.")
    absence_accepted = serializers.BooleanField(
        required=False, default=False, help_text="The committee accepted the excused absence (out of the vote's count)."
    )


class VisitorInput(serializers.Serializer):
    """A superior-committee member by their seat, or a guest by name and title."""

    seat = OptionalId()
    name = serializers.CharField(required=False, allow_blank=True, default="")
    title = serializers.CharField(required=False, allow_blank=True, default="")
    is_superior = serializers.BooleanField(required=False, default=True)


class SpeechInput(serializers.Serializer):
    """A speech by a member present, or by a visitor: by their seat, or by the name of a guest."""

    member = OptionalId()
    seat = OptionalId()
    visitor_name = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="A guest of this meeting by name (the first of that name).",
    )
    agenda_item = OptionalId(help_text="The agenda item's id (the meeting's `agenda`).")
    summary = serializers.CharField(allow_blank=True)


class ConclusionInput(serializers.Serializer):
    agenda_item = Id()
    conclusion = serializers.CharField(allow_blank=True)


class MeetingRecordInput(serializers.Serializer):
    """A held meeting, whole: the roll call, visitors, speeches, times, chair and recorder, conclusions, the
    resolution and its vote. Saved and closed ("held") in one transaction, or refused whole."""

    version = serializers.IntegerField(
        min_value=0, max_value=2**31 - 1, help_text="The meeting's `version` as read: another write since is a 409."
    )
    started_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    ended_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    confirm_long = serializers.BooleanField(required=False, default=False)
    attendance = AttendanceInput(many=True, required=False, default=list)
    visitors = VisitorInput(many=True, required=False, default=list)
    speeches = SpeechInput(many=True, required=False, default=list)
    chair = OptionalId()
    recorder = OptionalId()
    conclusions = ConclusionInput(many=True, required=False, default=list)
    resolution_title = serializers.CharField(required=False, allow_blank=True, default="")
    resolution_text = serializers.CharField(required=False, allow_blank=True, default="")
    votes_for = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=0, max_value=32767)
    votes_against = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=0, max_value=32767
    )
    votes_abstain = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=0, max_value=32767
    )
    confirm_votes = serializers.BooleanField(required=False, default=False)
    quality_score = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=-32768, max_value=32767
    )


class VisitInput(serializers.Serializer):
    """ "I attended this meeting": the user's own visit, with the seat they held that day (``seat`` when they held
    several)."""

    meeting = Id()
    seat = OptionalId()


class VisitReportInput(serializers.Serializer):
    """The report of a visit: saved as a draft, or submitted (``submit``); a submitted report changes only with
    ``correction_reason``."""

    attendance_observed = serializers.CharField(required=False, allow_blank=True)
    followed_guidance = serializers.CharField(required=False, allow_blank=True)
    guidance_note = serializers.CharField(required=False, allow_blank=True)
    speakers = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=32767)
    discussion_note = serializers.CharField(required=False, allow_blank=True)
    resolution_adopted = serializers.BooleanField(required=False, allow_null=True)
    contribution = serializers.CharField(required=False, allow_blank=True)
    recommendations = serializers.CharField(required=False, allow_blank=True)
    score = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=32767)
    grade = serializers.CharField(required=False, allow_blank=True)
    follow_ups = serializers.CharField(required=False, allow_blank=True)
    submit = serializers.BooleanField(required=False, default=False)
    version = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=0, max_value=2**31 - 1)
    correction_reason = serializers.CharField(required=False, allow_blank=True, default="")
