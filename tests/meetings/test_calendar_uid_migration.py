"""Migration meetings 0004: a meeting planned before it keeps the calendar UID its members already have."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from meetings.models import Meeting, OutboxMessage
from tests.factories import make_meeting

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("meetings", "0003_long_meeting_label")]
SENT_ICS = (
    "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:meeting-{pk}@chibo.old-host.example.vn\r\n"
    "SEQUENCE:1\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


def migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)


def test_existing_meetings_keep_the_uid_they_were_mailed_with_or_had_by_the_sites_address(world, settings):
    settings.SITE_URL = "https://chibo.example.vn:8443"
    mailed = make_meeting(world.cell_a, planned_date=datetime.date(2026, 11, 4))
    never_mailed = make_meeting(world.cell_b, planned_date=datetime.date(2026, 11, 4))
    # Two invites went out, the older from a site under another name: the latest one is what updates must match.
    for sequence, ics in enumerate(["UID:meeting-0@older.example.vn\r\n", SENT_ICS.format(pk=mailed.pk)]):
        OutboxMessage.objects.create(
            key=f"agenda:{mailed.pk}:{sequence}:hai@example.vn",
            kind="agenda",
            meeting=mailed,
            to_email="hai@example.vn",
            subject="Thông báo",
            body_text="…",
            ics=ics,
        )
    OutboxMessage.objects.filter(ics__startswith="UID:meeting-0@").update(
        created_at=datetime.datetime(2026, 10, 1, tzinfo=datetime.UTC)
    )

    migrate(BEFORE)
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    uids = dict(Meeting.objects.values_list("pk", "calendar_uid"))
    assert uids == {
        mailed.pk: f"meeting-{mailed.pk}@chibo.old-host.example.vn",
        never_mailed.pk: f"meeting-{never_mailed.pk}@chibo.example.vn",
    }
    new = make_meeting(world.cell_a, kind="thematic", topic="Chuyển đổi số", planned_date=datetime.date(2026, 11, 18))
    assert new.calendar_uid not in uids.values() and len(new.calendar_uid) == 36
