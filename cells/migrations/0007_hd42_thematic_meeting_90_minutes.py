"""The preset "Hướng dẫn 42-HD/BTCTW (2025)" stored 120 minutes for a thematic meeting held on its own; the guidance
sets 90 for every cell meeting and 120 only for a thematic and a regular meeting held in one session. Policies loaded
from that preset (its name and source, 120 for a thematic meeting) get the guidance's 90, and the findings of their
subtrees are asked to be computed again from the policy's first month (a ``PendingRefresh`` of cause "policy": the
sweep does it within minutes, the worker sooner). A policy a committee typed itself, under another name or source, is
its own decision and is left as it is."""

import datetime
import zoneinfo

from django.conf import settings
from django.db import migrations

PRESET_NAME = "Hướng dẫn 42-HD/BTCTW (2025)"
PRESET_SOURCE = "Hướng dẫn số 42-HD/BTCTW ngày 28/10/2025"


def _current_month() -> datetime.date:
    today = datetime.datetime.now(zoneinfo.ZoneInfo(settings.TIME_ZONE)).date()
    return today.replace(day=1)


def forwards(apps, schema_editor):
    Policy = apps.get_model("cells", "Policy")
    PendingRefresh = apps.get_model("cells", "PendingRefresh")
    current = _current_month()
    stored = Policy.objects.filter(name=PRESET_NAME, source__startswith=PRESET_SOURCE, min_minutes_thematic=120)
    for policy in stored.order_by("pk"):
        policy.min_minutes_thematic = 90
        policy.save(update_fields=["min_minutes_thematic"])
        first = policy.valid_from.replace(day=1)
        if first <= current:  # a policy not yet in force changes no finding
            PendingRefresh.objects.create(organization_id=policy.organization_id, cause="policy", first_month=first)


class Migration(migrations.Migration):
    dependencies = [
        ("cells", "0006_policy_calendar_reminder"),
    ]

    operations = [
        # Backwards: nothing to undo (120 was a mistake, not a choice to restore).
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
