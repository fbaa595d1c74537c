"""Superior-committee visit quotas (định mức dự sinh hoạt): which quotas bind a committee seat, and how far its visits
go towards them, window by window.

How a seat is judged:

1. The quota set in force for a seat in a window is found on the chain of the seat's committee (its organization,
   then the organizations above it): on each, the set with the latest ``valid_from`` on or before the window's first
   day; the nearest organization that has one gives every line (a later set replaces an earlier one whole, as for
   ``cells.Policy``). A window is judged by the set in force on its first day: a quota changed from a date applies
   from the first month, quarter or year that starts on or after it.
2. The lines that bind the seat are those of its rank on a committee of its kind (``VisitQuota.committee_kind``,
   ``rank``); a line that ``requires_assignment`` binds only a seat that follows, during the window, an organization
   where a meeting of the line's target can be visited: a committee (its own meetings, the cells below it), or a cell
   of the target's kind. Yên Bái's monthly line ("with the residential cell assigned to follow") binds a commune
   committee member who follows a residential cell, not one who follows only agency or school cells.
3. A visit counts for a line when its meeting was held in the window (not cancelled), is of the line's target (a
   committee's meeting, a residential cell's, any cell's, any), lies in an organization the seat was assigned to
   follow on that day or below it (``assigned_only``), and is not a meeting of the visitor's own cell
   (``exclude_own_cell``). Lines for the same seat add up: each must be met.
4. A window the seat was not held for whole is shown but not judged (the seat began or ended in it). A window not
   yet over and not met is open ("còn thiếu"); once over, behind.

A visit by someone with no seat (a guest by name) counts for no quota. ``quota_progress`` answers for many seats in
six queries whatever their number.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _

from cells.models import Organization, ancestor_paths
from cells.periods import ROMAN_QUARTERS, add_months, month_start, quarter_start
from meetings.models import Meeting, Visitor, VisitQuota, VisitQuotaSet
from members.models import Assignment, CommitteeSeat, Membership

Period = VisitQuota.Period
Target = VisitQuota.Target

MONTHS = {Period.MONTH: 1, Period.QUARTER: 3, Period.YEAR: 12}


@dataclass(frozen=True)
class Window:
    """A calendar month, quarter or year: ``[start, end)``."""

    period: str
    start: datetime.date
    end: datetime.date

    @classmethod
    def containing(cls, period: str, day: datetime.date) -> "Window":
        if period == Period.MONTH:
            start = month_start(day)
        elif period == Period.QUARTER:
            start = quarter_start(day)
        else:
            start = datetime.date(day.year, 1, 1)
        return cls(period, start, add_months(start, MONTHS[period]))

    @property
    def last_day(self) -> datetime.date:
        return self.end - datetime.timedelta(days=1)

    @property
    def label(self) -> str:
        if self.period == Period.MONTH:
            return _("Tháng {month:02d}/{year}").format(month=self.start.month, year=self.start.year)
        if self.period == Period.QUARTER:
            quarter = ROMAN_QUARTERS[(self.start.month - 1) // 3 + 1]
            return _("Quý {quarter}/{year}").format(quarter=quarter, year=self.start.year)
        return _("Năm {year}").format(year=self.start.year)


def windows(period: str, start: datetime.date, end: datetime.date) -> list[Window]:
    """The windows of ``period`` that overlap ``[start, end)``, in order."""
    found, window = [], Window.containing(period, start)
    while window.start < end:
        found.append(window)
        window = Window.containing(period, window.end)
    return found


class Status:
    MET = "met"
    BEHIND = "behind"
    OPEN = "open"
    NOT_JUDGED = "not_judged"


@dataclass(frozen=True)
class VisitFact:
    """One visit as the quotas read it."""

    visitor_id: int
    seat_id: int
    meeting_id: int
    day: datetime.date
    organization_id: int
    path: str
    kind: str
    cell_type: str
    organization_name: str

    def is_target(self, target: str) -> bool:
        return is_target(self.kind, self.cell_type, target)


def is_target(kind: str, cell_type: str, target: str) -> bool:
    """Whether a meeting of an organization of ``kind`` (and ``cell_type``) is of a quota line's ``target``."""
    is_cell = kind in Organization.CELL_KINDS
    is_committee = not is_cell and kind != Organization.Kind.PARTY_GROUP
    residential = is_cell and cell_type == Organization.CellType.RESIDENTIAL
    return {
        Target.ANY: True,
        Target.CELL: is_cell,
        Target.COMMITTEE: is_committee,
        Target.RESIDENTIAL: residential,
        Target.COMMITTEE_OR_RESIDENTIAL: is_committee or residential,
    }[target]


def _may_hold(organization: Organization, target: str) -> bool:
    """Whether following ``organization`` gives a seat meetings of ``target`` to visit: a committee may (its own
    meetings, the cells below it); a cell only if it is of the target (an agency cell is no residential cell)."""
    return not organization.is_cell or is_target(organization.kind, organization.cell_type, target)


@dataclass
class LineProgress:
    """One quota line in one window: the visits that count and what is required."""

    quota: VisitQuota
    window: Window
    done: int
    status: str
    visits: list[VisitFact] = field(default_factory=list)

    @property
    def required(self) -> int:
        return self.quota.count

    @property
    def missing(self) -> int:
        return max(0, self.required - self.done)

    @property
    def behind(self) -> bool:
        return self.status == Status.BEHIND


@dataclass
class SeatProgress:
    """A seat's quota lines over the windows asked for, and the set each window was judged by."""

    seat: CommitteeSeat
    lines: list[LineProgress] = field(default_factory=list)
    quota_sets: list[VisitQuotaSet] = field(default_factory=list)
    visits: list[VisitFact] = field(default_factory=list)

    @property
    def has_quota(self) -> bool:
        return bool(self.lines)

    @property
    def behind(self) -> list[LineProgress]:
        return [line for line in self.lines if line.status == Status.BEHIND]

    @property
    def open(self) -> list[LineProgress]:
        return [line for line in self.lines if line.status == Status.OPEN]

    @property
    def status(self) -> str:
        """The worst of the lines: behind, open, met; ``not_judged`` when nothing binds."""
        statuses = {line.status for line in self.lines}
        for status in (Status.BEHIND, Status.OPEN, Status.MET):
            if status in statuses:
                return status
        return Status.NOT_JUDGED


class QuotaIndex:
    """The quota sets that may be in force on the chains of some organizations (one query, lines prefetched)."""

    def __init__(self, organizations: Iterable[Organization], until: datetime.date):
        paths = {path for organization in organizations for path in ancestor_paths(organization.path, itself=True)}
        self.by_path: dict[str, list[VisitQuotaSet]] = defaultdict(list)
        sets = (
            VisitQuotaSet.objects.filter(organization__path__in=paths, valid_from__lt=until)
            .select_related("organization")
            .prefetch_related("quotas")
            .order_by("-valid_from")
        )
        for quota_set in sets:
            self.by_path[quota_set.organization.path].append(quota_set)

    def in_force(self, organization: Organization, day: datetime.date) -> VisitQuotaSet | None:
        """The set in force for the committee of ``organization`` on ``day``: the nearest organization of the chain
        with a set whose ``valid_from`` is on or before ``day``."""
        for path in reversed(ancestor_paths(organization.path, itself=True)):
            for quota_set in self.by_path.get(path, ()):
                if quota_set.valid_from <= day:
                    return quota_set
        return None


def _held(seat: CommitteeSeat, window: Window) -> bool:
    return seat.valid_from <= window.start and (seat.valid_to is None or seat.valid_to >= window.end)


def _active(row, day: datetime.date) -> bool:
    return row.valid_from <= day and (row.valid_to is None or day < row.valid_to)


def _overlaps(row, start: datetime.date, end: datetime.date) -> bool:
    return row.valid_from < end and (row.valid_to is None or row.valid_to > start)


def visit_facts(seats: list[CommitteeSeat], start: datetime.date, end: datetime.date) -> list[VisitFact]:
    """The visits of ``seats`` to meetings on days in ``[start, end)`` that were not cancelled: one query."""
    rows = (
        Visitor.objects.filter(seat__in=seats, meeting__planned_date__gte=start, meeting__planned_date__lt=end)
        .exclude(meeting__status=Meeting.Status.CANCELLED)
        .order_by("meeting__planned_date", "id")
        .values_list(
            "id",
            "seat_id",
            "meeting_id",
            "meeting__planned_date",
            "meeting__organization_id",
            "meeting__organization__path",
            "meeting__organization__kind",
            "meeting__organization__cell_type",
            "meeting__organization__name",
        )
    )
    return [VisitFact(*row) for row in rows]


def quota_progress(
    seats: Iterable[CommitteeSeat], start: datetime.date, end: datetime.date, *, today: datetime.date
) -> list[SeatProgress]:
    """For each seat (its ``organization`` loaded), its quota lines in every window of their period that overlaps
    ``[start, end)`` (a yearly line asked for a quarter shows its year so far), judged as of ``today``. Six queries
    whatever the number of seats."""
    seats = list(seats)
    if not seats:
        return []
    first = datetime.date(start.year, 1, 1)
    last = datetime.date(end.year + (0 if end == datetime.date(end.year, 1, 1) else 1), 1, 1)
    index = QuotaIndex({seat.organization for seat in seats}, last)
    facts = visit_facts(seats, first, last)
    by_seat: dict[int, list[VisitFact]] = defaultdict(list)
    for fact in facts:
        by_seat[fact.seat_id].append(fact)
    assignments: dict[int, list[tuple]] = defaultdict(list)
    for assignment in (
        Assignment.objects.filter(seat__in=seats)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=first), valid_from__lt=last)
        .select_related("organization")
    ):
        assignments[assignment.seat_id].append(assignment)
    member_ids = {seat.member_id for seat in seats if seat.member_id}
    memberships: dict[int, list] = defaultdict(list)
    for membership in Membership.objects.filter(member_id__in=member_ids).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=first), valid_from__lt=last
    ):
        memberships[membership.member_id].append(membership)

    results = []
    for seat in seats:
        progress = SeatProgress(seat=seat, visits=[f for f in by_seat[seat.pk] if start <= f.day < end])
        seen_sets: dict[int, VisitQuotaSet] = {}
        for period in (Period.YEAR, Period.QUARTER, Period.MONTH):
            for window in windows(period, start, end):
                quota_set = index.in_force(seat.organization, window.start)
                if quota_set is None:
                    continue
                lines = [
                    quota
                    for quota in quota_set.quotas.all()
                    if quota.period == period
                    and quota.rank == seat.rank
                    and quota.committee_kind == seat.organization.kind
                ]
                if not lines:
                    continue
                seen_sets.setdefault(quota_set.pk, quota_set)
                for quota in lines:
                    seat_assignments = assignments[seat.pk]
                    if quota.requires_assignment and not any(
                        _overlaps(a, window.start, window.end) and _may_hold(a.organization, quota.target)
                        for a in seat_assignments
                    ):
                        continue
                    counted = [
                        fact
                        for fact in by_seat[seat.pk]
                        if window.start <= fact.day < window.end
                        and _counts(fact, quota, seat_assignments, memberships.get(seat.member_id, ()))
                    ]
                    progress.lines.append(_judge(seat, quota, window, counted, today))
        progress.quota_sets = sorted(seen_sets.values(), key=lambda s: s.valid_from)
        progress.lines.sort(key=lambda line: (line.window.start, MONTHS[line.window.period], line.quota.pk))
        results.append(progress)
    return results


def _counts(fact: VisitFact, quota: VisitQuota, seat_assignments, seat_memberships) -> bool:
    if not fact.is_target(quota.target):
        return False
    if quota.assigned_only and not any(
        _active(a, fact.day) and fact.path.startswith(a.organization.path) for a in seat_assignments
    ):
        return False
    if quota.exclude_own_cell and any(
        _active(m, fact.day) and m.organization_id == fact.organization_id for m in seat_memberships
    ):
        return False
    return True


def _judge(seat, quota: VisitQuota, window: Window, counted: list[VisitFact], today: datetime.date) -> LineProgress:
    done = len(counted)
    if not _held(seat, window):
        status = Status.NOT_JUDGED
    elif done >= quota.count:
        status = Status.MET
    elif today < window.end:
        status = Status.OPEN
    else:
        status = Status.BEHIND
    return LineProgress(quota=quota, window=window, done=done, status=status, visits=counted)


def describe(quota: VisitQuota) -> str:
    """A line as people read it: "Ít nhất 2 lần mỗi quý: buổi sinh hoạt của đảng ủy, nơi được phân công"."""
    text = _("Ít nhất {count} lần mỗi {period}: {target}").format(
        count=quota.count, period=quota.get_period_display(), target=str(quota.get_target_display()).lower()
    )
    extras = []
    if quota.assigned_only:
        extras.append(_("nơi được phân công theo dõi"))
    if quota.exclude_own_cell:
        extras.append(_("không tính chi bộ nơi mình sinh hoạt"))
    return "; ".join([text, *extras])
