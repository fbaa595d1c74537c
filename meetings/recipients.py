"""Who is told of a meeting: the roster on its date and the committee members following the organization.

``meeting_recipients`` answers, in three queries, who gets the mail (one copy per e-mail address) and who must be
told on paper (roster members without an address, committee seats whose holder cannot be e-mailed).
"""

from dataclasses import dataclass

from django.db.models import Q

from meetings.models import Meeting
from members.models import Assignment, Member


@dataclass(frozen=True)
class Recipient:
    """One copy of the mail: the member and the address it goes to."""

    member: Member
    email: str
    is_committee: bool  # a superior-committee member following the organization (not on its roster)


@dataclass(frozen=True)
class Recipients:
    """Everyone the meeting's mail concerns, split by how they are told."""

    by_email: list[Recipient]
    # Roster members without an e-mail: the secretary tells them on paper.
    roster_without_email: list[Member]
    # Committee seats following the organization whose holder cannot be e-mailed (no address, or outside the tree).
    committee_without_email: list


def _clean_email(address: str) -> str:
    return (address or "").strip()


def meeting_recipients(meeting: Meeting) -> Recipients:
    """The roster on the meeting's date, then the committee members assigned to follow the organization on that date
    (seat and assignment both in force); one recipient per e-mail address. Three queries."""
    day = meeting.planned_date
    roster = list(Member.objects.roster_of(meeting.organization, day).order_by("sort_key", "id"))
    assignments = list(
        Assignment.objects.active_on(day)
        .filter(organization=meeting.organization, seat__valid_from__lte=day)
        .filter(Q(seat__valid_to__isnull=True) | Q(seat__valid_to__gt=day))
        .select_related("seat__member")
        .order_by("seat__member__sort_key", "seat_id", "id")
    )
    seen: set[str] = set()
    by_email: list[Recipient] = []
    without: list[Member] = []
    for member in roster:
        address = _clean_email(member.email)
        if not address:
            without.append(member)
        elif address.lower() not in seen:
            seen.add(address.lower())
            by_email.append(Recipient(member=member, email=address, is_committee=False))
    committee_without: list = []
    seen_seats: set[int] = set()
    for assignment in assignments:
        seat = assignment.seat
        if seat.pk in seen_seats:
            continue
        seen_seats.add(seat.pk)
        address = _clean_email(seat.member.email) if seat.member_id else ""
        if not address:
            committee_without.append(seat)
        elif address.lower() not in seen:
            seen.add(address.lower())
            by_email.append(Recipient(member=seat.member, email=address, is_committee=True))
    without.sort(key=lambda member: (member.sort_key, member.pk))
    return Recipients(by_email=by_email, roster_without_email=without, committee_without_email=committee_without)
