"""Superior-committee visits (dự sinh hoạt) as people read them: which seats may visit a meeting, the state of a
visit's report, and a committee member's "my cells" overview.

Reads only: the writes are ``meetings.services.visit_record`` and ``visit_report_save``. Every function here loads
what it shows in a constant number of queries.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Exists, Max, Min, OuterRef, Q
from django.utils.translation import gettext as _

from cells.models import Organization
from cells.policies import policy_index
from cells.text import vi_date
from meetings import rules, services
from meetings.models import Meeting, OutboxMessage, Visitor, VisitReport
from meetings.quotas import SeatProgress, Status, describe, quota_progress
from members.models import Assignment, CommitteeSeat

# How many upcoming meetings "my cells" lists (the next ones first): a committee member follows a few cells.
UPCOMING_LIMIT = 30


def seats_that_may_visit(meeting: Meeting, *, user=None) -> list[CommitteeSeat]:
    """Superior-committee seats in force on the meeting's day that may visit it: those assigned to follow its
    organization or an organization above it (``follows``, listed first), then the seats on the committees above it.
    With ``user``: only that user's seats. One query."""
    organization, day = meeting.organization, meeting.planned_date
    ancestors = organization.ancestor_paths()
    chain = [*ancestors, organization.path]
    follows = Exists(Assignment.objects.filter(seat=OuterRef("pk"), organization__path__in=chain).active_on(day))
    seats = CommitteeSeat.objects.active_on(day).annotate(follows=follows)
    if user is not None:
        seats = seats.filter(member__user=user)
    return list(
        seats.filter(Q(follows=True) | Q(organization__path__in=ancestors))
        .select_related("member", "organization")
        .order_by("-follows", "organization__depth", "rank", "id")
    )


def seat_refusal(*, several: bool) -> str:
    """Why a committee member's own visit is not recorded: no seat that may visit the meeting that day, or several
    (they must choose the one they attended with)."""
    if several:
        return _("Đồng chí giữ nhiều chức vụ trong cấp ủy: chọn chức vụ dự buổi sinh hoạt này.")
    return _("Ngày họp đồng chí không giữ chức vụ nào trong cấp ủy cấp trên của tổ chức này: không ghi nhận dự được.")


# --- Reports ---------------------------------------------------------------------------------------------------------


class ReportState:
    SUBMITTED = "submitted"
    DRAFT = "draft"
    NOT_STARTED = "not_started"
    NONE = "none"  # a guest by name files no report


@dataclass
class VisitRow:
    """One visit with its report's state: what "my cells" and the meeting page show."""

    visitor: Visitor
    report: VisitReport | None
    due: datetime.date | None
    state: str
    overdue: bool

    @property
    def meeting(self) -> Meeting:
        return self.visitor.meeting

    @property
    def label(self) -> str:
        if self.state == ReportState.SUBMITTED:
            return _("Đã nộp báo cáo ngày {day}").format(day=vi_date(self.report.submitted_at.date()))
        if self.state == ReportState.NONE:
            return _("Không có báo cáo (khách mời)")
        text = _("Đang soạn báo cáo") if self.state == ReportState.DRAFT else _("Chưa viết báo cáo")
        if self.overdue:
            return _("{state}, quá hạn nộp ngày {due}").format(state=text, due=vi_date(self.due))
        return _("{state}, hạn nộp ngày {due}").format(state=text, due=vi_date(self.due))


def _report_of(visitor: Visitor) -> VisitReport | None:
    try:
        return visitor.report
    except VisitReport.DoesNotExist:
        return None


def visit_rows(visitors: list[Visitor], today: datetime.date) -> list[VisitRow]:
    """Each visit (``seat__organization``, ``meeting`` and ``report`` loaded) with its report's state and due date
    (``rules.visit_report_due`` by the policy of the visitor's committee): one query for the policies."""
    seated = [v for v in visitors if v.seat_id]
    index = None
    if seated:
        index = policy_index({v.seat.organization for v in seated}, max(v.meeting.planned_date for v in seated))
    rows = []
    for visitor in visitors:
        report = _report_of(visitor)
        if not visitor.seat_id:
            rows.append(VisitRow(visitor, None, None, ReportState.NONE, False))
            continue
        due = rules.visit_report_due(visitor, index.resolve(visitor.seat.organization, visitor.meeting.planned_date))
        if report is not None and report.is_submitted:
            state = ReportState.SUBMITTED
        elif report is not None:
            state = ReportState.DRAFT
        else:
            state = ReportState.NOT_STARTED
        overdue = state != ReportState.SUBMITTED and due is not None and due < today
        rows.append(VisitRow(visitor, report, due, state, overdue))
    return rows


def meeting_visit_rows(meeting: Meeting, today: datetime.date, *, any_visitor: bool = True) -> list[VisitRow]:
    """The visitors of ``meeting`` with their reports' state: two queries, none when the caller knows there is no
    visitor (``any_visitor``)."""
    if not any_visitor:
        return []
    visitors = list(meeting.visitors.select_related("seat__organization", "seat__member", "report").order_by("id"))
    for visitor in visitors:
        visitor.meeting = meeting
    return visit_rows(visitors, today)


def report_prefill(meeting: Meeting) -> dict:
    """What a new report starts with, read from the recorded meeting (the visitor changes what they saw otherwise):
    the attendance, the members who spoke, whether the resolution passed. Nothing before the meeting is held."""
    if meeting.status not in (Meeting.Status.HELD, Meeting.Status.APPROVED):
        return {}
    figures = services.figures(meeting)
    prefill = {
        "attendance_observed": _(
            "Có mặt {present}/{roster} đảng viên; vắng có lý do {excused}, vắng không lý do {absent}."
        ).format(**{name: figures[name] for name in ("present", "roster", "excused", "absent")}),
        "speakers": figures["speakers"].measured,
    }
    if meeting.votes_for is not None:
        prefill["resolution_adopted"] = "yes" if figures["passes"] else "no"
    return prefill


# --- A committee member's overview ("my cells") -----------------------------------------------------------------


def status_label(status: str) -> str:
    """A quota line's status in words (never only a colour)."""
    return {
        Status.MET: _("Đạt"),
        Status.BEHIND: _("Chưa đạt"),
        Status.OPEN: _("Còn thiếu, kỳ chưa hết"),
        Status.NOT_JUDGED: _("Không xét (không giữ chức vụ cả kỳ)"),
    }[status]


@dataclass
class Upcoming:
    """An upcoming meeting of a followed organization, and whether its notice reached this committee member."""

    meeting: Meeting
    notified_at: datetime.datetime | None


@dataclass
class Overview:
    """What "my cells" shows for one committee member over a period ``[start, end)``."""

    seats: list[CommitteeSeat]
    assignments: list[Assignment] = field(default_factory=list)
    upcoming: list[Upcoming] = field(default_factory=list)
    progress: list[SeatProgress] = field(default_factory=list)
    visits: list[VisitRow] = field(default_factory=list)
    due: list[VisitRow] = field(default_factory=list)

    @property
    def lines(self) -> list[dict]:
        """Each quota line of each seat, as the page reads it."""
        found = []
        for progress in self.progress:
            for line in progress.lines:
                found.append(
                    {
                        "seat": progress.seat,
                        "window": line.window.label,
                        "text": describe(line.quota),
                        "done": line.done,
                        "required": line.required,
                        "status": line.status,
                        "status_label": status_label(line.status),
                        "source": line.quota.quota_set.name,
                    }
                )
        return found


def committee_overview(user, *, start: datetime.date, end: datetime.date, today: datetime.date) -> Overview:
    """The user's committee seats held today, the organizations they follow, the upcoming meetings there and below
    (with the notice sent to them), their quota progress over ``[start, end)``, their visits in it and every report
    still due. Fourteen queries whatever the number of seats, assignments and visits."""
    seats = list(
        CommitteeSeat.objects.filter(member__user=user)
        .active_on(today)
        .select_related("organization", "member")
        .order_by("organization__depth", "id")
    )
    overview = Overview(seats=seats)
    if not seats:
        return overview
    overview.assignments = list(
        Assignment.objects.filter(seat__in=seats)
        .active_on(today)
        .select_related("organization", "seat__organization")
        .order_by("organization__path", "id")
    )
    paths = [assignment.organization.path for assignment in overview.assignments]
    # The last visit to each followed organization (or below it), by any of the user's seats: cells not visited for
    # months show (Hướng dẫn 42). One row per organization visited.
    last_by_path = dict(
        Visitor.objects.filter(seat__in=seats)
        .exclude(meeting__status=Meeting.Status.CANCELLED)
        .filter(meeting__planned_date__lte=today)
        .values("meeting__organization__path")
        .annotate(last=Max("meeting__planned_date"))
        .values_list("meeting__organization__path", "last")
    )
    for assignment in overview.assignments:
        days = [day for path, day in last_by_path.items() if path.startswith(assignment.organization.path)]
        assignment.last_visit = max(days) if days else None
    if paths:
        meetings = list(
            Meeting.objects.filter(
                organization__in=Organization.objects.within(paths),
                planned_date__gte=today,
                status__in=[Meeting.Status.PLANNED, Meeting.Status.PUBLISHED],
            )
            .select_related("organization")
            .order_by("planned_date", "planned_time", "id")[:UPCOMING_LIMIT]
        )
        member_ids = {seat.member_id for seat in seats if seat.member_id}
        notices = dict(
            OutboxMessage.objects.filter(
                meeting__in=meetings,
                member_id__in=member_ids,
                kind__in=[OutboxMessage.Kind.AGENDA, OutboxMessage.Kind.UPDATE],
                status=OutboxMessage.Status.SENT,
            )
            .values("meeting_id")
            .annotate(first=Min("sent_at"))
            .values_list("meeting_id", "first")
            if meetings
            else []
        )
        overview.upcoming = [Upcoming(meeting, notices.get(meeting.pk)) for meeting in meetings]
    overview.progress = quota_progress(seats, start, end, today=today)
    # The visits of the period, and any older visit whose report is not in yet.
    in_period = Q(meeting__planned_date__gte=start, meeting__planned_date__lt=end)
    not_submitted = Q(report__isnull=True) | Q(report__submitted_at__isnull=True)
    visitors = list(
        Visitor.objects.filter(seat__in=seats)
        .filter(in_period | not_submitted)
        .exclude(meeting__status=Meeting.Status.CANCELLED)
        .select_related("meeting__organization", "seat__organization", "report")
        .order_by("-meeting__planned_date", "-id")
    )
    rows = visit_rows(visitors, today)
    overview.visits = [row for row in rows if start <= row.meeting.planned_date < end]
    overview.due = sorted(
        (row for row in rows if row.state != ReportState.SUBMITTED), key=lambda row: (row.due, row.visitor.pk)
    )
    return overview
