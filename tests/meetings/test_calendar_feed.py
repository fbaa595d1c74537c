"""A member's private calendar subscription and the language of their mail (issue 13)."""

import datetime

import pytest
from django.urls import reverse

from meetings import services
from meetings.calendar import feed_token
from meetings.models import OutboxMessage
from members.models import Member
from tests.factories import make_meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def enqueued(monkeypatch):
    from config.celery import app

    monkeypatch.setattr(app, "send_task", lambda *args, **kwargs: None)


def uids(ics: str) -> list[str]:
    return [line.removeprefix("UID:") for line in ics.splitlines() if line.startswith("UID:")]


def test_the_feed_lists_the_cells_meetings_with_the_invites_uid(
    client, world, enqueued, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    kept = make_meeting(world.cell_a, planned_date=datetime.date(2026, 12, 10))
    dropped = make_meeting(
        world.cell_a, kind="thematic", topic="Nghị quyết 57", planned_date=datetime.date(2026, 12, 15)
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_publish(meeting=kept, by=world.secretary_user)
    services.meeting_cancel(meeting=dropped, reason="Bão", by=world.secretary_user)
    other = make_meeting(world.cell_b, planned_date=datetime.date(2026, 12, 11))
    url = reverse("meetings:feed", args=[feed_token(world.member)])
    with django_assert_max_num_queries(8):
        response = client.get(url)  # no login: a calendar application fetches it
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    ics = response.content.decode()
    invite = OutboxMessage.objects.filter(meeting=kept, member=world.member).get()
    assert uids(invite.ics)[0] in uids(ics) and dropped.calendar_uid in uids(ics)
    assert other.calendar_uid not in uids(ics)
    assert "STATUS:CANCELLED" in ics and "ĐÃ HỦY" in ics


def test_the_feeds_queries_do_not_grow_with_its_meetings(client, world, django_assert_max_num_queries):
    for day in range(5, 25):
        make_meeting(world.cell_a, kind="extraordinary", planned_date=datetime.date(2026, 12, day))
    with django_assert_max_num_queries(8):
        ics = client.get(reverse("meetings:feed", args=[feed_token(world.member)])).content.decode()
    assert len(uids(ics)) == 20


def test_a_new_link_revokes_the_old_one_and_a_forged_one_finds_nothing(client, world):
    old = reverse("meetings:feed", args=[feed_token(world.member)])
    assert client.get(old).status_code == 200
    client.force_login(world.member_user)
    page = client.get(reverse("meetings:mine")).content.decode()
    assert old in page
    response = client.post(reverse("meetings:feed_renew"), follow=True)
    assert "Liên kết cũ không còn dùng được" in response.content.decode()
    assert client.get(old).status_code == 404
    world.member.refresh_from_db()
    new = reverse("meetings:feed", args=[feed_token(world.member)])
    assert new != old and new in response.content.decode() and client.get(new).status_code == 200
    forged = reverse("meetings:feed", args=[feed_token(world.plain_member).replace(":", ":x", 1)])
    assert client.get(forged).status_code == 404


def test_a_member_chooses_the_language_of_their_mail(client, world, enqueued, django_capture_on_commit_callbacks):
    client.force_login(world.member_user)
    response = client.post(reverse("meetings:language"), {"language": "fr"}, follow=True)
    assert "Chọn Tiếng Việt hoặc English" in response.content.decode()
    assert Member.objects.get(pk=world.member.pk).language == "vi"
    client.post(reverse("meetings:language"), {"language": "en"})
    assert Member.objects.get(pk=world.member.pk).language == "en"
    meeting = make_meeting(world.cell_a, planned_date=datetime.date(2026, 12, 10))
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_publish(meeting=meeting, by=world.secretary_user)
    english = OutboxMessage.objects.get(meeting=meeting, member=world.member)
    vietnamese = OutboxMessage.objects.get(meeting=meeting, member=world.secretary)
    assert english.subject != vietnamese.subject
    assert "Kính gửi" in vietnamese.body_text and "Kính gửi" not in english.body_text


def test_staff_without_a_member_record_have_no_calendar_link(client, world):
    client.force_login(world.board_user)
    assert 'data-testid="my-calendar"' not in client.get(reverse("meetings:mine")).content.decode()
    assert client.post(reverse("meetings:feed_renew")).status_code == 404
