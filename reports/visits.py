"""The board's view of superior-committee visits (dự sinh hoạt) over a subtree and a period: each committee seat's
visits against its quotas, the cells no committee member visited for some months, the visit reports overdue and the
reports received. The page and its workbook read the same ``board_visits``.

Choices written down here:

- The seats are those on the committees of the subtree (the organization's own and those below it) held on some day
  of the period; a seat on a committee above (a province member following one of our communes) is its own board's.
- A cell is *visited* by a visit of any committee seat to one of its meetings that was not cancelled, on a day up to
  the reference day (the period's last day, or today while the period runs).
- A report is *overdue* when the visit's meeting lies in the period and ``visit_report_due`` is before today with no
  submitted report (a draft is not a report: the board never sees drafts).
- Reports received: the submitted reports of the subtree's seats on meetings of the period.

Queries, whatever the number of seats and cells: the seats (1), ``quota_progress`` (6), the quota set in force on
the organization (1), the cells not visited (2: a page and the count), the visits without a report (1) and the
policies of their committees (1), the reports received (1).
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, Max, Q
from django.db.models.functions import Substr, TruncMonth
from django.utils.translation import gettext as _

from cells.models import Organization
from cells.periods import add_months, month_end
from cells.policies import policy_index
from meetings.models import Meeting, Visitor, VisitQuotaSet, VisitReport
from meetings.quotas import LineProgress, QuotaIndex, SeatProgress, Status, quota_progress
from meetings.rules import visit_report_due
from members.models import CommitteeSeat
from reports.periods import Period

DEFAULT_MONTHS, MIN_MONTHS, MAX_MONTHS = 3, 1, 24
UNVISITED_SHOWN = 200  # the page lists this many cells not visited (the workbook lists them all)
COMMITTEE_KINDS = [
    kind for kind in Organization.Kind.values if kind not in (*Organization.CELL_KINDS, Organization.Kind.PARTY_GROUP)
]


def status_label(status: str) -> str:
    """The words for a line's status (the page colours it too, but never by colour alone)."""
    return {
        Status.MET: _("Đạt"),
        Status.BEHIND: _("Chưa đạt"),
        Status.OPEN: _("Đang trong kỳ"),
        Status.NOT_JUDGED: _("Không xét"),
    }[status]


def line_text(line: LineProgress) -> str:
    """What a line's status means, in a sentence: "Thiếu 1 lần", "Chưa hết kỳ, còn thiếu 1 lần", …"""
    if line.status == Status.MET:
        return _("Đã đủ")
    if line.status == Status.BEHIND:
        return _("Thiếu {n} lần").format(n=line.missing)
    if line.status == Status.OPEN:
        return _("Chưa hết kỳ, còn thiếu {n} lần").format(n=line.missing)
    return _("Không giữ chức vụ trọn kỳ này")


@dataclass
class SeatRow:
    seat: CommitteeSeat
    progress: SeatProgress

    @property
    def status(self) -> str:
        return self.progress.status

    @property
    def behind(self) -> bool:
        return bool(self.progress.behind)


@dataclass
class UnvisitedCell:
    organization: Organization
    last_visit: datetime.date | None


@dataclass
class OverdueReport:
    visitor: Visitor
    due: datetime.date
    days_late: int
    has_draft: bool


@dataclass
class BoardVisits:
    organization: Organization
    period: Period
    months: int
    today: datetime.date
    reference: datetime.date  # the day "not visited for N months" is counted back from
    quota_set: VisitQuotaSet | None  # in force on the organization on the period's first day
    quota_sets: list[VisitQuotaSet]  # every set the seats' windows were judged by
    seats: list[SeatRow]
    unvisited: list[UnvisitedCell]
    unvisited_count: int
    overdue: list[OverdueReport]
    received: list[VisitReport]

    @property
    def start(self) -> datetime.date:
        return self.period.first_month

    @property
    def end(self) -> datetime.date:
        return add_months(self.period.last_month, 1)

    @property
    def cutoff(self) -> datetime.date:
        return add_months(self.reference, -self.months)

    @property
    def behind_count(self) -> int:
        return sum(1 for row in self.seats if row.behind)


def period_bounds(period: Period) -> tuple[datetime.date, datetime.date]:
    return period.first_month, add_months(period.last_month, 1)


def seats_in(organization: Organization, start: datetime.date, end: datetime.date) -> list[CommitteeSeat]:
    """The seats on the committees of the subtree held on some day of ``[start, end)``: one query."""
    return list(
        CommitteeSeat.objects.filter(
            organization__path__startswith=organization.path,
            organization__kind__in=COMMITTEE_KINDS,
            valid_from__lt=end,
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=start))
        .select_related("organization", "member")
        .order_by("organization__path", "rank", "member__full_name", "holder_name", "pk")
    )


def unvisited_cells(
    organization: Organization, reference: datetime.date, months: int, *, limit: int | None = UNVISITED_SHOWN
) -> tuple[list[UnvisitedCell], int]:
    """The cells of the subtree (open on ``reference``) whose last visit by a committee member is before ``months``
    months back from ``reference``, or that were never visited: never first, then the longest ago; and their number.
    Two queries (one when ``limit`` is ``None``)."""
    cutoff = add_months(reference, -months)
    visit = Q(meetings__visitors__seat__isnull=False, meetings__planned_date__lte=reference) & ~Q(
        meetings__status=Meeting.Status.CANCELLED
    )
    cells = (
        Organization.objects.filter(path__startswith=organization.path, kind__in=Organization.CELL_KINDS)
        .filter(valid_from__lte=reference)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=reference))
        .annotate(last_visit=Max("meetings__planned_date", filter=visit))
        .filter(Q(last_visit__isnull=True) | Q(last_visit__lt=cutoff))
        .only("id", "name", "code", "path", "kind", "cell_type")
    )
    ordered = cells.order_by(F("last_visit").asc(nulls_first=True), "path")
    if limit is None:
        rows = list(ordered)
        return [UnvisitedCell(cell, cell.last_visit) for cell in rows], len(rows)
    rows = list(ordered[:limit])
    count = len(rows) if len(rows) < limit else cells.count()
    return [UnvisitedCell(cell, cell.last_visit) for cell in rows], count


def overdue_reports(
    organization: Organization, start: datetime.date, end: datetime.date, today: datetime.date
) -> list[OverdueReport]:
    """The visits of the subtree's seats to meetings in ``[start, end)`` whose report was due before ``today`` and is
    not submitted, latest due first: two queries (the visits, the policies of their committees)."""
    visitors = list(
        Visitor.objects.filter(
            seat__organization__path__startswith=organization.path,
            meeting__planned_date__gte=start,
            meeting__planned_date__lt=min(end, today),
        )
        .exclude(meeting__status=Meeting.Status.CANCELLED)
        .filter(Q(report__isnull=True) | Q(report__submitted_at__isnull=True))
        .select_related("meeting__organization", "seat__organization", "seat__member", "report")
        .order_by("meeting__planned_date", "pk")
    )
    if not visitors:
        return []
    index = policy_index({visitor.seat.organization for visitor in visitors}, today)
    found = []
    for visitor in visitors:
        due = visit_report_due(visitor, rules=index.resolve(visitor.seat.organization, visitor.meeting.planned_date))
        if due is not None and due < today:
            draft = getattr(visitor, "report", None) is not None
            found.append(OverdueReport(visitor, due, (today - due).days, draft))
    found.sort(key=lambda item: (item.due, item.visitor.pk))
    return found


def received_reports(organization: Organization, start: datetime.date, end: datetime.date) -> list[VisitReport]:
    """The submitted reports of the subtree's seats on meetings in ``[start, end)``, by meeting day: one query. Drafts
    stay the visitor's own."""
    return list(
        VisitReport.objects.filter(
            submitted_at__isnull=False,
            visitor__seat__organization__path__startswith=organization.path,
            visitor__meeting__planned_date__gte=start,
            visitor__meeting__planned_date__lt=end,
        )
        .select_related("visitor__meeting__organization", "visitor__seat__organization", "visitor__seat__member")
        .order_by("visitor__meeting__planned_date", "pk")
    )


def quota_set_in_force(organization: Organization, day: datetime.date) -> VisitQuotaSet | None:
    """The quota set that binds the committee of ``organization`` on ``day`` (its own, or the nearest above): one
    query, lines prefetched."""
    return QuotaIndex([organization], day + datetime.timedelta(days=1)).in_force(organization, day)


def board_visits(
    organization: Organization,
    period: Period,
    *,
    months: int = DEFAULT_MONTHS,
    today: datetime.date,
    unvisited_limit: int | None = UNVISITED_SHOWN,
) -> BoardVisits:
    start, end = period_bounds(period)
    reference = min(today, month_end(period.last_month))
    seats = seats_in(organization, start, end)
    progress = quota_progress(seats, start, end, today=today)
    used: dict[int, VisitQuotaSet] = {}
    for item in progress:
        for quota_set in item.quota_sets:
            used.setdefault(quota_set.pk, quota_set)
    unvisited, unvisited_count = unvisited_cells(organization, reference, months, limit=unvisited_limit)
    return BoardVisits(
        organization=organization,
        period=period,
        months=months,
        today=today,
        reference=reference,
        quota_set=quota_set_in_force(organization, start),
        quota_sets=sorted(used.values(), key=lambda s: (s.valid_from, s.pk)),
        seats=[SeatRow(item.seat, item) for item in progress],
        unvisited=unvisited,
        unvisited_count=unvisited_count,
        overdue=overdue_reports(organization, start, end, today),
        received=received_reports(organization, start, end),
    )


def visits_received(organization: Organization, months: list[datetime.date], *, by: str) -> dict[object, int]:
    """The superior-committee visits (visitors with a seat) to held meetings of the subtree in ``months``, counted
    ``by="month"`` (first day of the month → visits) or ``by="child"`` (the path of the organization's child that
    holds the meeting → visits; the organization's own meetings under its own path): one query."""
    if not months:
        return {}
    rows = Visitor.objects.filter(
        seat__isnull=False,
        meeting__organization__path__startswith=organization.path,
        meeting__planned_date__gte=months[0],
        meeting__planned_date__lt=add_months(months[-1], 1),
        meeting__status__in=(Meeting.Status.HELD, Meeting.Status.APPROVED),
    ).order_by()
    if by == "month":
        grouped = rows.annotate(key=TruncMonth("meeting__planned_date")).values("key").annotate(n=Count("id"))
        return {_as_date(row["key"]): row["n"] for row in grouped}
    length = len(organization.path) + Organization.steplen
    grouped = rows.annotate(key=Substr("meeting__organization__path", 1, length)).values("key").annotate(n=Count("id"))
    return {row["key"]: row["n"] for row in grouped}


def _as_date(value) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value
