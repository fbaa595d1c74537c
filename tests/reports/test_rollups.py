"""The sums the dashboards read (``reports.rollups``) always equal the stored findings they sum: after each row
written, a month written for many cells at once, a cell type changed, a subtree moved or deleted, and a rebuild."""

import datetime
import random
from collections import Counter

import pytest

from cells.models import Organization
from cells.services import organization_move
from reports import rollups
from reports.dashboard import MONTH_SUMS, Figures, median_of_counts, summarize
from reports.models import CellMonth, Result, Rollup
from reports.periods import Period
from tests.factories import make_cell, make_org
from tests.reports.test_dashboard import build_finding, finding

pytestmark = pytest.mark.django_db

PASS, FAIL, NA = Result.PASS, Result.FAIL, Result.NOT_APPLICABLE
MONTHS = [datetime.date(2025, 11, 1), datetime.date(2025, 12, 1)] + [datetime.date(2026, m, 1) for m in range(1, 13)]
PERIODS = [Period("year", 2026), Period("year", 2025), Period("quarter", 2026, 1), Period("month", 2026, 2)]


def expected(organization: Organization, period: Period, cell_type: str = "") -> tuple[Figures, dict]:
    """The figures straight from the ``CellMonth`` rows, by the definitions of ``reports.dashboard`` (Python loops,
    nothing shared with the code under test): the headline, and per month of the trend its ``MONTH_SUMS``."""
    rows = [
        row
        for row in CellMonth.objects.filter(cell__path__startswith=organization.path).select_related("cell")
        if not cell_type or row.cell_type == cell_type
    ]
    in_period = [row for row in rows if row.month in period.months]
    figures = Figures()
    figures.cells = len({row.cell_id for row in in_period})
    figures.cells_short = len({row.cell_id for row in in_period if not row.all_ok})
    figures.cells_decided = len({row.cell_id for row in in_period if not row.all_ok or row.regular_held == PASS})
    figures.held = sum(row.regular_held == PASS for row in in_period)
    figures.due = sum(row.regular_held in (PASS, FAIL) for row in in_period)
    figures.present = sum(row.attendance_present for row in in_period)
    figures.expected = sum(row.attendance_expected for row in in_period)
    quarter = lambda row: (row.cell_id, (row.month.month - 1) // 3)  # noqa: E731
    figures.thematic_pass = len({quarter(row) for row in in_period if row.thematic == PASS})
    figures.thematic_decided = len({quarter(row) for row in in_period if row.thematic in (PASS, FAIL)})
    figures.passed = sum(row.all_ok and row.regular_held == PASS for row in in_period)
    figures.failed = sum(not row.all_ok for row in in_period)
    figures.results = results_of(in_period)
    figures.median_length = median_of_counts(
        Counter(r.length_minutes for r in in_period if r.length_minutes is not None)
    )
    figures.median_speakers = median_of_counts(
        Counter(r.speakers_count for r in in_period if r.speakers_count is not None)
    )
    trend = {}
    for month in period.trend_months:
        of_month = [row for row in rows if row.month == month]
        if of_month:
            trend[month] = {
                "passed": sum(row.all_ok and row.regular_held == PASS for row in of_month),
                "failed": sum(not row.all_ok for row in of_month),
                "held": sum(row.regular_held == PASS for row in of_month),
                "due": sum(row.regular_held in (PASS, FAIL) for row in of_month),
                "present": sum(row.attendance_present for row in of_month),
                "expected": sum(row.attendance_expected for row in of_month),
                "results": results_of(of_month),
            }
    return figures, trend


def results_of(rows) -> dict:
    """Cell-months per rule and result ("length.fail"), "not applicable" left out."""
    counts = Counter(
        f"{rule}.{getattr(row, rule)}" for row in rows for rule in CellMonth.RULE_FIELDS if getattr(row, rule) != NA
    )
    return dict(counts)


def assert_sums_match(organizations, cell_types=("", "agency", "residential")):
    for organization in organizations:
        organization.refresh_from_db()
        for period in PERIODS:
            for cell_type in cell_types:
                want, want_trend = expected(organization, period, cell_type)
                got = summarize(organization, period, cell_type)
                where = f"{organization.name}, {period.slug}, type {cell_type or 'all'}"
                assert got.headline == want, where
                assert got.trend == want_trend, where


def random_finding(rng: random.Random, cell, month):
    fail = rng.sample(["length", "speakers", "regular_held", "minutes_on_time", "thematic"], rng.choice([0, 0, 1, 2]))
    na = ["regular_held"] if "regular_held" not in fail and rng.random() < 0.1 else []
    values = {
        "length_minutes": rng.choice([60, 90, 95, 120]),
        "speakers_count": rng.randint(2, 9),
        "attendance_present": rng.randint(3, 12),
        "attendance_expected": 12,
    }
    if rng.random() < 0.3 and "thematic" not in fail:
        values["thematic"] = PASS
    return build_finding(cell, month, fail=fail, na=na, **values)


@pytest.fixture
def forest(world):
    """Province > two communes (and a sub-committee under the first) > eleven cells of two types, with random
    findings over fourteen months written the way ``reports.compliance`` writes them (a month of many cells at
    once, then one cell-month at a time)."""
    rng = random.Random(20261129)
    sub = make_org(world.commune, name="Đảng bộ bộ phận thôn", code="SUB", kind="sub_committee")
    cells = [world.cell_a, world.cell_b]
    for n in range(9):
        parent = [world.commune, world.other_commune, sub][n % 3]
        cells.append(make_cell(parent, code=f"R{n}", cell_type="agency" if n % 4 == 0 else "residential"))
    for month in MONTHS:
        rows = [random_finding(rng, cell, month) for cell in cells if rng.random() < 0.9]
        CellMonth.objects.bulk_create(rows)
        rollups.refresh({(row.cell_id, row.path) for row in rows}, [month])
    for _ in range(10):  # later corrections, one cell-month at a time
        cell, month = rng.choice(cells), rng.choice(MONTHS)
        finding(cell, month, **{"fail": ["speakers"], "speakers_count": rng.randint(0, 3)})
    world.sub, world.cells = sub, cells
    return world


def test_the_sums_equal_the_findings_for_every_committee_period_and_type(forest):
    assert_sums_match([forest.province, forest.commune, forest.other_commune, forest.sub, forest.cells[3]])


def test_each_childs_sums_are_given_with_the_parents(forest):
    summary = summarize(forest.province, Period("year", 2026))

    for child in (forest.commune, forest.other_commune):
        want, _trend = expected(child, Period("year", 2026))
        assert summary.groups[child.path] == want
    assert summary.headline.cells == sum(figures.cells for figures in summary.groups.values())


def test_the_children_months_feed_the_heatmap(forest):
    period = Period("quarter", 2026, 1)
    summary = summarize(forest.province, period)

    for month in period.months:
        _want, trend = expected(forest.commune, Period("month", month.year, month.month))
        assert summary.months[forest.commune.path, month] == {name: trend[month][name] for name in MONTH_SUMS}
        assert summary.trend[month]["results"] == expected(forest.province, period)[1][month]["results"]


def test_the_cells_that_fell_short_most_often_come_first(forest):
    worst = summarize(forest.province, Period("year", 2026)).worst

    failing = Counter(
        CellMonth.objects.filter(all_ok=False, month__year=2026).values_list("cell_id", flat=True)
    ).most_common()
    assert [n for _cell, n in worst] == [n for _cell, n in failing]
    assert all(dict(failing)[cell] == n for cell, n in worst)


def test_a_cell_that_changed_type_counts_in_each_type_for_its_own_months(forest):
    cell = forest.cells[4]  # residential
    Organization.objects.filter(pk=cell.pk).update(cell_type="agency")
    cell.refresh_from_db()
    finding(cell, datetime.date(2026, 6, 1))

    assert_sums_match([forest.province], cell_types=("", "agency", "residential"))


def test_a_moved_subtree_takes_its_sums_from_the_old_parent_to_the_new(forest):
    organization_move(organization=forest.sub, new_parent=forest.other_commune, on=datetime.date(2026, 6, 1))

    assert_sums_match([forest.province, forest.commune, forest.other_commune, forest.sub], cell_types=("",))
    forest.sub.refresh_from_db()
    assert set(CellMonth.objects.filter(cell__path__startswith=forest.sub.path).values_list("path", flat=True)) == set(
        Organization.objects.filter(path__startswith=forest.sub.path, findings__isnull=False).values_list(
            "path", flat=True
        )
    )


def test_a_moved_cell_takes_its_history_along(forest):
    cell = forest.cells[2]  # under the first commune
    before = summarize(forest.commune, Period("year", 2026)).headline.cells

    organization_move(organization=cell, new_parent=forest.other_commune, on=datetime.date(2026, 6, 1))

    assert summarize(forest.commune, Period("year", 2026)).headline.cells == before - 1
    assert_sums_match([forest.province, forest.commune, forest.other_commune], cell_types=("",))


def test_a_deleted_subtree_leaves_its_ancestors_sums(forest, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        Organization.objects.get(pk=forest.sub.pk).delete()

    assert_sums_match([forest.province, forest.commune], cell_types=("",))


def test_a_rebuild_writes_the_same_rows_as_the_incremental_refreshes(forest):
    columns = ("organization_id", "cell_type", "period", "start", *rollups.COUNTS, "lengths", "speakers", "results")
    before = sorted(Rollup.objects.values_list(*columns))

    written = rollups.rebuild()

    assert sorted(Rollup.objects.values_list(*columns)) == before
    assert written == len(before)


def test_an_organization_without_findings_has_empty_figures(world):
    empty = summarize(world.province, Period("year", 2026))

    assert empty.headline == Figures() and empty.groups == {} and empty.worst == []


def test_the_nightly_repair_follows_a_move_made_outside_the_services(forest):
    """The admin's tree editor moves nodes with treebeard alone: nobody is told until the nightly sweep."""
    cell = Organization.objects.get(pk=forest.cells[2].pk)
    Organization.objects.move(cell, Organization.objects.get(pk=forest.other_commune.pk), pos="last-child")
    commune, other = expected(forest.commune, Period("year", 2026))[0], expected(forest.other_commune, PERIODS[0])[0]
    assert summarize(forest.commune, Period("year", 2026)).headline != commune  # stale until repaired

    assert rollups.repair() == 1

    assert summarize(forest.commune, Period("year", 2026)).headline == commune
    assert summarize(forest.other_commune, Period("year", 2026)).headline == other
    assert_sums_match([forest.province], cell_types=("",))
    assert rollups.repair() == 0


def test_the_rebuild_command_sums_one_subtree_again(forest):
    from io import StringIO

    from django.core.management import call_command

    Rollup.objects.filter(path__startswith=forest.commune.path).delete()
    out = StringIO()

    call_command("rebuild_rollups", "--organization", forest.province.code, stdout=out)

    assert "dòng tổng hợp" in out.getvalue()
    assert_sums_match([forest.province, forest.commune], cell_types=("",))


def test_many_cells_at_once_are_summed_again_from_the_children_with_the_same_result(forest, monkeypatch):
    """Above ``BY_DIFFERENCE`` cells (a month of a whole tree), ancestors are summed from their children instead of
    moved by a difference: the same rows either way."""
    columns = ("organization_id", "cell_type", "period", "start", *rollups.COUNTS, "lengths", "speakers", "results")
    before = sorted(Rollup.objects.values_list(*columns))
    monkeypatch.setattr(rollups, "BY_DIFFERENCE", 0)

    rollups.refresh([(cell.pk, cell.path) for cell in forest.cells], MONTHS)

    assert sorted(Rollup.objects.values_list(*columns)) == before


def test_a_wrong_ancestor_row_is_mended_instead_of_going_negative(forest):
    """Should a committee's row ever be left wrong (too low), taking a cell's old row away from it would go below
    zero: its ancestors are summed from their children instead. (Rows wrong the other way are mended by the nightly
    sweep, which sums every ancestor again.)"""
    year = datetime.date(2026, 1, 1)
    Rollup.objects.filter(organization=forest.commune, period="y", start=year).update(cells=0, held=0, present=0)
    CellMonth.objects.filter(cell=forest.cell_a, month__year=2026).delete()

    rollups.refresh([(forest.cell_a.pk, forest.cell_a.path)], [month for month in MONTHS if month.year == 2026])

    assert_sums_match([forest.commune, forest.province], cell_types=("",))


def test_a_cell_moved_in_the_admin_and_computed_again_before_the_nightly_repair_leaves_no_wrong_sum(forest):
    """The refresh finds the cell's sums stored under another parent than today's: both chains are summed again."""
    from reports.compliance import _store

    cell = Organization.objects.get(pk=forest.cells[2].pk)  # under the first commune
    Organization.objects.move(cell, Organization.objects.get(pk=forest.other_commune.pk), pos="last-child")
    cell.refresh_from_db()

    _store([build_finding(cell, datetime.date(2026, 3, 1), fail=["regular_held"])])

    assert_sums_match([forest.province, forest.commune, forest.other_commune], cell_types=("",))
    assert set(CellMonth.objects.filter(cell=cell).values_list("path", flat=True)) == {cell.path}
    assert set(Rollup.objects.filter(organization=cell).values_list("path", flat=True)) == {cell.path}


def test_findings_computed_before_a_move_and_stored_after_it_land_under_the_new_parent(forest):
    """A refresh reads the cell's path, a move commits, the refresh stores: the path of today wins."""
    from reports.compliance import _store

    cell = forest.cells[2]
    row = build_finding(cell, datetime.date(2026, 3, 1), fail=["regular_held"])  # carries the old path
    organization_move(organization=cell, new_parent=forest.other_commune, on=datetime.date(2026, 3, 15))

    _store([row])

    assert_sums_match([forest.province, forest.commune, forest.other_commune], cell_types=("",))
    cell.refresh_from_db()
    assert CellMonth.objects.get(cell=cell, month=datetime.date(2026, 3, 1)).path == cell.path
    assert cell.pk not in dict(summarize(forest.commune, Period("year", 2026)).worst)
