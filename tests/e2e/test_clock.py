"""The browser journeys run at the suite's frozen instant (tests/conftest.py, CHIBO_TEST_NOW): the live server's
thread and the page's JavaScript clock both read it, so what the browser calls "now" the server accepts as now."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from meetings.models import Meeting
from meetings.views import _next_meeting_date
from tests.e2e.conftest import login
from tests.factories import make_meeting

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_server_and_the_browser_agree_on_the_frozen_now(live_server, page: Page, world):
    now = timezone.localtime()  # the frozen instant, in Hà Nội
    proposed = _next_meeting_date(world.cell_a, timezone.now())
    began = now - datetime.timedelta(minutes=100)
    meeting = make_meeting(world.cell_a, kind="extraordinary", planned_date=began.date(), planned_time=began.time())

    login(page, live_server, "bithu.a")
    # The server's thread: the plan form proposes the date computed from the same "now".
    page.goto(live_server.url + reverse("meetings:plan", args=[world.cell_a.pk]))
    expect(page.get_by_label("Ngày họp")).to_have_value(proposed.isoformat())
    # The browser: "Kết thúc bây giờ" fills the frozen minute, and the server takes it as not in the future.
    page.goto(live_server.url + reverse("meetings:record", args=[meeting.pk]))
    page.get_by_role("button", name="Kết thúc bây giờ").click()
    expect(page.get_by_label("Kết thúc lúc")).to_have_value(now.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Lưu", exact=True).click()

    expect(page.get_by_test_id("save-status")).to_have_text("Đã lưu biên bản.")  # saved in place
    assert Meeting.objects.get(pk=meeting.pk).length_minutes == 100
    assert page.evaluate("Date.now()") == int(timezone.now().timestamp() * 1000)
