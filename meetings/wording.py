"""How a meeting reads in Vietnamese, in its e-mails, its calendar invite and its minutes.

The weekday and time ("14 giờ 00, thứ Tư ngày 04/11/2026"), the title ("Sinh hoạt định kỳ tháng 11/2026"), the
organization's name on the meeting's date, the ordered agenda, and the context and rendering of the three e-mail
templates (``emails/meeting-<kind>-subject.txt``, ``-body.txt``, ``-body.html``). Nothing here writes or sends: the
outbox (``meetings.outbox``) stores what this module renders.
"""

import datetime

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from cells.models import Organization
from cells.services import name_on
from cells.text import vi_date
from meetings.models import Meeting, Visitor
from meetings.recipients import Recipient
from members.models import CommitteeSeat


def vi_weekday(day: datetime.date) -> str:
    """ "thứ Hai" … "Chủ nhật"."""
    return (
        _("thứ Hai"),
        _("thứ Ba"),
        _("thứ Tư"),
        _("thứ Năm"),
        _("thứ Sáu"),
        _("thứ Bảy"),
        _("Chủ nhật"),
    )[day.weekday()]


def vi_when(day: datetime.date, time: datetime.time) -> str:
    """ "14 giờ 00, thứ Tư ngày 04/11/2026"."""
    return _("{hour:02d} giờ {minute:02d}, {weekday} ngày {day}").format(
        hour=time.hour, minute=time.minute, weekday=vi_weekday(day), day=vi_date(day)
    )


def organization_name(meeting: Meeting) -> str:
    """The organization's name on the meeting's date (cached on the instance: one query per meeting)."""
    cached = getattr(meeting, "_chibo_printed_name", None)
    if cached is None or cached[0] != (meeting.organization_id, meeting.planned_date):
        printed = name_on(meeting.organization, meeting.planned_date)
        cached = (
            (meeting.organization_id, meeting.planned_date),
            printed.name if printed else meeting.organization.name,
        )
        meeting._chibo_printed_name = cached
    return cached[1]


def prime_printed_names(meetings: list[Meeting]) -> None:
    """Set ``organization_name``'s cache for many meetings with one query (a calendar feed, a list)."""
    from cells.models import OrganizationName

    names: dict[int, list] = {}
    rows = OrganizationName.objects.filter(organization_id__in={m.organization_id for m in meetings}).order_by(
        "-valid_from"
    )
    for row in rows:
        names.setdefault(row.organization_id, []).append(row)
    for meeting in meetings:
        printed = next(
            (row for row in names.get(meeting.organization_id, []) if row.valid_from <= meeting.planned_date), None
        )
        meeting._chibo_printed_name = (
            (meeting.organization_id, meeting.planned_date),
            printed.name if printed else meeting.organization.name,
        )


def meeting_title(meeting: Meeting) -> str:
    """ "Sinh hoạt định kỳ tháng 11/2026", "Sinh hoạt chuyên đề “…”", …"""
    month = meeting.planned_date.strftime("%m/%Y")
    topic = meeting.topic.strip()
    if meeting.kind == Meeting.Kind.REGULAR:
        return _("Sinh hoạt định kỳ tháng {month}").format(month=month)
    if meeting.kind == Meeting.Kind.THEMATIC:
        return _("Sinh hoạt chuyên đề “{topic}”").format(topic=topic)
    if meeting.kind == Meeting.Kind.COMBINED:
        if topic:
            return _("Sinh hoạt định kỳ tháng {month} kết hợp chuyên đề “{topic}”").format(month=month, topic=topic)
        return _("Sinh hoạt định kỳ kết hợp chuyên đề tháng {month}").format(month=month)
    if meeting.kind == Meeting.Kind.EXTRAORDINARY:
        if topic:
            return _("Sinh hoạt bất thường: {topic}").format(topic=topic)
        return _("Sinh hoạt bất thường ngày {day}").format(day=vi_date(meeting.planned_date))
    # A committee's conference or a party group's meeting: its kind, then its subject or its day.
    if topic:
        return _("{kind}: {topic}").format(kind=meeting.get_kind_display(), topic=topic)
    return _("{kind} ngày {day}").format(kind=meeting.get_kind_display(), day=vi_date(meeting.planned_date))


def _level(committee_kind: str, committee_name: str) -> str:
    """The level of a committee as its members' ranks name it: "tỉnh", "xã" (or "phường", "đặc khu", as the
    committee's name says), "cơ sở"; empty for a kind with no such word."""
    Kind = Organization.Kind
    if committee_kind == Kind.COMMUNE:
        name = committee_name.lower()
        if "phường" in name:
            return _("phường")
        if "đặc khu" in name:
            return _("đặc khu")
        return _("xã")
    return {
        Kind.PROVINCIAL: _("tỉnh"),
        Kind.DISTRICT: _("huyện"),
        Kind.BLOC: _("khối"),
        Kind.GRASSROOTS_COMMITTEE: _("cơ sở"),
        Kind.SUB_COMMITTEE: _("bộ phận"),
    }.get(committee_kind, "")


def committee_rank(rank: str, committee_kind: str, committee_name: str = "") -> str:
    """A rank on a committee of a kind, as the minutes print it: "Ủy viên Ban Thường vụ Đảng ủy xã", "Ủy viên Ban
    Chấp hành Đảng bộ tỉnh", "Lãnh đạo ban, ngành cấp tỉnh"; empty when the rank or the kind says nothing (a guest,
    the rank "Khác"). ``committee_name`` only tells a ward's or a special zone's committee from a commune's."""
    Rank, Kind = CommitteeSeat.Rank, Organization.Kind
    if committee_kind == Kind.CENTRAL and rank in (Rank.STANDING, Rank.COMMITTEE):
        return _("Ủy viên Ban Chấp hành Trung ương Đảng")
    level = _level(committee_kind, committee_name)
    if not level:
        return ""
    if rank == Rank.STANDING:
        standing = {Kind.PROVINCIAL: _("Tỉnh ủy"), Kind.DISTRICT: _("Huyện ủy")}.get(committee_kind)
        return _("Ủy viên Ban Thường vụ {committee}").format(
            committee=standing or _("Đảng ủy {level}").format(level=level)
        )
    if rank == Rank.COMMITTEE:
        return _("Ủy viên Ban Chấp hành Đảng bộ {level}").format(level=level)
    if rank == Rank.BOARD_LEADER:
        return _("Lãnh đạo ban, ngành cấp {level}").format(level=level)
    return ""


def visitor_line(visitor: Visitor) -> str:
    """A visitor as the minutes list them, with the rank and committee frozen on the visit and the title recorded
    then: "đồng chí Nguyễn Văn A, Ủy viên Ban Thường vụ Đảng ủy xã (Bí thư Đảng ủy xã)"; a guest by name: "đồng chí
    Trần Văn B, Bí thư Đoàn xã". ``seat__organization`` should be loaded (the word "phường" comes from its name)."""
    committee_name = visitor.seat.organization.name if visitor.seat_id else ""
    rank = committee_rank(visitor.rank, visitor.committee_kind, committee_name)
    title = visitor.title.strip()
    if (
        rank
        and title
        and title.casefold() not in (rank.casefold(), str(CommitteeSeat.Rank(visitor.rank).label).casefold())
    ):
        return _("đồng chí {name}, {rank} ({title})").format(name=visitor.name, rank=rank, title=title)
    if rank or title:
        return _("đồng chí {name}, {rank}").format(name=visitor.name, rank=rank or title)
    return _("đồng chí {name}").format(name=visitor.name)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def absolute(path: str) -> str:
    """The link to ``path`` on this site, as a recipient outside the browser needs it."""
    return settings.SITE_URL + path


def agenda_items(meeting: Meeting) -> list:
    """The ordered agenda; one query, or none when ``agenda`` was prefetched."""
    return sorted(meeting.agenda.all(), key=lambda item: item.order)


def _previous_plan(meeting: Meeting):
    """The plan as members were last told it: the latest history record before this calendar sequence."""
    return (
        meeting.history.filter(sequence__lt=meeting.sequence)
        .only("planned_date", "planned_time", "venue")
        .order_by("-history_date", "-history_id")
        .first()
    )


def _changes(meeting: Meeting) -> list[dict]:
    """What an update mail says changed (time, venue): label, old and new, as members were last told."""
    before = _previous_plan(meeting)
    if before is None:
        return []
    changes = []
    if (before.planned_date, before.planned_time) != (meeting.planned_date, meeting.planned_time):
        changes.append(
            {
                "label": _("Thời gian"),
                "old": vi_when(before.planned_date, before.planned_time),
                "new": vi_when(meeting.planned_date, meeting.planned_time),
            }
        )
    if before.venue != meeting.venue:
        changes.append({"label": _("Địa điểm"), "old": before.venue, "new": meeting.venue})
    return changes


def meeting_mail_context(meeting: Meeting, *, kind: str) -> dict:
    """What every recipient's copy shares (the recipient is added per copy)."""
    title = meeting_title(meeting)
    return {
        "kind": kind,
        "meeting": meeting,
        "organization_name": organization_name(meeting),
        "title": title,
        "title_lower": _lower_first(title),
        "when": vi_when(meeting.planned_date, meeting.planned_time),
        "date": vi_date(meeting.planned_date),
        "venue": meeting.venue,
        "kind_label": meeting.get_kind_display(),
        "topic": meeting.topic,
        "agenda": agenda_items(meeting),
        "materials": [
            {"name": material.name, "url": absolute(reverse("meetings:material", args=[meeting.pk, material.pk]))}
            for material in meeting.materials.all()
        ],
        "detail_url": absolute(reverse("meetings:detail", args=[meeting.pk])),
        # The absence form is on the meeting page (the absence URL itself takes a POST).
        "absence_url": absolute(reverse("meetings:detail", args=[meeting.pk])) + "#bao-vang",
        "cancel_reason": meeting.cancel_reason,
        "changes": _changes(meeting) if kind == "update" else [],
    }


def render_meeting_mail(context: dict, recipient: Recipient) -> tuple[str, str, str]:
    """(subject, text body, HTML body) of one recipient's copy, in the active language."""
    context = {**context, "recipient": recipient, "recipient_name": recipient.member.full_name}
    name = f"emails/meeting-{context['kind']}"
    subject = render_to_string(f"{name}-subject.txt", context)
    text = render_to_string(f"{name}-body.txt", context)
    html = render_to_string(f"{name}-body.html", context)
    subject = " ".join(subject.split())
    return subject, text.strip() + "\n", html
