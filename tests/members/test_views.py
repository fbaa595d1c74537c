"""The organization, cell and member pages: access (404 outside, 403 read-only), validation, query counts."""

import datetime

import pytest
from django.urls import reverse

from members.models import Member, Membership, Position, StatusChange
from tests.factories import make_cell, make_member

pytestmark = pytest.mark.django_db


def _get(client, user, url):
    client.force_login(user)
    return client.get(url)


def _post(client, user, url, data):
    client.force_login(user)
    return client.post(url, data)


# --- Access: every view, outsider 404, read-only 403 ---------------------------------------------------------------


def _read_urls(w):
    return [
        reverse("members:organization", args=[w.cell_a.pk]),
        reverse("members:children", args=[w.commune.pk]),
        reverse("members:detail", args=[w.plain_member.pk]),
    ]


def _write_urls(w):
    return [
        reverse("members:add", args=[w.cell_a.pk]),
        reverse("members:edit", args=[w.plain_member.pk]),
        reverse("members:transfer", args=[w.plain_member.pk]),
        reverse("members:status", args=[w.plain_member.pk]),
        reverse("members:position", args=[w.plain_member.pk]),
    ]


def test_it_hides_other_cells(client, world):
    for url in _read_urls(world) + _write_urls(world):
        assert _get(client, world.outsider_user, url).status_code == 404, url


def test_it_requires_write_access(client, world):
    for url in _write_urls(world):
        assert _get(client, world.board_user, url).status_code == 403, url
        assert _post(client, world.board_user, url, {}).status_code == 403, url


def test_read_only_board_user_reads_everything_in_the_subtree(client, world):
    for url in _read_urls(world):
        assert _get(client, world.board_user, url).status_code == 200, url


def test_board_writer_and_secretary_may_write(client, world):
    for user in (world.board_writer, world.secretary_user):
        for url in _write_urls(world):
            assert _get(client, user, url).status_code == 200, (user, url)


def test_a_plain_member_sees_their_cell_but_not_the_roster_nor_others_records(client, world):
    page = _get(client, world.member_user, reverse("members:organization", args=[world.cell_a.pk]))
    assert page.status_code == 200
    assert "Quách Thị Hương" not in page.content.decode()
    assert _get(client, world.member_user, reverse("members:detail", args=[world.plain_member.pk])).status_code == 404
    assert _get(client, world.member_user, reverse("members:detail", args=[world.member.pk])).status_code == 200
    assert _get(client, world.member_user, reverse("members:edit", args=[world.member.pk])).status_code == 403


def test_pages_need_a_login(client, world):
    for url in _read_urls(world) + [reverse("members:browser")]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/dang-nhap/"), url


# --- Pages ----------------------------------------------------------------------------------------------------------


def test_the_browser_shows_the_users_subtree_with_counts(client, world):
    body = _get(client, world.board_user, reverse("members:browser")).content.decode()

    assert "Đảng bộ xã Xuân Hiệp" in body
    assert "1 chi bộ" in body and "3 đảng viên" in body
    assert "Đảng bộ xã Xuân Lộc" not in body


def test_search_finds_by_name_or_code_only_within_reach(client, world):
    by_name = _get(client, world.board_user, reverse("members:browser") + "?q=cơ quan").content.decode()
    by_code = _get(client, world.board_user, reverse("members:browser") + "?q=A").content.decode()
    outside = _get(client, world.board_user, reverse("members:browser") + "?q=ấp 1").content.decode()

    assert "Chi bộ cơ quan UBND xã" in by_name
    assert "Chi bộ cơ quan UBND xã" in by_code
    assert "Chi bộ ấp 1" not in outside


def test_the_cell_page_lists_the_roster_in_vietnamese_order_with_status_and_positions(client, world):
    body = _get(client, world.board_user, reverse("members:organization", args=[world.cell_a.pk])).content.decode()

    # Given names: Hài < Hiền < Hương.
    assert body.index("Đỗ Thanh Hài") < body.index("Nguyễn Thị Hiền") < body.index("Quách Thị Hương")
    assert "Bí thư" in body
    assert "Chính thức" in body
    assert "ngày 4 hằng tháng" in body


def test_the_roster_can_be_read_on_a_past_date(client, world):
    url = reverse("members:organization", args=[world.cell_a.pk]) + "?ngay=2019-06-01"

    body = _get(client, world.board_user, url).content.decode()

    assert "Chưa có đảng viên nào" in body  # everyone joined cell A on 2020-01-01


def _cell_with_members(world, n):
    cell = make_cell(world.commune, name=f"Chi bộ thôn {n}")
    for i in range(n):
        make_member(cell, full_name=f"Lê Văn Thắng {i}")
    return cell


@pytest.mark.parametrize("size", [3, 25])
def test_the_cell_page_runs_in_a_constant_number_of_queries(client, world, django_assert_num_queries, size):
    cell = _cell_with_members(world, size)
    client.force_login(world.board_user)
    url = reverse("members:organization", args=[cell.pk])
    # session + user; scope (grants, positions, seats, assignments, memberships, member id); the organization;
    # ancestors; printed name; roster; positions of the roster
    with django_assert_num_queries(13):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count("Lê Văn Thắng") == size


@pytest.mark.parametrize("size", [2, 12])
def test_the_browser_runs_in_a_constant_number_of_queries(client, world, django_assert_num_queries, size):
    for i in range(size):
        make_cell(world.commune, name=f"Chi bộ ấp {i}")
    client.force_login(world.board_user)
    # session + user; scope (6); the organization; its children; cell counts; member counts
    with django_assert_num_queries(12):
        response = client.get(reverse("members:children", args=[world.commune.pk]))
    assert response.content.decode().count('data-testid="tree-node"') == size + 1


def test_the_browser_lists_children_in_natural_order(client, world):
    for number in (10, 2, 11, 1):
        make_cell(world.commune, name=f"Chi bộ khu phố {number}")
    client.force_login(world.board_user)

    html = client.get(reverse("members:children", args=[world.commune.pk])).content.decode()

    positions = [html.index(f"Chi bộ khu phố {number}<") for number in (1, 2, 10, 11)]
    assert positions == sorted(positions)


def test_the_member_page_shows_status_history_and_positions(client, world):
    body = _get(client, world.board_user, reverse("members:detail", args=[world.secretary.pk])).content.decode()

    assert "Dự bị" in body and "Chính thức" in body
    assert "Bí thư" in body


# --- Forms: good input through the services; bad input a Vietnamese message and nothing written --------------------


def test_a_secretary_adds_a_member(client, world):
    response = _post(
        client,
        world.secretary_user,
        reverse("members:add", args=[world.cell_a.pk]),
        {"full_name": "  Phạm   Văn Đồng ", "admission_date": "2024-02-03", "card_number": "CARD-9"},
    )

    member = Member.objects.get(card_number="CARD-9")
    assert response.status_code == 302 and response["Location"] == reverse("members:detail", args=[member.pk])
    assert member.full_name == "Phạm Văn Đồng"
    assert Membership.objects.get(member=member).organization == world.cell_a
    assert StatusChange.objects.get(member=member).status == "probationary"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"full_name": "", "admission_date": "2024-02-03"}, "Nhập họ và tên đảng viên."),
        ({"full_name": "Lê Lai", "admission_date": ""}, "Nhập ngày vào Đảng."),
        ({"full_name": "Lê Lai", "admission_date": "2027-01-01"}, "Ngày vào Đảng không được ở tương lai."),
        (
            {"full_name": "Lê Lai", "admission_date": "2020-01-01", "official_date": "2020-06-01"},
            "Ngày chính thức phải sau ngày vào Đảng ít nhất 12 tháng",
        ),
        ({"full_name": "Lê Lai", "admission_date": "2020-01-01", "email": "not-an-email"}, "Nhập địa chỉ email"),
        (
            {"full_name": "Lê Lai", "admission_date": "2020-01-01", "birth_date": "2010-01-01"},
            "đủ 18 tuổi",
        ),
    ],
)
def test_bad_member_input_gets_a_vietnamese_message_and_writes_nothing(client, world, data, message):
    before = Member.objects.count()

    response = _post(client, world.secretary_user, reverse("members:add", args=[world.cell_a.pk]), data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert Member.objects.count() == before


def test_a_duplicate_card_number_is_refused(client, world):
    world.plain_member.card_number = "CARD-1"
    world.plain_member.save()

    response = _post(
        client,
        world.secretary_user,
        reverse("members:add", args=[world.cell_a.pk]),
        {"full_name": "Lê Lai", "admission_date": "2020-01-01", "card_number": "CARD-1"},
    )

    assert "Số thẻ đảng viên CARD-1 đã có trong hệ thống." in response.content.decode()
    assert not Member.objects.filter(full_name="Lê Lai").exists()


def test_a_secretary_changes_a_status_in_date_order(client, world):
    url = reverse("members:status", args=[world.plain_member.pk])
    early = _post(client, world.secretary_user, url, {"status": "exempted", "effective_from": "2016-01-01"})
    assert "phải theo thứ tự thời gian" in early.content.decode()
    assert world.plain_member.status_changes.count() == 2

    ok = _post(
        client, world.secretary_user, url, {"status": "exempted", "effective_from": "2024-05-01", "note": "QĐ 12"}
    )

    assert ok.status_code == 302
    assert world.plain_member.status_changes.latest("effective_from").status == "exempted"


def test_attaching_elsewhere_needs_a_place(client, world):
    url = reverse("members:status", args=[world.plain_member.pk])

    response = _post(
        client, world.secretary_user, url, {"status": "attached_elsewhere", "effective_from": "2024-05-01"}
    )

    assert "Chọn hoặc ghi rõ nơi đến sinh hoạt tạm thời." in response.content.decode()
    assert world.plain_member.status_changes.count() == 2


def test_a_board_writer_transfers_a_member_and_the_old_roster_keeps_them(client, world):
    other = make_cell(world.commune, name="Chi bộ trường học")
    url = reverse("members:transfer", args=[world.plain_member.pk])

    response = _post(client, world.board_writer, url, {"to_cell": other.pk, "on": "2024-03-01"})

    assert response.status_code == 302
    assert list(Member.objects.roster_of(world.cell_a, datetime.date(2024, 2, 29))).count(world.plain_member) == 1
    assert world.plain_member not in Member.objects.roster_of(world.cell_a, datetime.date(2024, 3, 1))
    assert world.plain_member in Member.objects.roster_of(other, datetime.date(2024, 3, 1))


def test_a_secretary_cannot_transfer_to_a_cell_outside_their_reach(client, world):
    url = reverse("members:transfer", args=[world.plain_member.pk])

    response = _post(client, world.secretary_user, url, {"to_cell": world.cell_b.pk, "on": "2024-03-01"})

    assert response.status_code == 200
    assert "Chi bộ này không có trong danh sách." in response.content.decode()
    assert world.plain_member.memberships.count() == 1


def test_one_secretary_at_a_time(client, world):
    url = reverse("members:position", args=[world.plain_member.pk])

    refused = _post(client, world.secretary_user, url, {"role": "secretary", "valid_from": "2024-01-01"})
    deputy = _post(client, world.secretary_user, url, {"role": "deputy_secretary", "valid_from": "2024-01-01"})

    assert "Chi bộ đã có Bí thư Nguyễn Thị Hiền" in refused.content.decode()
    assert deputy.status_code == 302
    assert Position.objects.filter(organization=world.cell_a, role="secretary").count() == 1


def test_ending_a_position_frees_the_seat(client, world):
    position = Position.objects.get(member=world.secretary, role="secretary")
    url = reverse("members:position", args=[world.secretary.pk])

    _post(client, world.secretary_user, url, {"position": position.pk, "on": "2024-01-01"})
    response = _post(
        client,
        world.board_writer,
        reverse("members:position", args=[world.plain_member.pk]),
        {"role": "secretary", "valid_from": "2024-01-01"},
    )

    position.refresh_from_db()
    assert position.valid_to == datetime.date(2024, 1, 1)
    assert response.status_code == 302


def test_the_roster_summary_counts_exempted_members_as_official(client, world):
    from members.services import member_status_change

    member_status_change(member=world.plain_member, status="exempted", effective_from=datetime.date(2024, 1, 1))
    make_member(world.cell_a, full_name="Vũ Văn Mới", official=False, admission_date=datetime.date(2026, 1, 5))

    body = _get(client, world.board_user, reverse("members:organization", args=[world.cell_a.pk])).content.decode()

    assert "Tổng số 4 (chính thức 3, dự bị 1); miễn sinh hoạt 1" in body
