"""The data of the board's visits tests (tests/reports/test_visits_board.py, tests/e2e/test_visits_board.py), built
with the services: a Yên Bái district with a commune and three cells, committee seats, visits and their reports."""

import datetime
import zoneinfo

import time_machine

from cells.models import Organization
from meetings import services
from members.models import Assignment, CommitteeSeat
from tests.factories import UserFactory, grant, make_cell, make_meeting, make_member, make_org

HANOI = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
Kind = Organization.Kind
Rank = CommitteeSeat.Rank
Q3 = "quy-2026-3"


def at(day: datetime.date, hour: int = 20):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(hour, 0), tzinfo=HANOI), tick=False)


def add_seat(organization, member_cell, *, rank=Rank.COMMITTEE, follows=(), full_name=None):
    member = make_member(member_cell, full_name=full_name)
    seat = CommitteeSeat.objects.create(
        member=member, organization=organization, rank=rank, valid_from=datetime.date(2020, 1, 1)
    )
    for followed in follows:
        Assignment.objects.create(seat=seat, organization=followed, valid_from=datetime.date(2020, 1, 1))
    return seat


def visit(seat, organization, day: datetime.date):
    """A meeting of ``organization`` on ``day`` (planned three weeks before), visited by ``seat`` on the day."""
    kind = "executive"
    if organization.is_cell:
        taken = organization.meetings.filter(month=day.replace(day=1), kind="regular").exists()
        kind = "extraordinary" if taken else "regular"
    with at(day - datetime.timedelta(days=20)):
        meeting = make_meeting(organization, kind=kind, planned_date=day)
    with at(day):
        return services.visit_record(meeting=meeting, seat=seat)


def report(visitor, *, submit: bool, grade="good"):
    values = {"followed_guidance": "followed", "speakers": 5, "resolution_adopted": True, "grade": grade}
    with at(visitor.meeting.planned_date + datetime.timedelta(days=2)):
        return services.visit_report_save(visitor=visitor, values=values, submit=submit)


def build_tree() -> dict:
    """A Yên Bái district (the province has the preset), a commune with two hamlet cells and an agency cell; the
    district board user reads the district; a district committee member with one commune committee visit in the third
    quarter (behind: one residential cell visit missing), a second one with none."""
    with at(datetime.date(2026, 6, 1)):
        province = make_org(name="Đảng bộ tỉnh Yên Bái", kind=Kind.PROVINCIAL, code="YB")
        district = make_org(province, name="Đảng bộ huyện Trấn Yên", kind=Kind.DISTRICT, code="TY")
        commune = make_org(district, name="Đảng bộ xã Xuân Hiệp", kind=Kind.COMMUNE, code="XH")
        hamlet = make_cell(commune, name="Chi bộ thôn 1", code="T1", cell_type=Organization.CellType.RESIDENTIAL)
        hamlet2 = make_cell(commune, name="Chi bộ thôn 2", code="T2", cell_type=Organization.CellType.RESIDENTIAL)
        agency = make_cell(commune, name="Chi bộ cơ quan", code="CQ", cell_type=Organization.CellType.AGENCY)
        services.quota_set_from_preset(
            organization=province, key="yen-bai-18-2019", valid_from=datetime.date(2019, 4, 16)
        )
    board = UserFactory(username="bantochuc.huyen")
    grant(board, district)
    behind = add_seat(district, agency, full_name="Hoàng Văn Chậm", follows=[commune])
    idle = add_seat(district, agency, full_name="Lò Thị Nghỉ", follows=[commune])
    first = visit(behind, commune, datetime.date(2026, 8, 10))
    return {
        "province": province,
        "district": district,
        "commune": commune,
        "hamlet": hamlet,
        "hamlet2": hamlet2,
        "agency": agency,
        "board": board,
        "behind": behind,
        "idle": idle,
        "first_visit": first,
    }


def hold_visited(cell, seat, day: datetime.date, quality_score=None):
    """A regular meeting of ``cell`` on ``day``, visited by ``seat``, held with its two members present."""
    chair, recorder = make_member(cell), make_member(cell)
    with at(day - datetime.timedelta(days=20)):
        meeting = make_meeting(cell, planned_date=day)
    start = datetime.datetime.combine(day, datetime.time(14), tzinfo=HANOI)
    with time_machine.travel(start + datetime.timedelta(hours=2), tick=False):
        services.visit_record(meeting=meeting, seat=seat)
        services.attendance_prepare(meeting=meeting)
        services.attendance_all_present(meeting=meeting)
        services.meeting_record(
            meeting=meeting,
            version=None,
            started_at=start,
            ended_at=start + datetime.timedelta(minutes=95),
            chair=chair,
            recorder=recorder,
            mark_held=True,
            quality_score=quality_score,
        )
    return meeting
