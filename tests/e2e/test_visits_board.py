"""Browser journey: a district board officer opens the compliance dashboard, follows its link to the committee
members' visits, and sees a member behind their quota (in words) and a visit report received."""

import datetime

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import assert_accessible, login, screenshot
from tests.reports.visits_helpers import Q3, build_tree, hold_visited, report

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def tree():
    """The Yên Bái district of tests/reports/test_visits_board.py (at the frozen "now", 4 December 2026, the third
    quarter is over): Hoàng Văn Chậm visited only the commune committee in it; Lò Thị Nghỉ visited hamlet 1's held
    meeting and submitted her report."""
    tree = build_tree()
    meeting = hold_visited(tree["hamlet"], tree["idle"], datetime.date(2026, 9, 4), quality_score=85)
    report(meeting.visitors.get(), submit=True, grade="excellent")
    return tree


def _check_visits_page(page: Page) -> None:
    expect(page.get_by_test_id("visits-title")).to_have_text("Cấp ủy viên dự sinh hoạt chi bộ")
    expect(page.get_by_test_id("visits-period")).to_have_text("Quý III năm 2026")
    behind = page.get_by_test_id("seat").filter(has_text="Hoàng Văn Chậm")
    expect(behind).to_have_attribute("data-status", "behind")
    expect(behind.get_by_test_id("seat-status")).to_have_text("Chưa đạt")
    expect(behind).to_contain_text("Thiếu 1 lần")
    expect(page.get_by_test_id("quota-sets")).to_contain_text("Yên Bái 18-QĐ/TU (2019)")
    received = page.get_by_test_id("received-report").filter(has_text="Lò Thị Nghỉ")
    expect(received).to_contain_text("Chi bộ thôn 1, 04/09/2026")
    expect(received).to_contain_text("Tốt")
    expect(received).to_contain_text("Khá (85 điểm)")
    expect(page.get_by_test_id("overdue-report").filter(has_text="Hoàng Văn Chậm")).to_contain_text("quá")


def test_a_board_officer_follows_the_dashboard_to_the_visits_and_sees_who_is_behind(live_server, page: Page, tree):
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, live_server, "bantochuc.huyen")
    page.get_by_role("link", name="Báo cáo", exact=True).click()
    expect(page.get_by_test_id("dashboard-title")).to_have_text("Đảng bộ huyện Trấn Yên")
    page.get_by_label("Kỳ báo cáo").select_option(Q3)
    page.get_by_role("button", name="Xem").click()
    expect(page.get_by_test_id("visits-received")).to_contain_text("1 lượt")
    page.get_by_test_id("visits-link").click()
    _check_visits_page(page)
    screenshot(page, "visits_board_desktop")
    assert_accessible(page, "board visits page")


def test_the_visits_page_reads_on_a_phone(live_server, phone: Page, tree):
    login(phone, live_server, "bantochuc.huyen")
    phone.goto(f"{live_server.url}/to-chuc/{tree['district'].pk}/du-sinh-hoat/?ky={Q3}")
    _check_visits_page(phone)
    screenshot(phone, "visits_board_phone")
    assert_accessible(phone, "board visits page (phone)")


def test_a_policy_writer_loads_a_quota_preset_on_the_policy_page(live_server, page: Page, tree):
    from tests.factories import UserFactory, grant

    writer = UserFactory(username="bantochuc.huyen.ghi")
    grant(writer, tree["district"], can_write=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, live_server, "bantochuc.huyen.ghi")
    page.goto(f"{live_server.url}/to-chuc/{tree['district'].pk}/quy-dinh/")
    expect(page.get_by_test_id("quota-set-name")).to_have_text("Yên Bái 18-QĐ/TU (2019)")  # from the province
    form = page.get_by_test_id("quota-preset-form")
    form.get_by_label("Mẫu định mức dự sinh hoạt").select_option("kon-tum-776-2023")
    form.get_by_label("Áp dụng từ ngày").fill("2026-12-04")
    form.get_by_role("button", name="Nạp định mức").click()
    expect(page.get_by_text("Đã nạp định mức dự sinh hoạt “Kon Tum 776-QĐ/TU (2023)”")).to_be_visible()
    expect(page.get_by_test_id("quota-set-name")).to_have_text("Kon Tum 776-QĐ/TU (2023)")
    expect(page.get_by_test_id("quota-lines")).to_contain_text("không tính chi bộ nơi mình sinh hoạt")
    page.get_by_test_id("quota-set").scroll_into_view_if_needed()
    screenshot(page, "visits_policy_desktop")
    assert_accessible(page, "policy page with its visit quotas")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "visits_policy_phone")
    assert_accessible(page, "policy page with its visit quotas (phone)")
