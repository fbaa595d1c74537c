"""Writes about members: each service's happy path, and each refusal (a Vietnamese message, nothing written)."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from cells.models import Organization
from cells.text import vi_name_sort_key
from members.models import Member, Membership, Position, StatusChange
from members.services import (
    member_create,
    member_status_change,
    member_transfer,
    member_update,
    position_assign,
    position_end,
    status_on,
)
from tests.factories import make_cell, make_member

pytestmark = pytest.mark.django_db

D = datetime.date
Status = StatusChange.Status
Role = Position.Role


def counts() -> dict[str, int]:
    return {
        "members": Member.objects.count(),
        "history": Member.history.count(),
        "memberships": Membership.objects.count(),
        "open memberships": Membership.objects.filter(valid_to__isnull=True).count(),
        "status changes": StatusChange.objects.count(),
        "positions": Position.objects.count(),
        "open positions": Position.objects.filter(valid_to__isnull=True).count(),
    }


def refused(call, field: str, fragment: str, **kwargs) -> ValidationError:
    """Call a service that must refuse: a ValidationError on ``field`` containing ``fragment``, and no row written."""
    before = counts()
    with pytest.raises(ValidationError) as raised:
        call(**kwargs)
    assert counts() == before
    messages = raised.value.message_dict.get(field, []) if field else raised.value.messages
    assert any(fragment in message for message in messages), raised.value
    return raised.value


def new_member(cell, **fields):
    data = {"full_name": "Phạm Văn Đức", "admission_date": D(2025, 3, 1), "birth_date": D(1990, 5, 2)}
    data.update(fields)
    return member_create(cell=cell, **data)


def statuses(member) -> list[tuple[str, datetime.date]]:
    return list(member.status_changes.order_by("effective_from").values_list("status", "effective_from"))


# --- member_create ------------------------------------------------------------------------------------------------


def test_a_new_member_is_probationary_from_admission_and_official_from_the_official_date(world):
    member = new_member(world.cell_a, full_name="  Phạm   Văn  Đức ", official_date=D(2026, 3, 1), card_number="01")

    assert member.full_name == "Phạm Văn Đức"
    assert statuses(member) == [(Status.PROBATIONARY, D(2025, 3, 1)), (Status.OFFICIAL, D(2026, 3, 1))]
    home = member.memberships.get()
    assert (home.organization, home.kind, home.valid_from, home.valid_to) == (world.cell_a, "home", D(2025, 3, 1), None)
    assert status_on(member, D(2025, 2, 28)) is None
    assert status_on(member, D(2026, 2, 28)) == Status.PROBATIONARY
    assert status_on(member, D(2026, 3, 1)) == Status.OFFICIAL
    assert (member.email, member.phone, member.card_number) == ("", "", "01")


def test_a_member_may_join_the_cell_after_admission(world):
    member = new_member(world.cell_a, joined_cell_on=D(2025, 9, 1))

    assert member.memberships.get().valid_from == D(2025, 9, 1)


def test_official_exactly_twelve_months_after_admission_is_accepted(world):
    member = new_member(world.cell_a, admission_date=D(2024, 2, 29), official_date=D(2025, 2, 28))

    assert member.official_date == D(2025, 2, 28)


def test_member_create_refuses_an_official_date_less_than_twelve_months_after_admission(world):
    refused(
        new_member,
        "official_date",
        "Ngày chính thức phải sau ngày vào Đảng ít nhất 12 tháng (sớm nhất 01/03/2026)",
        cell=world.cell_a,
        official_date=D(2026, 2, 28),
    )


def test_member_create_refuses_an_official_date_before_admission(world):
    refused(new_member, "official_date", "Ngày chính thức phải sau", cell=world.cell_a, official_date=D(2025, 3, 1))


def test_member_create_refuses_a_member_under_eighteen_at_admission(world):
    refused(new_member, "birth_date", "đủ 18 tuổi", cell=world.cell_a, birth_date=D(2007, 3, 2))
    assert new_member(world.cell_a, birth_date=D(2007, 3, 1)).pk  # eighteen on the day: accepted


def test_member_create_refuses_a_card_number_already_used(world):
    new_member(world.cell_a, card_number="93.012345")

    refused(
        new_member,
        "card_number",
        "Số thẻ đảng viên 93.012345 đã có trong hệ thống.",
        cell=world.cell_b,
        full_name="Lê Văn Tám",
        card_number="93.012345",
    )


def test_members_without_a_card_number_do_not_clash(world):
    new_member(world.cell_a, card_number="")
    new_member(world.cell_a, full_name="Lê Văn Tám")

    assert Member.objects.filter(card_number="").count() == Member.objects.count()


def test_member_create_refuses_an_organization_that_is_not_a_cell(world):
    refused(new_member, "cell", "Đảng bộ xã Xuân Hiệp không phải là chi bộ.", cell=world.commune)


def test_member_create_refuses_a_cell_closed_on_the_joining_date(world):
    Organization.objects.filter(pk=world.cell_b.pk).update(valid_to=D(2025, 3, 1))
    world.cell_b.refresh_from_db()

    refused(new_member, "cell", "không còn hoạt động vào ngày 01/03/2025", cell=world.cell_b)
    assert new_member(world.cell_b, admission_date=D(2025, 2, 28)).pk  # the day before: the cell still exists


def test_member_create_refuses_a_missing_name_or_admission_date(world):
    refused(new_member, "full_name", "", cell=world.cell_a, full_name="   ")
    refused(new_member, "admission_date", "", cell=world.cell_a, admission_date=None)


def test_member_create_refuses_a_missing_admission_date_even_with_an_official_date(world):
    # BUG: members/services.py member_create() (and member_update()) now run _check_member_dates() before
    # full_clean(); with admission_date missing and official_date given it computes None + relativedelta and raises
    # TypeError (a 500 in a view) instead of the "This field is required" ValidationError on admission_date.
    # _check_member_dates() should skip the 12-month check when admission_date is empty, as it does for birth_date.
    refused(new_member, "admission_date", "", cell=world.cell_a, admission_date=None, official_date=D(2026, 3, 1))


def test_member_create_refuses_joining_the_cell_before_admission(world):
    # BUG: members/services.py member_create() never compares joined_cell_on with admission_date: a member can be
    # put in a cell years before they were admitted to the Party (a home membership from 2020 for an admission in
    # 2025; rosters then show nothing for those years, as the member has no status yet). It should refuse, in
    # Vietnamese, on joined_cell_on.
    refused(new_member, "joined_cell_on", "", cell=world.cell_a, joined_cell_on=D(2020, 1, 1))


# --- member_update ------------------------------------------------------------------------------------------------


def test_member_update_keeps_the_sort_key_in_step_with_the_name(world):
    member_update(member=world.plain_member, full_name=" Quách   Thị Ánh ")

    world.plain_member.refresh_from_db()
    assert world.plain_member.full_name == "Quách Thị Ánh"
    assert world.plain_member.sort_key == vi_name_sort_key("Quách Thị Ánh")
    assert list(Member.objects.filter(pk__in=[world.plain_member.pk, world.member.pk])) == [
        world.plain_member,  # Ánh before Hài
        world.member,
    ]


def test_member_update_refuses_bad_dates_and_writes_nothing(world):
    refused(member_update, "official_date", "ít nhất 12 tháng", member=world.plain_member, official_date=D(2015, 9, 1))
    refused(member_update, "birth_date", "đủ 18 tuổi", member=world.plain_member, birth_date=D(2000, 1, 1))

    world.plain_member.refresh_from_db()
    assert world.plain_member.official_date == D(2016, 3, 1)


def test_member_update_refuses_another_members_card_number(world):
    member_update(member=world.member, card_number="93.000001")

    refused(
        member_update,
        "card_number",
        "Số thẻ đảng viên 93.000001 đã có trong hệ thống.",
        member=world.plain_member,
        card_number="93.000001",
    )
    assert member_update(member=world.member, card_number="93.000001").card_number == "93.000001"  # its own


# --- member_transfer ----------------------------------------------------------------------------------------------


def test_a_transfer_closes_the_old_membership_and_opens_the_new_one_on_the_same_day(world):
    member_transfer(member=world.plain_member, to_cell=world.cell_b, on=D(2025, 5, 1))

    rows = list(
        world.plain_member.memberships.order_by("valid_from").values_list("organization", "valid_from", "valid_to")
    )
    assert rows == [(world.cell_a.pk, D(2020, 1, 1), D(2025, 5, 1)), (world.cell_b.pk, D(2025, 5, 1), None)]
    assert statuses(world.plain_member)[-1] == (Status.OFFICIAL, D(2016, 3, 1))  # the status did not change


def test_a_transfer_to_the_same_cell_is_refused(world):
    refused(
        member_transfer,
        "to_cell",
        "Đảng viên đang sinh hoạt ở chi bộ này.",
        member=world.plain_member,
        to_cell=world.cell_a,
        on=D(2025, 5, 1),
    )


def test_a_transfer_must_be_dated_after_the_current_membership_starts(world):
    for day in (D(2020, 1, 1), D(2019, 12, 31)):
        refused(
            member_transfer,
            "on",
            "Ngày chuyển phải sau ngày bắt đầu sinh hoạt ở chi bộ hiện tại (01/01/2020).",
            member=world.plain_member,
            to_cell=world.cell_b,
            on=day,
        )
    assert member_transfer(member=world.plain_member, to_cell=world.cell_b, on=D(2020, 1, 2)).pk


def test_a_transfer_to_a_node_that_is_not_an_open_cell_is_refused(world):
    refused(
        member_transfer,
        "to_cell",
        "không phải là chi bộ",
        member=world.plain_member,
        to_cell=world.commune,
        on=D(2025, 5, 1),
    )
    Organization.objects.filter(pk=world.cell_b.pk).update(valid_to=D(2025, 5, 1))
    world.cell_b.refresh_from_db()
    refused(
        member_transfer,
        "to_cell",
        "không còn hoạt động vào ngày 01/05/2025",
        member=world.plain_member,
        to_cell=world.cell_b,
        on=D(2025, 5, 1),
    )


def test_a_member_who_has_left_cannot_be_transferred(world):
    member_status_change(member=world.plain_member, status=Status.STRUCK_OFF, effective_from=D(2025, 1, 1))

    refused(
        member_transfer,
        None,
        "hiện không sinh hoạt ở chi bộ nào",
        member=world.plain_member,
        to_cell=world.cell_b,
        on=D(2025, 5, 1),
    )


# --- member_status_change -----------------------------------------------------------------------------------------


def test_status_changes_must_be_in_date_order(world):
    member_status_change(member=world.plain_member, status=Status.EXEMPTED, effective_from=D(2025, 1, 1))

    for day in (D(2025, 1, 1), D(2024, 12, 31)):
        refused(
            member_status_change,
            "effective_from",
            "Thay đổi tình trạng phải theo thứ tự thời gian: sau ngày 01/01/2025 (Miễn công tác và sinh hoạt đảng).",
            member=world.plain_member,
            status=Status.OFFICIAL,
            effective_from=day,
        )
    assert member_status_change(member=world.plain_member, status=Status.OFFICIAL, effective_from=D(2025, 1, 2)).pk


def test_a_status_the_member_already_has_is_refused(world):
    refused(
        member_status_change,
        "status",
        "Đảng viên đã ở tình trạng này.",
        member=world.plain_member,
        status=Status.OFFICIAL,
        effective_from=D(2025, 1, 1),
    )


def test_nothing_changes_after_a_member_is_struck_off(world):
    member_status_change(member=world.plain_member, status=Status.STRUCK_OFF, effective_from=D(2025, 1, 1))

    for status in (Status.OFFICIAL, Status.DECEASED, Status.SUSPENDED):
        refused(
            member_status_change,
            "status",
            "Đảng viên đã ra khỏi danh sách; không thể đổi tình trạng nữa.",
            member=world.plain_member,
            status=status,
            effective_from=D(2025, 6, 1),
        )


def test_striking_off_ends_every_open_membership_that_day(world):
    member_status_change(
        member=world.plain_member,
        status=Status.ATTACHED_ELSEWHERE,
        effective_from=D(2024, 1, 1),
        attached_to=world.cell_b,
    )

    member_status_change(
        member=world.plain_member, status=Status.STRUCK_OFF, effective_from=D(2025, 1, 1), note=" QĐ 12 "
    )

    assert not world.plain_member.memberships.filter(valid_to__isnull=True).exists()
    assert set(world.plain_member.memberships.values_list("valid_to", flat=True)) == {D(2025, 1, 1)}
    assert world.plain_member.status_changes.get(status=Status.STRUCK_OFF).note == "QĐ 12"


def test_a_member_cannot_go_back_to_probationary(world):
    refused(
        member_status_change,
        "status",
        "không thể trở lại dự bị",
        member=world.plain_member,
        status=Status.PROBATIONARY,
        effective_from=D(2025, 1, 1),
    )


def test_official_status_needs_twelve_months_of_probation(world):
    member = new_member(world.cell_a)  # admitted 1 March 2025, probationary

    refused(
        member_status_change,
        "effective_from",
        "Ngày chính thức phải sau ngày vào Đảng ít nhất 12 tháng (sớm nhất 01/03/2026).",
        member=member,
        status=Status.OFFICIAL,
        effective_from=D(2026, 2, 28),
    )
    member_status_change(member=member, status=Status.OFFICIAL, effective_from=D(2026, 3, 1))

    member.refresh_from_db()
    assert member.official_date == D(2026, 3, 1)
    assert status_on(member, D(2026, 2, 28)) == Status.PROBATIONARY
    assert status_on(member, D(2026, 3, 1)) == Status.OFFICIAL


def test_the_twelve_months_of_probation_cannot_be_skipped_through_another_status(world):
    # BUG: members/services.py member_status_change() checks the 12 months only when the latest status is
    # PROBATIONARY. A probationary member who was suspended, exempted or attached elsewhere in between can be made
    # official at any date (here 4 months after admission). It should check "the member was never official"
    # (official_date is None / no OFFICIAL change yet), whatever the latest status. (Related design gap: such a
    # member cannot return to PROBATIONARY either, that status is refused, so OFFICIAL is the only way back.)
    member = new_member(world.cell_a)
    member_status_change(
        member=member,
        status=Status.ATTACHED_ELSEWHERE,
        effective_from=D(2025, 4, 1),
        attached_to_name="Chi bộ Trường ĐH Y Hà Nội",
    )

    refused(
        member_status_change,
        "effective_from",
        "ít nhất 12 tháng",
        member=member,
        status=Status.OFFICIAL,
        effective_from=D(2025, 7, 1),
    )


def test_a_status_change_cannot_precede_admission(world):
    member = new_member(world.cell_a)

    refused(
        member_status_change, "effective_from", "", member=member, status=Status.EXEMPTED, effective_from=D(2025, 2, 1)
    )


def test_attached_elsewhere_needs_a_place_and_an_end_not_before_its_start(world):
    refused(
        member_status_change,
        "attached_to",
        "Chọn hoặc ghi rõ nơi đến sinh hoạt tạm thời.",
        member=world.plain_member,
        status=Status.ATTACHED_ELSEWHERE,
        effective_from=D(2025, 1, 1),
        attached_to_name="   ",
    )
    for until in (D(2024, 12, 31), D(2024, 12, 1)):  # a one-day attachment (until == start) is allowed
        refused(
            member_status_change,
            "until",
            "Ngày kết thúc dự kiến không được trước ngày hiệu lực.",
            member=world.plain_member,
            status=Status.ATTACHED_ELSEWHERE,
            effective_from=D(2025, 1, 1),
            attached_to=world.cell_b,
            until=until,
        )


def test_a_place_is_only_kept_for_an_attachment(world):
    change = member_status_change(
        member=world.plain_member,
        status=Status.SUSPENDED,
        effective_from=D(2025, 1, 1),
        attached_to=world.cell_b,
        attached_to_name="Nơi khác",
    )

    assert (change.attached_to, change.attached_to_name) == (None, "")
    assert not world.plain_member.memberships.filter(kind="temporary").exists()


def test_a_gone_status_dated_before_the_current_cell_is_refused_cleanly(world):
    # BUG: members/services.py member_status_change() closes the open memberships with .update(valid_to=effective_from)
    # without checking that effective_from is after their valid_from. Striking off a member from a date before they
    # joined their current cell (here: transferred to B on 1 May 2025, struck off from 1 Feb 2025, a date that passes
    # the status-order check) violates Membership's valid_range CHECK: an IntegrityError (a 500 in a view), not a
    # Vietnamese ValidationError. It should refuse on effective_from (e.g. "… không được trước ngày 01/05/2025 …").
    member_transfer(member=world.plain_member, to_cell=world.cell_b, on=D(2025, 5, 1))

    refused(
        member_status_change,
        "effective_from",
        "",
        member=world.plain_member,
        status=Status.STRUCK_OFF,
        effective_from=D(2025, 2, 1),
    )


# --- positions ----------------------------------------------------------------------------------------------------


def test_a_cell_has_one_secretary_at_a_time(world):
    refused(
        position_assign,
        "role",
        "Chi bộ đã có Bí thư Nguyễn Thị Hiền (từ 01/06/2020). Kết thúc nhiệm vụ đó trước khi giao cho người khác.",
        member=world.plain_member,
        organization=world.cell_a,
        role=Role.SECRETARY,
        valid_from=D(2025, 1, 1),
    )


def test_a_new_secretary_may_start_on_the_day_the_last_one_ended(world):
    current = Position.objects.get(organization=world.cell_a, role=Role.SECRETARY)
    position_end(position=current, on=D(2025, 1, 1))

    refused(
        position_assign,
        "role",
        "Chi bộ đã có Bí thư Nguyễn Thị Hiền",
        member=world.plain_member,
        organization=world.cell_a,
        role=Role.SECRETARY,
        valid_from=D(2024, 12, 31),  # overlaps the last day of the previous term
    )
    refused(
        position_assign,
        "role",
        "Chi bộ đã có Bí thư",
        member=world.plain_member,
        organization=world.cell_a,
        role=Role.SECRETARY,
        valid_from=D(2020, 3, 1),  # an open term from before would overlap the past one
    )
    position = position_assign(
        member=world.plain_member, organization=world.cell_a, role=Role.SECRETARY, valid_from=D(2025, 1, 1)
    )

    secretaries = Position.objects.filter(organization=world.cell_a, role=Role.SECRETARY)
    assert [p.member for p in secretaries.active_on(D(2024, 12, 31))] == [world.secretary]
    assert [p.member for p in secretaries.active_on(D(2025, 1, 1))] == [world.plain_member]
    assert position.valid_to is None


def test_a_position_needs_membership_of_the_organization_on_its_first_day(world):
    refused(
        position_assign,
        "member",
        "Đảng viên không sinh hoạt ở tổ chức này vào ngày 01/01/2025.",
        member=world.plain_member,
        organization=world.cell_b,
        role=Role.DEPUTY_SECRETARY,
        valid_from=D(2025, 1, 1),
    )
    refused(
        position_assign,
        "member",
        "vào ngày 31/12/2019",
        member=world.plain_member,
        organization=world.cell_a,
        role=Role.DEPUTY_SECRETARY,
        valid_from=D(2019, 12, 31),  # the member joined cell A on 1 January 2020
    )


def test_the_same_post_cannot_be_given_twice_but_two_committee_members_can_serve(world):
    position_assign(
        member=world.plain_member, organization=world.cell_a, role=Role.COMMITTEE_MEMBER, valid_from=D(2025, 1, 1)
    )
    position_assign(
        member=world.member, organization=world.cell_a, role=Role.COMMITTEE_MEMBER, valid_from=D(2025, 1, 1)
    )

    refused(
        position_assign,
        "role",
        "Đảng viên đang giữ chức vụ này.",
        member=world.plain_member,
        organization=world.cell_a,
        role=Role.COMMITTEE_MEMBER,
        valid_from=D(2025, 6, 1),
    )


def test_ending_a_position_is_refused_twice_or_on_or_before_its_start(world):
    position = Position.objects.get(organization=world.cell_a, role=Role.SECRETARY)

    for day in (D(2020, 6, 1), D(2020, 5, 1)):
        refused(position_end, "on", "Ngày kết thúc phải sau ngày bắt đầu (01/06/2020).", position=position, on=day)
    position_end(position=position, on=D(2020, 6, 2))
    refused(position_end, None, "Chức vụ này đã kết thúc.", position=position, on=D(2021, 1, 1))


def test_a_fresh_cell_gets_its_first_secretary(world):
    cell = make_cell(world.commune, name="Chi bộ thôn 5", code="A5")
    member = make_member(cell, full_name="Hà Văn Năm")

    position = position_assign(member=member, organization=cell, role=Role.SECRETARY, valid_from=D(2020, 1, 1))

    assert position.pk and position.member == member
