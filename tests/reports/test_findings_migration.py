"""Migrations cells 0007 and reports 0008 on a database in use: a stored Hướng dẫn 42 preset gets 90 minutes for a
thematic meeting held on its own, and every stored finding is computed again, so that a 110-minute thematic meeting
of 18/11/2025 passes and the 4-speaker shortfall of a month stops counting against its cell."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from cells.models import PendingRefresh, Policy
from cells.presets import PRESETS
from reports.compliance import compute_month
from reports.models import CellMonth
from reports.refresh import refresh_pending
from tests.reports.compliance_helpers import Tree, hold, local, travel

pytestmark = pytest.mark.django_db(transaction=True)

NOV = datetime.date(2025, 11, 1)


def migrate(targets) -> None:
    MigrationExecutor(connection).migrate(targets)


def test_stored_findings_are_computed_again_with_the_corrected_preset_and_advice():
    tree = Tree()
    preset = PRESETS["hd42-2025"]
    Policy.objects.create(  # as the preset was stored before: 120 for a thematic meeting alone
        organization=tree.province,
        valid_from=datetime.date(2025, 10, 28),
        name=preset.name,
        source=preset.source,
        **{**preset.values, "min_minutes_thematic": 120},
    )
    cell = tree.cell(official=6)
    hold(cell, datetime.date(2025, 11, 4), minutes=95, speakers=3, approved=local(2025, 11, 5))
    hold(cell, datetime.date(2025, 11, 18), kind="thematic", minutes=110)
    with travel(local(2025, 12, 2)):
        compute_month(NOV)
    CellMonth.objects.filter(cell=cell, month=NOV).update(speakers="fail", all_ok=False)  # as stored before advice
    PendingRefresh.objects.all().delete()

    migrate([("reports", "0007_pending_refresh_moved_to_cells"), ("cells", "0006_policy_calendar_reminder")])
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    assert PendingRefresh.objects.filter(organization=tree.province, cause="policy").exists()
    refresh_pending()

    row = CellMonth.objects.get(cell=cell, month=NOV)
    assert (row.thematic_length, row.rules["thematic_length"]["measured"], row.length_required) == ("pass", 110, 90)
    assert row.rules["thematic_length"]["required"] == 90
    assert (row.speakers, row.all_ok, row.thematic, row.thematic_count) == ("adv", True, "pass", 1)
    assert not PendingRefresh.objects.exists()
