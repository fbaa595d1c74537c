"""Browser journey on a phone (390×844): the secretary records the monthly meeting of a 19-member cell (attendance,
the superior-committee visitor, five speakers, times, chair and recorder, conclusions, the resolution and its vote,
the self-assessment), marks it held, approves the minutes as the chair, then corrects them with a reason."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from meetings.models import Attendance, Meeting, Speech, Visitor
from members.models import Assignment
from members.services import member_status_change
from tests.e2e.conftest import SCREENS, assert_accessible, login, screenshot
from tests.factories import make_meeting, make_member, seat

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

OFFICIAL = [
    "Bùi Văn An",
    "Cao Thị Bích",
    "Đặng Văn Cường",
    "Đoàn Thị Dung",
    "Giang Văn Đức",
    "Hà Thị Giang",
    "Khổng Văn Hải",
    "Lâm Thị Hoa",
    "Mai Văn Khánh",
    "Ngô Thị Lan",
    "Phan Văn Minh",
    "Tạ Thị Ngọc",
    "Trịnh Văn Phúc",
]
SPEAKERS = [
    ("Nguyễn Thị Hiền", 2, "Thông tin về chủ trương sáp nhập thôn và việc triển khai Nghị quyết của Đảng ủy xã."),
    ("Bùi Văn An", 3, "Đề nghị đẩy nhanh tiến độ thu ngân sách quý IV."),
    ("Cao Thị Bích", 3, "Tình hình tư tưởng của đảng viên ổn định; cần quan tâm hộ nghèo."),
    ("Đặng Văn Cường", 4, "Đăng ký nêu gương: đi làm đúng giờ, không sử dụng điện thoại trong họp."),
    ("Đỗ Thanh Hài", 5, "Phân công đồng chí Hải theo dõi phong trào ở tổ dân phố 3."),
]


@pytest.fixture
def cell(world):
    """Cell A with 19 members: 16 official (the secretary, 2 of the world and 13 more), 2 probationary, 1 exempted;
    a commune committee member's seat follows it."""
    w = world
    for name in OFFICIAL:
        make_member(w.cell_a, full_name=name)
    admitted = datetime.date(2026, 3, 1)
    for name in ("Vũ Thị Dự", "Vũ Văn Bị"):
        make_member(w.cell_a, full_name=name, official=False, admission_date=admitted, joined_cell_on=admitted)
    w.exempted = make_member(w.cell_a, full_name="Hoàng Văn Miễn")
    member_status_change(member=w.exempted, status="exempted", effective_from=datetime.date(2025, 1, 1))
    w.committee_member = make_member(w.cell_b, full_name="Lê Văn Cấp")
    w.seat = seat(w.committee_member, w.commune)
    w.seat.title = "Phó Bí thư Đảng ủy xã"
    w.seat.save()
    Assignment.objects.create(seat=w.seat, organization=w.cell_a, valid_from=datetime.date(2020, 1, 1))
    return w


def viewport_shot(page: Page, name: str) -> None:
    """What the secretary actually sees: the screen, with the sticky figures and save bar."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"{name}.png"))


def att_row(page: Page, name: str):
    return page.locator(f'[data-testid="att-row"][data-member="{name}"]')


def tap(page: Page, name: str, status: str) -> None:
    att_row(page, name).get_by_role("button", name=status, exact=True).click()


def test_a_secretary_records_the_monthly_meeting_on_a_phone_then_it_is_approved_and_corrected(
    live_server, phone: Page, cell
):
    page = phone
    day = timezone.localdate() - datetime.timedelta(days=3)
    meeting = make_meeting(cell.cell_a, planned_date=day, planned_time=datetime.time(14, 0))
    login(page, live_server, "bithu.a")
    page.goto(f"{live_server.url}/sinh-hoat/{meeting.pk}/ghi-bien-ban/")

    expect(page.get_by_role("heading", name="Ghi biên bản")).to_be_visible()
    expect(page.get_by_test_id("att-row")).to_have_count(19)
    expect(page.get_by_label("Bắt đầu lúc")).to_have_value(f"{day:%Y-%m-%d}T14:00")
    expect(page.get_by_test_id("fig-roll")).to_have_text("· 19 chưa điểm danh")
    screenshot(page, "record_opened_phone")
    assert_accessible(page, "recording page (phone)")

    # Attendance: two excused absences with a reason, one absence without, then everyone else present.
    tap(page, "Ngô Thị Lan", "Vắng có lý do")
    reason = att_row(page, "Ngô Thị Lan").get_by_placeholder("Lý do vắng")
    expect(reason).to_be_focused()
    assert_accessible(page, "recording page, excused row open for its reason (phone)")
    reason.fill("Đi công tác tỉnh")
    # The committee accepts this reason: the secretary's explicit tick (never the default).
    accepted = att_row(page, "Ngô Thị Lan").get_by_label("Chi ủy chấp nhận lý do (không tính vào số biểu quyết)")
    expect(accepted).not_to_be_checked()
    accepted.check()
    att_row(page, "Ngô Thị Lan").get_by_role("button", name="Lưu lý do").click()
    expect(att_row(page, "Ngô Thị Lan")).to_have_attribute("data-status", "excused")
    tap(page, "Vũ Văn Bị", "Vắng có lý do")
    att_row(page, "Vũ Văn Bị").get_by_placeholder("Lý do vắng").fill("Ốm")
    att_row(page, "Vũ Văn Bị").get_by_role("button", name="Lưu lý do").click()
    expect(att_row(page, "Vũ Văn Bị")).to_have_attribute("data-status", "excused")
    tap(page, "Trịnh Văn Phúc", "Vắng KLD")
    expect(att_row(page, "Trịnh Văn Phúc")).to_have_attribute("data-status", "absent")
    expect(page.get_by_test_id("fig-roll")).to_have_text("· 16 chưa điểm danh")
    screenshot(page, "record_attendance_phone")
    viewport_shot(page, "record_attendance_screen_phone")
    assert_accessible(page, "recording page after marking attendance (phone)")
    page.get_by_test_id("all-present").click()
    expect(page.get_by_test_id("fig-roll")).to_have_text("✓")
    expect(page.get_by_test_id("fig-counted")).to_contain_text("Đảng viên chính thức được tính: 16")
    assert Attendance.objects.filter(meeting=meeting, status="present").count() == 16

    # The superior-committee member following the cell attends.
    page.get_by_text("Thêm đại biểu", exact=True).first.click()
    page.get_by_label("Cấp ủy viên cấp trên").select_option(label="Lê Văn Cấp — Phó Bí thư Đảng ủy xã")
    page.get_by_test_id("visitor-form").get_by_role("button", name="Thêm đại biểu").click()
    expect(page.get_by_test_id("visitor")).to_contain_text("Lê Văn Cấp")
    assert_accessible(page, "recording page after adding a visitor (phone)")

    # Five members speak, each on an agenda item.
    agenda = {item.order: f"{item.order}. {item.title}" for item in meeting.agenda.all()}
    for count, (name, order, summary) in enumerate(SPEAKERS, 1):
        form = page.get_by_test_id("speech-form")
        form.get_by_label("Người phát biểu").select_option(label=name)
        form.get_by_label("Nội dung").select_option(label=agenda[order])
        form.get_by_label("Tóm tắt ý kiến").fill(summary)
        form.get_by_role("button", name="Ghi ý kiến").click()
        expect(page.get_by_test_id("speech")).to_have_count(count)
    expect(page.get_by_test_id("fig-speakers")).to_have_text("Phát biểu 5/4 ✓")
    # The visitor's remarks (visitors speak too, without counting as member speakers).
    form = page.get_by_test_id("speech-form")
    form.get_by_label("Người phát biểu").select_option(label="Lê Văn Cấp (Phó Bí thư Đảng ủy xã)")
    form.get_by_label("Nội dung").select_option(label=agenda[7])
    form.get_by_label("Tóm tắt ý kiến").fill("Ghi nhận kết quả; đề nghị chi bộ quan tâm công tác phát triển đảng viên.")
    form.get_by_role("button", name="Ghi ý kiến").click()
    expect(page.get_by_test_id("speech")).to_have_count(6)
    expect(page.get_by_test_id("fig-speakers")).to_have_text("Phát biểu 5/4 ✓")
    screenshot(page, "record_speeches_phone")
    assert_accessible(page, "recording page after adding speeches (phone)")
    page.get_by_test_id("jump-nav").get_by_role("link", name="Phát biểu").click()
    page.wait_for_timeout(600)  # smooth scrolling
    viewport_shot(page, "record_speeches_screen_phone")

    # Times, chair and recorder, conclusions, the resolution and its vote, the score.
    page.get_by_label("Kết thúc lúc").fill(f"{day:%Y-%m-%d}T15:45")
    expect(page.get_by_test_id("fig-length")).to_have_text("Thời lượng 105/90 phút ✓")
    page.get_by_label("Chủ trì", exact=True).select_option(label="Nguyễn Thị Hiền")
    page.get_by_label("Thư ký", exact=True).select_option(label="Đỗ Thanh Hài")
    page.get_by_label(agenda[3]).fill("Chi bộ hoàn thành tốt nhiệm vụ tháng; cần đẩy nhanh thu ngân sách.")
    page.get_by_label(agenda[5]).fill("Giao đồng chí Hải theo dõi tổ dân phố 3; đồng chí An phụ trách thu ngân sách.")
    page.get_by_label("Tên nghị quyết / kết luận").fill("Nghị quyết sinh hoạt chi bộ tháng")
    page.get_by_label("Nội dung nghị quyết / kết luận").fill("Tập trung hoàn thành chỉ tiêu ngân sách quý IV.")
    page.get_by_label("Tán thành", exact=True).fill("15")
    page.get_by_label("Không tán thành").fill("0")
    page.get_by_label("Không biểu quyết").fill("0")
    page.get_by_label("Điểm tự đánh giá (0–100)").fill("92")
    page.get_by_label("Điểm tự đánh giá (0–100)").blur()
    expect(page.get_by_test_id("fig-vote")).to_contain_text("thông qua (15/16 tán thành)")
    screenshot(page, "record_filled_phone")
    assert_accessible(page, "recording page filled in (phone)")

    page.get_by_role("button", name="Lưu và chốt buổi họp").click()

    expect(page.get_by_role("alert").first).to_contain_text("Đã chốt buổi họp.")
    expect(page.get_by_test_id("meeting-status")).to_have_text("Đã họp, chờ duyệt biên bản")
    expect(page.get_by_test_id("fig-length")).to_have_text("Thời lượng 105/90 phút ✓")
    expect(page.get_by_test_id("fig-speakers")).to_have_text("Phát biểu 5/4 ✓")
    expect(page.get_by_test_id("fig-vote")).to_contain_text("thông qua")
    expect(page.get_by_test_id("fig-vote")).not_to_contain_text("không thông qua")
    expect(page.get_by_test_id("fig-quorum")).to_have_count(0)
    screenshot(page, "record_held_phone")
    assert_accessible(page, "recording page, held (phone)")
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD
    assert (meeting.length_minutes, meeting.votes_for, meeting.quality_score) == (105, 15, 92)
    assert meeting.quality_grade == "excellent"
    assert Speech.objects.filter(meeting=meeting, member__isnull=False).values("member").distinct().count() == 5
    assert Visitor.objects.get(meeting=meeting).seat == cell.seat

    # The secretary chaired: she approves the minutes on the meeting page.
    page.get_by_role("link", name="Xem và duyệt biên bản").click()
    expect(page.get_by_role("button", name="Duyệt biên bản")).to_be_visible()
    assert_accessible(page, "meeting page, held (phone)")
    page.get_by_role("button", name="Duyệt biên bản").click()
    expect(page.get_by_test_id("meeting-status")).to_have_text("Biên bản đã duyệt")
    assert_accessible(page, "meeting page, approved (phone)")

    # A correction needs a reason.
    page.goto(f"{live_server.url}/sinh-hoat/{meeting.pk}/ghi-bien-ban/")
    expect(page.get_by_test_id("correction-mode")).to_be_visible()
    assert_accessible(page, "recording page, correction mode (phone)")
    page.get_by_label("Tán thành", exact=True).fill("14")
    page.get_by_label("Không biểu quyết").fill("1")
    page.get_by_role("button", name="Lưu đính chính").click()
    expect(page.get_by_test_id("record-errors")).to_contain_text("Biên bản đã duyệt: ghi lý do đính chính để sửa.")
    # Nothing is lost: the typed votes are still there.
    expect(page.get_by_label("Tán thành", exact=True)).to_have_value("14")
    screenshot(page, "record_correction_refused_phone")
    assert_accessible(page, "recording page, correction refused (phone)")
    meeting.refresh_from_db()
    assert (meeting.votes_for, meeting.correction_count) == (15, 0)

    # The absent member had phoned in: an excused absence, also a correction (the reason goes with every tap).
    tap(page, "Trịnh Văn Phúc", "Vắng có lý do")
    expect(att_row(page, "Trịnh Văn Phúc").get_by_test_id("row-error")).to_have_text(
        "Biên bản đã duyệt: ghi lý do đính chính để sửa."
    )
    # The refused row opens its reason field and focuses it once htmx settles (20 ms later); wait for that, else
    # the focus moves mid-fill and the correction reason's text lands in the absence reason (seen on a loaded CI).
    expect(att_row(page, "Trịnh Văn Phúc").get_by_placeholder("Lý do vắng")).to_be_focused()
    assert_accessible(page, "recording page, attendance row refused (phone)")
    page.get_by_label("Lý do đính chính").fill("Ghi nhầm số phiếu tán thành và điểm danh")
    att_row(page, "Trịnh Văn Phúc").get_by_placeholder("Lý do vắng").fill("Ốm đột xuất, đã báo bí thư")
    att_row(page, "Trịnh Văn Phúc").get_by_role("button", name="Lưu lý do").click()
    expect(att_row(page, "Trịnh Văn Phúc")).to_have_attribute("data-status", "excused")
    # Not ticked as accepted by the committee: Phúc stays counted.
    expect(page.get_by_test_id("fig-counted")).to_contain_text("Đảng viên chính thức được tính: 16")
    # The typed votes were kept through the taps; the main form follows its own corrections' version.
    expect(page.get_by_label("Tán thành", exact=True)).to_have_value("14")
    page.get_by_role("button", name="Lưu đính chính").click()
    expect(page.get_by_role("alert").first).to_contain_text("Đã lưu đính chính.")
    expect(page.get_by_test_id("corrected")).to_contain_text("đính chính 2 lần")
    screenshot(page, "record_corrected_phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    viewport_shot(page, "record_corrected_desktop")
    assert_accessible(page, "recording page, corrected (desktop)")
    meeting.refresh_from_db()
    assert (meeting.votes_for, meeting.votes_abstain, meeting.correction_count) == (14, 1, 2)
    assert meeting.status == Meeting.Status.APPROVED
    reasons = list(meeting.history.exclude(history_change_reason=None).values_list("history_change_reason", flat=True))
    assert reasons.count("Đính chính: Ghi nhầm số phiếu tán thành và điểm danh") == 2
    assert Attendance.objects.get(meeting=meeting, member__full_name="Trịnh Văn Phúc").status == "excused"
