"""Helpers for the browser journeys, and the browser's clock: it shows the same frozen instant as the server."""

import os
import time
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

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


def freeze_browser_clock(context: BrowserContext) -> BrowserContext:
    """Make the pages' ``Date.now()`` and ``new Date()`` return the server's frozen "now" (tests/conftest.py), so a
    "now" button in the browser fills the instant the server believes it is; timers keep running.

    Only the page's JavaScript clock: Chromium's cookie jar keeps the real clock, and Django's cookies carry a Max-Age
    (CSRF: a year; the session cookie ends with the browser), which Chromium prefers over Expires, so a frozen instant
    far from the real one does not expire them on arrival.
    """
    context.clock.set_fixed_time(time.time())  # time-machine's frozen time, in Unix seconds
    return context


@pytest.fixture
def context(new_context) -> BrowserContext:
    """pytest-playwright's browser context (tracing, screenshot on failure), at the frozen instant."""
    return freeze_browser_clock(new_context())


@pytest.fixture
def phone(new_context) -> Page:
    """A page the size of a phone (390×844), as secretaries use the app in the meeting room, at the frozen instant."""
    return freeze_browser_clock(new_context(viewport={"width": 390, "height": 844})).new_page()
