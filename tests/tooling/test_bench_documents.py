"""`bench_documents` at a tiny size: the JSON has every key, the minutes measured are those of 20 present members and
10 speeches, and the report's queries do not grow with the cells. Speed is measured by `make bench`, never here."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections

from tooling.bench_documents import REQUIRED_KEYS

pytestmark = pytest.mark.django_db


def test_the_documents_bench_runs_end_to_end_and_writes_every_key(tmp_path):
    output = tmp_path / "documents.json"

    call_command(
        "bench_documents",
        runs=2,
        report_runs=1,
        report_cells=3,
        members_per_cell=4,
        months=2,
        output=str(output),
        allow_any_database=True,
        stdout=io.StringIO(),
    )

    result = json.loads(output.read_text())
    assert all(isinstance(result[key], int | float) and result[key] > 0 for key in REQUIRED_KEYS)
    assert (result["minutes_attendees"], result["minutes_speeches"]) == (20, 10)
    assert result["plain_pages"] == 1
    assert result["minutes_queries"] <= 20  # the bar: SAPL takes 617 for the same minutes
    assert result["report_cells"] == 3
    assert result["report_queries"] == result["report_queries_commune"]
    assert len(result["minutes_ms_samples"]) == len(result["plain_ms_samples"]) == 2


def test_the_documents_bench_refuses_sqlite_unless_asked(monkeypatch):
    monkeypatch.setattr(connections["default"], "vendor", "sqlite")  # CI runs the suite on PostgreSQL
    with pytest.raises(CommandError, match="PostgreSQL"):
        call_command("bench_documents", stdout=io.StringIO())
