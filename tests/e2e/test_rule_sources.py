"""Browser journey (issue 10, sections 3 and 7): under the province's Hướng dẫn 42 preset, a cell's secretary reads
November's findings on the meeting page: three speakers and a late approval are advice (recommendations with no
legal text), the month still passes; the thematic meeting of 85 minutes is a failed finding of its month, on its own
page; on a phone, the policy page labels each value's source."""

import datetime

import pytest
from playwright.sync_api import Page, expect

from cells.presets import preset_load
from reports.compliance import compute_month
from tests.e2e.conftest import assert_accessible, login, screenshot
from tests.factories import make_member
from tests.reports.compliance_helpers import hold, local

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NOV = datetime.date(2026, 11, 1)


def test_a_secretary_reads_advice_apart_from_failures_and_the_thematic_meetings_length(
    live_server, page: Page, phone: Page, world
):
    preset_load(preset="hd42-2025", organization=world.province, valid_from=datetime.date(2025, 10, 28))
    members = [world.secretary, world.member, world.plain_member, *(make_member(world.cell_a) for _ in range(3))]
    regular = hold(
        world.cell_a,
        datetime.date(2026, 11, 4),
        minutes=100,
        speakers=3,
        votes_for=6,
        approved=local(2026, 11, 20),
        members=members,
    )
    thematic = hold(world.cell_a, datetime.date(2026, 11, 18), kind="thematic", minutes=85, members=members)
    compute_month(NOV)

    page.set_viewport_size({"width": 1366, "height": 900})
    login(page, live_server, "bithu.a")
    page.goto(f"{live_server.url}/sinh-hoat/{regular.pk}/")
    findings = page.get_by_test_id("findings")
    speakers = findings.get_by_test_id("finding-speakers")
    expect(speakers).to_have_attribute("data-status", "adv")
    expect(speakers).to_contain_text("Khuyến nghị")
    expect(speakers).to_contain_text("Khuyến nghị theo kinh nghiệm địa phương")
    expect(findings.get_by_test_id("finding-minutes_on_time")).to_contain_text("Khuyến nghị của hệ thống")
    expect(findings.get_by_test_id("finding-length")).to_contain_text("Quy định của cấp ủy")
    # The thematic meeting too short is this month's failure, and the panel links to it.
    length = findings.get_by_test_id("finding-thematic_length")
    expect(length).to_have_attribute("data-status", "fail")
    expect(length).to_contain_text("85/90 phút")
    expect(findings).to_contain_text("Chưa đạt")
    expect(findings.get_by_test_id("advice-count")).to_have_text("2 khuyến nghị chưa đạt")
    screenshot(page, "rule_sources_1_findings")
    assert_accessible(page, "meeting page with advice and a failed thematic length")

    length.get_by_role("link", name="xem buổi chuyên đề").click()
    expect(page).to_have_url(f"{live_server.url}/sinh-hoat/{thematic.pk}/")
    expect(page.get_by_test_id("findings").get_by_test_id("finding-thematic_length")).to_contain_text("85/90 phút")
    assert_accessible(page, "thematic meeting page with its length finding")

    login(phone, live_server, "bithu.a")
    phone.goto(f"{live_server.url}/to-chuc/{world.cell_a.pk}/quy-dinh/")
    expect(phone.get_by_test_id("rule-min_member_speakers")).to_contain_text("Khuyến nghị theo kinh nghiệm địa phương")
    expect(phone.get_by_test_id("rule-min_minutes_thematic")).to_contain_text("Quy định của cấp ủy")
    expect(phone.get_by_test_id("rule-min_minutes_thematic").get_by_test_id("value")).to_have_text("90 phút")
    expect(phone.get_by_test_id("rule-minutes_approval_days")).to_contain_text("Khuyến nghị của hệ thống")
    expect(phone.get_by_test_id("kinds-note")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "rule_sources_2_policy_phone")
    assert_accessible(phone, "policy page on a phone with the kinds of sources")
