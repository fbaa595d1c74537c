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
