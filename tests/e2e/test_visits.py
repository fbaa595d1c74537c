"""Browser journey: a commune committee member opens "my cells", opens the meeting their cell held today, records
"Tôi đã dự buổi sinh hoạt này", fills and submits the visit report, sees it locked, and sees their quota progress
move on "my cells" (at the suite's frozen instant: 4 December 2026, 18:33 in Hà Nội; the meeting was at 14:00)."""

import datetime

import pytest
from playwright.sync_api import Page, expect

from meetings import services
from meetings.models import VisitReport
from members.models import Assignment
from tests.e2e.conftest import assert_accessible, freeze_browser_clock, login, screenshot
from tests.factories import UserFactory, make_held_meeting, make_member, seat

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def follower(world):
    """``capuy.a`` sits on the commune committee and follows cell A; the province asks two visits a quarter. Cell A
    held its meeting today."""
    member = make_member(world.cell_b, full_name="Lê Văn Cấp", user=UserFactory(username="capuy.a"))
    committee_seat = seat(member, world.commune)
    committee_seat.title = "Ủy viên Ban Chấp hành Đảng bộ xã"
    committee_seat.save(update_fields=["title"])
    Assignment.objects.create(seat=committee_seat, organization=world.cell_a, valid_from=datetime.date(2020, 1, 1))
    services.quota_set_create(
        organization=world.province,
        name="Định mức dự sinh hoạt của tỉnh",
        source="Quy định 01-QĐ/TU",
        valid_from=datetime.date(2020, 1, 1),
        lines=[{"committee_kind": "commune", "rank": "committee", "period": "quarter", "count": 2, "target": "any"}],
    )
    world.held = make_held_meeting(world.cell_a, planned_date=datetime.date(2026, 12, 4), votes_for=3)
    return committee_seat


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_a_committee_member_records_a_visit_and_files_the_report(
    live_server, page: Page, phone: Page, world, follower, size
):
    if size == "phone":
        page = phone
    else:
        page.set_viewport_size({"width": 1366, "height": 900})
    login(page, live_server, "capuy.a")

    if size == "phone":
        page.get_by_role("button", name="Mở menu").click()
    page.get_by_test_id("nav-my-cells").click()
    expect(page.get_by_role("heading", name="Theo dõi chi bộ", exact=True)).to_be_visible()
    expect(page.get_by_test_id("followed")).to_contain_text(world.cell_a.name)
    expect(page.get_by_test_id("quota-count")).to_have_text("0 / 2")
    expect(page.get_by_test_id("quota")).to_contain_text("Còn thiếu, kỳ chưa hết")
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    assert_accessible(page, f"my cells ({size})")
    if size == "desktop":
        # (not on the phone: Chromium may drop the next click after a full-page screenshot, which resizes the viewport)
        screenshot(page, f"visits-my-cells-before-{size}")

    page.get_by_test_id("followed").get_by_role("link", name=world.cell_a.name).click()
    page.get_by_test_id("meeting-list").get_by_role("link", name="04/12 · Sinh hoạt định kỳ").click()
    expect(page.get_by_test_id("minutes")).to_be_visible()
    page.get_by_test_id("visit-record").click()

    expect(page.get_by_role("heading", name="Báo cáo dự sinh hoạt")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("Đã ghi nhận đồng chí dự buổi sinh hoạt.")
    expect(page.get_by_label("Tình hình dự họp")).to_have_value(
        "Có mặt 3/3 đảng viên; vắng có lý do 0, vắng không lý do 0."
    )
    page.get_by_label("Đúng hướng dẫn của cấp trên").check()
    page.get_by_label("Số đảng viên phát biểu").fill("3")
    page.get_by_label("Ý kiến của đồng chí tại buổi họp").fill("Đề nghị chi bộ bám sát nghị quyết của Đảng ủy xã.")
    page.get_by_label("Điểm đánh giá (0–100)").fill("85")
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    assert_accessible(page, f"the visit report's form ({size})")
    if size == "desktop":
        screenshot(page, f"visits-report-form-{size}")
    page.get_by_role("button", name="Nộp báo cáo").click()

    expect(page.get_by_role("alert")).to_contain_text("Đã nộp báo cáo dự sinh hoạt. Báo cáo đã khóa.")
    expect(page.get_by_test_id("report-form")).to_have_count(0)
    expect(page.get_by_test_id("visitor-grade")).to_have_text("85 điểm, Khá")
    expect(page.get_by_test_id("report-status")).to_contain_text("Đã nộp báo cáo ngày 04/12/2026")
    assert_accessible(page, f"the submitted visit report ({size})")
    report = VisitReport.objects.get(visitor__seat=follower)
    assert (report.speakers, report.grade, report.is_submitted) == (3, "good", True)

    page.get_by_role("link", name="Theo dõi chi bộ").first.click()
    expect(page.get_by_test_id("quota-count")).to_have_text("1 / 2")
    expect(page.get_by_test_id("visits")).to_contain_text("Đã nộp báo cáo ngày 04/12/2026")
    expect(page.get_by_test_id("reports-due")).to_contain_text("Không có báo cáo nào phải nộp.")
    if size == "desktop":
        screenshot(page, f"visits-my-cells-after-{size}")

    page.goto(f"{live_server.url}/sinh-hoat/{world.held.pk}/")
    visits = page.get_by_test_id("meeting-visits")
    expect(visits).to_contain_text("Lê Văn Cấp, Ủy viên Ban Chấp hành Đảng bộ xã")
    expect(visits.get_by_test_id("visit-report-link")).to_contain_text("Đã nộp báo cáo ngày 04/12/2026")
    expect(page.get_by_test_id("visit-record")).to_have_count(0)
    screenshot(page, f"visits-meeting-{size}")


def _board_line(board: Page, live_server, world) -> None:
    board.goto(f"{live_server.url}/to-chuc/{world.commune.pk}/du-sinh-hoat/")
    expect(board.get_by_test_id("visits-period")).to_have_text("Quý IV năm 2026")


def test_the_board_sees_the_quota_progress_change_and_the_report(live_server, page: Page, new_context, world, follower):
    """The issue's journey end to end: the commune board sees the member's quarter at 0 of 2; the member records
    their visit and files the report; the board sees 1 of 2 and the report received, and opens it."""
    board = freeze_browser_clock(new_context(viewport={"width": 1280, "height": 900})).new_page()
    login(board, live_server, "bantochuc.xa")
    _board_line(board, live_server, world)
    seat_row = board.get_by_test_id("seat").filter(has_text="Lê Văn Cấp")
    expect(seat_row.get_by_test_id("line")).to_contain_text("0/2")
    expect(board.get_by_test_id("received-report")).to_have_count(0)

    page.set_viewport_size({"width": 1366, "height": 900})
    login(page, live_server, "capuy.a")
    page.goto(f"{live_server.url}/sinh-hoat/{world.held.pk}/")
    page.get_by_test_id("visit-record").click()
    page.get_by_label("Đúng hướng dẫn của cấp trên").check()
    page.get_by_label("Ý kiến của đồng chí tại buổi họp").fill("Đề nghị chi bộ bám sát nghị quyết của Đảng ủy xã.")
    page.get_by_label("Kiến nghị, đề xuất của đảng viên và nhân dân").fill("Sửa đường liên ấp trước mùa mưa.")
    page.get_by_label("Điểm đánh giá (0–100)").fill("92")
    page.get_by_role("button", name="Nộp báo cáo").click()
    expect(page.get_by_role("alert")).to_contain_text("Báo cáo đã khóa.")

    _board_line(board, live_server, world)
    expect(seat_row.get_by_test_id("line")).to_contain_text("1/2")
    received = board.get_by_test_id("received-report").filter(has_text="Lê Văn Cấp")
    expect(received).to_contain_text("Tốt (92 điểm)")
    expect(received).to_contain_text(f"{world.cell_a.name}, 04/12/2026")
    assert_accessible(board, "the board's visits page after the report")
    screenshot(board, "visits-board-after-report")
    received.get_by_test_id("received-link").click()
    expect(board.get_by_test_id("report-status")).to_contain_text("Đã nộp báo cáo ngày 04/12/2026")
    expect(board.get_by_text("Sửa đường liên ấp trước mùa mưa.")).to_be_visible()
    expect(board.get_by_test_id("report-form")).to_have_count(0)
