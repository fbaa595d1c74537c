"""The API's documentation page works in the browser under the site's Content-Security-Policy (no CDN, no inline
script): it lists the operations read from /api/schema/."""

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import login, screenshot

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
