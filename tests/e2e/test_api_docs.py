"""The API's documentation page works in the browser under the site's Content-Security-Policy (no CDN, no inline
script): it lists the operations read from /api/schema/."""

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import assert_accessible, login, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_api_documentation_page_lists_the_operations(live_server, page: Page, world):
    errors: list[str] = []
    page.on(
        "console",
        lambda message: errors.append(f"{message.text} {message.location}") if message.type == "error" else None,
    )
    login(page, live_server, "bantochuc.xa")

    page.goto(live_server.url + "/api/docs/")

    expect(page.get_by_text("/api/v1/organizations/", exact=True).first).to_be_visible()
    screenshot(page, "api-docs")
    # The site has no favicon: Chromium asks /favicon.ico of every page. Anything else (a style or script the
    # Content-Security-Policy refused, a file missing) is a failure.
    errors = [error for error in errors if "/favicon.ico" not in error]
    assert errors == [], "\n".join(errors)


def test_a_user_makes_a_token_sees_its_key_once_and_revokes_it(live_server, page: Page, world):
    login(page, live_server, "bantochuc.xa")
    page.get_by_role("link", name="Khóa API (cho phần mềm khác đọc và ghi dữ liệu)").click()

    page.get_by_label("Tên gợi nhớ").fill("Bảng tính của Ban Tổ chức")
    page.get_by_role("button", name="Tạo khóa").click()
    key = page.get_by_test_id("new-key").locator("code").inner_text()
    assert len(key) >= 40
    assert_accessible(page, "API tokens")
    screenshot(page, "api-tokens")

    page.get_by_role("button", name="Thu hồi").click()
    expect(page.get_by_test_id("tokens")).to_contain_text("Đã thu hồi lúc")
    expect(page.get_by_test_id("new-key")).to_have_count(0)


def test_the_documentation_page_calls_the_api_as_the_signed_in_user(live_server, new_context, world):
    """ "Try it out" on the page answers with the user's data (the session, as the pages have it).

    The page's clock runs: Swagger UI never finishes opening an operation under a fixed ``Date.now()`` (its
    transitions measure time), and nothing on it depends on the date; the server's clock stays frozen."""
    page = new_context().new_page()
    login(page, live_server, "bantochuc.xa")
    page.goto(live_server.url + "/api/docs/")

    operation = page.locator("#operations-v1-v1_cells_list")
    operation.locator(".opblock-summary-control").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()

    expect(operation.locator(".live-responses-table tbody .response-col_status").first).to_contain_text("200")
    expect(operation.locator(".live-responses-table")).to_contain_text("Chi bộ cơ quan UBND xã")
    screenshot(page, "api-docs-try")
