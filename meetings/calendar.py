"""The calendar invite of a meeting, as RFC 5545 text (iCalendar), built with the ``icalendar`` library.

One VEVENT per meeting, with a UID that never changes and SEQUENCE = ``meeting.sequence``, so that an update or a
cancellation replaces the event the member already has in their calendar. Times are local (Asia/Ho_Chi_Minh), declared
in a VTIMEZONE that icalendar derives from the time zone database for the event's dates. icalendar escapes the text
values, quotes the parameters, ends lines with CRLF and folds them at 75 octets.

The organizer is the organization holding the meeting (its name on the meeting's day) at the site's sending address;
an event that still takes place carries an alarm, as long before the start as the policy in force on the meeting's day
says (``reminder_minutes``). The mailed copies are iTIP requests (REQUEST, CANCEL) addressed to their recipient; the
"add to calendar" file is a PUBLISH with no attendee.
"""

import datetime
import functools
import unicodedata
from email.headerregistry import Address
from email.utils import parseaddr
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core import signing
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from icalendar import Alarm, Calendar, Event, Timezone, vCalAddress

from meetings.models import Meeting
from meetings.rules import rules_for
from meetings.wording import absolute, agenda_items, meeting_title, organization_name, prime_printed_names

TZID = "Asia/Ho_Chi_Minh"
METHODS = ("REQUEST", "CANCEL", "PUBLISH")
PRODID = "-//Chi bo//Sinh hoat chi bo//VI"


def ics_method(kind: str) -> str:
    """The iTIP method of the invite in a meeting mail of ``kind``: CANCEL for a cancellation, else REQUEST."""
    return "CANCEL" if kind == "cancel" else "REQUEST"


def event_uid(meeting: Meeting) -> str:
    """Stable for the life of the meeting: every update and the cancellation carry it, whatever the site's address
    becomes (``Meeting.calendar_uid``, given when the meeting is planned)."""
    return meeting.calendar_uid


def event_minutes(meeting: Meeting) -> int:
    """How long the event lasts: the least length the policy in force sets for the meeting's kind; a kind it sets none
    for (an extraordinary meeting) lasts as long as the same policy's regular meeting."""
    rules = rules_for(meeting.organization, meeting.planned_date)
    return rules.min_minutes(meeting.kind) or rules.min_minutes(Meeting.Kind.REGULAR)


def reminder_minutes(meeting: Meeting) -> int:
    """How long before the start the event's alarm rings: the policy in force on the meeting's day."""
    return rules_for(meeting.organization, meeting.planned_date).reminder_minutes


def sender_address() -> str:
    """The address every meeting mail and invite is sent from (``DEFAULT_FROM_EMAIL`` without its name)."""
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1]


def sender(meeting: Meeting) -> str:
    """``"Chi bộ cơ quan UBND xã" <no-reply@…>``: the sending address under the name of the meeting's organization."""
    return str(Address(display_name=organization_name(meeting), addr_spec=sender_address()))


def meeting_summary(meeting: Meeting) -> str:
    """ "Sinh hoạt định kỳ tháng 11/2026 – Chi bộ cơ quan UBND xã"."""
    return f"{meeting_title(meeting)} – {organization_name(meeting)}"


def _text(value: str) -> str:
    """Typed text as a TEXT value may hold it: NFC, line breaks as ``\\n``, no other control character."""
    value = unicodedata.normalize("NFC", str(value)).replace("\r\n", "\n").replace("\r", "\n")
    return "".join(char for char in value if char in "\n\t" or unicodedata.category(char) != "Cc")


@functools.lru_cache(maxsize=64)
def _vtimezone(first: datetime.date, last: datetime.date) -> bytes:
    """The VTIMEZONE of ``TZID`` from ``first`` to ``last``, as text: icalendar takes ~40 ms to derive it, and a
    meeting's mail carries the same one in every copy. Without the English COMMENT icalendar adds ("This timezone
    only works from …"), which some calendars show to the member."""
    timezone_ = Timezone.from_tzinfo(ZoneInfo(TZID), first_date=first, last_date=last)
    timezone_.pop("COMMENT", None)
    return timezone_.to_ical()


def _description(meeting: Meeting, *, cancelled: bool, link: str) -> str:
    if cancelled:
        text = "ĐÃ HỦY." + (f" Lý do: {meeting.cancel_reason}" if meeting.cancel_reason else "")
    else:
        agenda = "\n".join(f"{item.order}. {item.title}" for item in agenda_items(meeting))
        text = f"Chương trình:\n{agenda}" if agenda else ""
    return f"{text}\n\n{link}".strip()


def _event(
    meeting: Meeting,
    *,
    cancelled: bool,
    attendee: tuple[str, str] | None,
    now: datetime.datetime | None,
    minutes: int | None = None,
    alarm_minutes: int | None = None,
) -> tuple[Event, datetime.datetime, datetime.datetime]:
    """The meeting's VEVENT (with its alarm unless cancelled), its start and its end."""
    start = datetime.datetime.combine(meeting.planned_date, meeting.planned_time, tzinfo=ZoneInfo(TZID))
    end = start + datetime.timedelta(minutes=minutes if minutes is not None else event_minutes(meeting))
    link = absolute(reverse("meetings:detail", args=[meeting.pk]))
    summary = _text(("ĐÃ HỦY: " if cancelled else "") + meeting_summary(meeting))
    organizer_email = sender_address()

    event = Event.new(
        uid=event_uid(meeting),
        sequence=meeting.sequence,
        stamp=(now or timezone.now()).astimezone(datetime.UTC),
        start=start,
        end=end,
        summary=summary,
        location=_text(meeting.venue),
        description=_text(_description(meeting, cancelled=cancelled, link=link)),
        url=link,
        organizer=vCalAddress.new(organizer_email, cn=_text(organization_name(meeting))) if organizer_email else None,
        attendees=[
            vCalAddress.new(
                attendee[1],
                cn=_text(attendee[0]) or None,
                role="REQ-PARTICIPANT",
                partstat="NEEDS-ACTION",
                rsvp=False,
            )
        ]
        if attendee
        else None,
        status="CANCELLED" if cancelled else "CONFIRMED",
        transparency="OPAQUE",
    )
    if not cancelled:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", summary)
        before = alarm_minutes if alarm_minutes is not None else reminder_minutes(meeting)
        alarm.add("trigger", -datetime.timedelta(minutes=before))
        event.add_component(alarm)
    return event, start, end


def _calendar(method: str | None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    return calendar


def meeting_ics(
    meeting: Meeting,
    *,
    method: str,
    attendee: tuple[str, str] | None = None,
    now: datetime.datetime | None = None,
) -> str:
    """The meeting as an iCalendar object. ``method``: REQUEST (agenda, update), CANCEL, or PUBLISH (a plain file).
    ``attendee``: (name, e-mail) of the recipient, for the copy sent to them."""
    if method not in METHODS:
        raise ValueError(f"unknown iTIP method {method!r}")
    cancelled = method == "CANCEL" or meeting.status == meeting.Status.CANCELLED
    event, start, end = _event(meeting, cancelled=cancelled, attendee=attendee, now=now)
    calendar = _calendar(method)
    calendar.add_component(Timezone.from_ical(_vtimezone(start.date(), end.date() + datetime.timedelta(days=1))))
    calendar.add_component(event)
    # In the order written above (icalendar sorts properties and parameters by name otherwise).
    return calendar.to_ical(sorted=False).decode()


# --- A member's private subscription (the meetings of their cells) ----------------------------------------------------

FEED_SALT = "meetings.calendar-feed"
# The feed holds the meetings of a year back and a year ahead.
FEED_DAYS = 366


def feed_token(member) -> str:
    """The member's private calendar link's token: signed, with their ``calendar_version`` (a new version revokes
    every earlier link)."""
    return signing.dumps([member.pk, member.calendar_version], salt=FEED_SALT)


def member_for_feed(token: str):
    """The member a feed token is for, or ``None`` (forged, or revoked by a newer version)."""
    from members.models import Member

    try:
        pk, version = signing.loads(token, salt=FEED_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return Member.objects.filter(pk=pk, calendar_version=version).first()


def feed_ics(member, *, today: datetime.date, now: datetime.datetime | None = None) -> str:
    """The meetings of the cells ``member`` belonged to on their days, a year back and a year ahead (cancelled ones
    as cancelled), each with the UID of its mailed invites: a calendar that subscribes shows each meeting once.
    A fixed number of queries: the rules of every meeting's day come from one policy index."""
    from cells.policies import policy_index
    from members.models import Membership

    first, last = today - datetime.timedelta(days=FEED_DAYS), today + datetime.timedelta(days=FEED_DAYS)
    memberships = list(
        Membership.objects.filter(member=member, valid_from__lte=last)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=first))
        .values_list("organization_id", "valid_from", "valid_to")
    )
    condition = Q(pk__in=[])
    for organization_id, valid_from, valid_to in memberships:
        spell = Q(organization_id=organization_id, planned_date__gte=max(valid_from, first), planned_date__lte=last)
        if valid_to is not None:
            spell &= Q(planned_date__lt=valid_to)
        condition |= spell
    meetings = list(
        Meeting.objects.filter(condition)
        .select_related("organization")
        .prefetch_related("agenda")
        .order_by("planned_date", "planned_time", "pk")
    )
    prime_printed_names(meetings)
    index = policy_index({meeting.organization for meeting in meetings}, last)
    calendar = _calendar("PUBLISH")
    calendar.add("x-wr-calname", _text(f"Sinh hoạt chi bộ – {member.full_name}"))
    calendar.add("x-wr-timezone", TZID)
    calendar.add_component(Timezone.from_ical(_vtimezone(first, last + datetime.timedelta(days=1))))
    for meeting in meetings:
        policy = index.resolve(meeting.organization, meeting.planned_date)
        event, _start, _end = _event(
            meeting,
            cancelled=meeting.status == Meeting.Status.CANCELLED,
            attendee=None,
            now=now,
            minutes=_feed_minutes(policy, meeting),
            alarm_minutes=policy.reminder_minutes,
        )
        calendar.add_component(event)
    return calendar.to_ical(sorted=False).decode()


def _feed_minutes(policy, meeting: Meeting) -> int:
    """``event_minutes`` from a resolved policy (no query)."""
    from meetings.rules import min_minutes

    return min_minutes(policy, meeting.kind) or min_minutes(policy, Meeting.Kind.REGULAR)
