"""Reminders on the outbox: each kind is a sweeper that finds due work in the database, writes one outbox row per
(kind, recipient, subject, period) and lets the outbox send it, exactly once.

How a reminder goes out:

1. ``reminders_sweep`` (the task ``meetings.sweep_reminders``, from beat) asks every registered kind what is due
   now (``Kind.due``): a kind answers from the database only, so a beat that was down catches up on its next run.
2. Each due reminder becomes an ``OutboxMessage`` with a unique key ``kind:about:period:address`` (the same reminder
   found twice, by two beats or two sweeps, is one row) and an ``expires_at``: the kind's lateness cutoff.
3. The outbox's send task claims the row, then asks ``still_due``: past its cutoff the row is marked missed, and when
   its reason is gone (the meeting was planned, held, cancelled or moved) it is dropped; neither is sent.

Kinds of other apps (the board's digest in ``reports``) register here from their ``AppConfig.ready``: this module
imports no app above ``meetings``. Wording lives in ``templates/emails/reminder-<kind>-{subject,body}.txt``.
"""

import datetime
import hashlib
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from cells.models import Organization, parent_path
from cells.periods import month_end, month_start, next_month, quarter_end, quarter_start
from cells.policies import policies_for
from cells.templatetags.chibo import vi_name
from meetings.models import Meeting, OutboxMessage, Visitor
from meetings.rules import rules_for, visit_report_due
from meetings.wording import absolute, meeting_title, organization_name, vi_when
from members.models import AccessGrant, Member, Position

Kind = OutboxMessage.Kind
Status = OutboxMessage.Status

# Reminders are timed in the cells' own time zone, whatever the server's.
LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
# No reminder goes out at night: a reminder that falls due before this hour waits for it.
MORNING = datetime.time(7, 0)


def add_days(day: datetime.date, days: int) -> datetime.date:
    return day + datetime.timedelta(days=days)


def local_now(now: datetime.datetime | None = None) -> datetime.datetime:
    return (now or timezone.now()).astimezone(LOCAL)


def at_local(day: datetime.date, time: datetime.time = MORNING) -> datetime.datetime:
    """The moment ``time`` on ``day`` in the cells' time zone (aware)."""
    return datetime.datetime.combine(day, time, tzinfo=LOCAL)


@dataclass(frozen=True)
class Due:
    """One reminder to write: to whom, about what, for which period, until when it may still go out."""

    kind: str
    member: Member | None
    email: str
    organization: Organization
    about: str
    period: datetime.date
    expires_at: datetime.datetime
    context: dict = field(default_factory=dict, compare=False, hash=False)
    name: str = ""  # a recipient who is not a member (a board's staff)


class ReminderKind(ABC):
    """A kind of reminder: ``due`` finds what is due at ``now``; ``still_due`` says at send time whether the row's
    reason still holds. Both read the database only."""

    kind: str = ""

    @abstractmethod
    def due(self, now: datetime.datetime) -> Iterable[Due]: ...

    @abstractmethod
    def still_due(self, row: OutboxMessage, now: datetime.datetime) -> bool: ...

    def render(self, due: Due) -> dict:
        return render(due)


REGISTRY: dict[str, ReminderKind] = {}


def register(kind: ReminderKind) -> ReminderKind:
    REGISTRY[kind.kind] = kind
    return kind


def reminder_key(due: Due) -> str:
    """Unique per (kind, subject, period, recipient): a reminder found twice is one row."""
    key = f"{due.kind}:{due.about}:{due.period.isoformat()}:{due.email.lower()}"
    if len(key) > OutboxMessage._meta.get_field("key").max_length:
        digest = hashlib.sha256(due.email.lower().encode()).hexdigest()
        key = f"{due.kind}:{due.about}:{due.period.isoformat()}:{digest}"
    return key


def render(due: Due) -> dict:
    """The outbox fields of a reminder's text (subject, body_text; a kind may add body_html and an invite), from
    ``templates/emails/reminder-<kind>-*.txt``, in the site's language."""
    context = {
        "recipient_name": due.member.full_name if due.member else (due.name or due.email),
        "organization_name": due.organization.name,
        **due.context,
    }
    subject = render_to_string(f"emails/reminder-{due.kind}-subject.txt", context)
    body = render_to_string(f"emails/reminder-{due.kind}-body.txt", context)
    return {"subject": " ".join(subject.split())[:300], "body_text": body}


def _meeting_id(about: str) -> int | None:
    kind, _sep, pk = about.partition(":")
    return int(pk) if kind == "meeting" and pk.isdigit() else None


def write_reminders(dues: Iterable[Due]) -> list[int]:
    """One outbox row per due reminder not written before; returns the new rows' ids."""
    by_key = {reminder_key(due): due for due in dues}
    if not by_key:
        return []
    existing = set(OutboxMessage.objects.filter(key__in=list(by_key)).values_list("key", flat=True))
    rows = []
    for key, due in by_key.items():
        if key in existing:
            continue
        language = (due.member.language if due.member else "") or settings.LANGUAGE_CODE
        with translation.override(language):
            text = REGISTRY[due.kind].render(due) if due.kind in REGISTRY else render(due)
        rows.append(
            OutboxMessage(
                key=key,
                kind=due.kind,
                member=due.member,
                to_email=due.email,
                organization=due.organization,
                about=due.about,
                period=due.period,
                expires_at=due.expires_at,
                # On the meeting's own outbox page too, sent under the cell's name.
                meeting_id=_meeting_id(due.about),
                **text,
            )
        )
    OutboxMessage.objects.bulk_create(rows, ignore_conflicts=True)
    return list(
        OutboxMessage.objects.filter(key__in=[row.key for row in rows], status=Status.QUEUED).values_list(
            "pk", flat=True
        )
    )


def reminders_sweep(*, now: datetime.datetime | None = None, kinds: Iterable[str] | None = None) -> list[int]:
    """Write the reminders due at ``now`` (every kind, or only ``kinds``), mark the queued ones past their cutoff
    missed; returns the ids of the rows written. The outbox's sweeper sends them (or ``enqueue_sends`` at once, from the
    task). Beat asks every kind; the demo replays past mornings one kind at a time (``tooling.demo_reminders``)."""
    now = now or timezone.now()
    OutboxMessage.objects.filter(status=Status.QUEUED, expires_at__lte=now).update(
        status=Status.MISSED, next_attempt_at=None
    )
    asked = None if kinds is None else set(kinds)
    written: list[int] = []
    for kind in REGISTRY.values():
        if asked is not None and kind.kind not in asked:
            continue
        written += write_reminders(due for due in kind.due(now) if due.expires_at > now)
    return written


def still_due(row: OutboxMessage, now: datetime.datetime) -> str | None:
    """At send time: ``None`` to send the row, or the status it gets instead (missed, dropped)."""
    kind = REGISTRY.get(row.kind)
    if kind is None:
        return None
    if row.expires_at is not None and row.expires_at <= now:
        return Status.MISSED
    return None if kind.still_due(row, now) else Status.DROPPED


# --- Who is told ------------------------------------------------------------------------------------------------------


def secretaries(organization_ids: Iterable[int], day: datetime.date) -> dict[int, Member]:
    """The secretary in post on ``day`` of each organization that has one (one query)."""
    positions = (
        Position.objects.active_on(day)
        .filter(organization_id__in=list(organization_ids), role=Position.Role.SECRETARY)
        .select_related("member")
    )
    return {position.organization_id: position.member for position in positions}


def board_staff(paths: Iterable[str], day: datetime.date) -> dict[str, list]:
    """The staff with a grant on ``day`` on each organization (by path) who have an e-mail address (one query)."""
    grants = (
        AccessGrant.objects.active_on(day)
        .filter(organization__path__in=list(paths), user__is_active=True)
        .exclude(user__email="")
        .select_related("user", "organization")
        .order_by("user__username")
    )
    staff: dict[str, list] = {}
    for grant in grants:
        staff.setdefault(grant.organization.path, []).append(grant.user)
    return staff


def _active_cells(day: datetime.date, **filters) -> list[Organization]:
    return list(
        Organization.objects.cells()
        .active_on(day)
        .filter(**filters)
        .only("pk", "name", "path", "depth", "kind", "meeting_day")
    )


def _about_meeting(row: OutboxMessage) -> Meeting | None:
    pk = _meeting_id(row.about)
    return None if pk is None else Meeting.objects.filter(pk=pk).first()


def _meeting_context(meeting: Meeting, path_name: str = "meetings:detail") -> dict:
    return {
        "title": meeting_title(meeting),
        "when": vi_when(meeting.planned_date, meeting.planned_time),
        "venue": meeting.venue,
        "cell_name": organization_name(meeting),
        "url": absolute(reverse(path_name, args=[meeting.pk])),
    }


# --- Kinds ------------------------------------------------------------------------------------------------------------


class MeetingTomorrow(ReminderKind):
    """To everyone the agenda went to, the day before a published meeting, from 07:00; too late once it starts. A
    meeting moved to another day is a new reminder (another period); the old one is dropped."""

    kind = Kind.MEETING_TOMORROW

    def due(self, now):
        from meetings.recipients import meeting_recipients

        here = local_now(now)
        if here.time() < MORNING:
            return
        tomorrow = add_days(here.date(), 1)
        meetings = Meeting.objects.filter(
            status=Meeting.Status.PUBLISHED, planned_date__in=[here.date(), tomorrow]
        ).select_related("organization")
        for meeting in meetings:
            starts = at_local(meeting.planned_date, meeting.planned_time)
            if starts <= now:
                continue
            context = _meeting_context(meeting)
            for recipient in meeting_recipients(meeting).by_email:
                yield Due(
                    kind=self.kind,
                    member=recipient.member,
                    email=recipient.email,
                    organization=meeting.organization,
                    about=f"meeting:{meeting.pk}",
                    period=meeting.planned_date,
                    expires_at=starts,
                    context=context,
                )

    def still_due(self, row, now):
        meeting = _about_meeting(row)
        return bool(meeting and meeting.status == Meeting.Status.PUBLISHED and meeting.planned_date == row.period)


class AgendaReminder(ReminderKind):
    """The agenda e-mail again, ``agenda_send_days`` (policy) before a meeting that was published earlier than that,
    from 07:00, to everyone it goes to; the same invite (same UID and sequence). Too late once the day-before reminder
    is due (or, with a lead of a day or less, once the meeting starts)."""

    kind = Kind.AGENDA_REMINDER

    def due(self, now):
        from meetings.recipients import meeting_recipients

        here = local_now(now)
        if here.time() < MORNING:
            return
        today = here.date()
        meetings = list(
            Meeting.objects.filter(
                status=Meeting.Status.PUBLISHED,
                planned_date__gte=today,
                planned_date__lte=add_days(today, 60),
            ).select_related("organization")
        )
        policies = policies_for([meeting.organization for meeting in meetings], today)
        for meeting in meetings:
            send_on = add_days(meeting.planned_date, -policies[meeting.organization_id].agenda_send_days)
            starts = at_local(meeting.planned_date, meeting.planned_time)
            # Once the day-before reminder is due, that one says it: an agenda reminder not sent by then is missed.
            day_before = add_days(meeting.planned_date, -1)
            expires = at_local(day_before) if send_on < day_before else starts
            if not (send_on <= today and expires > now and meeting.published_at < at_local(send_on)):
                continue
            for recipient in meeting_recipients(meeting).by_email:
                yield Due(
                    kind=self.kind,
                    member=recipient.member,
                    email=recipient.email,
                    organization=meeting.organization,
                    about=f"meeting:{meeting.pk}",
                    period=meeting.planned_date,
                    expires_at=expires,
                    context={"meeting": meeting, "recipient": recipient},
                )

    def render(self, due):
        from meetings.calendar import meeting_ics
        from meetings.wording import meeting_mail_context, render_meeting_mail

        meeting, recipient = due.context["meeting"], due.context["recipient"]
        subject, text, html = render_meeting_mail(meeting_mail_context(meeting, kind="agenda"), recipient)
        attendee = (recipient.member.full_name, recipient.email)
        return {
            "subject": subject[:300],
            "body_text": text,
            "body_html": html,
            "ics": meeting_ics(meeting, method="REQUEST", attendee=attendee),
            "ics_method": "REQUEST",
        }

    def still_due(self, row, now):
        meeting = _about_meeting(row)
        return bool(meeting and meeting.status == Meeting.Status.PUBLISHED and meeting.planned_date == row.period)


def _to_secretaries(kind: str, meetings: list[Meeting], today: datetime.date, cutoff_days: int, path_name: str):
    """A reminder about each meeting to its cell's secretary of ``today`` (one without an address gets none: the
    cell's outbox page lists them), dated by the meeting's planned day and missed ``cutoff_days`` after it."""
    chiefs = secretaries({meeting.organization_id for meeting in meetings}, today)
    for meeting in meetings:
        secretary = chiefs.get(meeting.organization_id)
        if secretary is None or not secretary.email.strip():
            continue
        yield Due(
            kind=kind,
            member=secretary,
            email=secretary.email.strip(),
            organization=meeting.organization,
            about=f"meeting:{meeting.pk}",
            period=meeting.planned_date,
            expires_at=at_local(add_days(meeting.planned_date, cutoff_days)),
            context=_meeting_context(meeting, path_name),
        )


class NotRecorded(ReminderKind):
    """To the secretary, when no meeting was recorded two days after its planned date; not past a month."""

    kind = Kind.NOT_RECORDED
    AFTER_DAYS = 2
    CUTOFF_DAYS = 30

    def due(self, now):
        today = local_now(now).date()
        meetings = list(
            Meeting.objects.filter(
                status__in=[Meeting.Status.PLANNED, Meeting.Status.PUBLISHED],
                planned_date__lte=add_days(today, -self.AFTER_DAYS),
                planned_date__gt=add_days(today, -self.CUTOFF_DAYS),
            ).select_related("organization")
        )
        yield from _to_secretaries(self.kind, meetings, today, self.CUTOFF_DAYS, "meetings:record")

    def still_due(self, row, now):
        meeting = _about_meeting(row)
        return bool(
            meeting
            and meeting.status in (Meeting.Status.PLANNED, Meeting.Status.PUBLISHED)
            and meeting.planned_date == row.period
        )


class MinutesLate(ReminderKind):
    """To the secretary, when a held meeting's minutes are not approved within the policy's days."""

    kind = Kind.MINUTES_LATE
    CUTOFF_DAYS = 60

    def due(self, now):
        today = local_now(now).date()
        meetings = list(
            Meeting.objects.filter(
                status=Meeting.Status.HELD, planned_date__gt=add_days(today, -self.CUTOFF_DAYS)
            ).select_related("organization")
        )
        late = [
            meeting
            for meeting in meetings
            if add_days(
                meeting.planned_date, rules_for(meeting.organization, meeting.planned_date).policy.minutes_approval_days
            )
            < today
        ]
        yield from _to_secretaries(self.kind, late, today, self.CUTOFF_DAYS, "meetings:detail")

    def still_due(self, row, now):
        meeting = _about_meeting(row)
        return bool(meeting and meeting.status == Meeting.Status.HELD)


class VisitReportLate(ReminderKind):
    """To the visitor, when the report on a visit is not submitted by its due date (policy ``visit_report_days``)."""

    kind = Kind.VISIT_REPORT_LATE
    CUTOFF_DAYS = 60

    def due(self, now):
        today = local_now(now).date()
        visitors = (
            Visitor.objects.filter(
                seat__isnull=False,
                meeting__planned_date__gt=add_days(today, -self.CUTOFF_DAYS),
            )
            .exclude(meeting__status=Meeting.Status.CANCELLED)
            .filter(Q(report__isnull=True) | Q(report__submitted_at__isnull=True))
            .select_related("seat__member", "seat__organization", "meeting__organization")
        )
        for visitor in visitors:
            due_on = visit_report_due(visitor)
            member = visitor.seat.member
            if due_on is None or due_on >= today or member is None or not member.email.strip():
                continue
            yield Due(
                kind=self.kind,
                member=member,
                email=member.email.strip(),
                organization=visitor.seat.organization,
                about=f"visitor:{visitor.pk}",
                period=due_on,
                expires_at=at_local(add_days(visitor.meeting.planned_date, self.CUTOFF_DAYS)),
                context={
                    **_meeting_context(visitor.meeting),
                    "due": due_on.strftime("%d/%m/%Y"),
                    "url": absolute(reverse("meetings:visit_report", kwargs={"visitor_pk": visitor.pk})),
                },
            )

    def still_due(self, row, now):
        kind, _sep, pk = row.about.partition(":")
        if kind != "visitor" or not pk.isdigit():
            return False
        return (
            Visitor.objects.filter(pk=int(pk))
            .filter(Q(report__isnull=True) | Q(report__submitted_at__isnull=True))
            .exists()
        )


def fixed_day(cell: Organization, month: datetime.date) -> datetime.date | None:
    """The cell's fixed meeting day in ``month`` (its last day for "the last day of the month")."""
    if cell.meeting_day is None:
        return None
    if cell.meeting_day == Organization.LAST_DAY_OF_MONTH:
        return month_end(month)
    return month.replace(day=cell.meeting_day)


def _not_cancelled_meetings(cells: list[Organization], start: datetime.date, end: datetime.date, kinds) -> set:
    """(organization id, first of month) of the meetings of ``kinds`` planned in [start, end], not cancelled."""
    return set(
        Meeting.objects.filter(organization__in=cells, kind__in=kinds, planned_date__gte=start, planned_date__lte=end)
        .exclude(status=Meeting.Status.CANCELLED)
        .values_list("organization_id", "month")
    )


def _org_of(row: OutboxMessage) -> int | None:
    kind, _sep, pk = row.about.partition(":")
    return int(pk) if kind == "org" and pk.isdigit() else None


class PlanDue(ReminderKind):
    """To the secretary, ``plan_reminder_days`` (policy) before the cell's fixed meeting day, while that month's
    regular meeting is not planned; until the end of that day. A cell with no fixed day gets none (nothing to count
    from)."""

    kind = Kind.PLAN_DUE

    def due(self, now):
        here = local_now(now)
        today = here.date()
        cells = _active_cells(today, meeting_day__isnull=False)
        if not cells:
            return
        policies = policies_for(cells, today)
        months = (month_start(today), next_month(today))
        due: list[tuple[Organization, datetime.date, datetime.date]] = []
        for cell in cells:
            for month in months:
                day = fixed_day(cell, month)
                remind = add_days(day, -policies[cell.pk].plan_reminder_days)
                if at_local(remind) <= now < at_local(add_days(day, 1), datetime.time(0, 0)):
                    due.append((cell, month, day))
        if not due:
            return
        planned = _not_cancelled_meetings(
            [cell for cell, _m, _d in due], months[0], month_end(months[1]), Meeting.REGULAR_KINDS
        )
        chiefs = secretaries({cell.pk for cell, _m, _d in due}, today)
        for cell, month, day in due:
            secretary = chiefs.get(cell.pk)
            if (cell.pk, month) in planned or secretary is None or not secretary.email.strip():
                continue
            yield Due(
                kind=self.kind,
                member=secretary,
                email=secretary.email.strip(),
                organization=cell,
                about=f"org:{cell.pk}",
                period=month,
                expires_at=at_local(add_days(day, 1), datetime.time(0, 0)),
                context={
                    "cell_name": cell.name,
                    "month": month.strftime("%m/%Y"),
                    "day": day.strftime("%d/%m/%Y"),
                    "url": absolute(reverse("meetings:plan", args=[cell.pk])),
                },
            )

    def still_due(self, row, now):
        return (
            not Meeting.objects.filter(organization_id=_org_of(row), month=row.period, kind__in=Meeting.REGULAR_KINDS)
            .exclude(status=Meeting.Status.CANCELLED)
            .exists()
        )


class QuotaBehind(ReminderKind):
    """To a committee member, with ``quarter_reminder_weeks`` (their committee's policy) left in the quarter: the
    quota lines of theirs that close by the quarter's end and are not met yet (``meetings.quotas``). Until the
    quarter's end."""

    kind = Kind.QUOTA_BEHIND

    def due(self, now):
        from meetings.quotas import Status as QuotaStatus
        from meetings.quotas import describe, quota_progress
        from members.models import CommitteeSeat

        today = local_now(now).date()
        start, last = quarter_start(today), quarter_end(today)
        seats = list(
            CommitteeSeat.objects.filter(valid_from__lte=today, member__isnull=False)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=today))
            .exclude(member__email="")
            .select_related("organization", "member")
        )
        if not seats:
            return
        policies = policies_for({seat.organization for seat in seats}, today)
        seats = [
            seat
            for seat in seats
            if at_local(add_days(last, 1 - 7 * policies[seat.organization_id].quarter_reminder_weeks)) <= now
        ]
        end = add_days(last, 1)
        expires = at_local(end, datetime.time(0, 0))
        for progress in quota_progress(seats, start, end, today=today):
            lines = [line for line in progress.lines if line.status == QuotaStatus.OPEN and line.window.end <= end]
            if not lines:
                continue
            seat = progress.seat
            yield Due(
                kind=self.kind,
                member=seat.member,
                email=seat.member.email.strip(),
                organization=seat.organization,
                about=f"seat:{seat.pk}",
                period=start,
                expires_at=expires,
                context={
                    "quarter": f"{(start.month - 1) // 3 + 1}/{start.year}",
                    "last_day": last.strftime("%d/%m/%Y"),
                    "lines": [
                        {
                            "window": line.window.label,
                            "rule": describe(line.quota),
                            "done": line.done,
                            "required": line.required,
                        }
                        for line in lines
                    ],
                    "url": absolute(reverse("meetings:my_cells")),
                },
            )

    def still_due(self, row, now):
        from meetings.quotas import Status as QuotaStatus
        from meetings.quotas import quota_progress
        from members.models import CommitteeSeat

        kind, _sep, pk = row.about.partition(":")
        seat = CommitteeSeat.objects.select_related("organization").filter(pk=int(pk)).first() if pk.isdigit() else None
        if kind != "seat" or seat is None:
            return False
        end = add_days(quarter_end(row.period), 1)
        today = local_now(now).date()
        [progress] = quota_progress([seat], row.period, end, today=today)
        return any(line.status == QuotaStatus.OPEN and line.window.end <= end for line in progress.lines)


class ThematicMissing(ReminderKind):
    """To the secretary, copied to the staff of the board above the cell: no thematic meeting (a combined session
    included) held or planned in the quarter, with ``quarter_reminder_weeks`` (policy) left; cells whose policy asks
    for none are left alone. Until the quarter's end."""

    kind = Kind.THEMATIC_MISSING

    def due(self, now):
        here = local_now(now)
        today = here.date()
        start, last = quarter_start(today), quarter_end(today)
        cells = _active_cells(today)
        if not cells:
            return
        policies = policies_for(cells, today)
        due = [
            cell
            for cell in cells
            if policies[cell.pk].thematic_per_quarter
            and at_local(add_days(last, 1 - 7 * policies[cell.pk].quarter_reminder_weeks)) <= now
        ]
        if not due:
            return
        done = {org for org, _month in _not_cancelled_meetings(due, start, last, THEMATIC_KINDS)}
        due = [cell for cell in due if cell.pk not in done]
        chiefs = secretaries({cell.pk for cell in due}, today)
        staff = board_staff({parent_path(cell.path) for cell in due}, today)
        expires = at_local(add_days(last, 1), datetime.time(0, 0))
        for cell in due:
            context = {
                "cell_name": cell.name,
                "quarter": f"{(start.month - 1) // 3 + 1}/{start.year}",
                "last_day": last.strftime("%d/%m/%Y"),
                "url": absolute(reverse("meetings:plan", args=[cell.pk])),
            }
            secretary = chiefs.get(cell.pk)
            common = {"kind": self.kind, "organization": cell, "about": f"org:{cell.pk}", "period": start}
            if secretary is not None and secretary.email.strip():
                yield Due(
                    member=secretary, email=secretary.email.strip(), expires_at=expires, context=context, **common
                )
            for user in staff.get(parent_path(cell.path), []):
                yield Due(
                    member=None,
                    name=vi_name(user),
                    email=user.email,
                    expires_at=expires,
                    context={**context, "copy": True},
                    **common,
                )

    def still_due(self, row, now):
        return (
            not Meeting.objects.filter(
                organization_id=_org_of(row),
                kind__in=THEMATIC_KINDS,
                planned_date__gte=row.period,
                planned_date__lte=quarter_end(row.period),
            )
            .exclude(status=Meeting.Status.CANCELLED)
            .exists()
        )


# A thematic meeting for the quarter's rule: on its own or combined with the regular one (as the findings count it).
THEMATIC_KINDS = (Meeting.Kind.THEMATIC, Meeting.Kind.COMBINED)


for _kind in (
    AgendaReminder(),
    MeetingTomorrow(),
    NotRecorded(),
    MinutesLate(),
    VisitReportLate(),
    PlanDue(),
    ThematicMissing(),
    QuotaBehind(),
):
    register(_kind)
