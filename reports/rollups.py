"""The findings summed per organization and period (``Rollup``), kept in step with the ``CellMonth`` rows.

A dashboard over a province and a year then reads one row for the province and one per child, instead of
aggregating the 60,000 cell-months of 5,000 cells on every request: its cost follows the number of children, not
of cells, and it needs no cache to be fast right after a meeting changed.

How the rows are kept (``refresh``), in the transaction that wrote the ``CellMonth`` rows:

1. the ancestors of the cells are locked, root first (``SELECT … FOR UPDATE`` in path order), so that two refreshes
   under the same root run one after the other and the second sums what the first wrote;
2. each cell's rows for the month, quarter and year of each month written are computed again from its
   ``CellMonth`` rows of those years (one query), for all types ("") and for the cell's type;
3. each ancestor, deepest first, is summed again from its children's rows (one read, one delete, one insert per
   level of the tree).

A single meeting changed costs about a dozen small indexed queries; a month of 5,000 cells, a few seconds.
``rebuild`` computes everything again (``manage.py rebuild_rollups``); ``moved`` follows a subtree that changed
parent.

The figures (the same as ``reports.dashboard.Figures``):

- ``cells``: cells with findings in the period (1 for a cell's row); ``cells_short``: of which with a failing month;
  ``cells_decided``: with a passing or failing month (not only months still running, "not applicable");
- ``passed`` / ``failed``: cell-months passing (no rule failed, regular meeting held) / failing (a rule failed);
- ``held`` / ``due``: cell-months with the regular meeting held / where it was due (held, or missed once over);
- ``present`` / ``expected``: members present at the regular meetings held / expected there;
- ``thematic_pass`` / ``thematic_decided``: cell-quarters with the thematic meetings required (any month of the
  quarter passing) / decided (one of its months passed or failed);
- ``lengths`` / ``speakers``: how many regular meetings had each length in minutes / each number of member speakers;
- ``results``: cell-months per rule and result other than "not applicable" (``{"length.fail": 3}``), from which a
  board reads the share of cell-months passing each rule.
"""

import datetime
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable

from django.db import transaction
from django.db.models import CharField, F, Q, Value
from django.db.models.functions import Concat, Substr

from cells.models import Organization, ancestor_paths
from cells.periods import quarter_start
from reports.models import SUMMED_FIELDS, CellMonth, Result, Rollup

PASS, FAIL = Result.PASS, Result.FAIL
MONTH, QUARTER, YEAR = Rollup.Period.MONTH, Rollup.Period.QUARTER, Rollup.Period.YEAR
COUNTS = Rollup.COUNTS
HISTOGRAMS = Rollup.HISTOGRAMS
RULES = CellMonth.RULE_FIELDS
STEP = Organization.steplen
CHUNK = 500  # ids per query when many cells are refreshed at once
BY_DIFFERENCE = 50  # up to this many cells, ancestors move by the cells' difference; above, they are summed again


def periods_of(month: datetime.date) -> list[tuple[str, datetime.date]]:
    """The month, quarter and year ``month`` belongs to, as (period, first day)."""
    month = month.replace(day=1)
    return [(MONTH, month), (QUARTER, quarter_start(month)), (YEAR, datetime.date(month.year, 1, 1))]


def _period_of(kind: str, month: datetime.date) -> datetime.date:
    if kind == MONTH:
        return month
    if kind == QUARTER:
        return quarter_start(month)
    return datetime.date(month.year, 1, 1)


class Sums:
    """The figures of one rollup row being built."""

    __slots__ = (*COUNTS, *HISTOGRAMS, "results", "_quarters_pass", "_quarters_decided")

    def __init__(self) -> None:
        for name in COUNTS:
            setattr(self, name, 0)
        self.lengths: Counter = Counter()
        self.speakers: Counter = Counter()
        self.results: Counter = Counter()  # "rule.result" -> cell-months
        self._quarters_pass: set = set()
        self._quarters_decided: set = set()

    def add_cell_month(self, row: tuple) -> None:
        """One ``CellMonth`` of the cell whose row this is (see ``_CELL_MONTH_FIELDS``)."""
        month, _cell, _type, all_ok, held, thematic, present, expected, length, speakers = row[:10]
        for rule, result in zip(RULES, row[10:], strict=True):
            if result != Result.NOT_APPLICABLE:
                self.results[f"{rule}.{result}"] += 1
        self.cells = 1
        if not all_ok:
            self.cells_short = self.cells_decided = 1
            self.failed += 1
        elif held == PASS:
            self.cells_decided = 1
            self.passed += 1
        if held == PASS:
            self.held += 1
        if held in (PASS, FAIL):
            self.due += 1
        self.present += present
        self.expected += expected
        quarter = quarter_start(month)
        if thematic == PASS:
            self._quarters_pass.add(quarter)
        if thematic in (PASS, FAIL):
            self._quarters_decided.add(quarter)
        self.thematic_pass = len(self._quarters_pass)
        self.thematic_decided = len(self._quarters_decided)
        if length is not None:
            self.lengths[length] += 1
        if speakers is not None:
            self.speakers[speakers] += 1

    def add_rollup(self, row: dict, sign: int = 1) -> None:
        """A child's row (as read by ``_CHILD_FIELDS``), or with ``sign=-1`` taken away."""
        for name in COUNTS:
            setattr(self, name, getattr(self, name) + sign * row[name])
        for name in HISTOGRAMS:
            histogram = getattr(self, name)
            for value, count in (row[name] or {}).items():
                histogram[int(value)] += sign * count
        for key, count in (row["results"] or {}).items():
            self.results[key] += sign * count

    def add_sums(self, other: "Sums", sign: int = 1) -> None:
        for name in COUNTS:
            setattr(self, name, getattr(self, name) + sign * getattr(other, name))
        for name in HISTOGRAMS:
            histogram = getattr(self, name)
            for value, count in getattr(other, name).items():
                histogram[value] += sign * count
        for key, count in other.results.items():
            self.results[key] += sign * count

    def as_row(self, organization: tuple, cell_type: str, period: str, start: datetime.date) -> Rollup:
        pk, path, depth, is_cell = organization
        return Rollup(
            organization_id=pk,
            path=path,
            depth=depth,
            is_cell=is_cell,
            cell_type=cell_type,
            period=period,
            start=start,
            **{name: getattr(self, name) for name in COUNTS},
            **{
                name: {str(value): count for value, count in sorted(getattr(self, name).items()) if count}
                for name in HISTOGRAMS
            },
            results={key: count for key, count in sorted(self.results.items()) if count},
        )


_CELL_MONTH_FIELDS = ("month", *SUMMED_FIELDS, *RULES)
_CHILD_FIELDS = ("path", "cell_type", "period", "start", *COUNTS, *HISTOGRAMS, "results")


def _chunks(items: list, size: int = CHUNK) -> Iterable[list]:
    for index in range(0, len(items), size):
        yield items[index : index + size]


def _period_filter(periods: set[tuple[str, datetime.date]]) -> Q:
    by_kind = defaultdict(list)
    for kind, start in periods:
        by_kind[kind].append(start)
    query = Q()
    for kind, starts in by_kind.items():
        query |= Q(period=kind, start__in=starts)
    return query


def chain(paths: Iterable[str], *, itself: bool = False) -> set[str]:
    """The paths of the ancestors of ``paths`` (and of the nodes themselves with ``itself``)."""
    return {ancestor for path in paths for ancestor in ancestor_paths(path, itself=itself)}


def lock(paths: Iterable[str]) -> list[tuple]:
    """Lock the organizations at ``paths``, root first (``Organization.objects.lock_paths``: every writer of sums
    and every move of the tree locks this way first). Returns their (id, path, depth, is_cell)."""
    return [
        (pk, path, depth, kind in Organization.CELL_KINDS)
        for pk, path, depth, kind in Organization.objects.lock_paths(paths)
    ]


def _lock_ancestors(paths: Iterable[str]) -> list[tuple]:
    """Lock the ancestors of the paths, root first (see ``lock``). Returns their (id, path, depth, is_cell)."""
    return lock(chain(paths))


def _write(organization_ids: list[int], periods: set, rows: list[Rollup]) -> None:
    """Replace the rows of these organizations for these periods (every cell type): one delete, one insert."""
    where = _period_filter(periods)
    for chunk in _chunks(organization_ids):
        Rollup.objects.filter(where, organization_id__in=chunk).delete()
    Rollup.objects.bulk_create(rows, batch_size=2000)


def _cell_sums(cells: list[tuple], periods: set) -> dict[tuple, Sums]:
    """The cells' own figures for ``periods``, from their ``CellMonth`` rows: one read (per 500 cells). Keyed by
    (cell id, cell type or "", period, start)."""
    years = sorted({start.year for _kind, start in periods})
    month_range = Q()
    for year in years:
        month_range |= Q(month__gte=datetime.date(year, 1, 1), month__lte=datetime.date(year, 12, 1))
    sums: dict[tuple, Sums] = defaultdict(Sums)
    ids = [cell[0] for cell in cells]
    for chunk in _chunks(ids):
        for row in CellMonth.objects.filter(month_range, cell_id__in=chunk).order_by().values_list(*_CELL_MONTH_FIELDS):
            month, cell_id, cell_type = row[0], row[1], row[2]
            for kind in (MONTH, QUARTER, YEAR):
                start = _period_of(kind, month)
                if (kind, start) not in periods:
                    continue
                sums[cell_id, "", kind, start].add_cell_month(row)
                if cell_type:
                    sums[cell_id, cell_type, kind, start].add_cell_month(row)
    return sums


def _refresh_cells(cells: list[tuple], periods: set) -> None:
    """The cells' own rows for ``periods``, replaced: 500 cells at a time, so that a whole tree's rebuild holds a
    bounded number of rows in memory."""
    for chunk in _chunks(cells):
        by_id = {cell[0]: cell for cell in chunk}
        rows = [
            figures.as_row(by_id[cell_id], cell_type, kind, start)
            for (cell_id, cell_type, kind, start), figures in _cell_sums(chunk, periods).items()
        ]
        _write(list(by_id), periods, rows)


def _stored(organization_ids: list[int], periods: set) -> dict[tuple, dict]:
    """The rows of these organizations for these periods, keyed by (organization id, cell type, period, start)."""
    where = _period_filter(periods)
    found = {}
    for chunk in _chunks(organization_ids):
        for row in (
            Rollup.objects.filter(where, organization_id__in=chunk).order_by().values("organization_id", *_CHILD_FIELDS)
        ):
            found[row["organization_id"], row["cell_type"], row["period"], row["start"]] = row
    return found


def _refresh_by_difference(cells: list[tuple], committees: list[tuple], periods: set) -> None:
    """A few cells changed: their rows are computed again, and each ancestor's row moves by the difference between
    the cells' new rows and their old ones (a committee's row is the sum of its children's, so it stays one).
    Reads and writes only the rows of the cells and of their ancestors: a handful of small queries whatever the
    size of the tree. (The locks of ``refresh`` keep the old rows from changing underneath.)"""
    new = _cell_sums(cells, periods)
    committees = [committee for committee in committees if not committee[3]]
    old = _stored([cell[0] for cell in cells] + [committee[0] for committee in committees], periods)
    by_path = {committee[1]: committee for committee in committees}
    changes: dict[tuple, Sums] = defaultdict(Sums)  # (committee id, cell type, period, start) -> difference
    for pk, path, _depth, _is_cell in cells:
        ancestors = [by_path[ancestor] for ancestor in ancestor_paths(path) if ancestor in by_path]
        keys = {key[1:] for key in new if key[0] == pk} | {key[1:] for key in old if key[0] == pk}
        for cell_type, kind, start in keys:
            difference = Sums()
            if (pk, cell_type, kind, start) in new:
                difference.add_sums(new[pk, cell_type, kind, start])
            if (pk, cell_type, kind, start) in old:
                difference.add_rollup(old[pk, cell_type, kind, start], sign=-1)
            for ancestor in ancestors:
                changes[ancestor[0], cell_type, kind, start].add_sums(difference)
    by_id = {cell[0]: cell for cell in cells} | {committee[0]: committee for committee in committees}
    rows = [figures.as_row(by_id[key[0]], *key[1:]) for key, figures in new.items()]
    for key, difference in changes.items():
        figures = Sums()
        if key in old:
            figures.add_rollup(old[key])
        figures.add_sums(difference)
        if (
            any(getattr(figures, name) < 0 for name in COUNTS)
            or any(count < 0 for name in HISTOGRAMS for count in getattr(figures, name).values())
            or any(count < 0 for count in figures.results.values())
        ):
            # Only if a row was ever left wrong: mend these ancestors from their children instead.
            _refresh_cells(cells, periods)
            _refresh_committees(committees, periods)
            return
        rows.append(figures.as_row(by_id[key[0]], *key[1:]))  # dropped below if no cell is left in it
    committee_ids = {committee[0] for committee in committees}
    untouched = [row for key, row in old.items() if key[0] in committee_ids and key not in changes]
    for row in untouched:  # the ancestors' rows of other cell types: written back as they were
        figures = Sums()
        figures.add_rollup(row)
        rows.append(figures.as_row(by_id[row["organization_id"]], row["cell_type"], row["period"], row["start"]))
    _write(list(by_id), periods, [row for row in rows if row.cells > 0])


def _refresh_committees(committees: list[tuple], periods: set) -> None:
    """Each committee summed again from its children's rows, deepest first: per level, one read, one delete, one
    insert. ``committees`` are (id, path, depth, is_cell); cells among them are left alone (their rows come from
    their findings, and the party groups under them have none)."""
    levels = defaultdict(list)
    for organization in committees:
        if not organization[3]:
            levels[organization[2]].append(organization)
    where = _period_filter(periods)
    for depth in sorted(levels, reverse=True):
        parents = {organization[1]: organization for organization in levels[depth]}
        length = depth * STEP
        sums: dict[tuple, Sums] = defaultdict(Sums)
        for chunk in _chunks(sorted(parents)):
            # One indexed range per parent (depth, path prefix): never a scan of every row of the level.
            under = Q()
            for path in chunk:
                under |= Q(path__startswith=path)
            children = Rollup.objects.filter(where, under, depth=depth + 1).order_by().values(*_CHILD_FIELDS)
            for row in children:
                sums[row["path"][:length], row["cell_type"], row["period"], row["start"]].add_rollup(row)
        rows = [
            figures.as_row(parents[path], cell_type, kind, start)
            for (path, cell_type, kind, start), figures in sums.items()
        ]
        _write([organization[0] for organization in parents.values()], periods, rows)


def refresh(
    cells: Iterable[tuple[int, str]], months: Iterable[datetime.date], *, write: Callable[[], object] | None = None
) -> None:
    """Sum again the rows of ``cells`` (``(id, path)`` pairs, the path as the caller read it) and of their ancestors
    for the months, quarters and years of ``months``, in the caller's transaction (or one of its own). ``write``
    (the findings' upsert) runs once the locks are held, so that every writer takes its locks in the same order.

    The ancestors are those of each cell's path today, read under the locks: the path the caller read, and the path
    its sums were stored under, can be older (a move committed since, a move made in the admin's tree editor). Then
    the cell's findings and sums take today's path, and every chain involved is summed again from its children."""
    periods = {period for month in months for period in periods_of(month)}
    given = dict(cells)
    ids = sorted(given)
    if not periods or not ids:
        return
    with transaction.atomic(savepoint=False):
        stored = set(
            Rollup.objects.filter(organization_id__in=ids, is_cell=True)
            .order_by()
            .values_list("organization_id", "path")
            .distinct()
        )
        locked: set[str] = set()
        committees: list[tuple] = []
        today = dict(Organization.objects.filter(pk__in=ids).values_list("id", "path"))
        for _attempt in range(5):
            wanted = chain([*today.values(), *given.values(), *(path for _pk, path in stored)], itself=True)
            committees += lock(wanted - locked)
            locked |= wanted
            # The cells themselves are locked too: found at the paths read above, no move came in between.
            held = {row[0]: row[1] for row in committees if row[0] in today}
            if held == today:
                break
            today = dict(Organization.objects.filter(pk__in=ids).values_list("id", "path"))  # a move committed
        if write is not None:
            write()
        cells = [(pk, path, len(path) // STEP, True) for pk, path in sorted(today.items())]
        drifted = {pk for pk, path in today.items() if given.get(pk) != path} | {
            pk for pk, path in stored if today.get(pk) != path
        }
        for pk in drifted:
            CellMonth.objects.filter(cell_id=pk).exclude(path=today[pk]).update(path=today[pk])
        committees = [committee for committee in committees if not committee[3]]
        if len(cells) <= BY_DIFFERENCE and not drifted:
            _refresh_by_difference(cells, committees, periods)
        else:
            # Many cells (a month for a whole tree, the nightly sweep), or a cell found under another parent than
            # its sums were: every ancestor involved summed again from its children, which also mends any row a
            # past failure left wrong.
            if drifted:
                periods |= set(
                    Rollup.objects.filter(organization_id__in=drifted).order_by().values_list("period", "start")
                )
            _refresh_cells(cells, periods)
            _refresh_committees(committees, periods)


def rebuild(root: Organization | None = None) -> int:
    """Everything again, from the stored findings (of one subtree, or of the whole tree): the cells' rows, then every
    committee of the subtree and above it summed from its children. Returns the rows written for the subtree."""
    findings = CellMonth.objects.order_by()
    organizations = Organization.objects.order_by()
    if root is not None:
        findings = findings.filter(cell__path__startswith=root.path)
        organizations = organizations.filter(path__startswith=root.path)
    months = sorted(set(findings.values_list("month", flat=True).distinct()))
    periods = {period for month in months for period in periods_of(month)}
    cells = [
        (pk, path, len(path) // STEP, True) for pk, path in findings.values_list("cell_id", "cell__path").distinct()
    ]
    stale = Rollup.objects.all() if root is None else Rollup.objects.filter(path__startswith=root.path)
    with transaction.atomic():
        # The subtree's root and what lies above it (every root for the whole tree): no refresh runs under it.
        roots = [root.path] if root is not None else Organization.objects.filter(depth=1).values_list("path", flat=True)
        committees = lock(chain(roots, itself=True))
        committees += [
            (pk, path, depth, kind in Organization.CELL_KINDS)
            for pk, path, depth, kind in organizations.exclude(kind__in=Organization.CELL_KINDS).values_list(
                "id", "path", "depth", "kind"
            )
        ]
        stale.delete()
        if periods:
            _refresh_cells(cells, periods)
            _refresh_committees(committees, periods)
    return stale.count()


def moved(old_path: str, new_path: str) -> None:
    """A subtree moved from ``old_path`` to ``new_path`` (in the caller's transaction, after the tree changed): the
    stored paths and depths of its findings and rows follow it, and its old and new ancestors are summed again for
    every period it has rows for. History moves with the subtree, as its meetings do."""
    if old_path == new_path:
        return
    with transaction.atomic():
        # The old chain's prefixes name no other organization: the tree never reuses a path inside a transaction.
        committees = _lock_ancestors([old_path + "0" * STEP, new_path + "0" * STEP])
        moved_path = Concat(Value(new_path), Substr("path", len(old_path) + 1), output_field=CharField())
        CellMonth.objects.filter(path__startswith=old_path).update(path=moved_path)
        Rollup.objects.filter(path__startswith=old_path).update(
            path=moved_path, depth=F("depth") + (len(new_path) - len(old_path)) // STEP
        )
        periods = set(
            Rollup.objects.filter(path__startswith=new_path, is_cell=True)
            .order_by()
            .values_list("period", "start")
            .distinct()
        )
        if periods:
            _refresh_committees(committees, periods)


def forget(paths: Iterable[str]) -> None:
    """Organizations at ``paths`` were deleted with their subtrees (and their findings and rows): their ancestors
    are summed again, for every period they have rows for."""
    paths = set(paths)
    paths = {path for path in paths if not any(ancestor in paths for ancestor in ancestor_paths(path))}
    if not paths:
        return
    with transaction.atomic():
        committees = _lock_ancestors(paths)
        ids = [committee[0] for committee in committees]
        periods = set(
            Rollup.objects.filter(organization_id__in=ids).order_by().values_list("period", "start").distinct()
        )
        if periods:
            _refresh_committees(committees, periods)


def repair() -> int:
    """Follow the moves made outside ``cells.services`` (the admin's tree editor moves nodes without telling
    anyone): cells whose stored paths differ from their paths today get their findings' paths updated, and the
    trees they left and joined are summed again. Nightly, with the findings sweep. Returns the cells repaired."""
    drifted = list(
        Rollup.objects.filter(is_cell=True)
        .exclude(path=F("organization__path"))
        .order_by()
        .values_list("organization_id", "path", "organization__path")
        .distinct()
    )
    drifted += list(
        CellMonth.objects.exclude(path=F("cell__path"))
        .order_by()
        .values_list("cell_id", "path", "cell__path")
        .distinct()
    )
    if not drifted:
        return 0
    roots = {ancestor_paths(path, itself=True)[0] for _pk, old, new in drifted for path in (old, new)}
    with transaction.atomic():
        for pk, path in {(pk, new) for pk, _old, new in drifted}:
            CellMonth.objects.filter(cell_id=pk).update(path=path)
        for root in Organization.objects.filter(path__in=roots).order_by("path"):
            rebuild(root)
    return len({pk for pk, _old, _new in drifted})
