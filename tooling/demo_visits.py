"""The demo's superior-committee visits (``tooling.demo.load_demo`` calls ``DemoVisits`` once the meetings are in).

The province adopts the visit quotas of the preset "Yên Bái 18-QĐ/TU (2019)" from the first day of the quarter two
quarters before the current one: the board sees two quarters judged and the current one under way. Every committee
seat of the province visits the meetings held in the cells it follows, through the services (``visit_record``,
``visit_report_save``):

- a commune or grassroots committee member who follows residential cells visits one of them most months (Yên Bái:
  at least once a month); the others, and the provincial seats, about once a quarter. Each seat skips a share of
  its months or quarters drawn from a seeded ``random.Random``; in each commune the first seat skips none and the
  second skips the last month of the previous quarter, so every board's view has seats on track and behind;
- the commune committee member with a login (``capuy.xuanhiep``, who follows two hamlets and the cooperative) visits
  a hamlet every month but one (the middle month of the previous quarter: behind for it) and the cooperative once a
  quarter. If none of their visits is recent enough for a report to be due today (the cells meet on the 10th and
  the 12th), a hamlet holds a thematic meeting yesterday, which they attend;
- visits older than the report's time limit have a submitted report (a few, of other seats, are overdue); the most
  recent ones are due. The login's latest visit is their one report due.

The demo has no commune committee meetings (only cells meet), so no visit is to a committee's meeting: the lines that
ask for one (provincial and district seats under Yên Bái) stay behind.
"""

import datetime
import random
from collections import defaultdict
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db.models import Count
from django.utils import timezone

from cells.models import Organization
from cells.periods import add_months, quarter_start
from cells.policies import policy_for
from meetings import services
from meetings.models import Meeting, OutboxMessage, Visitor, VisitReport
from meetings.rules import visit_report_due
from members.models import Assignment, CommitteeSeat, Member
from reports.compliance import compute_month
from tooling.demo_meetings import THEMATIC_TOPICS, DemoMeetings

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
QUOTA_PRESET = "yen-bai-18-2019"
HELD = (Meeting.Status.HELD, Meeting.Status.APPROVED)
Guidance = VisitReport.Guidance
Grade = Meeting.Grade

OBSERVED = (
    "Chi bộ sinh hoạt đúng giờ; đảng viên vắng đều có lý do, được chi ủy nắm.",
    "Đảng viên dự đông đủ; một số đồng chí cao tuổi được miễn sinh hoạt theo quy định.",
    "Sinh hoạt đúng thời gian; vài đảng viên đến muộn, chủ trì đã nhắc nhở.",
)
CONTRIBUTIONS = (
    "Thông tin chủ trương của Đảng ủy xã về chuyển đổi số và dịch vụ công trực tuyến; đề nghị chi bộ phân công "
    "đảng viên hướng dẫn bà con.",
    "Định hướng chi bộ bám sát nghị quyết Đảng ủy xã, đưa chỉ tiêu xây dựng nông thôn mới vào nghị quyết tháng.",
    "Giải đáp thắc mắc của đảng viên về thủ tục đất đai; đề nghị chi ủy tổng hợp kiến nghị gửi Đảng ủy xã.",
)
RECOMMENDATIONS = (
    "Nhân dân đề nghị sửa chữa tuyến đường liên ấp trước mùa mưa.",
    "Đảng viên đề nghị bổ sung kinh phí hoạt động cho nhà văn hóa ấp.",
    "Hộ dân đề nghị hỗ trợ giống cây trồng sau đợt hạn.",
)
FOLLOW_UPS = (
    "Đề nghị Ban Xây dựng Đảng hướng dẫn chi bộ ghi biên bản theo Hướng dẫn 42.",
    "Đề nghị Ủy ban nhân dân xã khảo sát tuyến đường liên ấp.",
    "Không có đề xuất thêm.",
)
LOWER = {Grade.EXCELLENT: Grade.GOOD, Grade.GOOD: Grade.AVERAGE, Grade.AVERAGE: Grade.AVERAGE, Grade.POOR: Grade.POOR}


def quota_from(today: datetime.date) -> datetime.date:
    """The day the demo province's visit quotas apply from: two quarters before the current one."""
    return add_months(quarter_start(today), -6)


def _at(day: datetime.date, at: datetime.time) -> datetime.datetime:
    return datetime.datetime.combine(day, at, tzinfo=HCM)


class DemoVisits:
    """The visits of every committee seat of the province, their reports, and the province's quota set."""

    def __init__(self, today: datetime.date, *, province_code: str, login: str, seed: int):
        self.today = today
        self.now = timezone.now()
        self.rng = random.Random(seed)
        self.province = Organization.objects.get(code=province_code)
        self.user = get_user_model().objects.filter(username=login).first()
        self.login_member_id = Member.objects.filter(user=self.user).values_list("pk", flat=True).first()
        self.start = quota_from(today)
        self.months = []
        month = self.start
        while month <= today:
            self.months.append(month)
            month = add_months(month, 1)
        self.behind_month = add_months(quarter_start(today), -2)  # the login's month without a visit
        self.taken = set(Visitor.objects.filter(seat__isnull=False).values_list("meeting_id", "seat_id"))
        self.login_due: Visitor | None = None
        self.bound: dict[int, int] = {}  # committee id -> its seats visiting residential cells monthly, so far

    def build(self) -> None:
        services.quota_set_from_preset(organization=self.province, key=QUOTA_PRESET, valid_from=self.start)
        cells = list(Organization.objects.cells().filter(path__startswith=self.province.path))
        meetings = defaultdict(list)  # cell id -> held meetings since the quotas apply, by date
        for meeting in (
            Meeting.objects.filter(
                organization__in=cells, planned_date__gte=self.start, status__in=HELD, ended_at__lte=self.now
            )
            .select_related("organization")
            .order_by("planned_date", "id")
        ):
            meetings[meeting.organization_id].append(meeting)
        follows = defaultdict(list)
        for assignment in Assignment.objects.filter(valid_to__isnull=True).select_related("organization"):
            followed = assignment.organization
            below = [followed] if followed.is_cell else [c for c in cells if c.path.startswith(followed.path)]
            follows[assignment.seat_id].extend(below)
        seats = (
            CommitteeSeat.objects.filter(
                organization__path__startswith=self.province.path, valid_to__isnull=True, valid_from__lte=self.start
            )
            .select_related("organization")
            .order_by("organization__path", "id")
        )
        login_seat = None
        for seat in seats:
            if seat.member_id is not None and seat.member_id == self.login_member_id:
                login_seat = seat
                plan = self._login_plan(follows[seat.pk], meetings)
            else:
                plan = self._plan(seat, follows[seat.pk], meetings)
            for meeting in plan:
                self._visit(meeting, seat)
        if login_seat is not None:
            self._login_due(login_seat)
        self._reports(login_seat)

    # -- who visits what

    def _in(self, cells, meetings, first: datetime.date, months: int) -> list[Meeting]:
        last = add_months(first, months)
        return [m for cell in cells for m in meetings[cell.pk] if first <= m.planned_date < last]

    def _plan(self, seat: CommitteeSeat, followed, meetings) -> list[Meeting]:
        rng = self.rng
        skip = rng.choice((0.0, 0.0, 0.1, 0.25, 0.5))
        residential = [c for c in followed if c.cell_type == Organization.CellType.RESIDENTIAL]
        plan = []
        grassroots = seat.organization.kind in (Organization.Kind.COMMUNE, Organization.Kind.GRASSROOTS_COMMITTEE)
        if grassroots and residential:
            # In each committee the first such seat never skips a month, the second skips the last month of the
            # previous quarter: every board sees a seat on track and one behind, whatever the draws.
            order = self.bound.get(seat.organization_id, 0)
            self.bound[seat.organization_id] = order + 1
            if order == 0:
                skip = 0.0
            missed = add_months(quarter_start(self.today), -1) if order == 1 else None
            for month in self.months:  # Yên Bái: once a month, to a residential cell they follow
                found = self._in(residential, meetings, month, 1)
                if found and month != missed and rng.random() >= skip:
                    plan.append(rng.choice(found))
            return plan
        for quarter in sorted({quarter_start(m) for m in self.months}):
            found = self._in(residential or followed, meetings, quarter, 3)
            if found and rng.random() >= skip:
                plan.extend(rng.sample(found, min(len(found), rng.choice((1, 1, 2)))))
        return plan

    def _login_plan(self, followed, meetings) -> list[Meeting]:
        """A hamlet every month but ``behind_month`` (in turn), the cooperative once a quarter."""
        residential = sorted(
            (c for c in followed if c.cell_type == Organization.CellType.RESIDENTIAL), key=lambda c: c.path
        )
        others = [c for c in followed if c.cell_type != Organization.CellType.RESIDENTIAL]
        plan = []
        for n, month in enumerate(self.months):
            if month == self.behind_month or not residential:
                continue
            turn = residential[n % len(residential) :] + residential[: n % len(residential)]
            found = [m for cell in turn for m in self._in([cell], meetings, month, 1)]
            if found:
                plan.append(found[0])
        for quarter in sorted({quarter_start(m) for m in self.months}):
            found = [m for m in self._in(others, meetings, quarter, 3) if m.month != self.behind_month]
            if found:
                plan.append(found[-1])
        return plan

    def _visit(self, meeting: Meeting, seat: CommitteeSeat) -> Visitor | None:
        """Record the visit through the service, as the secretary did while recording the meeting: approved minutes
        are reopened for it and approved again (the visit came before the approval)."""
        if (meeting.pk, seat.pk) in self.taken:
            return None
        self.taken.add((meeting.pk, seat.pk))
        status = meeting.status
        if status == Meeting.Status.APPROVED:
            Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.HELD)
            meeting.status = Meeting.Status.HELD
        by = self.user if seat.member_id is not None and seat.member_id == self.login_member_id else None
        visitor = services.visit_record(meeting=meeting, seat=seat, by=by)
        if status == Meeting.Status.APPROVED:
            Meeting.objects.filter(pk=meeting.pk).update(status=status)
            meeting.status = status
        return visitor

    def _login_due(self, seat: CommitteeSeat) -> None:
        """The login's latest visit is their report due; if it is already overdue, a hamlet they follow holds a
        thematic meeting yesterday (today on a quarter's first day), and they attend it."""
        latest = (
            Visitor.objects.filter(seat=seat, meeting__planned_date__lte=self.today)
            .select_related("meeting", "seat__organization")
            .order_by("-meeting__planned_date", "-id")
            .first()
        )
        days = policy_for(seat.organization, self.today).visit_report_days
        if latest is not None and latest.meeting.planned_date + datetime.timedelta(days=days) >= self.today:
            self.login_due = latest
            return
        hamlets = Organization.objects.cells().filter(
            pk__in=Assignment.objects.filter(seat=seat, valid_to__isnull=True).values("organization"),
            cell_type=Organization.CellType.RESIDENTIAL,
        )
        cell = hamlets.order_by("-path").first()
        if cell is None:
            return
        day = max(self.today - datetime.timedelta(days=1), quarter_start(self.today))
        holder = DemoMeetings(self.today, agency_code=cell.code, seed=self.rng.randrange(1 << 30))
        month = day.replace(day=1)
        rules = holder.rules_for(cell, month)
        minutes = rules.min_minutes(Meeting.Kind.THEMATIC) + 15
        if _at(day, cell.meeting_time) + datetime.timedelta(minutes=minutes) > self.now:
            return  # the first hours of a quarter: nothing held yet
        topic = THEMATIC_TOPICS[month.month % len(THEMATIC_TOPICS)]
        with services.findings_deferred():
            meeting = holder.hold_with_services(
                cell, day, month, minutes, rules.min_member_speakers + 1, by=None, visitor=seat, topic=topic
            )
        # Its agenda mail went out long ago; the findings of its month and the rest of its quarter count it.
        OutboxMessage.objects.filter(meeting=meeting).update(
            status=OutboxMessage.Status.SENT, sent_at=meeting.published_at, attempts=1
        )
        last = min(add_months(quarter_start(month), 3), add_months(self.today.replace(day=1), 1))
        while month < last:
            compute_month(month, cells=[cell])
            month = add_months(month, 1)
        self.login_due = meeting.visitors.get(seat=seat)

    # -- reports

    def _reports(self, login_seat: CommitteeSeat | None) -> None:
        """A submitted report for every visit whose time limit has passed (a few of other seats' are overdue); the
        visits still within it are due, the login's latest one among them."""
        rng = self.rng
        rules = {}
        visitors = (
            Visitor.objects.filter(seat__isnull=False, report__isnull=True, meeting__planned_date__lte=self.today)
            .select_related("meeting", "seat__organization")
            .annotate(speeches_count=Count("meeting__speeches"))
            .order_by("meeting__planned_date", "id")
        )
        for visitor in visitors:
            seat, meeting = visitor.seat, visitor.meeting
            key = (seat.organization_id, meeting.month)
            if key not in rules:
                rules[key] = policy_for(seat.organization, meeting.planned_date)
            days = rules[key].visit_report_days
            due = visit_report_due(visitor, rules=rules[key])
            is_login = login_seat is not None and seat.pk == login_seat.pk
            if is_login and self.login_due is not None and visitor.pk == self.login_due.pk:
                continue
            if not is_login and (due >= self.today or rng.random() < 0.08):
                continue  # due, or overdue
            by = self.user if is_login else None
            grade = meeting.quality_grade or Grade.GOOD
            services.visit_report_save(
                visitor=visitor,
                values={
                    "attendance_observed": rng.choice(OBSERVED),
                    "followed_guidance": rng.choice((Guidance.FOLLOWED,) * 4 + (Guidance.PARTLY,)),
                    "speakers": visitor.speeches_count,
                    "discussion_note": "Đảng viên phát biểu sôi nổi, có liên hệ thực tế địa phương."
                    if visitor.speeches_count >= 4
                    else "Ít ý kiến thảo luận; chủ trì cần gợi mở để đảng viên phát biểu.",
                    "resolution_adopted": bool(meeting.resolution_title),
                    "contribution": rng.choice(CONTRIBUTIONS),
                    "recommendations": rng.choice(RECOMMENDATIONS),
                    "grade": grade if rng.random() < 0.7 else LOWER[grade],
                    "follow_ups": rng.choice(FOLLOW_UPS),
                },
                submit=True,
                by=by,
            )
            # The service stamps "now": the report went in within its time limit.
            after = datetime.timedelta(days=rng.randint(1, max(1, days - 1)))
            submitted = _at(meeting.planned_date + after, datetime.time(9))
            VisitReport.objects.filter(visitor=visitor).update(submitted_at=min(submitted, self.now))
