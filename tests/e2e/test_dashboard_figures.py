"""Browser journeys: a board reads the figures it can act on (each rule's share of cell-months, the cells ranked by
months passed), drills down to a cell and a meeting and back without losing the period it chose; the list of members
absent without reason has its own year picker and exports. At 1366×900 and on a phone (390×844)."""

import csv
import io

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import assert_accessible, login, screenshot
from tests.e2e.test_dashboard import province  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_board_reads_each_rules_share_and_the_ranking_and_keeps_its_period_down_to_the_meeting(
    live_server,
    page: Page,
    province,  # noqa: F811
):
    w = province
    month = w.last_month  # cell A met for 60 minutes (fails the length rule), the village cell met properly
    page.set_viewport_size({"width": 1366, "height": 900})
    login(page, live_server, "bantochuc.tinh")
    page.goto(f"{live_server.url}/to-chuc/{w.commune.pk}/bao-cao/")
    page.get_by_label("Kỳ báo cáo").select_option(f"thang-{month:%Y-%m}")
    page.get_by_role("button", name="Xem").click()
    period = f"Tháng {month:%m} năm {month.year}"
    expect(page.get_by_test_id("dashboard-period")).to_have_text(period)

    expect(page.get_by_test_id("fig-months-ok")).to_have_text("50%")  # one cell-month of two met every rule
    length = page.get_by_test_id("rule-share").filter(has_text="Đủ thời lượng")
    expect(length.get_by_test_id("rule-rate")).to_have_text("50%")
    expect(length).to_contain_text("(1/2)")
    held = page.get_by_test_id("rule-share").filter(has_text="Có sinh hoạt định kỳ")
    expect(held.get_by_test_id("rule-rate")).to_have_text("100%")
    ranking = page.get_by_test_id("ranking-row")
    expect(ranking.nth(0)).to_contain_text("Chi bộ thôn Trung Tâm")
    expect(ranking.nth(1)).to_contain_text("Chi bộ cơ quan UBND xã")
    # The heatmap's names wrap onto more lines rather than being cut with "…".
    styles = (
        page.get_by_test_id("heatmap")
        .locator("tbody th")
        .evaluate_all("rows => rows.map(th => [getComputedStyle(th).whiteSpace, getComputedStyle(th).textOverflow])")
    )
    assert styles and all(style == ["normal", "clip"] for style in styles), styles
    screenshot(page, "figures_1_commune")
    assert_accessible(page, "commune dashboard with rule shares and ranking")

    # Down to a cell from the ranking, back up through the breadcrumb: the month stays chosen.
    ranking.nth(0).get_by_role("link").click()
    expect(page.get_by_test_id("dashboard-title")).to_have_text("Chi bộ thôn Trung Tâm")
    expect(page.get_by_test_id("dashboard-period")).to_have_text(period)
    page.get_by_role("navigation", name="breadcrumb").get_by_role("link", name="Đảng bộ xã Xuân Hiệp").click()
    expect(page.get_by_test_id("dashboard-period")).to_have_text(period)

    # Down to the failing meeting from the heatmap, and back to the report from the meeting page.
    page.get_by_test_id("heatmap").locator(f'a[data-month="{month:%Y-%m}"][data-status="fail"]').click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sinh hoạt định kỳ")
    assert f"ky=thang-{month:%Y-%m}" in page.url
    page.get_by_test_id("back-to-report").click()
    expect(page.get_by_test_id("dashboard-title")).to_have_text("Chi bộ cơ quan UBND xã")
    expect(page.get_by_test_id("dashboard-period")).to_have_text(period)


def test_the_absences_list_has_a_year_picker_and_exports(live_server, page: Page, province):  # noqa: F811
    w = province
    page.set_viewport_size({"width": 1366, "height": 900})
    login(page, live_server, "bantochuc.tinh")
    page.goto(f"{live_server.url}/to-chuc/{w.commune.pk}/bao-cao/vang-khong-ly-do/?ky=thang-{w.last_month:%Y-%m}")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Đảng viên vắng sinh hoạt không lý do năm {w.last_month.year}"
    )
    previous = w.last_month.year - 1
    page.get_by_label("Năm").select_option(f"nam-{previous}")
    page.get_by_role("button", name="Xem").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Đảng viên vắng sinh hoạt không lý do năm {previous}")
    screenshot(page, "figures_2_absences")
    assert_accessible(page, "absences list")

    with page.expect_download() as download_info:
        page.get_by_test_id("absences-csv").click()
    download = download_info.value
    assert download.suggested_filename == f"vang-khong-ly-do-C01-nam-{previous}.csv"
    lines = list(csv.reader(io.StringIO(open(download.path(), encoding="utf-8-sig").read())))
    assert lines[0][:3] == ["Đảng viên", "Chi bộ", "Số tháng vắng không lý do"]
    with page.expect_download() as download_info:
        page.get_by_test_id("absences-xlsx").click()
    assert download_info.value.suggested_filename.endswith(".xlsx")

    # Back to the report, in the year chosen here.
    page.get_by_test_id("back-to-report").click()
    expect(page.get_by_test_id("dashboard-period")).to_have_text(f"Năm {previous}")


@pytest.mark.parametrize("path", ["bao-cao/", "bao-cao/vang-khong-ly-do/"])
def test_the_figures_and_the_absences_read_on_a_phone(live_server, phone: Page, province, path):  # noqa: F811
    page = phone
    login(page, live_server, "bantochuc.tinh")
    page.goto(f"{live_server.url}/to-chuc/{province.commune.pk}/{path}?ky=thang-{province.last_month:%Y-%m}")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing scrolls sideways
    screenshot(page, f"figures_3_phone_{path.strip('/').replace('/', '_')}")
    assert_accessible(page, f"{path} (phone)")
