"""The demo's reminders (``tooling.demo.load_demo`` calls ``DemoReminders`` once the meetings and visits are in).

The outbox of a demo should read like that of a province that has used the app for a while: every kind of reminder
went out at its time, to the right people, and the board sees what was sent, to whom, and what failed. So the
reminders' sweeper is replayed at past instants (``reminders_sweep(now=…, kinds=…)``, one kind at a time: each
instant is one at which that kind's reason held), and each row is sent at that instant through the outbox's own send
(``outbox_send(now=…)``) into the configured mailer (``var/mail/`` under ``make run``). What each kind finds comes
from the data as it is; a meeting's past state is put back for the instant of its reminder (published the day before
it was held, not yet recorded two days after, minutes not yet approved), as ``tooling.demo_visits`` does for a visit:

- the agency cell of Xuân Hiệp published its last meeting a week ahead: the agenda again 3 days before (policy) and
  the day-before reminder to every member and the committee member following it;
- a month some cell had not planned (the latest one), ``plan_reminder_days`` before its fixed day;
- a meeting of thôn 1 (Bù Đăng) recorded late: the secretary was told two days after;
- a meeting of khu phố 2 (Tam Hiệp) recorded late too, but its secretary's mailbox no longer exists: the mail server
  refuses it (550 5.1.1), the row is failed with its error, and so is every other mail to that address;
- minutes not approved in time, a visit report overdue, the monthly digest to each board, the quarter before the
  current one with its weeks left (cells without a thematic meeting, the board copied; committee members behind their
  quota), and members absent without reason in 3 months of the year (their secretary told);
- a day the worker was down (the health station of Tam Hiệp met the next afternoon): its day-before reminders went
  out too late and are missed, and a reminder that a meeting was not recorded is dropped, since the secretary
  recorded it before the worker came back.

Nothing is left queued: the worker of ``make run`` sends only what is due from then on.
"""

import datetime
import smtplib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.core.mail import mailers
from django.core.mail.backends.base import BaseEmailBackend
from django.db.models import F, Q
from django.utils import timezone

from cells.models import Organization
from cells.periods import add_months, month_end, quarter_end, quarter_start
from cells.policies import policies_for, policy_for
from meetings.models import Meeting, OutboxMessage, Visitor
from meetings.outbox import outbox_send
from meetings.reminders import MORNING, at_local, fixed_day, reminders_sweep, secretaries
from meetings.rules import visit_report_due
from reports.compliance import compute_month

Kind = OutboxMessage.Kind
Status = OutboxMessage.Status
HELD = (Meeting.Status.HELD, Meeting.Status.APPROVED)

RECORDED_LATE = "DN-BD-T01"  # thôn 1, Bù Đăng: told two days after its meeting, sent
CLOSED_MAILBOX = "DN-TH-KP02"  # khu phố 2, Tam Hiệp: its secretary's mailbox no longer exists
OUTAGE_CELL = "DN-TH-YT"  # the health station of Tam Hiệp: its day-before reminders missed
OUTAGE_WARD = "DN-TH"  # a meeting of the ward whose "not recorded" reminder is dropped
# What a mail server answers for a mailbox that no longer exists (RFC 3463: 5.1.1 bad destination mailbox).
MAILBOX_UNAVAILABLE = (550, b"5.1.1 Mailbox unavailable")


class DemoMailServer(BaseEmailBackend):
    """The mail server of the replay: the configured mailer, a new one per message as the worker's, which refuses the
    mailboxes that no longer exist as an SMTP server does."""

    def __init__(self, *, closed: set[str], **kwargs) -> None:
        super().__init__(**kwargs)
        self.closed = {address.lower() for address in closed}
        # Kept until the replay ends: the file mailer names its file after its own id(), which a mailer made after
        # a discarded one may reuse (two messages in one file of var/mail/); alive, each message has a file.
        self.mailers: list[BaseEmailBackend] = []

    def send_messages(self, email_messages) -> int:
        for message in email_messages:
            refused = {a: MAILBOX_UNAVAILABLE for a in message.recipients() if a.lower() in self.closed}
            if refused:
                raise smtplib.SMTPRecipientsRefused(refused)
        self.mailers.append(mailers.default)
        return self.mailers[-1].send_messages(email_messages)


@dataclass
class Step:
    """One run of the sweeper at ``at`` for ``kinds``, with ``meetings`` in the state they had then. ``send``: the
    worker sends at once; otherwise it is down and the rows wait. ``resume``: the worker is back and sends what waited.
    """

    at: datetime.datetime
    kinds: tuple[str, ...]
    meetings: dict[int, str] = field(default_factory=dict)
    send: bool = True
    resume: bool = False


class DemoReminders:
    """Replays the reminders' sweeper over the demo's past (see the module's docstring)."""

    def __init__(self, today: datetime.date, *, province_code: str, agency_code: str) -> None:
        self.today = today
        self.province_code = province_code
        self.agency_code = agency_code  # the cell whose meetings went through the services, with their agenda mails
        self.now = timezone.now()
        self.steps: list[Step] = []
        self.closed: set[str] = set()

    @staticmethod
    def done() -> bool:
        """Whether a load already replayed them: the refused mailbox is the replay's alone (the file mailer of ``make
        run`` refuses nothing)."""
        return OutboxMessage.objects.filter(status=Status.FAILED, kind=Kind.NOT_RECORDED).exists()

    def build(self) -> None:
        # The agenda mails of the meetings held were written when their meeting was published, not at the load.
        OutboxMessage.objects.filter(kind=Kind.AGENDA, status=Status.SENT, sent_at__lt=F("created_at")).update(
            created_at=F("sent_at")
        )
        for plan in (
            self.agency_meeting,
            self.plan_due,
            self.recorded_late,
            self.minutes_late,
            self.visit_report_late,
            self.quarter,
            self.digest,
            self.absences,
            self.outage,
        ):
            plan()
        server = DemoMailServer(closed=self.closed)
        waiting: list[int] = []
        for step in sorted(self.steps, key=lambda step: step.at):
            with _as_it_was(step.meetings):
                written = reminders_sweep(now=step.at, kinds=step.kinds)
                OutboxMessage.objects.filter(pk__in=written).update(created_at=step.at)
                if not step.send:
                    waiting += written
                    continue
                if step.resume:
                    written, waiting = waiting + written, []
                for pk in written:
                    outbox_send(message_id=pk, now=step.at, connection=server)

    # -- when

    def _morning(self, day: datetime.date) -> datetime.datetime:
        return at_local(day, MORNING)

    def _past(self, at: datetime.datetime) -> bool:
        return at <= self.now

    def _latest_morning(self) -> datetime.datetime:
        today = self._morning(self.today)
        return today if self._past(today) else self._morning(self.today - datetime.timedelta(days=1))

    def _latest_held(self, code: str, *, days_after: int, before: datetime.date | None = None) -> Meeting | None:
        """The latest regular meeting held in the cell ``code`` at least ``days_after`` days before ``before`` (today)
        and a day more, so that the morning ``days_after`` days after it is past."""
        last = (before or self.today) - datetime.timedelta(days=days_after + 1)
        return (
            Meeting.objects.filter(
                organization__code=code, kind=Meeting.Kind.REGULAR, status__in=HELD, planned_date__lte=last
            )
            .select_related("organization")
            .order_by("-planned_date", "-pk")
            .first()
        )

    # -- the stories

    def agency_meeting(self) -> None:
        """The agency cell's last meeting held, published a week ahead: the agenda again and the day-before reminder."""
        meeting = self._latest_held(self.agency_code, days_after=0)
        if meeting is None:
            return
        rules = policy_for(meeting.organization, meeting.planned_date)
        ahead = max(7, rules.agenda_send_days + 4)
        published = at_local(meeting.planned_date - datetime.timedelta(days=ahead), datetime.time(8))
        Meeting.objects.filter(pk=meeting.pk).update(published_at=published)
        OutboxMessage.objects.filter(meeting=meeting, kind=Kind.AGENDA, status=Status.SENT).update(
            sent_at=published, created_at=published
        )
        compute_month(meeting.month, cells=[meeting.organization])  # the agenda's lead time is a finding
        as_published = {meeting.pk: Meeting.Status.PUBLISHED}
        send_on = meeting.planned_date - datetime.timedelta(days=rules.agenda_send_days)
        self.steps.append(Step(self._morning(send_on), (Kind.AGENDA_REMINDER,), as_published))
        day_before = meeting.planned_date - datetime.timedelta(days=1)
        self.steps.append(Step(self._morning(day_before), (Kind.MEETING_TOMORROW,), as_published))

    def plan_due(self) -> None:
        """The latest month a cell had no regular meeting planned on the morning it was told to plan one."""
        cells = list(Organization.objects.cells().filter(meeting_day__isnull=False))
        policies = policies_for(cells, self.today)
        months = [add_months(self.today.replace(day=1), -n) for n in range(12, -1, -1)]
        planned = set(
            Meeting.objects.filter(kind__in=Meeting.REGULAR_KINDS, month__gte=months[0])
            .exclude(status=Meeting.Status.CANCELLED)
            .values_list("organization_id", "month")
        )
        told = [
            self._morning(fixed_day(cell, month) - datetime.timedelta(days=policies[cell.pk].plan_reminder_days))
            for cell in cells
            for month in months
            if (cell.pk, month) not in planned and cell.is_active_on(month_end(month))
        ]
        told = [at for at in told if self._past(at)]
        if told:
            self.steps.append(Step(max(told), (Kind.PLAN_DUE,)))

    def recorded_late(self) -> None:
        """Two meetings recorded late: the secretary of one told, the other's mailbox refused."""
        for code in (RECORDED_LATE, CLOSED_MAILBOX):
            meeting = self._latest_held(code, days_after=2)
            if meeting is None:
                continue
            at = self._morning(meeting.planned_date + datetime.timedelta(days=2))
            if code == CLOSED_MAILBOX:
                secretary = secretaries([meeting.organization_id], at.date()).get(meeting.organization_id)
                if secretary is not None and secretary.email.strip():
                    self.closed.add(secretary.email.strip())
            self.steps.append(Step(at, (Kind.NOT_RECORDED,), {meeting.pk: Meeting.Status.PUBLISHED}))

    def minutes_late(self) -> None:
        """The latest meeting whose minutes were still not approved the morning after their time ran out (approved
        later, or not yet)."""
        candidates = []
        late = (
            Meeting.objects.filter(status__in=HELD, planned_date__lt=self.today)
            .filter(Q(status=Meeting.Status.HELD) | Q(approved_at__gt=F("started_at") + datetime.timedelta(days=2)))
            .select_related("organization")
            .order_by("-planned_date", "-pk")
        )
        for meeting in late[:200]:
            days = policy_for(meeting.organization, meeting.planned_date).minutes_approval_days
            at = self._morning(meeting.planned_date + datetime.timedelta(days=days + 1))
            if self._past(at) and (meeting.approved_at is None or meeting.approved_at > at):
                candidates.append((at, meeting))
        if candidates:
            at, meeting = max(candidates, key=lambda pair: (pair[0], pair[1].pk))
            self.steps.append(Step(at, (Kind.MINUTES_LATE,), {meeting.pk: Meeting.Status.HELD}))

    def visit_report_late(self) -> None:
        """The latest visit whose report was still missing the morning after it was due (still missing today)."""
        visitors = (
            Visitor.objects.filter(seat__member__isnull=False, meeting__planned_date__lt=self.today)
            .filter(Q(report__isnull=True) | Q(report__submitted_at__isnull=True))
            .exclude(seat__member__email="")
            .select_related("meeting", "seat__organization")
            .order_by("-meeting__planned_date")[:50]
        )
        told = [self._morning(visit_report_due(visitor) + datetime.timedelta(days=1)) for visitor in visitors]
        told = [at for at in told if self._past(at)]
        if told:
            self.steps.append(Step(max(told), (Kind.VISIT_REPORT_LATE,)))

    def quarter(self) -> None:
        """The previous quarter, with its weeks left (policy): cells without a thematic meeting and committee members
        behind their quota."""
        last = quarter_end(add_months(quarter_start(self.today), -3))
        province = Organization.objects.get(code=self.province_code)
        weeks = policy_for(province, last).quarter_reminder_weeks
        at = self._morning(last + datetime.timedelta(days=1 - 7 * weeks))
        self.steps.append(Step(at, (Kind.THEMATIC_MISSING, Kind.QUOTA_BEHIND)))

    def digest(self) -> None:
        """The boards' digest of last month, on the 1st (of the previous month when this one's morning is to come)."""
        first = self._morning(self.today.replace(day=1))
        if not self._past(first):
            first = self._morning(add_months(self.today.replace(day=1), -1))
        self.steps.append(Step(first, (Kind.DIGEST,)))

    def absences(self) -> None:
        """Members absent without reason in 3 months of a year: this year once it has 3 months behind it, else last
        year's, told in January."""
        at = self._latest_morning()
        if self.today.month < 4:
            at = min(at, self._morning(datetime.date(self.today.year, 1, 31)))
        self.steps.append(Step(at, (Kind.ABSENCES,)))

    def outage(self) -> None:
        """The worker was down from the morning before the health station's meeting to the morning after it."""
        meeting = self._latest_held(OUTAGE_CELL, days_after=1)
        if meeting is None:
            return
        down = self._morning(meeting.planned_date - datetime.timedelta(days=1))
        back = self._morning(meeting.planned_date + datetime.timedelta(days=1))
        as_it_was = {meeting.pk: Meeting.Status.PUBLISHED}
        ward = Organization.objects.filter(code=OUTAGE_WARD).first()
        recorded = (
            Meeting.objects.filter(
                organization__path__startswith=ward.path,
                kind=Meeting.Kind.REGULAR,
                status__in=HELD,
                planned_date__lte=down.date() - datetime.timedelta(days=2),
                planned_date__gt=down.date() - datetime.timedelta(days=20),
            )
            .exclude(organization__code__in=[OUTAGE_CELL, CLOSED_MAILBOX])
            .order_by("-planned_date", "-pk")
            .first()
            if ward
            else None
        )
        if recorded is not None:
            as_it_was[recorded.pk] = Meeting.Status.PUBLISHED
        self.steps.append(Step(down, (Kind.MEETING_TOMORROW, Kind.NOT_RECORDED), as_it_was, send=False))
        self.steps.append(Step(back, (), resume=True))


@contextmanager
def _as_it_was(statuses: dict[int, str]) -> Iterator[None]:
    """The meetings in the state they had at a step's instant, for the step; as they are now afterwards."""
    now = dict(Meeting.objects.filter(pk__in=list(statuses)).values_list("pk", "status"))
    for pk, status in statuses.items():
        Meeting.objects.filter(pk=pk).update(status=status)
    try:
        yield
    finally:
        for pk, status in now.items():
            Meeting.objects.filter(pk=pk).update(status=status)
