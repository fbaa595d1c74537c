"""What a write request carries. These serializers check only the shape (types, required keys); every rule is the
service's (``meetings.services``), which answers with the same Vietnamese messages as the form."""

from rest_framework import serializers


class AgendaItemInput(serializers.Serializer):
    title = serializers.CharField(max_length=300)
    details = serializers.CharField(required=False, allow_blank=True, default="", max_length=2_000)


class MeetingPlanInput(serializers.Serializer):
    """A planned meeting. ``venue`` and ``planned_time`` default to the organization's usual ones; ``agenda`` to the
    order of business for the kind."""

    organization = serializers.IntegerField()
    kind = serializers.CharField(default="regular", help_text="regular, thematic, combined, extraordinary, …")
    planned_date = serializers.DateField()
    planned_time = serializers.TimeField(required=False, allow_null=True, default=None)
    venue = serializers.CharField(required=False, allow_blank=True, default="")
    topic = serializers.CharField(required=False, allow_blank=True, default="")
    agenda = AgendaItemInput(many=True, required=False, allow_null=True, default=None)


class AttendanceInput(serializers.Serializer):
    member = serializers.IntegerField()
    status = serializers.CharField(help_text="present, excused or absent.")
    reason = serializers.CharField(required=False, allow_blank=True, default="", help_text="Of an excused absence.")
    absence_accepted = serializers.BooleanField(
        required=False, default=False, help_text="The committee accepted the excused absence (out of the vote's count)."
    )


class VisitorInput(serializers.Serializer):
    """A superior-committee member by their seat, or a guest by name and title."""

    seat = serializers.IntegerField(required=False, allow_null=True, default=None)
    name = serializers.CharField(required=False, allow_blank=True, default="")
    title = serializers.CharField(required=False, allow_blank=True, default="")
    is_superior = serializers.BooleanField(required=False, default=True)


class SpeechInput(serializers.Serializer):
    """A speech by a member present, or by a visitor: by their seat, or by the name of a guest."""

    member = serializers.IntegerField(required=False, allow_null=True, default=None)
    seat = serializers.IntegerField(required=False, allow_null=True, default=None)
    visitor_name = serializers.CharField(required=False, allow_blank=True, default="")
    agenda_item = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="The agenda item's id (the meeting's `agenda`)."
    )
    summary = serializers.CharField(allow_blank=True)


class ConclusionInput(serializers.Serializer):
    agenda_item = serializers.IntegerField()
    conclusion = serializers.CharField(allow_blank=True)


class MeetingRecordInput(serializers.Serializer):
    """A held meeting, whole: the roll call, visitors, speeches, times, chair and recorder, conclusions, the
    resolution and its vote. Saved and closed ("held") in one transaction, or refused whole."""

    version = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="The version read; another write since: refused."
    )
    started_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    ended_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    confirm_long = serializers.BooleanField(required=False, default=False)
    attendance = AttendanceInput(many=True, required=False, default=list)
    visitors = VisitorInput(many=True, required=False, default=list)
    speeches = SpeechInput(many=True, required=False, default=list)
    chair = serializers.IntegerField(required=False, allow_null=True, default=None)
    recorder = serializers.IntegerField(required=False, allow_null=True, default=None)
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
    quality_score = serializers.IntegerField(required=False, allow_null=True, default=None)


class VisitInput(serializers.Serializer):
    """ "I attended this meeting": the user's own visit, with the seat they held that day (``seat`` when they held
    several)."""

    meeting = serializers.IntegerField()
    seat = serializers.IntegerField(required=False, allow_null=True, default=None)


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
    version = serializers.IntegerField(required=False, allow_null=True, default=None)
    correction_reason = serializers.CharField(required=False, allow_blank=True, default="")
