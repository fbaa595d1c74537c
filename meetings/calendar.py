"""The calendar invite of a meeting, as RFC 5545 text (iCalendar), written by hand: no dependency needed.

One VEVENT per meeting, with a UID that never changes and SEQUENCE = ``meeting.sequence``, so that an update or a
cancellation replaces the event the member already has in their calendar. Times are local (Asia/Ho_Chi_Minh, a fixed
+07:00 with no daylight saving time), declared in a VTIMEZONE block. Lines end with CRLF and are folded at 75 octets.
"""

import datetime
import unicodedata
from email.utils import parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from meetings.rules import rules_for
from meetings.wording import agenda_items, meeting_title, organization_name

TZID = "Asia/Ho_Chi_Minh"
METHODS = ("REQUEST", "CANCEL", "PUBLISH")
# A meeting shorter than this is never planned, whatever the rules say (an extraordinary meeting has no minimum).
MIN_EVENT_MINUTES = 90
MAX_LINE_OCTETS = 75

_VTIMEZONE = [
    "BEGIN:VTIMEZONE",
    f"TZID:{TZID}",
    "BEGIN:STANDARD",
    "DTSTART:19700101T000000",
    "TZOFFSETFROM:+0700",
    "TZOFFSETTO:+0700",
    "TZNAME:ICT",
    "END:STANDARD",
    "END:VTIMEZONE",
]


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): backslash, semicolon and comma escaped, line breaks as ``\\n``."""
    value = unicodedata.normalize("NFC", str(value)).replace("\r\n", "\n").replace("\r", "\n")
    value = "".join(char for char in value if char == "\n" or char == "\t" or unicodedata.category(char) != "Cc")
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _param(value: str) -> str:
    """A parameter value (RFC 5545 3.1): quoted when it holds ``:;,``; a double quote cannot appear at all."""
    value = escape_text(value).replace("\\", "").replace('"', "'")
    return f'"{value}"' if any(char in value for char in ":;,") else value


def fold(line: str) -> str:
    """Fold one content line into pieces of at most 75 octets of UTF-8, never inside a character (RFC 5545 3.1)."""
    pieces: list[str] = []
    current, size = "", 0
    limit = MAX_LINE_OCTETS
    for char in line:
        width = len(char.encode())
        if size + width > limit:
            pieces.append(current)
            current, size = "", 0
            limit = MAX_LINE_OCTETS - 1  # continuation lines begin with one space
        current += char
        size += width
    pieces.append(current)
    return "\r\n ".join(pieces)


def _local(value: datetime.datetime) -> str:
    return value.strftime("%Y%m%dT%H%M%S")


def _utc(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def ics_method(kind: str) -> str:
    """The iTIP method of the invite in a meeting mail of ``kind``: CANCEL for a cancellation, else REQUEST."""
    return "CANCEL" if kind == "cancel" else "REQUEST"


def event_uid(meeting) -> str:
    """Stable for the life of the meeting: every update and the cancellation carry it."""
    host = urlsplit(settings.SITE_URL).hostname or "chibo.local"
    return f"meeting-{meeting.pk}@{host}"


def event_minutes(meeting) -> int:
    rules = rules_for(meeting.organization, meeting.planned_date)
    return max(rules.min_minutes.get(meeting.kind, 0), MIN_EVENT_MINUTES)


def meeting_summary(meeting) -> str:
    return f"{meeting_title(meeting)} – {organization_name(meeting)}"


def meeting_ics(
    meeting,
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
    start = datetime.datetime.combine(meeting.planned_date, meeting.planned_time)
    end = start + datetime.timedelta(minutes=event_minutes(meeting))
    stamp = now or timezone.now()
    organizer_name, organizer_email = parseaddr(settings.DEFAULT_FROM_EMAIL)
    agenda = "\n".join(f"{item.order}. {item.title}" for item in agenda_items(meeting))
    link = settings.SITE_URL + reverse("meetings:detail", args=[meeting.pk])
    if cancelled:
        description = "ĐÃ HỦY." + (f" Lý do: {meeting.cancel_reason}" if meeting.cancel_reason else "")
    else:
        description = f"Chương trình:\n{agenda}" if agenda else ""
    description = f"{description}\n\n{link}".strip()

    lines = [
        "BEGIN:VCALENDAR",
        "PRODID:-//Chi bo//Sinh hoat chi bo//VI",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        f"METHOD:{method}",
        *_VTIMEZONE,
        "BEGIN:VEVENT",
        f"UID:{event_uid(meeting)}",
        f"SEQUENCE:{meeting.sequence}",
        f"DTSTAMP:{_utc(stamp)}",
        f"DTSTART;TZID={TZID}:{_local(start)}",
        f"DTEND;TZID={TZID}:{_local(end)}",
        f"SUMMARY:{escape_text(('ĐÃ HỦY: ' if cancelled else '') + meeting_summary(meeting))}",
        f"LOCATION:{escape_text(meeting.venue)}",
        f"DESCRIPTION:{escape_text(description)}",
        f"URL:{link}",
    ]
    if organizer_email:
        cn = f";CN={_param(organizer_name)}" if organizer_name else ""
        lines.append(f"ORGANIZER{cn}:mailto:{organizer_email}")
    if attendee:
        name, address = attendee
        cn = f";CN={_param(name)}" if name else ""
        lines.append(f"ATTENDEE{cn};ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=FALSE:mailto:{address}")
    lines += [
        f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}",
        "TRANSP:OPAQUE",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "".join(fold(line) + "\r\n" for line in lines)
