"""Browser journeys through the meeting pages: the secretary plans this morning's meeting in the evening (and moves
another one into the past), a member reads the notice before a meeting and the minutes after it, a board officer
browses a cell's meetings of an older year, and a ward committee plans a meeting of its own.

Each journey runs at the walk-through's instant, the 4th at 18:33 in Hà Nội, whatever the suite's (the server's
clock; the pages' own clock plays no part here)."""

import datetime
import zoneinfo

import pytest
import time_machine
from playwright.sync_api import Page, expect

from meetings import services
from meetings.models import Meeting
from tests.e2e.conftest import assert_accessible, login, screenshot
from tests.factories import make_meeting

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

HANOI = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime.datetime(2026, 12, 4, 18, 33, tzinfo=HANOI)


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


def test_a_meeting_planned_this_morning_in_the_evening_is_confirmed_and_not_announced(live_server, page: Page, world):
    login(page, live_server, "bithu.a")
    page.goto(f"{live_server.url}/to-chuc/{world.cell_a.pk}/sinh-hoat/moi/")
    page.get_by_label("Loại buổi sinh hoạt").select_option("extraordinary")
    page.get_by_label("Ngày họp").fill("2026-12-04")
    page.get_by_label("Giờ bắt đầu").fill("08:00")
    page.get_by_label("Địa điểm").fill("Hội trường UBND xã")
    page.get_by_role("button", name="Lưu").click()

    expect(page.get_by_role("main")).to_contain_text("Giờ họp 08:00 ngày 04/12/2026 đã qua.")
    confirm = page.get_by_label("Buổi họp này đã diễn ra: tôi lập kế hoạch để ghi lại biên bản")
    expect(confirm).to_be_visible()
    assert_accessible(page, "plan form, a start in the past")
    assert not Meeting.objects.filter(organization=world.cell_a).exists()
    confirm.check()
    page.get_by_role("button", name="Lưu").click()

    expect(page.get_by_test_id("meeting-status")).to_have_text("Đang chuẩn bị")
    expect(page.get_by_role("button", name="Gửi thông báo cho đảng viên")).to_have_count(0)
    expect(page.get_by_test_id("start-passed")).to_contain_text("Giờ họp đã qua nên không gửi thông báo nữa.")
    expect(page.get_by_role("link", name="Ghi biên bản")).to_be_visible()
    screenshot(page, "meeting_planned_after_the_fact")
    assert_accessible(page, "meeting page, planned after its start")

    later = make_meeting(world.cell_a, planned_date=datetime.date(2026, 12, 10))
    page.goto(f"{live_server.url}/sinh-hoat/{later.pk}/sua/")
    page.get_by_label("Ngày họp").fill("2026-12-04")
    page.get_by_label("Giờ bắt đầu").fill("08:00")
    page.get_by_role("button", name="Lưu").click()

    expect(page.get_by_role("main")).to_contain_text("Giờ họp 08:00 ngày 04/12/2026 đã qua.")
    expect(page.get_by_label("Buổi họp này đã diễn ra: tôi lập kế hoạch để ghi lại biên bản")).to_be_visible()
    assert_accessible(page, "plan edit form, a start moved into the past")
    later.refresh_from_db()
    assert (later.planned_date, later.planned_time) == (datetime.date(2026, 12, 10), datetime.time(14, 0))


def _hold(meeting, world):
    services.attendance_prepare(meeting=meeting)
    for member in (world.secretary, world.member, world.plain_member):
        services.attendance_set(meeting=meeting, member=member, status="present")
    start = datetime.datetime.combine(meeting.planned_date, meeting.planned_time, HANOI)
    services.meeting_record(
        meeting=meeting,
        version=None,
        started_at=start,
        ended_at=start + datetime.timedelta(minutes=100),
        chair=world.secretary,
        recorder=world.member,
        mark_held=True,
    )


def test_a_member_reads_the_notice_before_the_meeting_and_the_minutes_after(live_server, page: Page, world):
    held = make_meeting(world.cell_a, planned_date=datetime.date(2026, 11, 4))
    _hold(held, world)
    upcoming = make_meeting(world.cell_a, planned_date=datetime.date(2026, 12, 10))
    services.meeting_publish(meeting=upcoming)

    login(page, live_server, "dangvien.a")
    page.goto(f"{live_server.url}/sinh-hoat/{upcoming.pk}/")
    expect(page.get_by_test_id("meeting-status")).to_have_text("Đã gửi thông báo")
    expect(page.get_by_role("main")).not_to_contain_text("BIÊN BẢN")
    expect(page.get_by_role("main")).not_to_contain_text("ĐẢNG CỘNG SẢN VIỆT NAM")
    notice = page.get_by_test_id("notice")
    expect(notice).to_contain_text("Thông báo")
    expect(notice).to_contain_text("Sinh hoạt định kỳ tháng 12/2026")
    expect(notice).to_contain_text("Thời gian: 14 giờ 00, thứ Năm ngày 10/12/2026.")
    expect(notice).to_contain_text("Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh")
    expect(page.get_by_test_id("absence-card")).to_be_visible()
    screenshot(page, "meeting_notice_member")
    assert_accessible(page, "meeting page before the meeting, as a member")

    page.goto(f"{live_server.url}/sinh-hoat/{held.pk}/")
    minutes = page.get_by_test_id("minutes")
    expect(minutes).to_contain_text("BIÊN BẢN")
    expect(minutes).to_contain_text("Xuân Hiệp, ngày 04 tháng 11 năm 2026")
    expect(page.get_by_test_id("notice")).to_have_count(0)
    assert_accessible(page, "meeting page after the meeting, as a member")


def test_a_board_officer_browses_a_cells_meetings_of_an_older_year(live_server, page: Page, world):
    old = make_meeting(world.cell_a, planned_date=datetime.date(2023, 5, 4))

    login(page, live_server, "bantochuc.xa")
    page.goto(f"{live_server.url}/to-chuc/{world.cell_a.pk}/sinh-hoat/")
    expect(page.get_by_test_id("meeting-list-window")).to_have_text("Tháng 03/2026 – 02/2027")
    assert_accessible(page, "meeting list")
    page.get_by_role("link", name="12 tháng trước").click()
    expect(page.get_by_test_id("meeting-list-window")).to_have_text("Tháng 03/2025 – 02/2026")

    page.get_by_label("Năm", exact=True).select_option("2023")
    page.get_by_role("button", name="Xem").click()
    expect(page.get_by_test_id("meeting-list-window")).to_have_text("Tháng 01/2023 – 12/2023")
    screenshot(page, "meeting_list_2023")
    assert_accessible(page, "meeting list of 2023")
    page.get_by_role("link", name="04/05 · Sinh hoạt định kỳ").click()

    expect(page).to_have_url(f"{live_server.url}/sinh-hoat/{old.pk}/")


def test_a_ward_committee_plans_a_conference_of_its_own_not_a_cells_meeting(live_server, page: Page, world):
    login(page, live_server, "bantochuc.ghi")
    page.goto(f"{live_server.url}/to-chuc/{world.commune.pk}/sinh-hoat/")
    expect(page.get_by_test_id("meeting-list")).not_to_contain_text("chưa có sinh hoạt định kỳ")
    expect(page.get_by_role("heading", name="Các hội nghị, cuộc họp")).to_be_visible()
    expect(page.get_by_test_id("not-a-cell")).to_be_visible()
    expect(page.get_by_role("link", name="Lập kế hoạch sinh hoạt tháng")).to_have_count(0)
    assert_accessible(page, "a committee's meeting list")
    page.get_by_role("link", name="Lập kế hoạch hội nghị, cuộc họp").click()

    kind = page.get_by_label("Loại hội nghị, cuộc họp")
    expect(kind.locator("option")).to_have_text(
        ["Hội nghị Ban Chấp hành", "Hội nghị Ban Thường vụ", "Hội nghị đảng bộ"]
    )
    assert_accessible(page, "a committee's plan form")
    kind.select_option("conference")
    page.get_by_label("Ngày họp").fill("2026-12-15")
    page.get_by_label("Giờ bắt đầu").fill("08:00")
    page.get_by_label("Địa điểm").fill("Hội trường Đảng ủy xã")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_role("main")).to_contain_text("Hội nghị đảng bộ phải có nội dung (tên hội nghị).")
    page.get_by_label("Nội dung", exact=True).fill("Quán triệt Nghị quyết Đại hội Đảng bộ tỉnh")
    page.get_by_role("button", name="Lưu").click()

    expect(page.get_by_test_id("notice")).to_contain_text(
        "Hội nghị đảng bộ: Quán triệt Nghị quyết Đại hội Đảng bộ tỉnh"
    )
    expect(page.get_by_test_id("notice")).to_contain_text(
        "Nội dung hội nghị: Quán triệt Nghị quyết Đại hội Đảng bộ tỉnh"
    )
    screenshot(page, "committee_conference_planned")
    assert_accessible(page, "a committee's conference, planned")
    meeting = Meeting.objects.get(organization=world.commune)
    assert (meeting.kind, meeting.planned_date) == ("conference", datetime.date(2026, 12, 15))
