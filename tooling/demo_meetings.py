"""The demo's year of meetings (``tooling.demo.load_demo`` builds the province first, then calls ``DemoMeetings``).

Meetings cover the last 12 complete months and the current one. The agency cell of Xuân Hiệp meets through the
services (plan, publish, roll call, speeches, a commune committee member now and then, the record, the chair's
approval), with a thematic meeting in most quarters, one meeting too short and one with too few speakers; its next
meeting is planned and published. The other cells get the same shape in bulk, with a seeded mix of gaps and
failures. The compliance findings of every month are then computed.

The rules are never typed here: a meeting is made too short, with too few speakers, or with its agenda or minutes on
time or late, against the policy in force for its cell in its month (``cells.policies``, read on the month's last
day as the findings are). The numbers in the comments are what today's policies give (90 minutes, 120 for a
thematic meeting, 4 speakers, the agenda sent 3 days before, the minutes approved within 7 days).
"""

import datetime
import random
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from cells.models import Organization
from cells.periods import month_end, quarter_start
from cells.policies import ResolvedPolicy, policies_for
from meetings import services
from meetings.agenda import default_agenda
from meetings.models import AgendaItem, Attendance, Meeting, OutboxMessage, Speech
from meetings.rules import grade_for, vote_basis
from members.models import Assignment, CommitteeSeat, Member, Membership, Position, StatusChange
from reports.compliance import compute_month

Status = StatusChange.Status
Role = Position.Role

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
MONTHS = 12  # complete months of meetings, before the current one

THEMATIC_TOPICS = (
    "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh về tinh thần trách nhiệm, phục vụ nhân dân",
    "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh về cần, kiệm, liêm, chính, chí công vô tư",
    "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh về đoàn kết, xây dựng Đảng trong sạch",
    "Nâng cao chất lượng sinh hoạt chi bộ gắn với cải cách hành chính và chuyển đổi số",
    "Phòng, chống suy thoái tư tưởng chính trị, đạo đức, lối sống, tự diễn biến, tự chuyển hóa",
    "Nâng cao vai trò nêu gương của cán bộ, đảng viên trong thực hiện nhiệm vụ chính trị",
)
SPEECHES = (
    "Đề nghị chi bộ quan tâm công tác cải cách hành chính, rút ngắn thời gian giải quyết hồ sơ cho người dân.",
    "Thống nhất với báo cáo; đề nghị bổ sung đánh giá kết quả thu ngân sách và giải ngân vốn đầu tư công.",
    "Đề nghị tăng cường tuyên truyền để nhân dân sử dụng dịch vụ công trực tuyến toàn trình.",
    "Nêu khó khăn trong giải phóng mặt bằng tuyến đường liên ấp, đề nghị chi ủy chỉ đạo tháo gỡ.",
    "Đề nghị đảng viên gương mẫu chấp hành giờ giấc làm việc, thái độ phục vụ nhân dân.",
    "Báo cáo tình hình tư tưởng trong cơ quan ổn định; đề nghị quan tâm đời sống cán bộ hợp đồng.",
    "Đề nghị rà soát, cập nhật dữ liệu dân cư, đất đai phục vụ chuyển đổi số cấp xã.",
    "Thống nhất phương hướng tháng tới; nhận nhiệm vụ theo dõi công tác phòng, chống thiên tai.",
    "Đề nghị chi bộ giới thiệu quần chúng ưu tú để bồi dưỡng, phát triển đảng viên.",
    "Đề nghị đẩy nhanh tiến độ xây dựng nông thôn mới nâng cao, chú trọng tiêu chí môi trường.",
    "Liên hệ bản thân trong học tập và làm theo Bác: giữ tác phong gần dân, trọng dân.",
    "Đề nghị tăng cường kiểm tra, giám sát việc thực hiện quy chế dân chủ ở cơ sở.",
    "Góp ý dự thảo nghị quyết: cần giao rõ người phụ trách và thời hạn hoàn thành từng nhiệm vụ.",
    "Đề nghị quan tâm công tác bảo đảm an ninh trật tự, phòng chống tội phạm công nghệ cao.",
)
VISITOR_SPEECH = (
    "Ghi nhận kết quả của chi bộ; đề nghị tập trung hoàn thành chỉ tiêu năm và nâng cao chất lượng sinh hoạt."
)
CONCLUSIONS = {
    1: "Chi bộ có {present}/{expected} đồng chí có mặt; thông qua chương trình sinh hoạt.",
    2: "Chi bộ nắm bắt kịp thời các chủ trương, chính sách mới và chỉ đạo của cấp ủy cấp trên.",
    3: "Các nhiệm vụ tháng qua cơ bản hoàn thành; tư tưởng đảng viên ổn định.",
    4: "Đảng viên liên hệ bản thân, tiếp tục làm theo gương Bác trong công việc hằng ngày.",
    5: "Thống nhất phương hướng, nhiệm vụ tháng tới và phân công đảng viên phụ trách.",
}
EXCUSES = ("Đi công tác", "Ốm", "Việc gia đình", "Đi học lớp bồi dưỡng", "Nghỉ phép")
# The reasons the demo cells' committees accepted (ticked by the secretary): an excused absence is accepted only by
# that decision, never by default; the others stay counted in the vote's denominator.
ACCEPTED_EXCUSES = frozenset({"Đi công tác", "Ốm", "Đi học lớp bồi dưỡng"})
STATUS_EXCUSES = {
    Status.EXEMPTED: "Miễn sinh hoạt đảng",
    Status.ATTACHED_ELSEWHERE: "Sinh hoạt tạm thời nơi khác",
    Status.SUSPENDED: "Đang bị đình chỉ sinh hoạt đảng",
}


def _at(day: datetime.date, at: datetime.time) -> datetime.datetime:
    return datetime.datetime.combine(day, at, tzinfo=HCM)


def _meeting_date(cell: Organization, month: datetime.date) -> datetime.date:
    day = cell.meeting_day or 0
    if day == 0:  # the last day of the month
        return month + relativedelta(months=1, days=-1)
    return month.replace(day=day)


def _resolution(month: datetime.date) -> str:
    return f"Nghị quyết chi bộ tháng {month.month}/{month.year}"


class DemoMeetings:
    """A year of meetings: the agency cell of Xuân Hiệp through the services, the other cells in bulk, then the
    compliance findings of every month."""

    def __init__(self, today: datetime.date, *, agency_code: str, seed: int):
        self.today = today
        self.agency_code = agency_code  # the cell whose meetings go through the services
        self.now = timezone.now()
        self.rng = random.Random(seed)
        self._policies: dict[datetime.date, dict[int, ResolvedPolicy]] = {}
        current = today.replace(day=1)
        self.months = [current - relativedelta(months=n) for n in range(MONTHS, -1, -1)]  # 12 complete + current

    def build(self) -> None:
        agency = Organization.objects.get(code=self.agency_code)
        self.agency_cell(agency)
        self.other_cells(Organization.objects.cells().exclude(pk=agency.pk).order_by("path"))
        for month in self.months:
            compute_month(month)

    # -- shared

    def rules_for(self, cell: Organization, month: datetime.date) -> ResolvedPolicy:
        """The policy in force for ``cell`` in ``month``: one query per month for every cell."""
        if month not in self._policies:
            self._policies[month] = policies_for(Organization.objects.cells(), month_end(month))
        return self._policies[month][cell.pk]

    def _roster(self, cell: Organization, day: datetime.date) -> list[Member]:
        homes = Membership.objects.filter(organization=cell).values("member_id")
        return list(Member.objects.roster_of(cell, day).filter(pk__in=homes).order_by("sort_key", "id"))

    def _officers(self, cell: Organization, day: datetime.date) -> list[int]:
        """Member ids of the secretary, then the deputy secretary, in post on ``day``."""
        posts = Position.objects.filter(organization=cell, role__in=(Role.SECRETARY, Role.DEPUTY_SECRETARY))
        posts = posts.filter(valid_from__lte=day).filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day))
        order = {Role.SECRETARY: 0, Role.DEPUTY_SECRETARY: 1}
        return [m for _, m in sorted((order[r], m) for r, m in posts.values_list("role", "member_id"))]

    def _attendance(self, roster: list[Member], keep: set[int]) -> list[tuple[Member, str, str]]:
        """(member, status, reason) for the roster; the members in ``keep`` are present."""
        rng = self.rng
        rows = []
        for member in roster:
            if member.pk in keep or member.membership_kind == "temporary":
                rows.append((member, Attendance.Status.PRESENT, ""))
            elif member.status in STATUS_EXCUSES:
                rows.append((member, Attendance.Status.EXCUSED, STATUS_EXCUSES[member.status]))
            else:
                draw = rng.random()
                if draw < 0.86:
                    rows.append((member, Attendance.Status.PRESENT, ""))
                elif draw < 0.97:
                    rows.append((member, Attendance.Status.EXCUSED, rng.choice(EXCUSES)))
                else:
                    rows.append((member, Attendance.Status.ABSENT, ""))
        return rows

    # -- the agency cell, through the services

    def agency_cell(self, cell: Organization) -> None:
        rng = self.rng
        user_model = get_user_model()
        secretary_user = user_model.objects.filter(username="bithu.xuanhiep").first()
        seat = self._visitor_seat(cell)
        complete = self.months[:-1]
        quarters = sorted({quarter_start(m) for m in complete})
        skipped_quarter = quarters[len(quarters) // 2]
        thematic_months = {}
        for quarter in quarters:
            if quarter != skipped_quarter:
                months = [m for m in complete if quarter_start(m) == quarter]
                thematic_months[months[len(months) // 2]] = len(thematic_months)
        short_month, quiet_month = complete[3], complete[8]  # one too short, one with only 3 speakers
        held = []
        for n, month in enumerate(self.months):
            day = _meeting_date(cell, month)
            begin = _at(day, cell.meeting_time)
            if begin + datetime.timedelta(hours=3) > self.now:
                break
            rules = self.rules_for(cell, month)
            # Too short by a quarter of an hour, else 20 to 60 minutes over (75, or 110 to 150 minutes); one speaker
            # short of the minimum, else up to 3 more (3, or 4 to 7).
            least, need = rules.min_minutes(Meeting.Kind.REGULAR), rules.min_member_speakers
            minutes = least - 15 if month == short_month else rng.randint(least + 20, least + 60)
            speakers = need - 1 if month == quiet_month else rng.randint(need, need + 3)
            meeting = self.hold_with_services(
                cell, day, month, minutes, speakers, visitor=seat if n % 4 == 1 else None, by=secretary_user
            )
            held.append(meeting)
            if month in thematic_months:
                topic = THEMATIC_TOPICS[thematic_months[month] % len(THEMATIC_TOPICS)]
                minutes = rules.min_minutes(Meeting.Kind.THEMATIC) + 15  # 135, with 5 speakers below
                held.append(
                    self.hold_with_services(
                        cell,
                        day + datetime.timedelta(days=14),
                        month,
                        minutes,
                        need + 1,
                        by=secretary_user,
                        topic=topic,
                    )
                )
        # The next regular meeting: planned and published with the default agenda.
        day = _meeting_date(cell, self.today.replace(day=1))
        if _at(day, cell.meeting_time) <= self.now:
            day = _meeting_date(cell, self.today.replace(day=1) + relativedelta(months=1))
        upcoming = services.meeting_plan(
            organization=cell,
            kind=Meeting.Kind.REGULAR,
            planned_date=day,
            planned_time=cell.meeting_time,
            venue=cell.venue,
            by=secretary_user,
        )
        services.meeting_publish(meeting=upcoming, by=secretary_user)
        # The past agenda mails went out long ago.
        for meeting in held:
            OutboxMessage.objects.filter(meeting=meeting).update(
                status=OutboxMessage.Status.SENT, sent_at=meeting.published_at, attempts=1
            )

    def _visitor_seat(self, cell: Organization) -> CommitteeSeat | None:
        """A commune committee member outside the cell: one who follows it if any, else any seat of the commune."""
        roster = {m.pk for m in self._roster(cell, self.today)}
        seats = CommitteeSeat.objects.filter(organization=Organization.objects.get_parent(cell), valid_to__isnull=True)
        seats = [s for s in seats.order_by("rank", "id") if s.member_id and s.member_id not in roster]
        following = set(Assignment.objects.filter(organization=cell).values_list("seat_id", flat=True))
        seats.sort(key=lambda s: s.pk not in following)
        return seats[0] if seats else None

    def hold_with_services(self, cell, day, month, minutes, speakers, *, by, visitor=None, topic=""):
        rng = self.rng
        kind = Meeting.Kind.THEMATIC if topic else Meeting.Kind.REGULAR
        meeting = services.meeting_plan(
            organization=cell,
            kind=kind,
            planned_date=day,
            planned_time=cell.meeting_time,
            venue=cell.venue,
            topic=topic,
            by=by,
        )
        services.meeting_publish(meeting=meeting, by=by)
        roster = self._roster(cell, day)
        officers = [pk for pk in self._officers(cell, day) if any(m.pk == pk for m in roster)]
        officers = officers or [roster[0].pk, roster[1].pk]
        if len(officers) == 1:
            officers.append(next(m.pk for m in roster if m.pk != officers[0] and m.status == Status.OFFICIAL))
        services.attendance_prepare(meeting=meeting)
        present = []
        for member, status, reason in self._attendance(roster, set(officers)):
            services.attendance_set(
                meeting=meeting,
                member=member,
                status=status,
                reason=reason,
                absence_accepted=status == Attendance.Status.EXCUSED and reason in ACCEPTED_EXCUSES,
            )
            if status == Attendance.Status.PRESENT:
                present.append(member)
        by_pk = {m.pk: m for m in present}
        chair, recorder = by_pk[officers[0]], by_pk[officers[1]]
        items = {item.order: item for item in meeting.agenda.all()}
        discussion = items[len(items) - 1]  # "Ý kiến của đồng chí cấp ủy cấp trên; thảo luận; …"
        if visitor is not None:
            guest = services.visitor_add(meeting=meeting, seat=visitor, by=by)
            services.speech_add(meeting=meeting, visitor=guest, agenda_item=discussion, summary=VISITOR_SPEECH, by=by)
        others = [m for m in present if m.pk != chair.pk]
        for member, summary in zip(
            rng.sample(others, min(speakers, len(others))), rng.sample(SPEECHES, speakers), strict=False
        ):
            services.speech_add(meeting=meeting, member=member, agenda_item=discussion, summary=summary, by=by)
        basis = services.figures(meeting)["basis"]
        against = 1 if basis.eligible_present > 10 and rng.random() < 0.3 else 0
        conclusions = {
            item.pk: CONCLUSIONS.get(order, "Thống nhất nội dung.").format(present=len(present), expected=len(roster))
            for order, item in items.items()
            if order < len(items)
        }
        conclusions[discussion.pk] = "Chủ trì tiếp thu ý kiến, thống nhất đưa vào nghị quyết."
        begin = _at(day, cell.meeting_time)
        services.meeting_record(
            meeting=meeting,
            version=None,
            started_at=begin,
            ended_at=begin + datetime.timedelta(minutes=minutes),
            chair=chair,
            recorder=recorder,
            conclusions=conclusions,
            resolution_title=f"Kết luận chuyên đề tháng {month.month}/{month.year}" if topic else _resolution(month),
            resolution_text="Chi bộ thống nhất các nhiệm vụ trọng tâm và phân công đảng viên phụ trách.",
            votes_for=basis.eligible_present - against,
            votes_against=against,
            votes_abstain=0,
            quality_score=rng.randint(85, 95),
            mark_held=True,
            by=by,
        )
        approver = chair.user if chair.user_id else by
        services.minutes_approve(meeting=meeting, by=approver)
        # The services stamp "now": put the dates where they belong. The agenda goes out on the default send day
        # (3 days before); the minutes are approved 2 days after, within the time allowed.
        rules = self.rules_for(cell, month)
        approved = min(2, rules.minutes_approval_days)
        Meeting.objects.filter(pk=meeting.pk).update(
            published_at=_at(day - datetime.timedelta(days=rules.agenda_send_days), datetime.time(8)),
            approved_at=min(_at(day + datetime.timedelta(days=approved), datetime.time(9)), self.now),
        )
        meeting.refresh_from_db()
        return meeting

    # -- the other cells, in bulk

    def other_cells(self, cells) -> None:
        rng = self.rng
        plans = []  # (meeting, roster, chair, recorder, rows, speakers)
        for cell in cells:
            quarters = {}
            for month in self.months:
                quarters.setdefault(quarter_start(month), []).append(month)
            thematic = {rng.choice(months) for months in quarters.values() if rng.random() < 0.7}
            for month in self.months:
                day = _meeting_date(cell, month)
                if month in thematic:
                    extra = min(day + datetime.timedelta(days=12), month_end(month))
                    if extra == day:
                        extra = day - datetime.timedelta(days=12)
                    plans.append(self._bulk_meeting(cell, extra, month, thematic=True))
                if rng.random() < 0.05:  # a month without a meeting
                    continue
                plans.append(self._bulk_meeting(cell, day, month))
        plans = [plan for plan in plans if plan is not None]
        plans.sort(key=lambda plan: (plan[0].organization_id, plan[0].planned_date))
        numbers: dict[tuple[int, int], int] = {}
        for meeting, *_rest in plans:
            if meeting.status == Meeting.Status.APPROVED:
                key = (meeting.organization_id, meeting.planned_date.year)
                numbers[key] = meeting.number = numbers.get(key, 0) + 1
        meetings = Meeting.objects.bulk_create([plan[0] for plan in plans])
        agenda, attendance, speeches = [], [], []
        for meeting, (_m, rows, _speakers) in zip(meetings, plans, strict=True):
            items = default_agenda(meeting.kind, meeting.topic)
            for order, (title, details) in enumerate(items, 1):
                conclusion = CONCLUSIONS.get(order, "Thống nhất nội dung.") if order < len(items) else ""
                agenda.append(
                    AgendaItem(
                        meeting=meeting,
                        order=order,
                        title=title,
                        details=details,
                        conclusion=conclusion.format(
                            present=sum(r[1] == Attendance.Status.PRESENT for r in rows), expected=len(rows)
                        ),
                    )
                )
            for member, status, reason in rows:
                attendance.append(
                    Attendance(
                        meeting=meeting,
                        member=member,
                        status=status,
                        reason=reason,
                        absence_accepted=status == Attendance.Status.EXCUSED and reason in ACCEPTED_EXCUSES,
                        member_status=member.status,
                        is_guest=member.membership_kind == "temporary",
                    )
                )
        AgendaItem.objects.bulk_create(agenda, batch_size=500)
        discussion = {}
        for item in agenda:
            if item.title.startswith("Ý kiến của đồng chí cấp ủy"):
                discussion[item.meeting_id] = item
        for meeting, (_m, _rows, speakers) in zip(meetings, plans, strict=True):
            for order, (member, summary) in enumerate(speakers, 1):
                speeches.append(
                    Speech(
                        meeting=meeting,
                        order=order,
                        member=member,
                        agenda_item=discussion.get(meeting.pk),
                        summary=summary,
                    )
                )
        Attendance.objects.bulk_create(attendance, batch_size=500)
        Speech.objects.bulk_create(speeches, batch_size=500)

    def _bulk_meeting(self, cell, day, month, *, thematic=False):
        rng = self.rng
        rules = self.rules_for(cell, month)
        begin = _at(day, cell.meeting_time)
        # Long enough: the minimum to 40 minutes over (thematic: 120-160) or to an hour over (regular: 90-150); a
        # tenth of the regular ones 5 to 35 minutes short (55-85).
        least = rules.min_minutes(Meeting.Kind.THEMATIC if thematic else Meeting.Kind.REGULAR)
        length = rng.randint(least, least + 40) if thematic else rng.randint(least, least + 60)
        if not thematic and rng.random() < 0.1:
            length = rng.randint(max(0, least - 35), max(0, least - 5))
        end = begin + datetime.timedelta(minutes=length)
        if end > self.now or not cell.is_active_on(day):
            return None
        roster = self._roster(cell, day)
        if len(roster) < 2:
            return None
        officers = [pk for pk in self._officers(cell, day) if any(m.pk == pk for m in roster)]
        for member in roster:
            if len(officers) >= 2:
                break
            if member.pk not in officers and member.status in (Status.OFFICIAL, Status.PROBATIONARY):
                officers.append(member.pk)
        if len(officers) < 2:
            return None
        rows = self._attendance(roster, set(officers))
        present = [member for member, status, _ in rows if status == Attendance.Status.PRESENT]
        chair = next(m for m in present if m.pk == officers[0])
        recorder = next(m for m in present if m.pk == officers[1])
        # Too few speakers: 1 to 3 short of the minimum (1-3); else the minimum to 3 more (4-7).
        need = rules.min_member_speakers
        wanted = rng.randint(max(0, need - 3), need - 1) if rng.random() < 0.15 else rng.randint(need, need + 3)
        others = [m for m in present if m.pk != chair.pk]
        chosen = rng.sample(others, min(wanted, len(others)))
        speakers = list(zip(chosen, rng.sample(SPEECHES, len(chosen)), strict=True))
        basis = vote_basis([(m.status, status, True, m.membership_kind == "temporary") for m, status, _ in rows])
        score = rng.randint(75, 95)
        published = _at(day - datetime.timedelta(days=rules.agenda_send_days), datetime.time(8))
        # Minutes approved within the time allowed (1-6 days), late by 2 to 8 days (9-15), or not yet.
        allowed = rules.minutes_approval_days
        draw = rng.random()
        if draw < 0.9:
            approved = _at(day + datetime.timedelta(days=rng.randint(1, max(1, allowed - 1))), datetime.time(9))
        elif draw < 0.95:
            approved = _at(day + datetime.timedelta(days=rng.randint(allowed + 2, allowed + 8)), datetime.time(9))
        else:
            approved = None
        if approved is not None and approved > self.now:
            approved = None
        topic = THEMATIC_TOPICS[rng.randrange(len(THEMATIC_TOPICS))] if thematic else ""
        meeting = Meeting(
            organization=cell,
            kind=Meeting.Kind.THEMATIC if thematic else Meeting.Kind.REGULAR,
            topic=topic,
            planned_date=day,
            month=month,
            planned_time=cell.meeting_time,
            venue=cell.venue,
            status=Meeting.Status.APPROVED if approved else Meeting.Status.HELD,
            chair=chair,
            recorder=recorder,
            started_at=begin,
            ended_at=end,
            resolution_title=f"Kết luận chuyên đề tháng {month.month}/{month.year}" if thematic else _resolution(month),
            resolution_text="Chi bộ thống nhất các nhiệm vụ trọng tâm và phân công đảng viên phụ trách.",
            votes_for=basis.eligible_present,
            votes_against=0,
            votes_abstain=0,
            quality_score=score,
            quality_grade=grade_for(score),
            published_at=published,
            approved_at=approved,
            approved_by=chair.user if approved and chair.user_id else None,
            version=len(rows) + len(speakers) + 3,
        )
        return meeting, rows, speakers
