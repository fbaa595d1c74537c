"""Browser journey: a province board officer opens the compliance dashboard, drills down from the province to a commune,
to a cell, to the meeting that failed, then downloads the Excel report."""

import datetime
import io
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import time_machine
from playwright.sync_api import Page, expect

from cells.periods import local_today, month_start, previous_month
from meetings import services
from reports.compliance import compute_month
from tests.e2e.conftest import assert_accessible, login, screenshot
from tests.factories import UserFactory, grant, make_cell, make_meeting, make_member

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def hold(cell, members, day: datetime.date, *, minutes: int, speakers: int, approver, kind="regular") -> None:
    """A meeting through the services: agenda sent three days before, everyone present, ``speakers`` members speak,
    held for ``minutes``, minutes approved by the chair two days later."""
    with time_machine.travel(datetime.datetime.combine(day - datetime.timedelta(days=3), datetime.time(8), HCM)):
        topic = "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh" if kind == "thematic" else ""
        meeting = make_meeting(cell, planned_date=day, kind=kind, topic=topic)
        services.meeting_publish(meeting=meeting)
    start = datetime.datetime.combine(day, datetime.time(14), HCM)
    with time_machine.travel(start + datetime.timedelta(minutes=minutes + 10)):
        services.attendance_prepare(meeting=meeting)
        for member in members:
            services.attendance_set(meeting=meeting, member=member, status="present")
        for member in members[:speakers]:
            services.speech_add(meeting=meeting, member=member, summary="Thống nhất với dự thảo nghị quyết.")
        services.meeting_record(
            meeting=meeting,
            version=None,
            started_at=start,
            ended_at=start + datetime.timedelta(minutes=minutes),
            chair=members[0],
            recorder=members[1],
            mark_held=True,
        )
    with time_machine.travel(datetime.datetime.combine(day + datetime.timedelta(days=2), datetime.time(9), HCM)):
        services.minutes_approve(meeting=meeting, by=approver)


@pytest.fixture
def province(world):
    """The three closed months before today: cell A of commune Xuân Hiệp met properly, except last month, when it met
    for only 60 minutes (it fails the length rule); a village cell of the same commune met properly every month;
    both held their quarter's thematic meeting; cell B (one member, commune Xuân Lộc) never met."""
    w = world
    current = month_start(local_today())
    w.last_month = previous_month(current)
    closed = [previous_month(previous_month(w.last_month)), previous_month(w.last_month), w.last_month]
    members_a = [w.secretary, w.member, w.plain_member, make_member(w.cell_a, full_name="Lê Văn Tư")]
    w.village = make_cell(w.commune, name="Chi bộ thôn Trung Tâm", code="TT", cell_type="residential")
    village_user = UserFactory(username="bithu.tt")
    members_v = [make_member(w.village, full_name=f"Phạm Văn Năm {n}") for n in range(5)]
    members_v[0].user = village_user
    members_v[0].save(update_fields=["user"])
    for month in closed:
        minutes_a = 60 if month == w.last_month else 100
        hold(w.cell_a, members_a, month.replace(day=4), minutes=minutes_a, speakers=4, approver=w.secretary_user)
        hold(w.village, members_v, month.replace(day=6), minutes=95, speakers=4, approver=village_user)
        if month.month % 3 == 0:  # the quarter's thematic meeting, so that only the length rule fails
            hold(
                w.cell_a,
                members_a,
                month.replace(day=18),
                minutes=125,
                speakers=4,
                approver=w.secretary_user,
                kind="thematic",
            )
            hold(
                w.village,
                members_v,
                month.replace(day=20),
                minutes=125,
                speakers=4,
                approver=village_user,
                kind="thematic",
            )
    for month in [*closed, current]:
        compute_month(month)
    w.province_user = UserFactory(username="bantochuc.tinh", last_name="Vũ Thị", first_name="Thanh")
    grant(w.province_user, w.province)
    return w


def test_a_board_officer_drills_down_to_the_failing_meeting_and_downloads_the_report(live_server, page: Page, province):
    w = province
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, live_server, "bantochuc.tinh")

    page.get_by_role("link", name="Báo cáo", exact=True).click()
    expect(page.get_by_test_id("dashboard-title")).to_have_text("Đảng bộ tỉnh Đồng Nai")
    # The year of last month (the current year, except in January).
    page.get_by_label("Kỳ báo cáo").select_option(f"nam-{w.last_month.year}")
    page.get_by_role("button", name="Xem").click()
    expect(page.get_by_test_id("dashboard-period")).to_have_text(f"Năm {w.last_month.year}")
    expect(page.get_by_test_id("fig-cells-ok")).to_contain_text("1/3")
    expect(page.get_by_test_id("children")).to_contain_text("Đảng bộ xã Xuân Lộc")
    expect(page.get_by_test_id("shortfalls")).to_contain_text("Thời lượng 60/90 phút")
    screenshot(page, "dashboard_1_province")
    assert_accessible(page, "province dashboard")

    page.get_by_test_id("children").get_by_role("link", name="Đảng bộ xã Xuân Hiệp").click()
    expect(page.get_by_test_id("dashboard-title")).to_have_text("Đảng bộ xã Xuân Hiệp")
    expect(page.get_by_test_id("fig-cells-ok")).to_contain_text("1/2")
    square = page.get_by_test_id("heatmap").locator(
        f'a[data-month="{w.last_month:%Y-%m}"][title^="Chi bộ cơ quan UBND xã"]'
    )
    expect(square).to_have_attribute("data-status", "fail")
    expect(square).to_have_attribute(
        "title", f"Chi bộ cơ quan UBND xã, tháng {w.last_month:%m/%Y}: Không đạt: Thời lượng 60/90 phút"
    )
    screenshot(page, "dashboard_2_commune")
    assert_accessible(page, "commune dashboard")

    page.get_by_test_id("children").get_by_role("link", name="Chi bộ cơ quan UBND xã").click()
    expect(page.get_by_test_id("dashboard-title")).to_have_text("Chi bộ cơ quan UBND xã")
    failing_row = page.get_by_test_id("months").get_by_role("row").filter(has_text=f"{w.last_month:%m/%Y}")
    expect(failing_row).to_contain_text("Không đạt")
    expect(failing_row).to_contain_text("Thời lượng 60/90 phút")
    failing = failing_row.get_by_role("link", name=f"Buổi sinh hoạt tháng {w.last_month:%m/%Y}")
    screenshot(page, "dashboard_3_cell")
    assert_accessible(page, "cell dashboard")

    failing.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sinh hoạt định kỳ")
    expect(page.get_by_text(f"{w.last_month:%m/%Y}").first).to_be_visible()
    screenshot(page, "dashboard_4_meeting")
    assert_accessible(page, "meeting page, approved (board)")

    page.go_back()
    expect(page.get_by_test_id("dashboard-title")).to_have_text("Chi bộ cơ quan UBND xã")
    with page.expect_download() as download_info:
        page.get_by_test_id("download-xlsx").click()
    download = download_info.value
    assert download.suggested_filename == f"bao-cao-A-nam-{w.last_month.year}.xlsx"
    workbook = openpyxl.load_workbook(io.BytesIO(open(download.path(), "rb").read()))
    assert workbook.sheetnames == ["Tổng hợp", "Chi bộ", "Theo tháng"]
    cells = list(workbook["Chi bộ"].iter_rows(values_only=True))
    assert cells[1][0] == "A" and "“Đủ thời lượng”: 1 tháng không đạt" in cells[1][-1]


def test_the_dashboard_reads_on_a_phone(live_server, phone: Page, province):
    page = phone
    login(page, live_server, "bantochuc.tinh")
    page.goto(f"{live_server.url}/bao-cao/")
    expect(page.get_by_test_id("headline")).to_be_visible()
    screenshot(page, "dashboard_5_province_phone")
    assert_accessible(page, "province dashboard (phone)")

    # The year of last month: the page opens on the current year, which in January has no month closed yet.
    page.goto(f"{live_server.url}/to-chuc/{province.cell_a.pk}/bao-cao/?ky=nam-{province.last_month.year}")
    expect(page.get_by_test_id("months")).to_contain_text("Thời lượng 60/90 phút")
    screenshot(page, "dashboard_6_cell_phone")
    assert_accessible(page, "cell dashboard (phone)")
