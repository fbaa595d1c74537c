"""factory_boy factories shared by the tests."""

import datetime
import zoneinfo

import factory
from django.contrib.auth import get_user_model

from cells.models import Organization
from cells.services import organization_create
from members.models import AccessGrant, CommitteeSeat, Position
from members.services import member_create, position_assign

TEST_PASSWORD = "mat-khau-thu-nghiem-2026"
HANOI = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"{n}")
    last_name = "Người dùng"
    password = factory.django.Password(TEST_PASSWORD)


_codes = iter(range(1, 10**9))


def make_org(parent=None, *, name=None, kind=Organization.Kind.COMMUNE, code=None, **fields) -> Organization:
    """An organization node, through the service (so its name history exists)."""
    n = next(_codes)
    is_cell = kind in Organization.CELL_KINDS
    defaults = {
        "place_name": "Xuân Hiệp",
        "valid_from": datetime.date(2000, 1, 1),
        "cell_type": Organization.CellType.RESIDENTIAL if is_cell else "",
        "meeting_day": 4 if is_cell else None,
    }
    defaults.update(fields)
    return organization_create(
        parent=parent, name=name or f"Tổ chức {n}", code=code or f"ORG{n:05d}", kind=kind, **defaults
    )


def make_cell(parent, *, name=None, **fields) -> Organization:
    return make_org(parent, name=name, kind=Organization.Kind.SUBORDINATE_CELL, **fields)


def make_member(cell, *, full_name=None, official=True, user=None, **fields):
    n = next(_codes)
    data = {
        "full_name": full_name or f"Nguyễn Văn Thành {n}",
        "admission_date": datetime.date(2015, 3, 1),
        "official_date": datetime.date(2016, 3, 1) if official else None,
        "birth_date": datetime.date(1980, 1, 1),
        "email": f"dv{n}@example.vn",
        "joined_cell_on": datetime.date(2020, 1, 1),
    }
    data.update(fields)
    if "joined_cell_on" not in fields:
        data["joined_cell_on"] = max(data["joined_cell_on"], data["admission_date"])
    if not official:
        data["official_date"] = None
    member = member_create(cell=cell, **data)
    if user is not None:
        member.user = user
        member.save(update_fields=["user"])
    return member


def make_secretary(cell, user, *, role=Position.Role.SECRETARY, **fields):
    member = make_member(cell, user=user, **fields)
    position_assign(member=member, organization=cell, role=role, valid_from=datetime.date(2020, 6, 1))
    return member


def grant(user, organization, *, can_write=False) -> AccessGrant:
    return AccessGrant.objects.create(
        user=user, organization=organization, can_write=can_write, valid_from=datetime.date(2020, 1, 1)
    )


def seat(member, organization, rank=CommitteeSeat.Rank.COMMITTEE) -> CommitteeSeat:
    return CommitteeSeat.objects.create(
        member=member, organization=organization, rank=rank, valid_from=datetime.date(2020, 1, 1)
    )


def make_meeting(organization, *, kind="regular", planned_date=datetime.date(2026, 11, 4), **fields):
    """A planned meeting with the default agenda, through the service."""
    from meetings.services import meeting_plan

    data = {"planned_time": datetime.time(14, 0), "venue": "Hội trường UBND xã", "topic": ""}
    data.update(fields)
    return meeting_plan(organization=organization, kind=kind, planned_date=planned_date, **data)


def make_held_meeting(organization, *, planned_date=datetime.date(2026, 11, 4), votes_for=None, **fields):
    """A meeting recorded and closed ("đã họp") through the services: every roster member present, 100 minutes from
    the planned time, the first member in the roster chairing; ``votes_for`` (any number up to the present) the
    resolution's vote. Call it on or after ``planned_date`` (the record is refused before the meeting's day)."""
    from meetings.services import attendance_prepare, attendance_set, meeting_record

    meeting = make_meeting(organization, planned_date=planned_date, **fields)
    rows = attendance_prepare(meeting=meeting)
    for row in rows:
        attendance_set(meeting=meeting, member=row.member, status="present")
    start = datetime.datetime.combine(planned_date, meeting.planned_time, tzinfo=HANOI)
    meeting_record(
        meeting=meeting,
        version=None,
        started_at=start,
        ended_at=start + datetime.timedelta(minutes=100),
        chair=rows[0].member,
        recorder=rows[-1].member,
        resolution_title="Nghị quyết tháng" if votes_for is not None else "",
        votes_for=votes_for,
        confirm_votes=True,
        mark_held=True,
    )
    meeting.refresh_from_db()
    return meeting
