"""Helpers for the browser journeys, and the browser's clock: it shows the same frozen instant as the server."""

import os
import time
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import BrowserContext, Page, expect

from tests.factories import TEST_PASSWORD

SCREENS = Path(os.environ.get("SCREENSHOT_DIR", "var/screens"))

# axe-core as bundled in the axe-playwright-python wheel (its axe.min.js, MPL-2.0): evaluated into the page from the
# package's file, so a check never touches the network. Every rule runs; only these impacts fail a test.
AXE = Axe()
FAILING_IMPACTS = ("critical", "serious")
FINISH_TRANSITIONS = """Promise.all(document.getAnimations()
    .filter(animation => animation.effect && animation.effect.getComputedTiming().endTime !== Infinity)
    .map(animation => animation.finished.catch(() => null)))"""


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


def axe_violations(page: Page) -> list[dict]:
    """The violations of impact serious or critical that axe-core finds on the page as it is now, each with only its
    elements of that impact (one rule can be serious on one element and moderate on another)."""
    # Colours are measured at rest, never halfway through a transition (a button under the mouse of a page that is
    # still scrolling changes colour while axe runs): Bootstrap drops its transitions for a reader who asks for reduced
    # motion, and one already under way (finite ones: an endless animation would never end) is let to finish.
    page.emulate_media(reduced_motion="reduce")
    try:
        page.evaluate(FINISH_TRANSITIONS)
        results = AXE.run(page)
    finally:
        page.emulate_media(reduced_motion="null")
    found = []
    for violation in results.response["violations"]:
        nodes = [node for node in violation["nodes"] if node.get("impact") in FAILING_IMPACTS]
        if nodes:
            found.append({**violation, "nodes": nodes})
    return found


def format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']} <{violation['helpUrl']}>")
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"    {target}: {' '.join(node['html'].split())[:300]}")
            if node.get("failureSummary"):
                lines.extend(f"      {line}" for line in node["failureSummary"].splitlines())
    return "\n".join(lines)


def assert_accessible(page: Page, name: str) -> None:
    """Fails, listing each rule, its impact, its help and the offending elements, when axe-core finds a serious or
    critical violation on the page as it is now (after any htmx swap the test waited for). ``name`` says which page."""
    violations = axe_violations(page)
    if violations:
        pytest.fail(
            f"axe-core: {len(violations)} serious/critical violation(s) on {name} ({page.url}):\n"
            + format_violations(violations),
            pytrace=False,
        )
