"""A committee member following a cell, in the browser: their profile shows their seat, and the cell's meeting offers
them no absence form they could not use (desktop and phone)."""

import datetime

import pytest
from playwright.sync_api import Page, expect

from meetings import services
from members.models import Assignment
from tests.e2e.conftest import assert_accessible, login
from tests.factories import UserFactory, make_meeting, make_member, seat

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_a_follower_sees_their_seat_and_no_absence_form(live_server, page: Page, phone: Page, world, size):
    follower = make_member(world.cell_b, full_name="Lê Văn Cấp", user=UserFactory(username="capuy.a"))
    committee_seat = seat(follower, world.commune)
    committee_seat.title = "Phó Bí thư Đảng ủy xã"
    committee_seat.save(update_fields=["title"])
    Assignment.objects.create(seat=committee_seat, organization=world.cell_a, valid_from=datetime.date(2020, 1, 1))
    meeting = make_meeting(world.cell_a, planned_date=datetime.date(2026, 12, 10))
    services.meeting_publish(meeting=meeting)
    if size == "phone":
        page = phone
    else:
        page.set_viewport_size({"width": 1366, "height": 900})
    login(page, live_server, "capuy.a")

    page.goto(f"{live_server.url}/dang-vien/{follower.pk}/")
    seats = page.get_by_test_id("committee-seats")
    expect(seats).to_contain_text("Phó Bí thư Đảng ủy xã")
    expect(seats).to_contain_text(world.commune.name)
    expect(page.get_by_text("Không giữ chức vụ nào.")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    assert_accessible(page, f"a committee member's own profile ({size})")

    page.goto(f"{live_server.url}/sinh-hoat/{meeting.pk}/")
    expect(page.get_by_test_id("notice")).to_contain_text("Sinh hoạt định kỳ tháng 12/2026")
    expect(page.get_by_test_id("absence-card")).to_have_count(0)
    expect(page.get_by_role("button", name="Báo vắng")).to_have_count(0)
    assert_accessible(page, f"a followed cell's meeting (committee member, {size})")
