"""Superior-committee visit quotas, with the numbers of seed 003 (Yên Bái 18-QĐ/TU) and of Kon Tum 776-QĐ/TU."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cells.models import Organization
from meetings import services
from meetings.quotas import Status, quota_progress
from members.models import Assignment, CommitteeSeat
from tests.factories import make_cell, make_meeting, make_member, make_org

pytestmark = pytest.mark.django_db

HANOI = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
Kind = Organization.Kind
Rank = CommitteeSeat.Rank
Q3 = (datetime.date(2026, 7, 1), datetime.date(2026, 10, 1))


def at(day: datetime.date):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(20, 0), tzinfo=HANOI), tick=False)


@pytest.fixture
def tree():
    """A province with the Yên Bái preset, a district, a commune under it with a residential hamlet cell and an agency
    cell; a commune committee member who lives in the hamlet."""
    with at(datetime.date(2026, 6, 1)):
        province = make_org(name="Đảng bộ tỉnh Yên Bái", kind=Kind.PROVINCIAL)
        district = make_org(province, name="Đảng bộ huyện Trấn Yên", kind=Kind.DISTRICT)
        commune = make_org(district, name="Đảng bộ xã Xuân Hiệp", kind=Kind.COMMUNE)
        hamlet = make_cell(commune, name="Chi bộ thôn 1", cell_type=Organization.CellType.RESIDENTIAL)
        hamlet2 = make_cell(commune, name="Chi bộ thôn 2", cell_type=Organization.CellType.RESIDENTIAL)
        agency = make_cell(commune, name="Chi bộ cơ quan", cell_type=Organization.CellType.AGENCY)
        services.quota_set_from_preset(
            organization=province, key="yen-bai-18-2019", valid_from=datetime.date(2019, 4, 16)
        )
    return {
        "province": province,
        "district": district,
        "commune": commune,
        "hamlet": hamlet,
        "hamlet2": hamlet2,
        "agency": agency,
    }


def _seat(organization, member_cell, rank=Rank.COMMITTEE, follows=(), valid_from=datetime.date(2020, 1, 1)):
    member = make_member(member_cell)
    seat = CommitteeSeat.objects.create(member=member, organization=organization, rank=rank, valid_from=valid_from)
    for followed in follows:
        Assignment.objects.create(seat=seat, organization=followed, valid_from=valid_from)
    return seat


def _visits(seat, *meetings_at):
    """Plan each (organization, day) meeting before it, then record the seat's visit on its day."""
    meetings = []
    for organization, day in meetings_at:
        kind = "executive"
        if organization.is_cell:
            taken = organization.meetings.filter(month=day.replace(day=1), kind="regular").exists()
            kind = "extraordinary" if taken else "regular"
        with at(day - datetime.timedelta(days=20)):
            meetings.append(make_meeting(organization, kind=kind, planned_date=day))
    for meeting in meetings:
        with at(meeting.planned_date):
            services.visitor_add(meeting=meeting, seat=seat)
    return meetings


def _progress(seat, period=Q3, today=datetime.date(2026, 10, 5)):
    seat.refresh_from_db()
    [progress] = quota_progress([seat], *period, today=today)
    return progress


def _lines(progress):
    return [(line.window.start, line.quota.target, line.done, line.required, line.status) for line in progress.lines]


def test_the_presets_hold_the_regulations_lines(tree):
    from meetings.quota_presets import PRESETS

    assert len(PRESETS["yen-bai-18-2019"].lines) == 17
    assert len(PRESETS["kon-tum-776-2023"].lines) == 8


def test_a_district_committee_member_with_one_visit_in_a_quarter_is_behind(tree):
    seat = _seat(tree["district"], tree["hamlet"], follows=[tree["commune"]])
    _visits(seat, (tree["hamlet"], datetime.date(2026, 8, 4)))

    progress = _progress(seat)

    start = Q3[0]
    assert _lines(progress) == [
        (start, "committee_or_residential", 1, 2, Status.BEHIND),
        (start, "committee", 0, 1, Status.BEHIND),
        (start, "residential", 1, 1, Status.MET),
    ]
    assert progress.status == Status.BEHIND


def test_two_visits_of_the_same_kind_leave_a_district_member_behind(tree):
    seat = _seat(tree["district"], tree["hamlet"], follows=[tree["commune"]])
    _visits(seat, (tree["hamlet"], datetime.date(2026, 8, 4)), (tree["hamlet2"], datetime.date(2026, 9, 4)))

    progress = _progress(seat)

    assert [(line.quota.target, line.done, line.status) for line in progress.lines] == [
        ("committee_or_residential", 2, Status.MET),
        ("committee", 0, Status.BEHIND),
        ("residential", 2, Status.MET),
    ]
    assert progress.status == Status.BEHIND


def test_one_committee_meeting_and_one_residential_cell_meet_the_district_quota(tree):
    seat = _seat(tree["district"], tree["hamlet"], follows=[tree["commune"]])
    _visits(seat, (tree["commune"], datetime.date(2026, 7, 15)), (tree["hamlet"], datetime.date(2026, 9, 4)))

    progress = _progress(seat)

    assert {line.status for line in progress.lines} == {Status.MET}
    assert progress.status == Status.MET


def test_an_agency_cell_is_not_a_residential_cell_and_an_unassigned_commune_does_not_count(tree):
    with at(datetime.date(2026, 6, 1)):
        other_commune = make_org(tree["district"], name="Đảng bộ xã Khác", kind=Kind.COMMUNE)
        other_hamlet = make_cell(other_commune, name="Chi bộ thôn Khác")
    seat = _seat(tree["district"], tree["hamlet"], follows=[tree["commune"]])
    _visits(
        seat,
        (tree["agency"], datetime.date(2026, 7, 4)),
        (other_commune, datetime.date(2026, 8, 15)),
        (other_hamlet, datetime.date(2026, 9, 4)),
    )

    progress = _progress(seat)

    assert [line.done for line in progress.lines] == [0, 0, 0]
    assert len(progress.visits) == 3


def test_a_grassroots_committee_member_who_skips_a_month_is_flagged_for_that_month(tree):
    seat = _seat(tree["commune"], tree["agency"], follows=[tree["hamlet"], tree["hamlet2"]])
    _visits(seat, (tree["hamlet"], datetime.date(2026, 7, 4)), (tree["hamlet2"], datetime.date(2026, 9, 4)))

    progress = _progress(seat)

    assert [(line.window.start, line.done, line.status) for line in progress.lines] == [
        (datetime.date(2026, 7, 1), 1, Status.MET),
        (datetime.date(2026, 8, 1), 0, Status.BEHIND),
        (datetime.date(2026, 9, 1), 1, Status.MET),
    ]
    assert [line.window.label for line in progress.behind] == ["Tháng 08/2026"]


def test_the_monthly_residential_line_binds_only_a_grassroots_member_who_follows_a_residential_cell(tree):
    # Seed 003, Quy định 18-QĐ/TU: "Các đồng chí ủy viên ban thường vụ, cấp ủy viên cơ sở ít nhất mỗi tháng 1 lần
    # dự sinh hoạt với chi bộ khu dân cư được phân công phụ trách, theo dõi." The duty is to visit *the residential
    # cell assigned to them*: a commune committee member who follows only an agency cell has no such cell, so the
    # line does not bind them (the board's gap is the assignment, not the member's visits).
    agency_only = _seat(tree["commune"], tree["hamlet"], follows=[tree["agency"]])
    both = _seat(tree["commune"], tree["agency"], follows=[tree["agency"], tree["hamlet"]])
    whole_commune = _seat(tree["commune"], tree["agency"], rank=Rank.STANDING, follows=[tree["commune"]])
    for seat in (agency_only, both, whole_commune):
        _visits(seat, (tree["agency"], datetime.date(2026, 7, 4 + seat.pk % 5)))

    assert _progress(agency_only).lines == []
    assert _progress(agency_only).status == Status.NOT_JUDGED
    assert len(_progress(agency_only).visits) == 1  # recorded, counted for nothing
    # Following a residential cell (or the commune, whose residential cells lie below it) binds the line every month.
    for seat in (both, whole_commune):
        assert [(line.window.start.month, line.done, line.status) for line in _progress(seat).lines] == [
            (7, 0, Status.BEHIND),
            (8, 0, Status.BEHIND),
            (9, 0, Status.BEHIND),
        ]


def test_the_month_under_way_is_open_not_behind(tree):
    seat = _seat(tree["commune"], tree["agency"], follows=[tree["hamlet"]])

    progress = _progress(
        seat, period=(datetime.date(2026, 9, 1), datetime.date(2026, 10, 1)), today=datetime.date(2026, 9, 20)
    )

    assert [(line.done, line.status, line.missing) for line in progress.lines] == [(0, Status.OPEN, 1)]


def test_a_quota_changed_from_a_date_applies_from_then_on(tree):
    # The commune adopts its own rule from 1 August: two visits a month to any cell it assigned.
    with at(datetime.date(2026, 7, 20)):
        services.quota_set_create(
            organization=tree["commune"],
            name="Quy định của Đảng ủy xã",
            source="Quy định 05-QĐ/ĐU ngày 20/7/2026",
            valid_from=datetime.date(2026, 8, 1),
            lines=[
                {
                    "committee_kind": Kind.COMMUNE,
                    "rank": Rank.COMMITTEE,
                    "period": "month",
                    "count": 2,
                    "target": "cell",
                }
            ],
        )
    seat = _seat(tree["commune"], tree["agency"], follows=[tree["hamlet"], tree["agency"]])
    _visits(
        seat,
        (tree["hamlet"], datetime.date(2026, 7, 4)),
        (tree["hamlet"], datetime.date(2026, 8, 4)),
        (tree["agency"], datetime.date(2026, 9, 4)),
        (tree["hamlet"], datetime.date(2026, 9, 14)),
    )

    progress = _progress(seat)

    assert [
        (line.window.start, line.quota.target, line.done, line.required, line.status) for line in progress.lines
    ] == [
        (datetime.date(2026, 7, 1), "residential", 1, 1, Status.MET),
        (datetime.date(2026, 8, 1), "cell", 1, 2, Status.BEHIND),
        (datetime.date(2026, 9, 1), "cell", 2, 2, Status.MET),
    ]
    assert [quota_set.name for quota_set in progress.quota_sets] == [
        "Yên Bái 18-QĐ/TU (2019)",
        "Quy định của Đảng ủy xã",
    ]


def test_a_visit_by_someone_not_on_a_committee_is_recorded_but_counts_for_no_quota(tree):
    with at(datetime.date(2026, 7, 20)):
        meeting = make_meeting(tree["hamlet"], planned_date=datetime.date(2026, 8, 4))
    with at(datetime.date(2026, 8, 4)):
        guest = services.visitor_add(meeting=meeting, name="Trần Văn Khách", title="Bí thư Đoàn xã")
    assert (guest.seat, guest.rank, guest.committee_kind) == (None, "", "")
    # A seat of a rank no line names (other) records its visit and is bound by nothing either.
    other = _seat(tree["district"], tree["hamlet"], rank=Rank.OTHER, follows=[tree["commune"]])
    _visits(other, (tree["hamlet"], datetime.date(2026, 8, 14)))

    progress = _progress(other)

    assert meeting.visitors.count() == 1
    assert len(progress.visits) == 1
    assert progress.lines == []
    assert progress.status == Status.NOT_JUDGED


def test_a_visit_keeps_the_rank_held_on_the_meetings_day_and_a_seat_not_held_then_is_refused(tree):
    seat = _seat(tree["district"], tree["hamlet"], rank=Rank.STANDING, follows=[tree["commune"]])
    [meeting] = _visits(seat, (tree["hamlet"], datetime.date(2026, 8, 4)))
    visitor = meeting.visitors.get()
    assert (visitor.rank, visitor.committee_kind) == (Rank.STANDING, Kind.DISTRICT)

    later = _seat(tree["district"], tree["hamlet"], valid_from=datetime.date(2026, 9, 1))
    with at(datetime.date(2026, 7, 20)):
        earlier_meeting = make_meeting(tree["hamlet2"], planned_date=datetime.date(2026, 8, 4))
    with at(datetime.date(2026, 8, 4)), pytest.raises(ValidationError) as refused:
        services.visitor_add(meeting=earlier_meeting, seat=later)
    assert "không giữ chức vụ này" in str(refused.value.message_dict["seat"])
    assert earlier_meeting.visitors.count() == 0
    with at(datetime.date(2026, 8, 4)), pytest.raises(ValidationError):
        services.visitor_add(meeting=meeting, seat=seat)
    assert meeting.visitors.count() == 1


def test_a_seat_taken_in_the_middle_of_a_quarter_is_shown_but_not_judged_for_it(tree):
    seat = _seat(tree["district"], tree["hamlet"], follows=[tree["commune"]], valid_from=datetime.date(2026, 8, 10))

    progress = _progress(seat)

    assert {line.status for line in progress.lines} == {Status.NOT_JUDGED}
    assert progress.status == Status.NOT_JUDGED


def test_kon_tum_does_not_count_the_visitors_own_cell(tree):
    with at(datetime.date(2026, 6, 1)):
        province = make_org(name="Đảng bộ tỉnh Kon Tum", kind=Kind.PROVINCIAL)
        commune = make_org(province, name="Đảng bộ xã Đăk Hà", kind=Kind.COMMUNE)
        own = make_cell(commune, name="Chi bộ thôn 3")
        other = make_cell(commune, name="Chi bộ thôn 4")
        services.quota_set_from_preset(
            organization=province, key="kon-tum-776-2023", valid_from=datetime.date(2023, 1, 1)
        )
    seat = _seat(commune, own)
    _visits(
        seat, (own, datetime.date(2026, 3, 4)), (other, datetime.date(2026, 4, 4)), (other, datetime.date(2026, 5, 4))
    )

    progress = _progress(
        seat, period=(datetime.date(2026, 1, 1), datetime.date(2027, 1, 1)), today=datetime.date(2027, 1, 5)
    )

    assert [(line.window.label, line.done, line.required, line.status) for line in progress.lines] == [
        ("Năm 2026", 2, 6, Status.BEHIND)
    ]


def test_quota_progress_costs_the_same_queries_for_one_seat_or_many(tree):
    seats = [_seat(tree["commune"], tree["agency"], follows=[tree["hamlet"]])]
    _visits(seats[0], (tree["hamlet"], datetime.date(2026, 7, 4)))

    def count(chosen):
        chosen = list(CommitteeSeat.objects.filter(pk__in=[s.pk for s in chosen]).select_related("organization"))
        with CaptureQueriesContext(connection) as queries:
            quota_progress(chosen, *Q3, today=datetime.date(2026, 10, 5))
        return len(queries)

    one = count(seats)
    for n in range(4):
        seat = _seat(tree["district"] if n % 2 else tree["commune"], tree["hamlet"], follows=[tree["commune"]])
        _visits(seat, (tree["hamlet2"], datetime.date(2026, 8, 4 + n)))
        seats.append(seat)
    assert count(seats) == one <= 6
