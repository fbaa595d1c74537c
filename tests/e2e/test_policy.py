"""Browser journey: a commune's board writer adds a dated policy from the dashboard's "rules in force" link; the cell
below inherits it, and the cell's secretary reads it on a phone but cannot set the rules the cell is judged by."""

import pytest
from playwright.sync_api import Page, expect

from cells.models import Policy
from cells.periods import local_today
from tests.e2e.conftest import assert_accessible, login, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_board_writer_adds_a_policy_the_cell_inherits_and_its_secretary_reads(
    live_server, page: Page, phone: Page, world
):
    today = local_today()
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, live_server, "bantochuc.ghi")
    page.goto(f"{live_server.url}/to-chuc/{world.commune.pk}/bao-cao/")
    page.get_by_test_id("policy-link").click()
    expect(page.get_by_test_id("policy-heading")).to_contain_text("Đảng bộ xã Xuân Hiệp")
    speakers = page.get_by_test_id("rule-min_member_speakers")
    expect(speakers.get_by_test_id("value")).to_have_text("4 đảng viên")
    expect(speakers).to_contain_text("Mặc định của hệ thống")
    assert_accessible(page, "commune policy page with its form")

    # Bad input: no source and a speaker count of zero. Clear messages, nothing written.
    form = page.get_by_test_id("policy-form")
    form.get_by_label("Áp dụng từ ngày").fill(f"{today:%Y-%m-%d}")
    form.get_by_label("Số đảng viên phát biểu tối thiểu").fill("0")
    form.get_by_role("button", name="Thêm quy định").click()
    # The page comes back at the form, its errors in view (the form sits below the long table of rules).
    expect(page.get_by_test_id("policy-errors")).to_be_in_viewport()
    expect(page.get_by_test_id("policy-form")).to_contain_text("Ghi căn cứ của quy định")
    expect(page.get_by_test_id("policy-form")).to_contain_text("Giá trị phải từ 1 đến 100 đảng viên.")
    assert not Policy.objects.exists()
    screenshot(page, "policy_1_refused")
    assert_accessible(page, "policy form refused")

    form = page.get_by_test_id("policy-form")
    form.get_by_label("Căn cứ").fill("Quy định 09-QĐ/ĐU ngày 15/11/2026 của Đảng ủy xã Xuân Hiệp")
    form.get_by_label("Số đảng viên phát biểu tối thiểu").fill("5")
    form.get_by_role("button", name="Thêm quy định").click()
    expect(page.get_by_role("alert").first).to_contain_text(f"áp dụng từ ngày {today:%d/%m/%Y}")
    expect(speakers.get_by_test_id("value")).to_have_text("5 đảng viên")
    expect(speakers).to_contain_text("Quy định 09-QĐ/ĐU")
    expect(page.get_by_test_id("history-item")).to_have_count(1)
    screenshot(page, "policy_2_added")
    assert_accessible(page, "policy added")

    # The cell below inherits it; its secretary reads where it comes from, with no form to change it.
    phone_page = phone
    login(phone_page, live_server, "bithu.a")
    phone_page.goto(f"{live_server.url}/to-chuc/{world.cell_a.pk}/quy-dinh/")
    row = phone_page.get_by_test_id("rule-min_member_speakers")
    expect(row.get_by_test_id("value")).to_have_text("5 đảng viên")
    expect(row).to_contain_text("Đảng bộ xã Xuân Hiệp")
    expect(phone_page.get_by_test_id("policy-form")).to_have_count(0)
    expect(phone_page.get_by_test_id("policy-set-above")).to_be_visible()
    screenshot(phone_page, "policy_3_cell_secretary_phone")
    assert_accessible(phone_page, "cell policy page (secretary, phone)")
