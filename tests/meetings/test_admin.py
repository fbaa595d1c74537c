"""Meetings and the outbox in the admin: the record editable until the minutes are approved, read-only after; no
meeting added or deleted there; the outbox read-only; a change saved asks for the findings again."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cells.models import PendingRefresh
from meetings import services
from meetings.models import Meeting, OutboxMessage
from tests.factories import make_meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, world):
    client.force_login(world.admin)
    return client


def _form(meeting: Meeting, **changes) -> dict:
    """The change form as the admin posts it: the record's fields and the inlines' management forms, unchanged."""
    data = {
        "chair": meeting.chair_id or "",
        "recorder": meeting.recorder_id or "",
        "resolution_title": meeting.resolution_title,
        "resolution_text": meeting.resolution_text,
        "quality_grade": meeting.quality_grade,
    }
    for prefix, related in [
        ("agenda", meeting.agenda.all()),
        ("attendances", meeting.attendances.all()),
        ("visitors", meeting.visitors.all()),
        ("speeches", meeting.speeches.all()),
        ("materials", meeting.materials.all()),
        ("absence_notices", meeting.absence_notices.all()),
    ]:
        rows = list(related)
        data |= {f"{prefix}-TOTAL_FORMS": len(rows), f"{prefix}-INITIAL_FORMS": len(rows)}
        for index, row in enumerate(rows):
            data[f"{prefix}-{index}-id"] = row.pk
            data[f"{prefix}-{index}-meeting"] = meeting.pk
            if prefix == "agenda":
                data |= {
                    f"{prefix}-{index}-order": row.order,
                    f"{prefix}-{index}-title": row.title,
                    f"{prefix}-{index}-details": row.details,
                    f"{prefix}-{index}-conclusion": row.conclusion,
                }
    return data | changes


def test_a_record_not_yet_approved_is_corrected_and_its_findings_asked_again(admin_client, world):
    meeting = make_meeting(world.cell_a, planned_date=datetime.date(2026, 11, 4))
    PendingRefresh.objects.all().delete()
    url = f"/admin/meetings/meeting/{meeting.pk}/change/"

    response = admin_client.post(url, _form(meeting, resolution_title="Nghị quyết tháng 11"))

    assert response.status_code == 302, response.content.decode()[:2000]
    meeting.refresh_from_db()
    assert meeting.resolution_title == "Nghị quyết tháng 11"
    assert meeting.version == 2  # a recording page open on the old version does not overwrite it
    assert PendingRefresh.objects.filter(
        organization=world.cell_a, cause="meeting", first_month=datetime.date(2026, 11, 1)
    ).exists()


def test_the_plan_is_not_changed_in_the_admin(admin_client, world):
    meeting = make_meeting(world.cell_a, planned_date=datetime.date(2026, 11, 4))

    admin_client.post(
        f"/admin/meetings/meeting/{meeting.pk}/change/",
        _form(meeting, planned_date="2026-11-20", venue="Nơi khác", status="approved"),
    )

    meeting.refresh_from_db()
    assert (meeting.planned_date, meeting.venue, meeting.status) == (
        datetime.date(2026, 11, 4),
        "Hội trường UBND xã",
        "planned",
    )


def test_approved_minutes_are_read_only_and_no_meeting_is_added_or_deleted(admin_client, world):
    meeting = make_meeting(world.cell_a, planned_date=datetime.date(2026, 11, 4))
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.APPROVED, resolution_title="Đã duyệt")
    meeting.refresh_from_db()
    url = f"/admin/meetings/meeting/{meeting.pk}/change/"

    page = admin_client.get(url)
    response = admin_client.post(url, _form(meeting, resolution_title="Sửa lén"))

    assert page.status_code == 200
    assert 'name="resolution_title"' not in page.content.decode()
    assert response.status_code == 403
    meeting.refresh_from_db()
    assert meeting.resolution_title == "Đã duyệt"
    assert admin_client.get("/admin/meetings/meeting/add/").status_code == 403
    assert admin_client.get(f"/admin/meetings/meeting/{meeting.pk}/delete/").status_code == 403


def test_the_outbox_is_read_only(admin_client, world):
    meeting = make_meeting(world.cell_a, planned_date=datetime.date(2026, 12, 18))
    services.meeting_publish(meeting=meeting, by=world.secretary_user)
    message = OutboxMessage.objects.filter(meeting=meeting).first()
    url = f"/admin/meetings/outboxmessage/{message.pk}/change/"

    assert admin_client.get(url).status_code == 200
    assert admin_client.post(url, {"to_email": "khac@example.vn"}).status_code == 403
    assert admin_client.get("/admin/meetings/outboxmessage/add/").status_code == 403
    assert admin_client.get(f"/admin/meetings/outboxmessage/{message.pk}/delete/").status_code == 403


def test_the_admin_is_for_staff_only(client, world):
    client.force_login(world.secretary_user)

    response = client.get("/admin/meetings/meeting/")

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _publish_extraordinary(world, days) -> None:
    for day in days:
        meeting = make_meeting(world.cell_a, planned_date=datetime.date(2026, 11, day), kind="extraordinary")
        services.meeting_publish(meeting=meeting, by=world.secretary_user)


@pytest.mark.parametrize("url", ["/admin/meetings/meeting/", "/admin/meetings/outboxmessage/"])
def test_the_lists_make_the_same_queries_whatever_the_number_of_rows(admin_client, world, url):
    # The rows come with their organization in the same query (list_select_related): 2 meetings (6 messages) or 7
    # (21 messages) cost the same queries.
    _publish_extraordinary(world, (4, 18))
    few = _queries(admin_client, url)
    _publish_extraordinary(world, (5, 6, 7, 19, 20))

    assert _queries(admin_client, url) == few
