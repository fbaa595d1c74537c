"""Members absent without reason in a calendar year, against the strike-off review threshold.

Quy định 294-QĐ/TW 8.1, "3 months in a calendar year absent without reason": the flag counts the distinct months of
the year in which the member was absent without reason from a held meeting of a cell; the number of such
attendances is given beside it (they are equal when a member misses one meeting a month).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from types import SimpleNamespace

from django.db.models import Count

from cells.models import Organization
from cells.policies import Source, policies_for
from cells.text import vi_name_sort_key
from meetings.models import Attendance, Meeting

HELD = (Meeting.Status.HELD, Meeting.Status.APPROVED)


@dataclass(frozen=True)
class MemberAbsences:
    """A member's absences without reason in a calendar year, against the strike-off review threshold."""

    member_id: int
    full_name: str
    cell_id: int
    cell_name: str
    absences: int
    months: int
    required: int
    flagged: bool
    source: Source
    missed: tuple[datetime.date, ...] = ()  # the months absent without reason, in order


def member_absences(organization: Organization, year: int, cell_type: str = "") -> list[MemberAbsences]:
    """Members of ``organization``'s subtree absent without reason from a held meeting of a cell in ``year`` (by the
    meeting's local date; a committee's own meetings are not cell activity), with ``flagged`` when the number of such
    months reaches ``strike_off_absences`` of the policy in force on 31 December for their cell (the cell of their
    latest such absence). Members never absent without reason are not listed. ``cell_type``: only members whose cell
    (that same one) is of this type. Two queries: the absences grouped by member, month and cell; the policies.
    Flagged members first, most months first."""
    rows = (
        Attendance.objects.filter(
            status=Attendance.Status.ABSENT,
            meeting__status__in=HELD,
            meeting__planned_date__gte=datetime.date(year, 1, 1),
            meeting__planned_date__lte=datetime.date(year, 12, 31),
            meeting__organization__path__startswith=organization.path,
            meeting__organization__kind__in=Organization.CELL_KINDS,
        )
        .order_by()
        .values(
            "member_id",
            "member__full_name",
            "meeting__month",
            "meeting__organization_id",
            "meeting__organization__path",
            "meeting__organization__name",
            "meeting__organization__cell_type",
        )
        .annotate(n=Count("id"))
    )
    absences: dict[int, int] = defaultdict(int)
    months: dict[int, set] = defaultdict(set)
    latest: dict[int, tuple] = {}
    for row in rows:
        member = row["member_id"]
        absences[member] += row["n"]
        months[member].add(row["meeting__month"])
        if member not in latest or row["meeting__month"] > latest[member][0]:
            latest[member] = (
                row["meeting__month"],
                row["meeting__organization_id"],
                row["meeting__organization__path"],
                row["meeting__organization__name"],
                row["member__full_name"],
                row["meeting__organization__cell_type"],
            )
    if cell_type:
        latest = {member: item for member, item in latest.items() if item[5] == cell_type}
    if not latest:
        return []
    cells = {cell_id: SimpleNamespace(pk=cell_id, path=path) for _m, cell_id, path, *_rest in latest.values()}
    policies = policies_for(cells.values(), datetime.date(year, 12, 31))
    out = []
    for member, (_month, cell_id, _path, cell_name, full_name, _type) in latest.items():
        policy = policies[cell_id]
        required = policy.strike_off_absences
        out.append(
            MemberAbsences(
                member_id=member,
                full_name=full_name,
                cell_id=cell_id,
                cell_name=cell_name,
                absences=absences[member],
                months=len(months[member]),
                required=required,
                flagged=len(months[member]) >= required,
                source=policy.sources["strike_off_absences"],
                missed=tuple(sorted(months[member])),
            )
        )
    out.sort(key=lambda item: (not item.flagged, -item.months, vi_name_sort_key(item.full_name)))
    return out
