"""Meetings and their outbox in the admin, for looking things up and correcting a record that is not yet official.

Planning, publishing, cancelling and approving happen on the meeting's pages, whose services send the mail, keep the
history and number the minutes: here the plan and those system fields are read-only, no meeting is added or deleted
(cancel it instead), and the record is editable only until the chair approves the minutes. Once approved, the minutes
are an official document (changed only by a correction with a reason, on the recording page): the meeting and all its
parts are read-only here. A change saved here asks for the month's findings to be computed again, as the services do.
The outbox is read-only: it is what was sent. Visit reports are read-only (filed and corrected by the visitor, with
their history). A quota set is dated policy data: an administrator adds one (with its lines) or changes one not yet in
force; one in force is history (add a new set from a later date instead).
"""

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from meetings.models import (
    AbsenceNotice,
    AgendaItem,
    Attendance,
    Material,
    Meeting,
    OfficialDocument,
    OutboxMessage,
    Speech,
    Visitor,
    VisitQuota,
    VisitQuotaSet,
    VisitReport,
)
from meetings.services import findings_changed

# Set by the pages and the services that send, number, approve and count.
PLAN_AND_SYSTEM_FIELDS = [
    "organization",
    "kind",
    "topic",
    "planned_date",
    "planned_time",
    "venue",
    "status",
    "cancel_reason",
    "month",
    "number",
    "published_at",
    "approved_at",
    "approved_by",
    "correction_count",
    "sequence",
    "version",
    "calendar_uid",
    "created_at",
    "updated_at",
]
RECORD_FIELDS = [
    "chair",
    "recorder",
    "started_at",
    "ended_at",
    "long_meeting_confirmed",
    "resolution_title",
    "resolution_text",
    "votes_for",
    "votes_against",
    "votes_abstain",
    "quality_score",
    "quality_grade",
]


def _locked(meeting: Meeting | None) -> bool:
    return meeting is not None and meeting.is_locked


class MeetingPartInline(admin.StackedInline):
    """A part of the minutes: editable while the minutes are not approved, read-only after. Stacked: each field has
    its label (a tabular inline leaves its inputs unlabelled but for the column heads)."""

    extra = 0

    def has_add_permission(self, request, obj=None) -> bool:
        return not _locked(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return not _locked(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return not _locked(obj) and super().has_delete_permission(request, obj)


class AgendaItemInline(MeetingPartInline):
    model = AgendaItem
    fields = ["order", "title", "details", "conclusion"]


class AttendanceInline(MeetingPartInline):
    model = Attendance
    fields = ["member", "status", "reason", "absence_accepted", "member_status", "is_guest"]
    readonly_fields = ["member_status", "is_guest"]
    raw_id_fields = ["member"]


class VisitorInline(MeetingPartInline):
    model = Visitor
    fields = ["name", "title", "seat", "is_superior"]
    raw_id_fields = ["seat"]


class SpeechInline(MeetingPartInline):
    model = Speech
    fields = ["order", "member", "visitor", "agenda_item", "summary"]
    raw_id_fields = ["member", "visitor", "agenda_item"]


class MaterialInline(MeetingPartInline):
    model = Material
    fields = ["name", "file", "content_type", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = ["content_type", "size", "uploaded_by", "uploaded_at"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # uploaded on the meeting's page, which checks the file


class AbsenceNoticeInline(MeetingPartInline):
    model = AbsenceNotice
    fields = ["member", "reason", "created_at"]
    readonly_fields = ["member", "reason", "created_at"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # said by the member on the meeting's page


@admin.register(Meeting)
class MeetingAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "organization", "kind", "planned_date", "planned_time", "status", "number"]
    list_filter = ["status", "kind"]
    search_fields = ["organization__name", "organization__code", "topic", "venue"]
    date_hierarchy = "planned_date"
    list_select_related = ["organization"]
    raw_id_fields = ["chair", "recorder"]
    fields = [*PLAN_AND_SYSTEM_FIELDS[:8], *RECORD_FIELDS, *PLAN_AND_SYSTEM_FIELDS[8:]]
    inlines = [
        AgendaItemInline,
        AttendanceInline,
        VisitorInline,
        SpeechInline,
        MaterialInline,
        AbsenceNoticeInline,
    ]

    def get_readonly_fields(self, request, obj=None):
        return [*PLAN_AND_SYSTEM_FIELDS, *RECORD_FIELDS] if _locked(obj) else PLAN_AND_SYSTEM_FIELDS

    def has_add_permission(self, request) -> bool:
        return False  # planned on the cell's page: the agenda filled, the month's regular meeting checked

    def has_change_permission(self, request, obj=None) -> bool:
        return not _locked(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # a meeting is cancelled, never deleted: its history stays

    def save_model(self, request, obj, form, change) -> None:
        obj.version += 1  # a recording page open on the old version must not overwrite this change
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        # The meeting and its parts are saved: its month's findings (and the later months of its quarter) again.
        findings_changed(form.instance)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """What was sent (or is waiting to be), to whom, with the attempts and the last error: read-only."""

    list_display = [
        "to_email",
        "kind",
        "meeting",
        "organization",
        "period",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "sent_at",
    ]
    list_filter = ["status", "kind"]
    search_fields = ["to_email", "subject", "meeting__organization__name", "organization__name"]
    date_hierarchy = "created_at"
    list_select_related = ["meeting__organization", "organization"]
    readonly_fields = [field.name for field in OutboxMessage._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(OfficialDocument)
class OfficialDocumentAdmin(admin.ModelAdmin):
    """The documents issued (approved minutes, adopted resolutions), each version with its file and SHA-256:
    read-only, as they were stored."""

    list_display = ["meeting", "kind", "version", "reason", "sha256", "stored_at"]
    list_filter = ["kind"]
    search_fields = ["meeting__organization__name", "meeting__organization__code", "sha256"]
    list_select_related = ["meeting__organization"]
    readonly_fields = [field.name for field in OfficialDocument._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


def _in_force(quota_set: VisitQuotaSet | None) -> bool:
    """A set whose first day has come judges windows already: it is history, not to be changed."""
    return quota_set is not None and quota_set.pk is not None and quota_set.valid_from <= timezone.localdate()


class VisitQuotaInline(admin.StackedInline):
    model = VisitQuota
    extra = 0
    fields = [
        "committee_kind",
        "rank",
        "period",
        "count",
        "target",
        "assigned_only",
        "requires_assignment",
        "exclude_own_cell",
        "quoted",
    ]

    def has_add_permission(self, request, obj=None) -> bool:
        return not _in_force(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return not _in_force(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return not _in_force(obj) and super().has_delete_permission(request, obj)


@admin.register(VisitQuotaSet)
class VisitQuotaSetAdmin(SimpleHistoryAdmin):
    """Visit quotas of an organization from a date. Presets are loaded on the policy page; a set in force is read-only
    and never deleted (the windows it judged keep their verdict): a change is a new set from a later date."""

    list_display = ["name", "organization", "valid_from", "source", "preset"]
    list_filter = ["preset"]
    search_fields = ["name", "source", "organization__name", "organization__code"]
    date_hierarchy = "valid_from"
    list_select_related = ["organization"]
    raw_id_fields = ["organization"]
    fields = [
        "organization",
        "name",
        "source",
        "source_url",
        "valid_from",
        "note",
        "preset",
        "created_by",
        "created_at",
    ]
    inlines = [VisitQuotaInline]

    def get_readonly_fields(self, request, obj=None):
        system = ["preset", "created_by", "created_at"]
        if _in_force(obj):
            return [*self.fields]
        return system

    def has_change_permission(self, request, obj=None) -> bool:
        return not _in_force(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return not _in_force(obj) and super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(VisitReport)
class VisitReportAdmin(SimpleHistoryAdmin):
    """The reports visitors filed, with their corrections in the history: read-only (the visitor files and corrects
    them on their page, with a reason once submitted)."""

    list_display = ["visitor", "meeting_date", "grade", "submitted_at", "correction_count"]
    list_filter = ["grade", "followed_guidance"]
    search_fields = ["visitor__name", "visitor__meeting__organization__name"]
    list_select_related = ["visitor__meeting__organization"]
    readonly_fields = [field.name for field in VisitReport._meta.fields]

    @admin.display(description=_("ngày họp"), ordering="visitor__meeting__planned_date")
    def meeting_date(self, report: VisitReport):
        return report.visitor.meeting.planned_date

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
