"""Migration cells 0007: a stored "Hướng dẫn 42-HD/BTCTW (2025)" preset gets the guidance's 90 minutes for a thematic
meeting held on its own, and the findings of its subtree are asked to be computed again."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from cells.models import PendingRefresh, Policy
from cells.presets import PRESETS

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("cells", "0006_policy_calendar_reminder")]
D = datetime.date


def migrate(targets) -> None:
    MigrationExecutor(connection).migrate(targets)


def stored_preset(organization, valid_from, **values) -> Policy:
    """The preset as it was written before the correction (120 minutes for a thematic meeting alone)."""
    preset = PRESETS["hd42-2025"]
    fields = {**preset.values, "min_minutes_thematic": 120, **values}
    return Policy.objects.create(
        organization=organization, valid_from=valid_from, name=preset.name, source=preset.source, **fields
    )


def test_a_stored_hd42_preset_gets_90_minutes_and_its_subtree_is_refreshed(world):
    in_force = stored_preset(world.province, D(2025, 10, 28))
    future = stored_preset(world.commune, D(2027, 3, 1))
    # A committee's own decision to keep 120 for a thematic meeting is its own: not the preset's mistake.
    own = Policy.objects.create(
        organization=world.other_commune,
        valid_from=D(2025, 11, 1),
        name="Quy định của Đảng ủy xã Xuân Lộc",
        source="Quy định 03-QĐ/ĐU ngày 20/10/2025",
        min_minutes_thematic=120,
    )
    PendingRefresh.objects.all().delete()

    migrate(BEFORE)
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    values = dict(Policy.objects.values_list("pk", "min_minutes_thematic"))
    assert values == {in_force.pk: 90, future.pk: 90, own.pk: 120}
    assert Policy.objects.get(pk=in_force.pk).min_minutes_combined == 120  # one session of both: 120 still
    # The findings of the province from the preset's first month are computed again; the future preset has none yet.
    requests = list(PendingRefresh.objects.values_list("organization_id", "cause", "first_month", "last_month"))
    assert requests == [(world.province.pk, "policy", D(2025, 10, 1), None)]
