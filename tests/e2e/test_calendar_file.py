"""Browser journey: a member adds the coming meeting to their calendar from its page ("Thêm vào lịch")."""

import datetime
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from meetings import services
from tests.e2e.conftest import assert_accessible, login
from tests.factories import make_meeting

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_member_adds_the_meeting_to_their_calendar(live_server, page: Page, world, settings):
    settings.DEFAULT_FROM_EMAIL = "Chi bộ <no-reply@chibo.example.vn>"
    meeting = make_meeting(world.cell_a, planned_date=datetime.date(2027, 1, 4), planned_time=datetime.time(14, 0))
    services.meeting_publish(meeting=meeting, by=world.secretary_user)
    meeting.refresh_from_db()

    login(page, live_server, "dangvien.a")
    page.goto(f"{live_server.url}/sinh-hoat/{meeting.pk}/")
    expect(page.get_by_role("link", name="Thêm vào lịch (.ics)")).to_be_visible()
    assert_accessible(page, "meeting page as a member")
    with page.expect_download() as download:
        page.get_by_role("link", name="Thêm vào lịch (.ics)").click()
    text = Path(download.value.path()).read_bytes().decode()
    lines = re.sub(r"\r\n[ \t]", "", text).split("\r\n")

    assert download.value.suggested_filename == f"sinh-hoat-{meeting.pk}.ics"
    # A calendar file to import, not an invitation to answer: PUBLISH, nobody asked to reply.
    assert "METHOD:PUBLISH" in lines
    assert not [line for line in lines if line.startswith("ATTENDEE")]
    # The organizer is the cell, by its name, at the site's sending address.
    assert 'ORGANIZER;CN="Chi bộ cơ quan UBND xã":mailto:no-reply@chibo.example.vn' in lines
    # The UID the mailed invites carry, whatever the site's address.
    assert f"UID:{meeting.calendar_uid}" in lines
    # The phone rings an hour before (the built-in default: no policy of the world sets it).
    alarm = lines[lines.index("BEGIN:VALARM") : lines.index("END:VALARM") + 1]
    assert "ACTION:DISPLAY" in alarm and "TRIGGER:-PT1H" in alarm
    assert "DTSTART;TZID=Asia/Ho_Chi_Minh:20270104T140000" in lines
    # Nothing in English for the member's calendar to show.
    assert not [line for line in lines if line.startswith("COMMENT")]
