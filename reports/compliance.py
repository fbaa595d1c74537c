"""Computing the findings: for every cell and month, each rule measured against the policy in force.

The facts (meetings, attendance, speeches, memberships, statuses) are aggregated in the database, set-based: a month
costs the same seven queries for 3 cells or 5,000 (cells, policies, the month's regular meetings with their roll-call
counts, their speakers, thematic meetings of the quarter, official members, one upsert). Python only compares the
aggregated figures with the resolved policies and writes one ``CellMonth`` row per cell and month.

The rules of a meeting (length, speakers, quorum, resolution, agenda and minutes in time) are those of
``meetings.rules.assess``, counted here in SQL by ``meetings.rules.roll_call_counts`` and ``speaker_counts``; this
module adds only the rules of a cell-month (a regular meeting held, thematic meetings in the quarter, the smallest
cell). When the findings are computed again is ``reports.refresh``; how they read, ``reports.findings``.

Choices written down here (the design leaves them open):

- A meeting's rules are judged by the policy in force on the **meeting's day**, as its own page judges them; the
  rules of the month (a regular meeting held, thematic meetings, the smallest cell) by the policy in force on the
  month's **last day**. Each month is computed with its own policies, so a later policy never rewrites an earlier
  month, even when the earlier month is computed again.
- "Today" and every timestamp are read in the project's time zone (Asia/Ho_Chi_Minh). A month is over when today's
  local date is in a later month; a meeting belongs to the month of its (local) date, ``Meeting.month``.
- Official members (smallest cell, Điều lệ art. 24) are the members whose status is official by rank: official,
  exempted, attached elsewhere or suspended. Probationary members are not official members. They are counted among
  the cell's home members on the month's last day, with the status in force that day.
- Attendance: the expected members are the home members on the meeting's roster except the exempted, those
  attached elsewhere and the suspended (none of them is expected to attend); guests attached here are left out too.
  The attendance *rule* is the quorum of the vote rule: more than half of the counted official members present
  (design.md, "quorum warning"; Điều lệ art. 9). No policy sets a minimum attendance rate, so the rate is a figure.
"""

import datetime
from types import SimpleNamespace

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from cells.models import Organization
from cells.periods import (
    is_quarter_last_month,
    local_date,
    local_today,
    month_end,
    month_start,
    next_month,
    quarter_start,
)
from cells.policies import BUILT_IN, PolicyIndex, ResolvedPolicy, Source, SourceKind, policy_index
from meetings.models import Meeting, Speech
from meetings.rules import (
    ADVICE,
    NA,
    OFFICIAL_RANK,
    Check,
    MeetingFacts,
    advisory,
    assess,
    length_check,
    minutes_between,
    roll_call_counts,
    speaker_counts,
    vote_basis_of,
)
from members.models import Membership, StatusChange
from reports import rollups
from reports.models import CellMonth, Result

PASS, FAIL = Result.PASS, Result.FAIL
HELD = (Meeting.Status.HELD, Meeting.Status.APPROVED)
REGULAR_KINDS = Meeting.REGULAR_KINDS
THEMATIC_KINDS = (Meeting.Kind.THEMATIC, Meeting.Kind.COMBINED)

# Rules whose value is not a policy field: their legal source, as ``cells.policies`` writes a built-in one.
BUILT_IN_SOURCES = {
    "regular_held": Source(None, BUILT_IN, "", "Điều lệ Đảng, Điều 24", None, kind=SourceKind.REGULATION),
    "attendance": Source(
        None, BUILT_IN, "", "Điều lệ Đảng, Điều 9; Quy định 294-QĐ/TW, 9.3.2", None, kind=SourceKind.REGULATION
    ),
    "resolution": Source(
        None, BUILT_IN, "", "Điều lệ Đảng, Điều 9; Quy định 294-QĐ/TW, 9.3.2", None, kind=SourceKind.REGULATION
    ),
}

# Every column an upsert rewrites (all but the key and the id).
UPDATE_FIELDS = [
    field.name
    for field in CellMonth._meta.concrete_fields
    if not field.primary_key and field.name not in ("cell", "month")
]

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


# --- the facts, aggregated in the database ---------------------------------------------------------------------------


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
    """Four queries whatever the number of cells: the month's held regular meeting per cell with its roll-call
    counts, the distinct member speakers of those meetings, the thematic meetings held in the quarter up to this
    month (with their times, by cell), and the official members on the month's last day."""
    end = month_end(month)
    regular_filter = {
        "organization_id__in": cell_ids,
        "month": month,
        "kind__in": REGULAR_KINDS,
        "status__in": HELD,
    }
    meetings = (
        Meeting.objects.filter(**regular_filter)
        .order_by("organization_id", "planned_date", "id")
        .annotate(**roll_call_counts())
        .values(*MEETING_FIELDS, *roll_call_counts())
    )
    # One regular meeting per cell and month is a database constraint (cancelled ones aside, which are not read
    # here). Should two ever be held, the one with the latest date wins: rows come in date order.
    regular = {row["organization_id"]: row for row in meetings}
    # Counted apart: a correlated count beside the attendance GROUP BY would run once per attendance row.
    speakers = speaker_counts(
        Speech.objects.filter(**{f"meeting__{key}": value for key, value in regular_filter.items()})
    )
    for row in regular.values():
        row["speakers"] = speakers.get(row["id"], 0)
    # The thematic meetings (a combined session included) held in the quarter up to this month, with their times:
    # a few per cell, judged in Python by the policy of each one's day (``thematic_checks``).
    thematic: dict[int, list[dict]] = {}
    for row in (
        Meeting.objects.filter(
            organization_id__in=cell_ids,
            month__gte=quarter_start(month),
            month__lte=month,
            kind__in=THEMATIC_KINDS,
            status__in=HELD,
        )
        .order_by("organization_id", "planned_date", "id")
        .values("id", "organization_id", "kind", "month", "planned_date", "started_at", "ended_at")
    ):
        thematic.setdefault(row["organization_id"], []).append(row)
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


def meeting_facts(row: dict) -> MeetingFacts:
    """The facts of a meeting row read by ``_facts`` (the same ``MeetingFacts`` a meeting's page counts in Python)."""
    return MeetingFacts(
        kind=row["kind"],
        planned_date=row["planned_date"],
        length=minutes_between(row["started_at"], row["ended_at"]),
        speakers=row["speakers"],
        basis=vote_basis_of(row),
        votes_for=row["votes_for"],
        published_on=local_date(row["published_at"]),
        approved_on=local_date(row["approved_at"]),
    )


# --- the rules -------------------------------------------------------------------------------------------------------


def _source(source: Source) -> dict:
    """A rule's source as stored: the citation and its kind (``SourceKind``) always; the policy's details only when a
    policy (not the built-in defaults) gives the value. Kept small: a province writes thousands of these rows a
    night."""
    if source.policy_id is None:
        return {"policy": source.name, "citation": source.citation, "kind": str(source.kind)}
    data = {
        "policy": source.name,
        "citation": source.citation,
        "kind": str(source.kind),
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


def _stored(check: Check, policy: ResolvedPolicy, rule: str) -> tuple[str, dict]:
    """A meeting's check as a stored finding, with the source of its required value."""
    source = policy.sources[check.rule] if check.rule else BUILT_IN_SOURCES[rule]
    return _finding(check.result, check.measured, check.required, source)


# A thematic meeting of the quarter so far: its row (as ``_facts`` reads it), its length judged, and the policy of its
# day that judged it.
Thematic = tuple[dict, Check, ResolvedPolicy]


def thematic_checks(meetings: list[dict], policies: PolicyIndex, cell) -> list[Thematic]:
    """Each thematic meeting (a combined session included) with its length judged by the policy in force on its day:
    ``meetings.rules.length_check``, the rule its own page shows (no query)."""
    judged = []
    for row in meetings:
        day_policy = policies.resolve(cell, row["planned_date"])
        length = minutes_between(row["started_at"], row["ended_at"])
        judged.append((row, length_check(row["kind"], length, day_policy), day_policy))
    return judged


def _thematic_length(month: datetime.date, thematic: list[Thematic], policy: ResolvedPolicy) -> tuple[str, dict]:
    """The month's thematic meetings held on their own, each at least its minimum length: the one that fell short
    (a failure before advice), else the shortest against its minimum; not applicable without one whose length is
    known. A combined session's length is the month's "length" finding (it is the regular meeting)."""
    own = [item for item in thematic if item[0]["month"] == month and item[0]["kind"] == Meeting.Kind.THEMATIC]
    judged = [item for item in own if item[1].applies]
    if not judged:
        kind = Meeting.Kind.THEMATIC
        return _stored(Check(NA, None, policy.min_minutes(kind) or None, f"min_minutes_{kind}"), policy, "length")
    order = {FAIL: 0, ADVICE: 1, PASS: 2}
    row, check, day_policy = min(
        judged, key=lambda item: (order[item[1].result], item[1].measured - item[1].required, item[0]["planned_date"])
    )
    result, data = _stored(check, day_policy, "length")
    data["meeting_id"] = row["id"]
    data["meetings"] = [
        {
            "id": r["id"],
            "date": r["planned_date"].isoformat(),
            "measured": c.measured,
            "required": c.required,
            "result": str(c.result),
        }
        for r, c, _p in own
    ]
    return result, data


def evaluate(
    cell,
    month: datetime.date,
    policy: ResolvedPolicy,
    meeting: dict | None,
    thematic: list[Thematic],
    official_members: int,
    today: datetime.date,
    meeting_policy: ResolvedPolicy | None = None,
) -> CellMonth:
    """One cell-month row from the aggregated facts (no query). ``policy`` is the one in force on the month's last
    day (the month's rules); ``meeting_policy`` the one in force on the meeting's day (the meeting's rules; the
    month's policy when not given); ``thematic`` the quarter's thematic meetings so far, judged
    (``thematic_checks``)."""
    over = today >= next_month(month)
    meeting_policy = meeting_policy or policy
    rules: dict[str, dict] = {}
    row = CellMonth(cell_id=cell.pk, month=month, path=cell.path, cell_type=cell.cell_type or "")
    row.meeting_id = meeting["id"] if meeting else None

    # Regular meeting held: na while the month runs, fail once it is over without one.
    held = meeting is not None
    row.regular_held, rules["regular_held"] = _finding(
        PASS if held else (FAIL if over else NA), int(held), 1, BUILT_IN_SOURCES["regular_held"]
    )

    # The meeting's own rules (meetings.rules.assess), by the policy of its day.
    if meeting is not None:
        facts = meeting_facts(meeting)
        checks = assess(facts, meeting_policy, today)
        row.attendance_present, row.attendance_expected = facts.basis.present, facts.basis.expected
        row.attendance_excused, row.attendance_absent = facts.basis.excused, facts.basis.absent
        row.vote_counted, row.vote_present = facts.basis.counted, facts.basis.eligible_present
        for rule, check in checks.items():
            result, rules[rule] = _stored(check, meeting_policy, rule)
            setattr(row, rule, result)
        rules["attendance"]["present"] = row.attendance_present
        rules["attendance"]["expected"] = row.attendance_expected
    else:
        # No meeting: nothing measured; the requirements shown are those of the month's regular meeting.
        for rule, check in assess_missing(policy).items():
            result, rules[rule] = _stored(check, policy, rule)
            setattr(row, rule, result)
    row.length_minutes, row.length_required = rules["length"]["measured"], rules["length"]["required"]
    row.speakers_count, row.speakers_required = rules["speakers"]["measured"], rules["speakers"]["required"]

    # The month's thematic meetings, each long enough (the policy of its day).
    row.thematic_length, rules["thematic_length"] = _thematic_length(month, thematic, policy)

    # Thematic meetings held in the quarter up to this month that met their own length rule (a recommendation not
    # met still counts; too short against a binding minimum does not): fail only in the quarter's last month, once
    # over.
    counted = sum(check.result != FAIL for _row, check, _policy in thematic)
    row.thematic_count = counted
    required = policy.thematic_per_quarter
    if counted >= required:
        result = PASS
    elif is_quarter_last_month(month) and over:
        result = FAIL
    else:
        result = NA
    check = advisory(Check(result, counted, required, "thematic_per_quarter"), policy)
    row.thematic, rules["thematic"] = _stored(check, policy, "thematic")
    rules["thematic"]["held"] = len(thematic)

    # Smallest cell: official members (by rank) on the month's last day.
    row.official_members = official_members
    required = policy.smallest_cell_official
    check = Check(PASS if official_members >= required else FAIL, official_members, required, "smallest_cell_official")
    row.cell_size, rules["cell_size"] = _stored(advisory(check, policy), policy, "cell_size")

    row.all_ok = all(getattr(row, name) != FAIL for name in CellMonth.RULE_FIELDS)
    row.rules = rules
    return row


def assess_missing(policy: ResolvedPolicy) -> dict[str, Check]:
    """The meeting's rules of a month without a held regular meeting: not applicable, with the requirements of a
    regular meeting (length, speakers) or none."""
    regular = Meeting.Kind.REGULAR
    return {
        "length": Check(NA, None, policy.min_minutes(regular), f"min_minutes_{regular}"),
        "speakers": Check(NA, None, policy.min_member_speakers, "min_member_speakers"),
        "attendance": Check(NA, None, None),
        "resolution": Check(NA, None, None),
        "agenda_on_time": Check(NA, None, policy.agenda_lead_days, "agenda_lead_days"),
        "minutes_on_time": Check(NA, None, policy.minutes_approval_days, "minutes_approval_days"),
    }


# --- computing and storing -------------------------------------------------------------------------------------------


def _cell_rows(month: datetime.date, cells=None, organization: Organization | None = None):
    cell_qs = _cells(month, cells=cells, organization=organization)
    rows = [
        SimpleNamespace(pk=pk, path=path, cell_type=cell_type)
        for pk, path, cell_type in cell_qs.values_list("id", "path", "cell_type")  # query 1
    ]
    return cell_qs, rows


def _evaluate(month: datetime.date, cell_qs, cell_rows) -> list[CellMonth]:
    end = month_end(month)
    today = local_today()
    policies = policy_index(cell_rows, end)
    regular, thematic_meetings, official = _facts(month, cell_qs.order_by().values("pk"))
    rows = []
    for cell in cell_rows:
        meeting = regular.get(cell.pk)
        rows.append(
            evaluate(
                cell,
                month,
                policies.resolve(cell, end),
                meeting,
                thematic_checks(thematic_meetings.get(cell.pk, []), policies, cell),
                official.get(cell.pk, 0),
                today,
                meeting_policy=policies.resolve(cell, meeting["planned_date"]) if meeting else None,
            )
        )
    return rows


def _compute(month: datetime.date, cells=None, organization: Organization | None = None) -> list[CellMonth]:
    month = month_start(month)
    cell_qs, cell_rows = _cell_rows(month, cells, organization)
    return _evaluate(month, cell_qs, cell_rows) if cell_rows else []


def _compute_and_store(month: datetime.date, cells=None, organization: Organization | None = None) -> list[CellMonth]:
    """The facts are read once the cells' chains are locked: a refresh that starts later waits, then reads the
    facts as they are after this one commits, so it never writes older facts over newer ones."""
    month = month_start(month)
    cell_qs, cell_rows = _cell_rows(month, cells, organization)
    if not cell_rows:
        return []
    stored: list[CellMonth] = []

    def write() -> None:
        rows = _evaluate(month, cell_qs, cell_rows)
        stored.extend(
            CellMonth.objects.bulk_create(
                rows, update_conflicts=True, unique_fields=["cell", "month"], update_fields=UPDATE_FIELDS
            )
        )

    with transaction.atomic(savepoint=False):
        rollups.refresh({(cell.pk, cell.path) for cell in cell_rows}, {month}, write=write)
    return stored


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
    Seven queries whatever the number of cells: cells, policies, regular meetings with their roll-call counts,
    their speakers, thematic meetings of the quarter, official members, the upsert. Safe to run again: rows are
    upserted per cell and month. Returns the number of rows written."""
    return len(_compute_and_store(month, cells=cells, organization=organization))


def refresh_cell_month(cell_id: int, month: datetime.date) -> CellMonth | None:
    """The same for one cell: the same seven small, indexed queries. ``None`` if ``cell_id`` is not a cell active
    that month."""
    rows = _compute_and_store(month, cells=[cell_id])
    return rows[0] if rows else None
