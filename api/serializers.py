"""What the API says of each resource. Field names are English, values as stored (choices by their code, with the
label beside where people read it); names are as the organizations write them.

Read serializers only: every write goes through ``api.inputs`` into the same services as the pages."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cells.models import Organization
from meetings.models import AgendaItem, Attendance, Meeting, Speech, Visitor, VisitReport
from members.models import Member, Membership, StatusChange
from reports.findings import findings
from reports.models import CellMonth


class ReadModelSerializer(serializers.ModelSerializer):
    """A model's fields as read: a choice the model leaves blank (``blank=True``) may read "" (DRF drops
    ``allow_blank`` from read-only fields, and the OpenAPI description would then refuse the empty value)."""

    def get_fields(self):
        fields = super().get_fields()
        for name, field in fields.items():
            if isinstance(field, serializers.ChoiceField):
                try:
                    model_field = self.Meta.model._meta.get_field(field.source or name)
                except Exception:  # noqa: BLE001 - not a model field (an annotation, a property)
                    continue
                field.allow_blank = getattr(model_field, "blank", False)
                field.allow_null = getattr(model_field, "null", False)
        return fields


class OrganizationSerializer(ReadModelSerializer):
    parent = serializers.IntegerField(
        source="parent_id", read_only=True, allow_null=True, help_text="The organization directly above; null: a root."
    )
    is_cell = serializers.BooleanField(read_only=True)

    class Meta:
        model = Organization
        fields = ["id", "code", "name", "kind", "cell_type", "place_name", "parent", "is_cell", "depth"]
        read_only_fields = fields


class CellSerializer(OrganizationSerializer):
    class Meta:
        model = Organization
        fields = [
            *OrganizationSerializer.Meta.fields,
            "valid_from",
            "valid_to",
            "meeting_day",
            "meeting_time",
            "venue",
        ]
        read_only_fields = fields


# --- Members -------------------------------------------------------------------------------------------------------


class StatusChangeSerializer(ReadModelSerializer):
    class Meta:
        model = StatusChange
        fields = ["status", "effective_from", "attached_to", "attached_to_name", "until", "note"]
        read_only_fields = fields


class MembershipSerializer(ReadModelSerializer):
    class Meta:
        model = Membership
        fields = ["organization", "kind", "valid_from", "valid_to"]
        read_only_fields = fields


# The fields of a member's record that only those who may write the member's cell read (their personal data).
PERSONAL_FIELDS = tuple(name for name in Member.PERSONAL_FIELDS if name != "full_name")


class MemberSerializer(ReadModelSerializer):
    """A member with their status today and its history, and their cells. ``birth_date``, ``gender``, ``email``,
    ``phone``, ``card_number``, ``party_history_number`` and ``register_number`` are given only to users who may
    write the member's cell (``personal`` says whether they are): absent otherwise."""

    cell = serializers.IntegerField(
        source="cell_id", read_only=True, allow_null=True, help_text="Their home cell, or the last one if they left."
    )
    status = serializers.CharField(read_only=True, allow_null=True, help_text="Their status today.")
    status_history = StatusChangeSerializer(source="status_changes", many=True, read_only=True)
    memberships = MembershipSerializer(many=True, read_only=True)
    personal = serializers.SerializerMethodField(help_text="Whether the personal fields are given.")

    class Meta:
        model = Member
        fields = [
            "id",
            "full_name",
            "admission_date",
            "official_date",
            "cell",
            "status",
            "status_history",
            "memberships",
            "personal",
            *PERSONAL_FIELDS,
        ]
        read_only_fields = fields
        extra_kwargs = {name: {"required": False} for name in PERSONAL_FIELDS}

    def get_personal(self, member) -> bool:
        return self._personal(member)

    def _personal(self, member) -> bool:
        scope = self.context["scope"]
        return scope.is_admin or bool(member.cell_path and member.cell_path.startswith(scope.write_paths))

    def to_representation(self, member):
        data = super().to_representation(member)
        if not self._personal(member):
            for name in PERSONAL_FIELDS:
                data.pop(name, None)
        return data


# --- Meetings ------------------------------------------------------------------------------------------------------

MEETING_FIELDS = [
    "id",
    "organization",
    "kind",
    "topic",
    "planned_date",
    "planned_time",
    "venue",
    "status",
    "cancel_reason",
    "started_at",
    "ended_at",
    "chair",
    "recorder",
    "resolution_title",
    "votes_for",
    "votes_against",
    "votes_abstain",
    "quality_score",
    "quality_grade",
    "number",
    "resolution_number",
    "published_at",
    "approved_at",
    "correction_count",
    "version",
    "updated_at",
]


# What a meeting's record says (times, chair and recorder, the resolution and its vote, the grade): read, before the
# minutes are closed, only by those who read the cell's roster; a plain member reads the notice and agenda until the
# meeting is held, then the minutes, as on the meeting's page.
RECORD_FIELDS = {
    "started_at": None,
    "ended_at": None,
    "chair": None,
    "recorder": None,
    "resolution_title": "",
    "resolution_text": "",
    "votes_for": None,
    "votes_against": None,
    "votes_abstain": None,
    "quality_score": None,
    "quality_grade": "",
    "long_meeting_confirmed": False,
}
HELD = (Meeting.Status.HELD, Meeting.Status.APPROVED)


def reads_roster(serializer, meeting) -> bool:
    return serializer.context["scope"].can_read(meeting.organization)


class MeetingSerializer(ReadModelSerializer):
    """A meeting's header. Before it is held, its record is empty for a user who does not read the cell's roster."""

    class Meta:
        model = Meeting
        fields = MEETING_FIELDS
        read_only_fields = fields

    def to_representation(self, meeting):
        data = super().to_representation(meeting)
        if meeting.status not in HELD and not reads_roster(self, meeting):
            for name, empty in RECORD_FIELDS.items():
                if name in data:
                    data[name] = empty
        return data


class AgendaItemSerializer(ReadModelSerializer):
    class Meta:
        model = AgendaItem
        fields = ["id", "order", "title", "details", "conclusion"]
        read_only_fields = fields


class AttendanceSerializer(ReadModelSerializer):
    """One member's roll call. To a user who does not read the cell's roster, the minutes name only the absent, as
    the printed minutes do: their status that day, guest and acceptance read null."""

    full_name = serializers.CharField(source="member.full_name", read_only=True)
    member_status = serializers.CharField(read_only=True, allow_null=True, help_text="Their status on the day.")
    is_guest = serializers.BooleanField(read_only=True, allow_null=True)
    absence_accepted = serializers.BooleanField(read_only=True, allow_null=True)

    class Meta:
        model = Attendance
        fields = ["member", "full_name", "status", "reason", "absence_accepted", "member_status", "is_guest"]
        read_only_fields = fields


class SpeechSerializer(ReadModelSerializer):
    class Meta:
        model = Speech
        fields = ["id", "order", "member", "visitor", "agenda_item", "summary"]
        read_only_fields = fields


class VisitorSerializer(ReadModelSerializer):
    class Meta:
        model = Visitor
        fields = ["id", "seat", "name", "title", "is_superior", "rank", "committee_kind"]
        read_only_fields = fields


class MeetingDetailSerializer(MeetingSerializer):
    """A meeting as its minutes read: the agenda with conclusions, the roll call saved, speeches, visitors, the
    resolution and its vote; ``attendance_counts`` the roll call's totals. To a user who does not read the cell's
    roster (a plain member): nothing of the record before the meeting is held (the notice and agenda), then the
    minutes, with the absent members only by name."""

    attendance_counts = serializers.SerializerMethodField()

    agenda = AgendaItemSerializer(many=True, read_only=True)
    attendance = AttendanceSerializer(source="attendances", many=True, read_only=True)
    speeches = SpeechSerializer(many=True, read_only=True)
    visitors = VisitorSerializer(many=True, read_only=True)

    class Meta:
        model = Meeting
        fields = [
            *MEETING_FIELDS,
            "long_meeting_confirmed",
            "resolution_text",
            "agenda",
            "attendance",
            "speeches",
            "visitors",
            "attendance_counts",
        ]
        read_only_fields = fields

    @extend_schema_field(
        {
            "type": "object",
            "properties": {
                name: {"type": "integer"} for name in ("roster", "present", "excused", "absent", "unmarked")
            },
            "required": ["roster", "present", "excused", "absent", "unmarked"],
        }
    )
    def get_attendance_counts(self, meeting) -> dict:
        statuses = [row.status for row in meeting.attendances.all()]
        if meeting.status not in HELD and not reads_roster(self, meeting):
            statuses = []
        return {
            "roster": len(statuses),
            "present": statuses.count("present"),
            "excused": statuses.count("excused"),
            "absent": statuses.count("absent"),
            "unmarked": statuses.count(""),
        }

    def to_representation(self, meeting):
        data = super().to_representation(meeting)
        if reads_roster(self, meeting):
            return data
        if meeting.status not in HELD:
            data["attendance"], data["speeches"], data["visitors"] = [], [], []
            for item in data["agenda"]:
                item["conclusion"] = ""
            return data
        data["attendance"] = [
            {**row, "member_status": None, "is_guest": None, "absence_accepted": None}
            for row in data["attendance"]
            if row["status"] in ("excused", "absent")
        ]
        return data


# --- Visits --------------------------------------------------------------------------------------------------------

REPORT_FIELDS = [
    "attendance_observed",
    "followed_guidance",
    "guidance_note",
    "speakers",
    "discussion_note",
    "resolution_adopted",
    "contribution",
    "recommendations",
    "score",
    "grade",
    "follow_ups",
    "submitted_at",
    "correction_count",
    "version",
]


class VisitReportSerializer(ReadModelSerializer):
    class Meta:
        model = VisitReport
        fields = REPORT_FIELDS
        read_only_fields = fields


class VisitSerializer(ReadModelSerializer):
    """A superior-committee member's visit to a meeting, with its report when the user may read it (its author;
    once submitted, the readers of the visitor's committee): null otherwise, or when none was begun."""

    organization = serializers.IntegerField(source="meeting.organization_id", read_only=True)
    meeting_date = serializers.DateField(source="meeting.planned_date", read_only=True)
    committee = serializers.IntegerField(source="seat.organization_id", read_only=True)
    member = serializers.IntegerField(source="seat.member_id", read_only=True, allow_null=True)
    report = serializers.SerializerMethodField()

    class Meta:
        model = Visitor
        fields = [
            "id",
            "meeting",
            "organization",
            "meeting_date",
            "seat",
            "committee",
            "member",
            "name",
            "title",
            "rank",
            "report",
        ]
        read_only_fields = fields

    @extend_schema_field(VisitReportSerializer(allow_null=True))
    def get_report(self, visitor):
        report = getattr(visitor, "readable_report", None)
        return VisitReportSerializer(report).data if report is not None else None


# --- Policies and compliance ---------------------------------------------------------------------------------------


class SourceSerializer(serializers.Serializer):
    policy = serializers.IntegerField(source="policy_id", allow_null=True, help_text="null: the built-in default.")
    name = serializers.CharField()
    organization = serializers.IntegerField(source="organization_id", allow_null=True)
    organization_name = serializers.CharField(source="organization")
    citation = serializers.CharField()
    valid_from = serializers.DateField(allow_null=True)
    url = serializers.CharField()
    kind = serializers.CharField()
    binding = serializers.BooleanField(help_text="A value not met is a failure (else: advice).")


class RuleValueSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    value = serializers.JSONField(allow_null=True)
    display = serializers.CharField()
    source = SourceSerializer()


class PolicyInForceSerializer(serializers.Serializer):
    organization = serializers.IntegerField()
    date = serializers.DateField()
    rules = RuleValueSerializer(many=True)


class FindingSerializer(serializers.Serializer):
    rule = serializers.CharField()
    label = serializers.CharField()
    result = serializers.CharField()
    measured = serializers.JSONField(allow_null=True)
    required = serializers.JSONField(allow_null=True)
    policy = serializers.CharField()
    citation = serializers.CharField()
    kind = serializers.CharField()
    binding = serializers.BooleanField()


class CellMonthSerializer(ReadModelSerializer):
    """One cell's month as the compliance sweep measured it, rule by rule, each with the value required and where
    it comes from."""

    cell_name = serializers.CharField(source="cell.name", read_only=True)
    findings = serializers.SerializerMethodField()

    class Meta:
        model = CellMonth
        fields = [
            "cell",
            "cell_name",
            "month",
            "cell_type",
            "meeting",
            "all_ok",
            "length_minutes",
            "speakers_count",
            "attendance_present",
            "attendance_expected",
            "attendance_excused",
            "attendance_absent",
            "official_members",
            "findings",
        ]
        read_only_fields = fields

    @extend_schema_field(FindingSerializer(many=True))
    def get_findings(self, row):
        return FindingSerializer(findings(row), many=True).data


class RuleShareSerializer(serializers.Serializer):
    rule = serializers.CharField()
    passed = serializers.IntegerField()
    failed = serializers.IntegerField()


class FiguresSerializer(serializers.Serializer):
    """The dashboard's headline figures (rates are shares from 0 to 1, null when nothing was decided)."""

    cells = serializers.IntegerField(help_text="Cells with findings in the period.")
    cells_ok = serializers.IntegerField(help_text="Cells with a month decided and none failed.")
    cells_short = serializers.IntegerField(help_text="Cells with a failing month.")
    cells_pending = serializers.IntegerField(help_text="Cells with nothing decided yet.")
    ok_rate = serializers.FloatField(allow_null=True)
    held = serializers.IntegerField(help_text="Cell-months with the regular meeting held.")
    due = serializers.IntegerField(help_text="Cell-months where it was due.")
    held_rate = serializers.FloatField(allow_null=True)
    present = serializers.IntegerField()
    expected = serializers.IntegerField()
    attendance_rate = serializers.FloatField(allow_null=True)
    thematic_pass = serializers.IntegerField()
    thematic_decided = serializers.IntegerField()
    thematic_rate = serializers.FloatField(allow_null=True)
    passed = serializers.IntegerField(help_text="Cell-months passing every rule.")
    failed = serializers.IntegerField(help_text="Cell-months failing one.")
    months_rate = serializers.FloatField(allow_null=True)
    median_length = serializers.FloatField(allow_null=True, help_text="Minutes of the regular meetings held.")
    median_speakers = serializers.FloatField(allow_null=True)
    rules = RuleShareSerializer(source="rule_shares", many=True)


class ChildFiguresSerializer(serializers.Serializer):
    organization = serializers.IntegerField(source="organization.id")
    name = serializers.CharField(source="organization.name")
    figures = FiguresSerializer()


class PeriodSerializer(serializers.Serializer):
    kind = serializers.CharField()
    year = serializers.IntegerField()
    number = serializers.IntegerField()
    first_month = serializers.DateField()
    last_month = serializers.DateField()


class ComplianceSerializer(serializers.Serializer):
    organization = serializers.IntegerField(source="organization.id")
    period = PeriodSerializer()
    cell_type = serializers.CharField()
    headline = FiguresSerializer()
    children = ChildFiguresSerializer(many=True)
    months_without_data = serializers.ListField(child=serializers.DateField())
