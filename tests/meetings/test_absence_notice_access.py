"""A committee member who follows a cell (and is not on its roster) sees its meetings but is offered no absence form,
and a notice they send anyway is refused by the same check (``services.absence_notice_check``); their profile shows
their committee seat."""

import datetime

import pytest
from django.urls import reverse

from meetings import services
from meetings.models import AbsenceNotice
from members.models import Assignment
from tests.factories import UserFactory, make_meeting, make_member, seat

pytestmark = pytest.mark.django_db


@pytest.fixture
def follower(world):
    """A member of cell B with a seat on the commune committee of cell A, assigned to follow cell A."""
    member = make_member(world.cell_b, full_name="Lê Văn Cấp", user=UserFactory(username="capuy.a"))
    committee_seat = seat(member, world.commune)
    committee_seat.title = "Phó Bí thư Đảng ủy xã"
    committee_seat.save(update_fields=["title"])
    Assignment.objects.create(seat=committee_seat, organization=world.cell_a, valid_from=datetime.date(2020, 1, 1))
    return member


@pytest.fixture
def upcoming(world):
    meeting = make_meeting(world.cell_a, planned_date=datetime.date(2026, 12, 10))
    services.meeting_publish(meeting=meeting)
    return meeting


def test_the_follower_reads_the_meeting_without_an_absence_form(client, world, follower, upcoming):
    client.force_login(follower.user)

    body = client.get(reverse("meetings:detail", args=[upcoming.pk])).content.decode()

    assert "Sinh hoạt định kỳ tháng 12/2026" in body
    assert 'data-testid="absence-card"' not in body
    assert reverse("meetings:absence", args=[upcoming.pk]) not in body


def test_a_notice_the_follower_sends_anyway_is_refused_and_nothing_is_written(client, world, follower, upcoming):
    client.force_login(follower.user)

    response = client.post(reverse("meetings:absence", args=[upcoming.pk]), {"reason": "Đi công tác"}, follow=True)

    assert "Đồng chí không có trong danh sách đảng viên của buổi sinh hoạt này." in response.content.decode()
    assert not AbsenceNotice.objects.exists()


def test_one_check_decides_for_the_page_and_the_service(world, follower, upcoming):
    member_check = services.absence_notice_check(meeting=upcoming, member=world.member)
    follower_check = services.absence_notice_check(meeting=upcoming, member=follower)

    assert (member_check.on_roster, member_check.refusal) == (True, None)
    assert follower_check.on_roster is False
    assert follower_check.refusal == "Đồng chí không có trong danh sách đảng viên của buổi sinh hoạt này."


def test_a_member_of_the_cell_is_still_offered_the_form(client, world, upcoming):
    client.force_login(world.member_user)

    body = client.get(reverse("meetings:detail", args=[upcoming.pk])).content.decode()

    assert 'data-testid="absence-card"' in body


def test_the_followers_profile_shows_the_committee_seat(client, world, follower):
    client.force_login(follower.user)

    body = client.get(reverse("members:detail", args=[follower.pk])).content.decode()

    assert 'data-testid="committee-seats"' in body
    assert "Phó Bí thư Đảng ủy xã" in body and world.commune.name in body
    assert "Không giữ chức vụ nào." not in body
