"""Compliance findings: for every cell and month, each rule measured against the policy in force in that month.

The facts (meetings, attendance, speeches, memberships, statuses) are aggregated in the database, set-based: a month
costs the same seven queries for 3 cells or 5,000 (cells, policies, the month's regular meetings with their
attendance figures, their speakers, thematic meetings of the quarter, official members, one upsert). Python only
compares the aggregated figures with the resolved policy and writes one ``CellMonth`` row per cell and month.

Choices written down here (the design leaves them open):

- The policy of a month is the one in force on the month's **last day**: a policy from the 15th applies to that
  month. Each month is computed with its own policy, so a later policy never rewrites an earlier month, even when
  the earlier month is computed again.
- "Today" and every timestamp are read in the project's time zone (Asia/Ho_Chi_Minh). A month is over when today's
  local date is in a later month; a meeting belongs to the month of its (local) date, ``Meeting.month``.
- Official members (smallest cell, Điều lệ art. 24) are the members whose status is official by rank: official,
  exempted, attached elsewhere or suspended. Probationary members are not official members. They are counted among
  the cell's home members on the month's last day, with the status in force that day.
- Attendance: the expected members are the home members on the meeting's roster except the exempted, those
  attached elsewhere and the suspended (none of them is expected to attend); guests attached here are left out too.
  The attendance *rule* is the quorum of the vote rule: more than half of the counted official members present
  (design.md, "quorum warning"; Điều lệ art. 9). No policy sets a minimum attendance rate, so the rate is a figure.
- Strike-off review (Quy định 294-QĐ/TW 8.1, "3 months in a calendar year absent without reason"): the flag counts
  the distinct months of the year in which the member was absent without reason from a held meeting; the number of
  such attendances is given beside it (they are equal when a member misses one meeting a month).
"""

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass
from types import SimpleNamespace

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cells.models import Organization
from cells.policies import BUILT_IN, Source, policies_for
from meetings.models import Attendance, Meeting, Speech
from members.models import Membership, StatusChange
from reports import rollups
from reports.models import CellMonth, PendingRefresh, Result

logger = logging.getLogger(__name__)

PASS, FAIL, NA = Result.PASS, Result.FAIL, Result.NOT_APPLICABLE
HELD = (Meeting.Status.HELD, Meeting.Status.APPROVED)
REGULAR_KINDS = (Meeting.Kind.REGULAR, Meeting.Kind.COMBINED)
THEMATIC_KINDS = (Meeting.Kind.THEMATIC, Meeting.Kind.COMBINED)
# Statuses that are official membership by rank (design.md, "Member statuses"); probationary members are not.
OFFICIAL_RANK = ("official", "exempted", "attached_elsewhere", "suspended")
# Frozen attendance statuses of the members expected at a meeting (everyone else on the roster is excused by status).
EXPECTED = ("official", "probationary")

RULE_LABELS = {
    "regular_held": _("Có sinh hoạt định kỳ"),
    "length": _("Đủ thời lượng"),
    "speakers": _("Đủ số đảng viên phát biểu"),
    "attendance": _("Đủ số đảng viên dự họp"),
    "resolution": _("Nghị quyết thông qua hợp lệ"),
    "agenda_on_time": _("Gửi chương trình đúng hạn"),
    "minutes_on_time": _("Duyệt biên bản đúng hạn"),
    "thematic": _("Có sinh hoạt chuyên đề trong quý"),
    "cell_size": _("Đủ số đảng viên chính thức"),
    "absences": _("Vắng sinh hoạt không lý do"),
}

# Rules whose value is not a policy field: their legal source, as ``cells.policies`` writes a built-in one.
BUILT_IN_SOURCES = {
    "regular_held": Source(None, BUILT_IN, "", "Điều lệ Đảng, Điều 24", None),
    "attendance": Source(None, BUILT_IN, "", "Điều lệ Đảng, Điều 9; Quy định 294-QĐ/TW, 9.3.2", None),
    "resolution": Source(None, BUILT_IN, "", "Điều lệ Đảng, Điều 9; Quy định 294-QĐ/TW, 9.3.2", None),
}

# Every column an upsert rewrites (all but the key and the id).
UPDATE_FIELDS = [
    field.name
    for field in CellMonth._meta.concrete_fields
    if not field.primary_key and field.name not in ("cell", "month")
]


# --- dates -----------------------------------------------------------------------------------------------------------


def local_today() -> datetime.date:
    """Today in the project's time zone (Asia/Ho_Chi_Minh), whatever time zone a request activated."""
    return timezone.localdate(timezone=timezone.get_default_timezone())


def _local_date(moment: datetime.datetime | None) -> datetime.date | None:
    return timezone.localtime(moment, timezone.get_default_timezone()).date() if moment else None


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def next_month(month: datetime.date) -> datetime.date:
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def previous_month(month: datetime.date) -> datetime.date:
    return (month.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def month_end(month: datetime.date) -> datetime.date:
    return next_month(month) - datetime.timedelta(days=1)


def quarter_start(month: datetime.date) -> datetime.date:
    return month.replace(month=(month.month - 1) // 3 * 3 + 1, day=1)


# --- the facts, aggregated in the database ---------------------------------------------------------------------------


def with_figures(meetings: QuerySet) -> QuerySet:
    """Annotate meetings with their attendance figures and the vote rule of ``meetings.rules.vote_basis``, as
    conditional aggregates over the attendance rows (one GROUP BY, no row loaded):

    - ``expected``, ``present``, ``excused``, ``absent``: the members expected (official or probationary on the day,
      not guests); the others left out;
    - ``counted``: official members present or absent (an absence the committee accepted is not counted), plus the
      exempted members who are present: the vote's denominator;
    - ``eligible_present``: official and exempted members present: those who may vote.
    """
    home = Q(attendances__is_guest=False)
    expected = home & Q(attendances__member_status__in=EXPECTED)
    present = Q(attendances__status=Attendance.Status.PRESENT)
    official = Q(attendances__member_status="official")
    exempted = Q(attendances__member_status="exempted")
    not_accepted_absence = Q(attendances__status__in=["present", "absent", ""]) | Q(
        attendances__status=Attendance.Status.EXCUSED, attendances__absence_accepted=False
    )
    return meetings.annotate(
        expected=Count("attendances", filter=expected),
        present=Count("attendances", filter=expected & present),
        excused=Count("attendances", filter=expected & Q(attendances__status=Attendance.Status.EXCUSED)),
        absent=Count("attendances", filter=expected & Q(attendances__status=Attendance.Status.ABSENT)),
        counted=Count("attendances", filter=home & ((official & not_accepted_absence) | (exempted & present))),
        eligible_present=Count("attendances", filter=home & present & (official | exempted)),
    )


def member_speakers(speeches: QuerySet) -> dict[int, int]:
    """Distinct members who spoke, per meeting, for these speeches (visitors are not members of the cell)."""
    return dict(
        speeches.filter(member__isnull=False)
        .order_by()
        .values("meeting_id")
        .annotate(n=Count("member_id", distinct=True))
        .values_list("meeting_id", "n")
    )


MEETING_FIELDS = (
    "id",
    "organization_id",
    "kind",
    "status",
    "planned_date",
    "started_at",
    "ended_at",
    "votes_for",
    "published_at",
    "approved_at",
)


def _cells(month: datetime.date, cells=None, organization: Organization | None = None) -> QuerySet:
    """The cells active at some point of the month, restricted to a subtree or to a given set."""
    queryset = (
        Organization.objects.cells()
        .filter(valid_from__lte=month_end(month))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=month))
    )
    if organization is not None:
        queryset = queryset.filter(path__startswith=organization.path)
    if cells is not None:
        if isinstance(cells, QuerySet):
            queryset = queryset.filter(pk__in=cells.order_by().values("pk"))
        else:
            queryset = queryset.filter(pk__in=[getattr(cell, "pk", cell) for cell in cells])
    return queryset


def _facts(month: datetime.date, cell_ids: QuerySet) -> tuple[dict, dict, dict]:
    """Four queries whatever the number of cells: the month's held regular meeting per cell with its attendance
    figures, the distinct member speakers of those meetings, the thematic meetings held in the quarter up to this
    month, and the official members on the month's last day."""
    end = month_end(month)
    regular_filter = {
        "organization_id__in": cell_ids,
        "month": month,
        "kind__in": REGULAR_KINDS,
        "status__in": HELD,
    }
    meetings = with_figures(
        Meeting.objects.filter(**regular_filter).order_by("organization_id", "planned_date", "id")
    ).values(*MEETING_FIELDS, "expected", "present", "excused", "absent", "counted", "eligible_present")
    # One regular meeting per cell and month is a database constraint (cancelled ones aside, which are not read
    # here). Should two ever be held, the one with the latest date wins: rows come in date order.
    regular = {row["organization_id"]: row for row in meetings}
    # Counted apart: a correlated count beside the attendance GROUP BY would run once per attendance row.
    speakers = member_speakers(
        Speech.objects.filter(**{f"meeting__{key}": value for key, value in regular_filter.items()})
    )
    for row in regular.values():
        row["speakers"] = speakers.get(row["id"], 0)
    thematic = dict(
        Meeting.objects.filter(
            organization_id__in=cell_ids,
            month__gte=quarter_start(month),
            month__lte=month,
            kind__in=THEMATIC_KINDS,
            status__in=HELD,
        )
        .order_by()
        .values("organization_id")
        .annotate(n=Count("id"))
        .values_list("organization_id", "n")
    )
    official = dict(
        Membership.objects.filter(organization_id__in=cell_ids, kind=Membership.Kind.HOME)
        .active_on(end)
        .filter(Exists(official_on(end)))
        .order_by()
        .values("organization_id")
        .annotate(n=Count("member_id", distinct=True))
        .values_list("organization_id", "n")
    )
    return regular, thematic, official


def official_on(day: datetime.date) -> QuerySet:
    """For ``Exists``: the status change of the outer row's ``member_id`` in force on ``day`` (the latest on or before
    it), when it is an official status by rank. The same answer as ``members.querysets.status_on_subquery`` (a member
    has one change per day, a database constraint), written as an anti-join so that PostgreSQL can hash it over a
    province's members instead of running one ordered lookup per membership (three times faster at 5,000 cells)."""
    later = StatusChange.objects.filter(
        member_id=OuterRef("member_id"), effective_from__lte=day, effective_from__gt=OuterRef("effective_from")
    )
    return StatusChange.objects.filter(
        member_id=OuterRef("member_id"), effective_from__lte=day, status__in=OFFICIAL_RANK
    ).filter(~Exists(later))


# --- the rules -------------------------------------------------------------------------------------------------------


def _source(source: Source) -> dict:
    """A rule's source as stored: the citation always; the policy's details only when a policy (not the built-in
    defaults) gives the value. Kept small: a province writes thousands of these rows a night."""
    if source.policy_id is None:
        return {"policy": source.name, "citation": source.citation}
    data = {
        "policy": source.name,
        "citation": source.citation,
        "policy_id": source.policy_id,
        "organization": source.organization,
        "organization_id": getattr(source, "organization_id", None),
        "valid_from": source.valid_from.isoformat() if source.valid_from else None,
    }
    if getattr(source, "url", ""):
        data["url"] = source.url
    return data


def _finding(result: str, measured, required, source: Source) -> tuple[str, dict]:
    return result, {"measured": measured, "required": required, **_source(source)}


def _at_least(measured: int | None, required: int) -> str:
    if measured is None:
        return NA
    return PASS if measured >= required else FAIL


def evaluate(
    cell,
    month: datetime.date,
    policy,
    meeting: dict | None,
    thematic_count: int,
    official_members: int,
    today: datetime.date,
) -> CellMonth:
    """One cell-month row from the aggregated facts and the resolved policy (no query)."""
    over = today >= next_month(month)
    sources = policy.sources
    rules: dict[str, dict] = {}
    row = CellMonth(cell_id=cell.pk, month=month, path=cell.path, cell_type=cell.cell_type or "")
    row.meeting_id = meeting["id"] if meeting else None

    # Regular meeting held: na while the month runs, fail once it is over without one.
    held = meeting is not None
    row.regular_held, rules["regular_held"] = _finding(
        PASS if held else (FAIL if over else NA), int(held), 1, BUILT_IN_SOURCES["regular_held"]
    )

    # Length against the minimum for the meeting's kind (regular or combined).
    kind = meeting["kind"] if meeting else Meeting.Kind.REGULAR
    row.length_required = policy.min_minutes(kind)
    if meeting and meeting["started_at"] and meeting["ended_at"]:
        row.length_minutes = int((meeting["ended_at"] - meeting["started_at"]).total_seconds() // 60)
    row.length, rules["length"] = _finding(
        _at_least(row.length_minutes, row.length_required),
        row.length_minutes,
        row.length_required,
        sources[f"min_minutes_{kind}"],
    )

    # Distinct member speakers.
    row.speakers_required = policy.min_member_speakers
    row.speakers_count = meeting["speakers"] if meeting else None
    row.speakers, rules["speakers"] = _finding(
        _at_least(row.speakers_count, row.speakers_required),
        row.speakers_count,
        row.speakers_required,
        sources["min_member_speakers"],
    )

    # Attendance: the rate is a figure; the rule is the quorum (more than half of the counted official members).
    if meeting:
        row.attendance_present, row.attendance_expected = meeting["present"], meeting["expected"]
        row.attendance_excused, row.attendance_absent = meeting["excused"], meeting["absent"]
        row.vote_counted, row.vote_present = meeting["counted"], meeting["eligible_present"]
        quorum = row.vote_counted // 2 + 1
        row.attendance, rules["attendance"] = _finding(
            PASS if row.vote_present >= quorum else FAIL, row.vote_present, quorum, BUILT_IN_SOURCES["attendance"]
        )
        rules["attendance"]["present"] = row.attendance_present
        rules["attendance"]["expected"] = row.attendance_expected
    else:
        row.attendance, rules["attendance"] = _finding(NA, None, None, BUILT_IN_SOURCES["attendance"])

    # Resolution: approvals above half of the counted official members, with the quorum; na without a vote.
    votes_for = meeting["votes_for"] if meeting else None
    required_votes = row.vote_counted // 2 + 1 if meeting else None
    if votes_for is None:
        resolution = NA
    else:
        passes = row.vote_counted > 0 and votes_for * 2 > row.vote_counted
        quorum_ok = row.vote_present * 2 > row.vote_counted
        resolution = PASS if passes and quorum_ok else FAIL
    row.resolution, rules["resolution"] = _finding(
        resolution, votes_for, required_votes, BUILT_IN_SOURCES["resolution"]
    )

    # Agenda sent at least ``agenda_lead_days`` before the meeting's date (fail if never sent).
    lead = policy.agenda_lead_days
    if meeting:
        published = _local_date(meeting["published_at"])
        measured = (meeting["planned_date"] - published).days if published else None
        agenda = PASS if measured is not None and measured >= lead else FAIL
    else:
        measured, agenda = None, NA
    row.agenda_on_time, rules["agenda_on_time"] = _finding(agenda, measured, lead, sources["agenda_lead_days"])

    # Minutes approved within ``minutes_approval_days`` of the meeting's date; na while that time runs.
    days = policy.minutes_approval_days
    if meeting:
        approved = _local_date(meeting["approved_at"])
        measured = (approved - meeting["planned_date"]).days if approved else None
        deadline = meeting["planned_date"] + datetime.timedelta(days=days)
        if approved:
            minutes = PASS if approved <= deadline else FAIL
        else:
            minutes = FAIL if today > deadline else NA
    else:
        measured, minutes = None, NA
    row.minutes_on_time, rules["minutes_on_time"] = _finding(minutes, measured, days, sources["minutes_approval_days"])

    # Thematic meetings held in the quarter up to this month: fail only in the quarter's last month, once over.
    row.thematic_count = thematic_count
    required = policy.thematic_per_quarter
    if thematic_count >= required:
        thematic = PASS
    elif month.month % 3 == 0 and over:
        thematic = FAIL
    else:
        thematic = NA
    row.thematic, rules["thematic"] = _finding(thematic, thematic_count, required, sources["thematic_per_quarter"])

    # Smallest cell: official members (by rank) on the month's last day.
    row.official_members = official_members
    required = policy.smallest_cell_official
    row.cell_size, rules["cell_size"] = _finding(
        PASS if official_members >= required else FAIL, official_members, required, sources["smallest_cell_official"]
    )

    row.all_ok = all(getattr(row, name) != FAIL for name in CellMonth.RULE_FIELDS)
    row.rules = rules
    return row


# --- computing and storing -------------------------------------------------------------------------------------------


def _compute(month: datetime.date, cells=None, organization: Organization | None = None) -> list[CellMonth]:
    month = month_start(month)
    today = local_today()
    cell_qs = _cells(month, cells=cells, organization=organization)
    cell_rows = [
        SimpleNamespace(pk=pk, path=path, cell_type=cell_type)
        for pk, path, cell_type in cell_qs.values_list("id", "path", "cell_type")  # query 1
    ]
    if not cell_rows:
        return []
    policies = policies_for(cell_rows, month_end(month))  # query 2
    regular, thematic, official = _facts(month, cell_qs.order_by().values("pk"))  # queries 3 to 6
    return [
        evaluate(
            cell,
            month,
            policies[cell.pk],
            regular.get(cell.pk),
            thematic.get(cell.pk, 0),
            official.get(cell.pk, 0),
            today,
        )
        for cell in cell_rows
    ]


def _store(rows: list[CellMonth]) -> list[CellMonth]:
    """One upsert (SQLite splits it in batches above its variable limit: over a thousand cells per batch), with the
    sums of the cells and their ancestors (``reports.rollups``), in one transaction."""
    if not rows:
        return rows
    stored: list[CellMonth] = []

    def upsert() -> None:
        stored.extend(
            CellMonth.objects.bulk_create(
                rows, update_conflicts=True, unique_fields=["cell", "month"], update_fields=UPDATE_FIELDS
            )
        )

    with transaction.atomic(savepoint=False):
        # The upsert runs once the cells' chains are locked (every writer locks them first: see reports.rollups).
        rollups.refresh({(row.cell_id, row.path) for row in rows}, {row.month for row in rows}, write=upsert)
    return stored


def compute_month(month: datetime.date, *, cells=None, organization: Organization | None = None) -> int:
    """Compute and store the findings of ``month`` for every cell active in it, or those of a subtree
    (``organization``) or of a given set (``cells``: a queryset of organizations, or organizations or ids).
    Seven queries whatever the number of cells: cells, policies, regular meetings with their attendance figures,
    their speakers, thematic meetings of the quarter, official members, the upsert. Safe to run again: rows are
    upserted per cell and month. Returns the number of rows written."""
    return len(_store(_compute(month, cells=cells, organization=organization)))


def refresh_cell_month(cell_id: int, month: datetime.date) -> CellMonth | None:
    """The same for one cell: the same seven small, indexed queries. ``None`` if ``cell_id`` is not a cell active
    that month."""
    rows = _store(_compute(month, cells=[cell_id]))
    return rows[0] if rows else None


def refresh_after_change(organization_id: int, month: datetime.date) -> int:
    """What a change to a meeting of ``organization_id`` in ``month`` needs: that month again, and the later months
    of its quarter that have begun (their thematic count includes this month). Only cells have findings: a
    committee's own meeting changes none (recomputing its whole subtree on every roll-call tap would cost a province
    thousands of rows; the nightly sweep covers subtrees). Returns the number of rows written."""
    organization = Organization.objects.filter(pk=organization_id).only("id", "path", "kind").first()
    if organization is None:
        return 0
    month = month_start(month)
    current = month_start(local_today())
    months = [month]
    while months[-1].month % 3 != 0 and next_month(months[-1]) <= current:
        months.append(next_month(months[-1]))
    written = 0
    if not organization.is_cell:
        return 0
    for each in months:
        written += refresh_cell_month(organization.pk, each) is not None
    return written


def refresh_recent_months(today: datetime.date | None = None) -> dict[str, int]:
    """The nightly sweep, for every cell: the month that closed (the one before the current month, whatever night it
    is, so that a missed run is caught up by the next one) and the current month. Older rows still waiting on
    something (a month computed while it ran, minutes whose approval time was still running) are computed again for
    their cells, so nothing stays "not applicable" for good when the sweep was down for longer, or a policy gives
    more than a month to approve the minutes. Returns the rows written per month."""
    current = month_start(today or local_today())
    previous = previous_month(current)
    written = {month.isoformat(): compute_month(month) for month in (previous, current)}
    pending = defaultdict(list)
    for month, cell_id in (
        CellMonth.objects.filter(month__lt=previous)
        .filter(Q(regular_held=NA) | Q(minutes_on_time=NA, meeting__isnull=False))
        .order_by("month")
        .values_list("month", "cell_id")
    ):
        pending[month].append(cell_id)
    for month, cell_ids in pending.items():
        written[month.isoformat()] = compute_month(month, cells=cell_ids)
    rollups.repair()  # nodes moved by the admin's tree editor
    return written


def refresh_pending(today: datetime.date | None = None) -> int:
    """Compute again what policy changes left in ``PendingRefresh``: the stored cell-months of each subtree from its
    first month to the current one (a subtree is done once, from the earliest month asked for it; one inside another
    pending subtree from no later month is covered by it), then delete the rows that were read. One query per subtree
    for its stored months, then ``compute_month`` per month. Safe to run twice or concurrently: findings are upserted.
    Returns the number of rows written."""
    current = month_start(today or local_today())
    pending = list(PendingRefresh.objects.select_related("organization").order_by("first_month", "pk"))
    first: dict[int, tuple[Organization, datetime.date]] = {}
    for row in pending:
        if row.organization_id not in first:
            first[row.organization_id] = (row.organization, row.first_month)
    chosen = [
        (organization, month)
        for organization, month in first.values()
        if not any(
            other.pk != organization.pk and organization.path.startswith(other.path) and other_month <= month
            for other, other_month in first.values()
        )
    ]
    written = 0
    for organization, month in chosen:
        # Only the cell-months already computed: an administrator's policy dated years back sets up history, it
        # must not fill the months before the app was used with "no meeting held" (the nightly sweep and meeting
        # changes compute the new ones).
        stored = (
            CellMonth.objects.filter(path__startswith=organization.path, month__gte=month, month__lte=current)
            .order_by("month")
            .values_list("month", "cell_id")
        )
        by_month: dict[datetime.date, list[int]] = defaultdict(list)
        for stored_month, cell_id in stored:
            by_month[stored_month].append(cell_id)
        for stored_month, cell_ids in by_month.items():
            written += compute_month(stored_month, cells=cell_ids)
    PendingRefresh.objects.filter(pk__in=[row.pk for row in pending]).delete()
    return written


def policy_changed(organization_id: int, valid_from: datetime.date) -> bool:
    """A policy of ``organization_id`` from ``valid_from`` was added, changed or deleted: the findings of its
    subtree from that month on (findings use the policy in force on a month's last day) are computed again, by a task
    after the commit, or by the nightly sweep if the broker is down (the request is a row, written with the policy).
    Nothing to do for a month that has not begun. Returns whether a refresh was asked for."""
    first = month_start(valid_from)
    if first > month_start(local_today()):
        return False
    PendingRefresh.objects.create(organization_id=organization_id, first_month=first)

    def enqueue() -> None:
        from celery import current_app

        try:
            current_app.send_task("reports.refresh_pending")
        except Exception:  # the broker is down: the nightly sweep does it
            logger.warning("could not enqueue reports.refresh_pending for organization %s", organization_id)

    transaction.on_commit(enqueue)
    return True


# --- reading the findings --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """One rule of one cell-month, as a dashboard shows it."""

    rule: str
    label: str
    result: str
    measured: object
    required: object
    policy: str
    organization: str
    citation: str
    valid_from: str | None
    policy_id: int | None


def findings(row: CellMonth) -> list[Finding]:
    """The findings of a stored row, in the order of ``CellMonth.RULE_FIELDS`` (no query)."""
    out = []
    for rule in CellMonth.RULE_FIELDS:
        data = row.rules.get(rule, {})
        out.append(
            Finding(
                rule=rule,
                label=str(RULE_LABELS[rule]),
                result=getattr(row, rule),
                measured=data.get("measured"),
                required=data.get("required"),
                policy=data.get("policy", ""),
                organization=data.get("organization", ""),
                citation=data.get("citation", ""),
                valid_from=data.get("valid_from"),
                policy_id=data.get("policy_id"),
            )
        )
    return out


# --- absences without reason (strike-off review) ---------------------------------------------------------------------


@dataclass(frozen=True)
class MemberAbsences:
    """A member's absences without reason in a calendar year, against the strike-off review threshold."""

    member_id: int
    full_name: str
    cell_id: int
    cell_name: str
    absences: int
    months: int
    required: int
    flagged: bool
    source: Source
    missed: tuple[datetime.date, ...] = ()  # the months absent without reason, in order


def member_absences(organization: Organization, year: int, cell_type: str = "") -> list[MemberAbsences]:
    """Members of ``organization``'s subtree absent without reason from a held meeting of a cell in ``year`` (by the
    meeting's local date; a committee's own meetings are not cell activity), with ``flagged`` when the number of such
    months reaches ``strike_off_absences`` of the policy in force on 31 December for their cell (the cell of their
    latest such absence). Members never absent without reason are not listed. ``cell_type``: only members whose cell
    (that same one) is of this type. Two queries: the absences grouped by member, month and cell; the policies.
    Flagged members first, most months first."""
    rows = (
        Attendance.objects.filter(
            status=Attendance.Status.ABSENT,
            meeting__status__in=HELD,
            meeting__planned_date__gte=datetime.date(year, 1, 1),
            meeting__planned_date__lte=datetime.date(year, 12, 31),
            meeting__organization__path__startswith=organization.path,
            meeting__organization__kind__in=Organization.CELL_KINDS,
        )
        .order_by()
        .values(
            "member_id",
            "member__full_name",
            "meeting__month",
            "meeting__organization_id",
            "meeting__organization__path",
            "meeting__organization__name",
            "meeting__organization__cell_type",
        )
        .annotate(n=Count("id"))
    )
    absences: dict[int, int] = defaultdict(int)
    months: dict[int, set] = defaultdict(set)
    latest: dict[int, tuple] = {}
    for row in rows:
        member = row["member_id"]
        absences[member] += row["n"]
        months[member].add(row["meeting__month"])
        if member not in latest or row["meeting__month"] > latest[member][0]:
            latest[member] = (
                row["meeting__month"],
                row["meeting__organization_id"],
                row["meeting__organization__path"],
                row["meeting__organization__name"],
                row["member__full_name"],
                row["meeting__organization__cell_type"],
            )
    if cell_type:
        latest = {member: item for member, item in latest.items() if item[5] == cell_type}
    if not latest:
        return []
    cells = {cell_id: SimpleNamespace(pk=cell_id, path=path) for _m, cell_id, path, *_rest in latest.values()}
    policies = policies_for(cells.values(), datetime.date(year, 12, 31))
    out = []
    for member, (_month, cell_id, _path, cell_name, full_name, _type) in latest.items():
        policy = policies[cell_id]
        required = policy.strike_off_absences
        out.append(
            MemberAbsences(
                member_id=member,
                full_name=full_name,
                cell_id=cell_id,
                cell_name=cell_name,
                absences=absences[member],
                months=len(months[member]),
                required=required,
                flagged=len(months[member]) >= required,
                source=policy.sources["strike_off_absences"],
                missed=tuple(sorted(months[member])),
            )
        )
    out.sort(key=lambda item: (not item.flagged, -item.months, item.full_name))
    return out
