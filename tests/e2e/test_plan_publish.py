"""Browser journey: a secretary plans and publishes the month's meeting, the agenda e-mail with its invite is in
the outbox, a member says ahead they will be absent, and the secretary sees it when recording."""

import datetime

import pytest
from playwright.sync_api import Page, expect

from meetings.models import Meeting, OutboxMessage
from tests.e2e.conftest import assert_accessible, login, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_secretary_plans_and_publishes_and_a_member_marks_an_absence(live_server, page: Page, world):
    world.cell_a.meeting_time = datetime.time(14, 0)
    world.cell_a.venue = "Hội trường UBND xã"
    world.cell_a.save()

    login(page, live_server, "bithu.a")
    page.goto(f"{live_server.url}/to-chuc/{world.cell_a.pk}/")
    page.get_by_role("link", name="Sinh hoạt", exact=True).click()
    expect(page.get_by_role("link", name="Lập kế hoạch sinh hoạt tháng")).to_be_visible()
    assert_accessible(page, "meeting list")
    page.get_by_role("link", name="Lập kế hoạch sinh hoạt tháng").click()
    expect(page.get_by_label("Địa điểm")).to_have_value("Hội trường UBND xã")
    assert_accessible(page, "plan form")
    expect(page.get_by_label("Giờ bắt đầu")).to_have_value("14:00")
    page.get_by_role("button", name="Lưu").click()

    expect(page.get_by_test_id("meeting-status")).to_have_text("Đang chuẩn bị")
    expect(page.get_by_role("main")).to_contain_text("Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh")
    assert_accessible(page, "meeting page, planned")
    page.get_by_role("button", name="Gửi thông báo cho đảng viên").click()
    expect(page.get_by_test_id("meeting-status")).to_have_text("Đã gửi thông báo")
    screenshot(page, "meeting_published")
    assert_accessible(page, "meeting page, published")

    meeting = Meeting.objects.get(organization=world.cell_a)
    rows = OutboxMessage.objects.filter(meeting=meeting, kind="agenda")
    assert rows.count() == 3  # the three members of cell A, all with an e-mail
    assert "BEGIN:VCALENDAR" in rows.first().ics
    page.get_by_role("link", name="Thư đã gửi").click()
    expect(page.get_by_role("main")).to_contain_text(world.member.email)
    screenshot(page, "meeting_outbox")
    assert_accessible(page, "outbox")

    page.get_by_role("button", name="Đăng xuất").click()
    login(page, live_server, "dangvien.a")
    page.get_by_role("link", name="Sinh hoạt của tôi").first.click()
    expect(page.get_by_test_id("upcoming-meeting")).to_be_visible()
    assert_accessible(page, "my meetings")
    page.get_by_test_id("upcoming-meeting").get_by_role("link").first.click()
    expect(page.get_by_label("Báo trước: tôi sẽ vắng vì")).to_be_visible()
    assert_accessible(page, "meeting page as a member")
    page.get_by_label("Báo trước: tôi sẽ vắng vì").fill("Đi công tác tỉnh")
    page.get_by_role("button", name="Báo vắng").click()
    expect(page.get_by_role("main")).to_contain_text("Đồng chí đã báo vắng: “Đi công tác tỉnh”.")
    screenshot(page, "member_absence")
    assert_accessible(page, "meeting page as a member, absence said")

    page.get_by_role("button", name="Đăng xuất").click()
    login(page, live_server, "bithu.a")
    page.goto(f"{live_server.url}/sinh-hoat/{meeting.pk}/")
    expect(page.get_by_test_id("absence-notices")).to_contain_text("Đỗ Thanh Hài: Đi công tác tỉnh")
    assert_accessible(page, "meeting page with absence notices")
