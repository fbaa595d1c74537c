"""Browser journeys over the organization tree and the roster."""

import pytest
from playwright.sync_api import Page, expect

from members.models import Member
from tests.e2e.conftest import assert_accessible, login, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_board_user_goes_from_the_tree_to_a_cell_and_sees_its_roster(live_server, page: Page, world):
    login(page, live_server, "bantochuc.xa")
    page.get_by_role("link", name="Tổ chức", exact=True).first.click()

    tree = page.get_by_test_id("tree")
    expect(tree).to_contain_text("Đảng bộ xã Xuân Hiệp")
    assert_accessible(page, "organization tree")
    tree.get_by_role("button", name="Mở các tổ chức trực thuộc").first.click()
    expect(page.get_by_role("link", name="Chi bộ cơ quan UBND xã")).to_be_visible()
    assert_accessible(page, "organization tree, a node opened")
    page.get_by_role("link", name="Chi bộ cơ quan UBND xã").click()

    roster = page.get_by_test_id("roster")
    expect(roster).to_contain_text("Nguyễn Thị Hiền")
    expect(roster).to_contain_text("Bí thư")
    expect(roster).to_contain_text("Quách Thị Hương")
    expect(page.get_by_role("link", name="Thêm đảng viên")).to_have_count(0)  # read-only
    assert_accessible(page, "cell roster (read-only)")
    screenshot(page, "cell_roster_board")


def test_a_secretary_adds_a_member_and_changes_a_status_on_a_phone(live_server, phone: Page, world):
    page = phone
    login(page, live_server, "bithu.a")
    page.goto(f"{live_server.url}/to-chuc/{world.cell_a.pk}/")
    assert_accessible(page, "cell roster (secretary, phone)")
    page.get_by_role("link", name="Thêm đảng viên").click()
    assert_accessible(page, "member add form (phone)")

    page.get_by_label("Họ và tên").fill("Vũ Thị Lan")
    page.get_by_label("Ngày vào Đảng").fill("2024-01-01")
    page.get_by_label("Ngày chính thức").fill("2024-06-01")  # too early: the form says why
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_text("Ngày chính thức phải sau ngày vào Đảng ít nhất 12 tháng")).to_be_visible()
    screenshot(page, "member_add_error_phone")
    assert_accessible(page, "member add form refused (phone)")
    page.get_by_label("Ngày chính thức").fill("2025-01-02")
    page.get_by_role("button", name="Lưu").click()

    expect(page.get_by_role("heading", name="Vũ Thị Lan")).to_be_visible()
    expect(page.get_by_test_id("current-status")).to_contain_text("Chính thức")
    assert_accessible(page, "member page (secretary, phone)")

    page.get_by_role("link", name="Đổi tình trạng").click()
    assert_accessible(page, "status change form (phone)")
    page.get_by_label("Tình trạng mới").select_option(label="Miễn công tác và sinh hoạt đảng")
    page.get_by_label("Từ ngày").fill("2025-06-01")
    page.get_by_label("Căn cứ (số quyết định), ghi chú").fill("Quyết định 15-QĐ/ĐU")
    page.get_by_role("button", name="Lưu").click()

    expect(page.get_by_test_id("current-status")).to_contain_text("Miễn công tác và sinh hoạt đảng")
    expect(page.get_by_test_id("status-history")).to_contain_text("Quyết định 15-QĐ/ĐU")
    screenshot(page, "member_detail_phone")
    assert Member.objects.get(full_name="Vũ Thị Lan").status_changes.count() == 3


def test_an_outsider_typing_another_cells_url_gets_404(live_server, page: Page, world):
    login(page, live_server, "bithu.b")

    response = page.goto(f"{live_server.url}/to-chuc/{world.cell_a.pk}/")

    assert response.status == 404
    expect(page.get_by_role("heading", name="Không tìm thấy trang.")).to_be_visible()
    assert_accessible(page, "404 (signed in)")
    response = page.goto(f"{live_server.url}/dang-vien/{world.plain_member.pk}/")
    assert response.status == 404
