"""Helpers for the browser journeys."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.factories import TEST_PASSWORD

SCREENS = Path(os.environ.get("SCREENSHOT_DIR", "var/screens"))


def login(page: Page, live_server, username: str, password: str = TEST_PASSWORD) -> None:
    page.goto(live_server.url + "/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_test_id("whoami")).to_be_visible()


def screenshot(page: Page, name: str) -> Path:
    SCREENS.mkdir(parents=True, exist_ok=True)
    path = SCREENS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def phone(browser):
    """A page the size of a phone (390×844), as secretaries use the app in the meeting room."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh"
    )
    yield context.new_page()
    context.close()
