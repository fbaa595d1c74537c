"""What the minutes (biên bản) say: one reading of a meeting, used by the meeting page and the PDF."""

from django.db.models import Prefetch

from cells.models import Organization
from cells.periods import ROMAN_QUARTERS, quarter_of
from cells.services import name_on
from meetings import services
from meetings.models import Attendance, Meeting, Speech
from meetings.wording import visitor_line
from members.models import Member, Position


def minutes_context(meeting: Meeting) -> dict:
    """Everything the minutes print, in a constant number of queries."""
    attendances = list(meeting.attendances.select_related("member").order_by("member__sort_key"))
    agenda = list(
        meeting.agenda.prefetch_related(
            Prefetch("speeches", queryset=Speech.objects.select_related("member", "visitor").order_by("order"))
        )
    )
    general_speeches = list(
        meeting.speeches.filter(agenda_item__isnull=True).select_related("member", "visitor").order_by("order")
    )
    printed = name_on(meeting.organization, meeting.planned_date)
    held = meeting.status in (Meeting.Status.HELD, Meeting.Status.APPROVED)
    figures = services.figures(meeting) if held else None
    visitors = list(meeting.visitors.select_related("seat__organization").order_by("id"))
    return {
        "meeting": meeting,
        "printed": printed,
        "attendances": attendances,
        "present": [a for a in attendances if a.status == Attendance.Status.PRESENT],
        "excused": [a for a in attendances if a.status == Attendance.Status.EXCUSED],
        "absent": [a for a in attendances if a.status == Attendance.Status.ABSENT],
        "away": sum(1 for a in attendances if a.status in (Attendance.Status.EXCUSED, Attendance.Status.ABSENT)),
        "counts": headcount(attendances),
        "agenda": agenda,
        "general_speeches": general_speeches,
        "visitors": visitors,
        # As the minutes list them: the superior committee's members with the rank and committee held that day.
        "superior_lines": [visitor_line(v) for v in visitors if v.is_superior],
        "guest_lines": [visitor_line(v) for v in visitors if not v.is_superior],
        "figures": figures,
        # Ballots fewer than the members present who may vote (confirmed when saved): the minutes say so.
        "vote_difference": figures["tally"].difference() if figures else "",
        "quarter": ROMAN_QUARTERS[quarter_of(meeting.planned_date)],
        "number_suffix": minutes_number_suffix(meeting.organization),
        "minutes_number": document_number(meeting.number),
        "resolution_suffix": resolution_number_suffix(meeting.organization),
        "resolution_number": document_number(meeting.resolution_number),
    }


def document_number(number: int | None) -> str:
    """A document's number as printed: two digits at least ("01", "12", "105"); empty before it is given."""
    return f"{number:02d}" if number is not None else ""


def headcount(attendances: list[Attendance]) -> dict[str, int]:
    """The cell's own members on the roll call by their status that day, as the minutes and the attendance sheet
    print them (guests attached here apart): total, official (every status but probationary), probationary, exempted,
    attached elsewhere; ``guests`` those attached here."""
    home = [a for a in attendances if not a.is_guest]
    return {
        "total": len(home),
        "official": sum(1 for a in home if a.member_status != "probationary"),
        "probationary": sum(1 for a in home if a.member_status == "probationary"),
        "exempted": sum(1 for a in home if a.member_status == "exempted"),
        "attached_elsewhere": sum(1 for a in home if a.member_status == "attached_elsewhere"),
        "guests": len(attendances) - len(home),
    }


def minutes_number_suffix(organization: Organization) -> str:
    """What follows a minutes' number (Hướng dẫn 36-HD/VPTW): "BB/CB" for a cell's, "BB/ĐU" for a committee's (its
    executive committee, đảng ủy, keeps them), "BB/TĐ" for a party group's."""
    if organization.is_cell:
        return "BB/CB"
    if organization.kind == Organization.Kind.PARTY_GROUP:
        return "BB/TĐ"
    return "BB/ĐU"


def resolution_number_suffix(organization: Organization) -> str:
    """What follows a resolution's number: "NQ/CB" for a cell's, "NQ/ĐU" for a committee's, "NQ/TĐ" for a party
    group's (the same endings as the minutes', ``minutes_number_suffix``)."""
    return "NQ/" + minutes_number_suffix(organization).split("/", 1)[1]


def resolution_context(meeting: Meeting) -> dict:
    """What the resolution prints: the minutes' reading (header, vote) and who signs it "T/M CHI BỘ / BÍ THƯ" (a
    cell has no seal): the secretary on the meeting's day, else the chair."""
    context = minutes_context(meeting)
    signer = (
        Member.objects.filter(
            positions__in=Position.objects.active_on(meeting.planned_date).filter(
                organization=meeting.organization, role=Position.Role.SECRETARY
            )
        ).first()
        or meeting.chair
    )
    # Each line of the text its own paragraph, indented as the articles of a resolution are.
    lines = [line.strip() for line in meeting.resolution_text.splitlines() if line.strip()]
    return {**context, "signer": signer, "resolution_lines": lines}
