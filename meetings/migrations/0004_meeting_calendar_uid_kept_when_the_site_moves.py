"""Each meeting keeps its calendar UID in a column, so that it no longer follows the site's address.

Until now the UID was computed as ``meeting-<pk>@<host of SITE_URL>``: a site that moved (or a ``make run`` on
another port) sent updates and cancellations that members' calendars did not match with the event they had. An
existing meeting keeps the UID its members already have: the one in its latest mailed invite (the outbox keeps each
invite's text), else the one computed from the site's address today (its "add to calendar" file). A new meeting gets
a UUID.
"""

import re
from urllib.parse import urlsplit

from django.conf import settings
from django.db import migrations, models
from django.db.models import OuterRef, Subquery

import meetings.models

BATCH = 2000


def uid_in(ics: str) -> str:
    """The UID of an iCalendar text ("" when it has none); lines unfolded as RFC 5545 folds them."""
    for line in re.sub(r"\r?\n[ \t]", "", ics or "").splitlines():
        if line.startswith("UID:"):
            return line[len("UID:") :].strip()
    return ""


def keep_the_uids_members_have(apps, schema_editor):
    Meeting = apps.get_model("meetings", "Meeting")
    OutboxMessage = apps.get_model("meetings", "OutboxMessage")
    host = urlsplit(settings.SITE_URL).hostname or "chibo.local"
    latest_invite = (
        OutboxMessage.objects.filter(meeting=OuterRef("pk")).exclude(ics="").order_by("-created_at", "-pk").values("ics")
    )
    meetings_ = (
        Meeting.objects.filter(calendar_uid__isnull=True)
        .annotate(sent_ics=Subquery(latest_invite[:1]))
        .only("pk")
        .order_by("pk")
    )
    batch = []
    for meeting in meetings_.iterator(chunk_size=BATCH):
        meeting.calendar_uid = uid_in(meeting.sent_ics) or f"meeting-{meeting.pk}@{host}"
        batch.append(meeting)
        if len(batch) == BATCH:
            Meeting.objects.bulk_update(batch, ["calendar_uid"])
            batch = []
    Meeting.objects.bulk_update(batch, ["calendar_uid"])


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0003_long_meeting_label"),
    ]

    operations = [
        migrations.AddField(
            model_name="meeting",
            name="calendar_uid",
            field=models.CharField(
                editable=False,
                help_text="UID của lịch .ics, không đổi suốt đời buổi sinh hoạt.",
                max_length=255,
                null=True,
                verbose_name="mã lịch (UID)",
            ),
        ),
        migrations.RunPython(keep_the_uids_members_have, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="meeting",
            name="calendar_uid",
            field=models.CharField(
                default=meetings.models.new_calendar_uid,
                editable=False,
                help_text="UID của lịch .ics, không đổi suốt đời buổi sinh hoạt.",
                max_length=255,
                unique=True,
                verbose_name="mã lịch (UID)",
            ),
        ),
    ]
