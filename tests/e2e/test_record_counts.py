"""Browser journeys on a phone (390×844) for the recording page's counts (issue 10, part 1): after a tap a row shows
exactly one chosen state and "Tất cả có mặt" leaves it alone; the live figures never say "thông qua" for ballots the
server refuses, before or after the save; and saving keeps the secretary where they were on the page."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from meetings.models import Attendance, Meeting
from tests.e2e.conftest import assert_accessible, login, screenshot
from tests.factories import make_meeting, make_member

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# The buttons' computed colours: "filled" is what a selected answer looks like (Bootstrap's solid success, warning or
# danger); a light tint (the hover of an unselected answer) or no background is not.
LOOKS = """row => [...row.querySelectorAll('.att-choice button')].map(button => {
  const [r, g, b, a = 1] = getComputedStyle(button).backgroundColor.match(/[\\d.]+/g).map(Number);
  return {name: button.textContent.trim(), pressed: button.getAttribute('aria-pressed') === 'true',
          filled: a > 0.5 && Math.min(r, g, b) < 200};
})"""


@pytest.fixture
def meeting(world):
    """Cell A with 16 members (the world's 3 and 13 more, all official), met three days ago at 14:00."""
    for n in range(1, 14):
        make_member(world.cell_a, full_name=f"Lê Văn Số {n:02d}")
    day = timezone.localdate() - datetime.timedelta(days=3)
    return make_meeting(world.cell_a, planned_date=day, planned_time=datetime.time(14, 0))


def row(page: Page, name: str):
    return page.locator(f'[data-testid="att-row"][data-member="{name}"]')


def finger_tap(page: Page, locator) -> None:
    """A tap where the button is on the screen: unlike ``locator.click()``, the mouse does not scroll the page first
    (Playwright would scroll a sticky button towards its place in the flow)."""
    box = locator.bounding_box()
    assert box and 0 <= box["y"] and box["y"] + box["height"] <= page.viewport_size["height"], box
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def open_page(page: Page, live_server, meeting: Meeting) -> None:
    login(page, live_server, "bithu.a")
    page.goto(f"{live_server.url}/sinh-hoat/{meeting.pk}/ghi-bien-ban/")
    expect(page.get_by_test_id("att-row")).to_have_count(16)


def test_after_a_tap_a_row_shows_one_state_and_all_present_leaves_it(live_server, phone: Page, meeting):
    page = phone
    open_page(page, live_server, meeting)
    hai = row(page, "Đỗ Thanh Hài")

    # The tap is kept even before the reason is typed; the finger (the mouse) stays on the button it tapped.
    hai.get_by_role("button", name="Vắng có lý do", exact=True).click()
    expect(hai).to_have_attribute("data-status", "excused")
    expect(hai.get_by_placeholder("Lý do vắng")).to_be_focused()
    expect(hai.get_by_test_id("reason-pending")).to_be_visible()
    hai.get_by_role("button", name="Có mặt", exact=True).hover()  # a phone keeps :hover where it was tapped
    looks = hai.evaluate(LOOKS)
    assert [b["name"] for b in looks if b["pressed"]] == ["✓ Vắng có lý do"], looks
    assert [b["name"] for b in looks if b["filled"]] == ["✓ Vắng có lý do"], looks
    screenshot(page, "record_excused_pending_phone")
    assert_accessible(page, "recording page, excused absence waiting for its reason (phone)")

    page.get_by_test_id("all-present").click()
    expect(page.get_by_test_id("fig-roll")).to_have_text("✓")
    expect(hai).to_have_attribute("data-status", "excused")
    looks = hai.evaluate(LOOKS)
    assert (
        [b["name"] for b in looks if b["pressed"]] == [b["name"] for b in looks if b["filled"]] == ["✓ Vắng có lý do"]
    ), looks
    assert Attendance.objects.get(meeting=meeting, member__full_name="Đỗ Thanh Hài").status == "excused"
    assert Attendance.objects.filter(meeting=meeting, status="present").count() == 15


def test_the_live_figures_follow_the_servers_rule_before_and_after_a_refused_save(live_server, phone: Page, meeting):
    page = phone
    open_page(page, live_server, meeting)
    page.get_by_test_id("all-present").click()
    expect(page.get_by_test_id("fig-roll")).to_have_text("✓")
    vote = page.get_by_test_id("fig-vote")

    page.get_by_label("Tán thành", exact=True).fill("20")
    page.get_by_label("Không tán thành").fill("0")
    page.get_by_label("Không tán thành").blur()
    expect(vote).to_contain_text("số phiếu không hợp lệ")
    expect(vote).not_to_contain_text("thông qua")

    page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page.get_by_test_id("save-status")).to_contain_text("Tổng số phiếu (20) vượt số đảng viên có mặt")
    expect(vote).to_contain_text("số phiếu không hợp lệ")
    expect(vote).not_to_contain_text("chưa nhập số phiếu")
    # A tap elsewhere after the refused save: the figures still judge what is typed.
    row(page, "Lê Văn Số 13").get_by_role("button", name="Vắng KLD", exact=True).click()
    expect(row(page, "Lê Văn Số 13")).to_have_attribute("data-status", "absent")
    expect(vote).to_contain_text("số phiếu không hợp lệ")
    assert Meeting.objects.get(pk=meeting.pk).votes_for is None

    # Ballots short of the 15 present who may vote: the save asks to confirm the difference, then keeps it.
    page.get_by_label("Tán thành", exact=True).fill("12")
    page.get_by_label("Không biểu quyết").fill("1")
    page.get_by_label("Không biểu quyết").blur()
    expect(vote).to_contain_text("thông qua (12/16 tán thành)")
    expect(page.get_by_test_id("fig-vote-gap")).to_have_text(
        "Tổng số phiếu 13 khác số đảng viên có mặt có quyền biểu quyết 15 (thiếu 2)."
    )
    page.get_by_role("button", name="Lưu", exact=True).click()
    confirm = page.get_by_label("Xác nhận số phiếu (có đảng viên có mặt không bỏ phiếu)")
    expect(confirm).to_be_visible()
    expect(page.get_by_test_id("save-status")).to_contain_text("thiếu 2")
    screenshot(page, "record_votes_confirm_phone")
    assert_accessible(page, "recording page, ballots to confirm (phone)")
    confirm.check()
    page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page.get_by_test_id("save-status")).to_have_text("Đã lưu biên bản.")
    meeting.refresh_from_db()
    assert (meeting.votes_for, meeting.votes_against, meeting.votes_abstain) == (12, 0, 1)


# The browser keeps the content in place while swapped parts above it change height (scroll anchoring: 7 to 300 px
# seen, with the figures panel's lines); the row stays on the screen. A page load would put the phone back at the top,
# thousands of pixels away, and drop ``window.kept``.
SCROLL_SLACK = 400


def test_saving_keeps_the_phone_where_it_was(live_server, phone: Page, meeting):
    page = phone
    open_page(page, live_server, meeting)
    page.get_by_test_id("all-present").click()
    expect(page.get_by_test_id("fig-roll")).to_have_text("✓")

    # A row near the bottom of the roll call.
    last = row(page, "Quách Thị Hương")
    last.scroll_into_view_if_needed()
    page.evaluate("window.scrollBy(0, 200)")
    page.evaluate("window.kept = true")  # gone if the page loads again
    before = page.evaluate("window.scrollY")
    assert before > 800
    finger_tap(page, last.get_by_role("button", name="Vắng KLD", exact=True))
    expect(last).to_have_attribute("data-status", "absent")
    page.wait_for_timeout(300)
    assert abs(page.evaluate("window.scrollY") - before) <= SCROLL_SLACK
    assert Attendance.objects.get(meeting=meeting, member__full_name="Quách Thị Hương").status == "absent"

    # The vote and the score, at the bottom of the page, saved with "Lưu".
    page.get_by_label("Kết thúc lúc").fill(f"{meeting.planned_date:%Y-%m-%d}T15:40")
    page.get_by_label("Tán thành", exact=True).fill("14")
    page.get_by_label("Không tán thành").fill("1")
    page.get_by_label("Không biểu quyết").fill("0")
    page.get_by_label("Điểm tự đánh giá (0–100)").fill("88")
    page.get_by_label("Điểm tự đánh giá (0–100)").blur()
    # The live figures took the typed values (the panel above grew; the browser kept the content in place).
    expect(page.get_by_test_id("fig-vote")).to_contain_text("Tự đánh giá 88 điểm")
    page.wait_for_timeout(300)
    before = page.evaluate("window.scrollY")
    assert before > 1500
    with page.expect_response(lambda response: response.request.method == "POST"):
        finger_tap(page, page.get_by_role("button", name="Lưu", exact=True))
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)  # anything the answer would move, moved
    assert abs(page.evaluate("window.scrollY") - before) <= SCROLL_SLACK
    assert page.evaluate("window.kept") is True  # saved in place, not a page load
    expect(page.get_by_test_id("save-status")).to_have_text("Đã lưu biên bản.")
    expect(page.get_by_label("Tán thành", exact=True)).to_have_value("14")
    screenshot(page, "record_saved_in_place_phone")
    assert_accessible(page, "recording page, saved in place (phone)")
    meeting.refresh_from_db()
    assert (meeting.votes_for, meeting.votes_against, meeting.quality_score, meeting.length_minutes) == (14, 1, 88, 100)

    # Saving again works with the version the first save returned.
    page.get_by_label("Điểm tự đánh giá (0–100)").fill("90")
    with page.expect_response(lambda response: response.request.method == "POST"):
        page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page.get_by_test_id("save-status")).to_have_text("Đã lưu biên bản.")
    meeting.refresh_from_db()
    assert meeting.quality_score == 90


def test_a_meeting_ahead_cannot_be_recorded_and_opening_it_writes_nothing(live_server, phone: Page, world):
    page = phone
    tomorrow = make_meeting(world.cell_a, planned_date=timezone.localdate() + datetime.timedelta(days=1))
    login(page, live_server, "bithu.a")
    page.goto(f"{live_server.url}/sinh-hoat/{tomorrow.pk}/ghi-bien-ban/")

    expect(page.get_by_test_id("not-yet")).to_contain_text(
        f"Buổi họp ngày {tomorrow.planned_date:%d/%m/%Y} chưa diễn ra: chưa thể điểm danh hay ghi biên bản"
    )
    expect(page.get_by_test_id("att-row")).to_have_count(0)
    expect(page.get_by_role("button", name="Lưu", exact=True)).to_have_count(0)
    assert_accessible(page, "recording page of a meeting ahead (phone)")
    assert not Attendance.objects.filter(meeting=tomorrow).exists()
