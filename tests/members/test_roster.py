"""A cell's roster on a date: correct across transfers, status changes and temporary attachments."""

import datetime

import pytest

from members.models import Member, Membership, StatusChange
from members.services import member_create, member_status_change, member_transfer
from tests.factories import make_cell, make_member

pytestmark = pytest.mark.django_db

D = datetime.date
Status = StatusChange.Status


def roster(cell, day, **kwargs) -> dict[Member, tuple[str, str]]:
    """{member: (status, membership kind)} on the cell's roster that day."""
    return {m: (m.status, m.membership_kind) for m in Member.objects.roster_of(cell, day, **kwargs)}


def days_around(day: datetime.date, n: int = 2) -> list[datetime.date]:
    return [day + datetime.timedelta(days=offset) for offset in range(-n, n + 1)]


# --- Dated memberships --------------------------------------------------------------------------------------------


def test_a_membership_ending_on_a_day_does_not_cover_that_day(world):
    member_transfer(member=world.plain_member, to_cell=world.cell_b, on=D(2025, 5, 1))
    old = Membership.objects.get(member=world.plain_member, organization=world.cell_a)

    assert old in Membership.objects.active_on(D(2020, 1, 1))  # its first day
    assert old in Membership.objects.active_on(D(2025, 4, 30))  # its last day
    assert old not in Membership.objects.active_on(D(2025, 5, 1))  # valid_to is exclusive
    assert old not in Membership.objects.active_on(D(2019, 12, 31))


# --- Transfers ----------------------------------------------------------------------------------------------------


def test_a_transferred_member_is_on_the_old_roster_before_the_date_and_the_new_one_from_it(world):
    member_transfer(member=world.plain_member, to_cell=world.cell_b, on=D(2025, 5, 1))

    assert world.plain_member in roster(world.cell_a, D(2025, 4, 30))
    assert world.plain_member not in roster(world.cell_b, D(2025, 4, 30))
    assert world.plain_member not in roster(world.cell_a, D(2025, 5, 1))
    assert roster(world.cell_b, D(2025, 5, 1))[world.plain_member] == (Status.OFFICIAL, "home")


def test_a_transferred_member_is_on_exactly_one_roster_every_day(world):
    member_transfer(member=world.plain_member, to_cell=world.cell_b, on=D(2025, 5, 1))

    for day in days_around(D(2025, 5, 1), 3):
        on_rosters = [cell for cell in (world.cell_a, world.cell_b) if world.plain_member in roster(cell, day)]
        assert len(on_rosters) == 1, (day, on_rosters)


def test_two_transfers_keep_each_period_with_its_cell(world):
    member_transfer(member=world.plain_member, to_cell=world.cell_b, on=D(2024, 1, 1))
    member_transfer(member=world.plain_member, to_cell=world.cell_a, on=D(2025, 1, 1))

    assert world.plain_member in roster(world.cell_a, D(2023, 12, 31))
    assert world.plain_member in roster(world.cell_b, D(2024, 6, 1))
    assert world.plain_member not in roster(world.cell_a, D(2024, 6, 1))
    assert world.plain_member in roster(world.cell_a, D(2025, 1, 1))
    assert world.plain_member not in roster(world.cell_b, D(2025, 1, 1))


# --- Status changes -----------------------------------------------------------------------------------------------


def test_a_struck_off_member_is_on_the_roster_before_the_date_and_off_it_from_then(world):
    member_status_change(member=world.plain_member, status=Status.STRUCK_OFF, effective_from=D(2025, 5, 1))

    assert roster(world.cell_a, D(2025, 4, 30))[world.plain_member] == (Status.OFFICIAL, "home")
    assert world.plain_member not in roster(world.cell_a, D(2025, 5, 1))
    assert world.plain_member not in roster(world.cell_a, D(2030, 1, 1))
    assert world.member in roster(world.cell_a, D(2025, 5, 1))  # the others stay


@pytest.mark.parametrize("status", [Status.TRANSFERRED_OUT, Status.DECEASED])
def test_members_who_are_gone_leave_the_roster(world, status):
    member_status_change(member=world.plain_member, status=status, effective_from=D(2025, 5, 1))

    assert world.plain_member in roster(world.cell_a, D(2025, 4, 30))
    assert world.plain_member not in roster(world.cell_a, D(2025, 5, 1))


@pytest.mark.parametrize("status", [Status.EXEMPTED, Status.SUSPENDED])
def test_exempted_and_suspended_members_stay_on_the_roster_with_their_status(world, status):
    member_status_change(member=world.plain_member, status=status, effective_from=D(2025, 5, 1))

    assert roster(world.cell_a, D(2025, 4, 30))[world.plain_member][0] == Status.OFFICIAL
    assert roster(world.cell_a, D(2025, 5, 1))[world.plain_member][0] == status


def test_a_new_member_is_probationary_then_official_on_the_roster(world):
    member = member_create(
        cell=world.cell_a, full_name="Phạm Văn Đức", admission_date=D(2025, 3, 1), official_date=D(2026, 3, 1)
    )

    assert member not in roster(world.cell_a, D(2025, 2, 28))  # not admitted yet
    assert roster(world.cell_a, D(2025, 3, 1))[member][0] == Status.PROBATIONARY
    assert roster(world.cell_a, D(2026, 2, 28))[member][0] == Status.PROBATIONARY
    assert roster(world.cell_a, D(2026, 3, 1))[member][0] == Status.OFFICIAL


def test_with_status_on_gives_each_members_status_that_day(world):
    probationary = make_member(world.cell_a, full_name="Phạm Văn Đức", official=False, admission_date=D(2025, 3, 1))
    member_status_change(member=world.plain_member, status=Status.STRUCK_OFF, effective_from=D(2025, 5, 1))

    on_day = dict(Member.objects.with_status_on(D(2025, 5, 1)).values_list("full_name", "status"))
    before_admission = dict(Member.objects.with_status_on(D(2015, 2, 28)).values_list("full_name", "status"))

    assert on_day[probationary.full_name] == Status.PROBATIONARY
    assert on_day["Quách Thị Hương"] == Status.STRUCK_OFF
    assert on_day["Đỗ Thanh Hài"] == Status.OFFICIAL
    assert set(before_admission.values()) == {None}


# --- Temporary attachment -----------------------------------------------------------------------------------------


def test_a_member_attached_elsewhere_is_a_guest_there_and_stays_on_the_home_roster(world):
    member_status_change(
        member=world.plain_member,
        status=Status.ATTACHED_ELSEWHERE,
        effective_from=D(2025, 9, 1),
        attached_to=world.cell_b,
    )

    guest = Membership.objects.get(member=world.plain_member, kind=Membership.Kind.TEMPORARY)
    assert (guest.organization, guest.valid_from, guest.valid_to) == (world.cell_b, D(2025, 9, 1), None)
    assert roster(world.cell_b, D(2025, 9, 1))[world.plain_member] == (Status.ATTACHED_ELSEWHERE, "temporary")
    assert world.plain_member not in roster(world.cell_b, D(2025, 9, 1), include_temporary=False)
    assert world.plain_member not in roster(world.cell_b, D(2025, 8, 31))
    assert roster(world.cell_a, D(2025, 9, 1))[world.plain_member] == (Status.ATTACHED_ELSEWHERE, "home")
    assert world.plain_member in roster(world.cell_a, D(2025, 9, 1), include_temporary=False)


def test_coming_home_ends_the_guest_membership(world):
    member_status_change(
        member=world.plain_member,
        status=Status.ATTACHED_ELSEWHERE,
        effective_from=D(2025, 9, 1),
        attached_to=world.cell_b,
    )

    member_status_change(member=world.plain_member, status=Status.OFFICIAL, effective_from=D(2026, 1, 1))

    assert world.plain_member in roster(world.cell_b, D(2025, 12, 31))
    assert world.plain_member not in roster(world.cell_b, D(2026, 1, 1))
    assert roster(world.cell_a, D(2026, 1, 1))[world.plain_member] == (Status.OFFICIAL, "home")
    assert Membership.objects.get(member=world.plain_member, kind="temporary").valid_to == D(2026, 1, 1)


def test_a_guest_with_an_expected_end_leaves_the_host_roster_the_day_after(world):
    # "Dự kiến đến ngày" is the last day of the attachment: the guest is still on the host roster that day.
    member_status_change(
        member=world.plain_member,
        status=Status.ATTACHED_ELSEWHERE,
        effective_from=D(2025, 9, 1),
        attached_to=world.cell_b,
        until=D(2026, 6, 1),
    )

    assert world.plain_member in roster(world.cell_b, D(2026, 6, 1))
    assert world.plain_member not in roster(world.cell_b, D(2026, 6, 2))
    # Still "attached elsewhere" at home until someone records the return.
    assert roster(world.cell_a, D(2026, 6, 1))[world.plain_member][0] == Status.ATTACHED_ELSEWHERE


def test_coming_home_before_the_expected_end_ends_the_guest_membership(world):
    # BUG: members/services.py member_status_change() ends the temporary membership on return only if it is open
    # (valid_to__isnull=True). An attachment recorded with an expected end (until) has valid_to=until, so a member
    # back home on 1 Jan 2026 stays a guest in cell B until 1 Jun 2026: on B's roster (status official, kind
    # temporary), counted and printed twice. On return, any temporary membership still running on effective_from
    # should end then (valid_to=min(valid_to, effective_from)).
    member_status_change(
        member=world.plain_member,
        status=Status.ATTACHED_ELSEWHERE,
        effective_from=D(2025, 9, 1),
        attached_to=world.cell_b,
        until=D(2026, 6, 1),
    )

    member_status_change(member=world.plain_member, status=Status.OFFICIAL, effective_from=D(2026, 1, 1))

    assert world.plain_member not in roster(world.cell_b, D(2026, 2, 1))


def test_an_attachment_outside_the_tree_makes_no_guest_membership(world):
    member_status_change(
        member=world.plain_member,
        status=Status.ATTACHED_ELSEWHERE,
        effective_from=D(2025, 9, 1),
        attached_to_name=" Chi bộ Công ty ABC (TP. Hồ Chí Minh) ",
    )

    assert not Membership.objects.filter(member=world.plain_member, kind="temporary").exists()
    change = world.plain_member.status_changes.get(status=Status.ATTACHED_ELSEWHERE)
    assert change.attached_to_name == "Chi bộ Công ty ABC (TP. Hồ Chí Minh)"
    assert roster(world.cell_a, D(2025, 9, 1))[world.plain_member][0] == Status.ATTACHED_ELSEWHERE


# --- Subtrees, order, query count ---------------------------------------------------------------------------------


def test_in_paths_finds_members_by_their_current_home_cell(world):
    commune, other = world.commune, world.other_commune
    commune.refresh_from_db()
    other.refresh_from_db()

    assert set(Member.objects.in_paths([commune.path])) == {world.secretary, world.member, world.plain_member}
    assert set(Member.objects.in_paths([other.path])) == {world.outsider}
    assert Member.objects.in_paths([commune.path, world.province.path]).count() == 4  # distinct
    assert list(Member.objects.in_paths([])) == []

    member_transfer(member=world.plain_member, to_cell=world.cell_b, on=D(2025, 5, 1))
    member_status_change(member=world.member, status=Status.STRUCK_OFF, effective_from=D(2025, 5, 1))

    assert set(Member.objects.in_paths([commune.path])) == {world.secretary}
    assert set(Member.objects.in_paths([other.path])) == {world.outsider, world.plain_member}


def test_the_roster_is_in_vietnamese_order_of_given_names(world):
    make_member(world.cell_a, full_name="Lê Văn An")
    make_member(world.cell_a, full_name="Trần Thị Ánh")

    names = [m.full_name for m in Member.objects.roster_of(world.cell_a, D(2025, 1, 1))]

    assert names == ["Lê Văn An", "Trần Thị Ánh", "Đỗ Thanh Hài", "Nguyễn Thị Hiền", "Quách Thị Hương"]


@pytest.mark.parametrize("size", [3, 30])
def test_a_roster_is_one_query_whatever_its_size(world, size, django_assert_num_queries):
    cell = make_cell(world.commune, name="Chi bộ thôn Đông", code="DONG")
    for n in range(size):
        member = make_member(cell, full_name=f"Nguyễn Văn Số {n}")
        if n % 3 == 1:
            member_status_change(member=member, status=Status.EXEMPTED, effective_from=D(2024, 1, 1))
        if n % 3 == 2:
            member_status_change(
                member=member, status=Status.ATTACHED_ELSEWHERE, effective_from=D(2024, 1, 1), attached_to=world.cell_a
            )

    # One query: members, with their status and membership kind that day as subqueries.
    with django_assert_num_queries(1):
        rows = [(m.full_name, m.status, m.membership_kind) for m in Member.objects.roster_of(cell, D(2025, 1, 1))]

    assert len(rows) == size
    assert len(roster(world.cell_a, D(2025, 1, 1))) == 3 + size // 3  # the guests attached to cell A
