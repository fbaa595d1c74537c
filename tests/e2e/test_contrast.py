"""AA contrast (4.5:1) is measured, not assumed: axe-core's color-contrast rule runs in ``assert_accessible`` (nothing
disables it) and measures the navbar's text on the party red and the roll call's outline buttons (Bootstrap's
defaults were 3.17:1 and 4.41:1; static/css/app.css darkens them)."""

import datetime
import re

import pytest
from playwright.sync_api import Page

from meetings import services
from tests.e2e.conftest import AXE, assert_accessible, login
from tests.factories import make_meeting

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AA = 4.5


def contrast_ratios(page: Page) -> dict[str, float]:
    """Each element axe-core measured with the color-contrast rule (its CSS path) and its contrast ratio."""
    results = AXE.run(page, options={"runOnly": ["color-contrast"]}).response
    assert results["violations"] == [], results["violations"]
    return {
        " ".join(node["target"]): check["data"]["contrastRatio"]
        for rule in results["passes"]
        for node in rule["nodes"]
        for check in node["any"]
        if (check.get("data") or {}).get("contrastRatio")
    }


def test_the_navbar_and_the_roll_call_buttons_reach_aa(live_server, page: Page, world):
    meeting = make_meeting(world.cell_a, planned_date=datetime.date(2026, 12, 4))  # today, 14:00: the roll call is open
    services.meeting_publish(meeting=meeting)
    page.set_viewport_size({"width": 1366, "height": 900})
    login(page, live_server, "bithu.a")

    page.goto(f"{live_server.url}/sinh-hoat/{meeting.pk}/ghi-bien-ban/")
    assert_accessible(page, "recording page")
    ratios = contrast_ratios(page)

    navbar = [ratio for target, ratio in ratios.items() if ".nav-link" in target or ".navbar-text" in target]
    outline = [ratio for target, ratio in ratios.items() if re.search(r"\.btn-outline-(success|danger)\b", target)]
    assert navbar, "axe-core measured no text of the navbar"
    assert outline, "axe-core measured no outline button of the roll call"
    assert min(navbar) >= AA
    assert min(outline) >= AA
