"""Dashboard reads: compliance figures over a subtree and a period, from stored rows only.

Every figure comes from the sums kept per organization and period (``Rollup``, see ``reports.rollups``): Python
sees one row per child organization and month, per cell-month of at most ``HEATMAP_CELLS`` cells, and per failing
cell-month of at most ``SHORTFALL_LIMIT`` cells: never one row per cell-month of a province. A dashboard costs the
same queries for 3 cells or 5,000, and the same right after a meeting changed as on the tenth visit (no cache):

1. the children organizations (not for a cell);
2. the sums of the organization and of its children, for the period and for each month of the trend (with each rule's
   cell-months passing and failing: ``Rollup.results``);
3. one page of the cells of the subtree that fell short most often;
4. one read of stored findings: the cell-months of at most 60 cells, or the failing ones of the worst cells;
5. one page of the cells ranked by their months meeting every rule (not for a cell).

Choices written down here:

- A cell-month is *failing* when a rule failed (``all_ok`` is false); *passing* when no rule failed and the regular
  meeting was held; otherwise *not applicable* (no rule failed and no meeting was due yet, e.g. the running month).
- A cell *meets every rule* in the period when one of its cell-months passed and none failed; a cell whose months
  are all not applicable yet (the running month, before its meeting) is *pending*, counted on neither side.
- Thematic coverage counts cell-quarters: a quarter passes when any of its months passes (the engine's count is
  cumulative within the quarter), and is decided when one of its months passed or failed.
- The trend covers the 12 months ending with the period's last month, whatever the period.
- What a board reads first is the share of cell-months meeting every rule (and each rule's share): a cell meeting
  every rule in every month is kept as one figure, but alone it says little (one short month fails a cell for the
  year, so a province reads 0 of 47).
- Cells are listed in natural order of their names (``cells.text.vi_natural_key``); the paged lists (the ranking, the
  cells that fell short) are ordered in the database and break ties by the tree's order across pages.
"""

import datetime
import json
from dataclasses import dataclass, field

from django.db.models import Case, Q, TextField, Value, When
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from cells.models import Organization
from cells.periods import add_months, local_today, month_start
from cells.text import vi_natural_key
from reports.findings import failed_reasons, findings_in, rule_label, status_of
from reports.models import CellMonth, Result, Rollup
from reports.periods import Period, month_label

PASS, FAIL, NA = Result.PASS, Result.FAIL, Result.NOT_APPLICABLE
HEATMAP_CELLS = 60  # above this many cells the heatmap rows are the children organizations
SHORTFALL_LIMIT = 20  # cells per page of those that fell short
RANKING_PAGE = 20  # cells per page of the ranking by months passed


# --- figures ---------------------------------------------------------------------------------------------------------


@dataclass
class Figures:
    """The headline figures of a group of cells over a period. The counts add up across groups; medians do not."""

    cells: int = 0  # cells with findings in the period
    cells_short: int = 0  # of which with a failing month
    cells_decided: int = 0  # of which with a passing or failing month (not only "not applicable" ones)
    held: int = 0  # cell-months with the regular meeting held
    due: int = 0  # cell-months where it was due (held, or missed once the month was over)
    present: int = 0  # members present at the regular meetings held
    expected: int = 0  # members expected there
    thematic_pass: int = 0  # cell-quarters with the thematic meetings required
    thematic_decided: int = 0  # cell-quarters decided (passed, or failed at the quarter's end)
    passed: int = 0  # cell-months passing every rule
    failed: int = 0  # cell-months failing one
    median_length: float | None = None  # minutes of the regular meetings held
    median_speakers: float | None = None  # distinct member speakers at them

    results: dict = field(default_factory=dict)  # "rule.result" -> cell-months (``Rollup.results``)

    # The sums kept per organization that these figures read as they are.
    ADDITIVE = Rollup.COUNTS

    def add(self, other: "Figures") -> None:
        for name in self.ADDITIVE:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def cells_ok(self) -> int:
        """Cells meeting every rule: a month passed and none failed (a cell whose months are all still running, not
        applicable yet, is not counted either way)."""
        return self.cells_decided - self.cells_short

    @property
    def cells_pending(self) -> int:
        """Cells with findings but nothing decided yet (the running month, before their meeting)."""
        return self.cells - self.cells_decided

    @staticmethod
    def _rate(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    @property
    def ok_rate(self) -> float | None:
        return self._rate(self.cells_ok, self.cells_decided)

    @property
    def months_decided(self) -> int:
        return self.passed + self.failed

    @property
    def months_rate(self) -> float | None:
        """The share of cell-months meeting every rule, among those decided (what a board can follow month by month;
        one short month does not hide a cell's other eleven)."""
        return self._rate(self.passed, self.months_decided)

    @property
    def rule_shares(self) -> list["RuleShare"]:
        """Each rule's cell-months passing and failing it (the rules never decided in the period left out)."""
        shares = [
            RuleShare(rule, self.results.get(f"{rule}.{PASS}", 0), self.results.get(f"{rule}.{FAIL}", 0))
            for rule in CellMonth.RULE_FIELDS
        ]
        return [share for share in shares if share.decided]

    @property
    def held_rate(self) -> float | None:
        return self._rate(self.held, self.due)

    @property
    def attendance_rate(self) -> float | None:
        return self._rate(self.present, self.expected)

    @property
    def thematic_rate(self) -> float | None:
        return self._rate(self.thematic_pass, self.thematic_decided)

    @property
    def is_empty(self) -> bool:
        return self.cells == 0


class PassedShare:
    """Cell-months passed and failed (``passed``, ``failed``): those decided, and the share passed (None if none)."""

    passed: int
    failed: int

    @property
    def decided(self) -> int:
        return self.passed + self.failed

    @property
    def rate(self) -> float | None:
        return self.passed / self.decided if self.decided else None


@dataclass(frozen=True)
class RuleShare(PassedShare):
    """One rule over a group of cell-months: how many passed it, how many failed it."""

    rule: str
    passed: int
    failed: int

    @property
    def label(self) -> str:
        return rule_label(self.rule)


def median_of_counts(counts: dict[int, int]) -> float | None:
    """The median of values given with their multiplicity (as ``percentile_cont(0.5)`` computes it: the mean of the
    two middle values for an even count)."""
    total = sum(counts.values())
    if not total:
        return None
    low, high = (total - 1) // 2, total // 2
    seen, low_value = 0, None
    for value in sorted(counts):
        seen += counts[value]
        if low_value is None and seen > low:
            low_value = value
        if seen > high:
            return (low_value + value) / 2
    return None  # unreachable


# --- the dashboard ---------------------------------------------------------------------------------------------------


@dataclass
class ChildRow:
    organization: Organization
    figures: Figures
    href: str = ""  # the link and the figures as text are added by the view
    texts: dict = field(default_factory=dict)


@dataclass
class Square:
    month: datetime.date
    status: str = ""  # pass, fail, na; "" when there is no row
    share: float | None = None  # children rows: share of passing cells among those decided
    title: str = ""
    meeting_id: int | None = None
    organization_id: int | None = None  # the dashboard to open when there is no meeting
    href: str = ""

    @property
    def share_step(self) -> int:
        """0 to 4 (colour grade of a children row's square)."""
        return min(4, int((self.share or 0) * 5))


@dataclass
class HeatRow:
    organization_id: int | None
    name: str
    code: str
    squares: list[Square]
    href: str = ""


@dataclass
class Heatmap:
    mode: str  # "cells" or "children"
    months: list[datetime.date]
    rows: list[HeatRow]


@dataclass
class TrendPoint:
    month: datetime.date
    held: int = 0
    due: int = 0
    present: int = 0
    expected: int = 0
    passed: int = 0
    failed: int = 0
    results: dict = field(default_factory=dict)  # "rule.result" -> cell-months

    @property
    def attendance_rate(self) -> float | None:
        return self.present / self.expected if self.expected else None

    @property
    def months_rate(self) -> float | None:
        """The share of the month's cells meeting every rule, among those decided."""
        decided = self.passed + self.failed
        return self.passed / decided if decided else None

    def rule_rate(self, rule: str) -> float | None:
        passed, failed = self.results.get(f"{rule}.{PASS}", 0), self.results.get(f"{rule}.{FAIL}", 0)
        return passed / (passed + failed) if passed + failed else None


@dataclass
class MonthRow:
    """One month of a cell's dashboard."""

    month: datetime.date
    status: str
    meeting_id: int | None
    length_minutes: int | None
    length_required: int | None
    speakers_count: int | None
    speakers_required: int | None
    attendance_present: int
    attendance_expected: int
    thematic_count: int
    reasons: list[str]
    href: str = ""


@dataclass
class Shortfall:
    organization_id: int
    name: str
    code: str
    months: list[tuple[datetime.date, int | None, list[str]]]  # month, meeting id, reasons
    href: str = ""
    month_links: list[tuple[str, str, list[str]]] = field(default_factory=list)  # label, meeting url, reasons

    @property
    def failing_months(self) -> int:
        return len(self.months)


@dataclass
class Dashboard:
    organization: Organization
    period: Period
    cell_type: str
    headline: Figures
    children: list[ChildRow]
    heatmap: Heatmap
    trend: list[TrendPoint]
    shortfalls: list[Shortfall]  # one page of them
    short_page: int
    short_pages: int
    ranking: list["RankRow"]  # one page of the cells ranked by months passed
    rank_page: int
    rank_pages: int
    months: list[MonthRow] = field(default_factory=list)
    months_without_data: list[datetime.date] = field(default_factory=list)  # months of the period with no findings

    @property
    def missing_ranges(self) -> list[tuple[datetime.date, datetime.date]]:
        """``months_without_data`` as runs of consecutive months (first, last)."""
        runs: list[list[datetime.date]] = []
        for month in self.months_without_data:
            if runs and add_months(runs[-1][1], 1) == month:
                runs[-1][1] = month
            else:
                runs.append([month, month])
        return [(first, last) for first, last in runs]


def children_of(organization: Organization) -> list[Organization]:
    """The organization's children in natural order of their names (``vi_natural_key``: khu phố 2 before 10)."""
    if organization.is_cell:
        return []
    children = Organization.objects.filter(path__startswith=organization.path, depth=organization.depth + 1).only(
        "id", "path", "depth", "name", "code", "kind", "cell_type"
    )
    return sorted(children, key=lambda child: vi_natural_key(child.name))


MONTH_SUMS = ("passed", "failed", "held", "due", "present", "expected")


@dataclass
class Summary:
    """The aggregates of a subtree over a period: numbers and ids only (names, links and reasons are read live)."""

    headline: Figures
    groups: dict[str, Figures]  # by child path
    months: dict[tuple[str, datetime.date], dict]  # (child path, month) -> MONTH_SUMS, over the period's months
    trend: dict[datetime.date, dict]  # month -> MONTH_SUMS of the whole subtree, over the trend's months
    worst: list[tuple[int, int]]  # (cell id, failing months), most first


def _histogram(text: str | None) -> dict[int, int]:
    return {int(value): count for value, count in json.loads(text or "{}").items()}


def _rollup_figures(row: dict) -> Figures:
    figures = Figures(**{name: row[name] for name in Figures.ADDITIVE})
    figures.results = json.loads(row["results_text"] or "{}")
    figures.median_length = median_of_counts(_histogram(row["lengths_text"]))
    figures.median_speakers = median_of_counts(_histogram(row["speakers_text"]))
    return figures


ROLLUP_FIELDS = ("organization_id", "period", "start", *Rollup.COUNTS)
# The histograms as text: decoded only for the period's rows, not for the hundreds of month rows read with them.
HISTOGRAM_TEXTS = {"lengths_text": Cast("lengths", TextField()), "speakers_text": Cast("speakers", TextField())}


def summarize(
    organization: Organization,
    period: Period,
    cell_type: str = "",
    children: list[Organization] | None = None,
    *,
    short_page: int = 1,
) -> Summary:
    """Two queries whatever the number of cells, from the stored sums (``reports.rollups``): the rows of the
    organization and of its children (``children_of``, read here unless given) for the period and for each month
    of the trend (at most 13 per organization, by the unique index), and one page (``short_page``, of
    ``SHORTFALL_LIMIT``) of the cells of the subtree that fell short most often."""
    if children is None:
        children = children_of(organization)
    kind = _rollup_kind(period)
    when = Q(period=kind, start=period.first_month) | Q(period=Rollup.Period.MONTH, start__in=period.trend_months)
    path_of = {child.pk: child.path for child in children}
    rows = (
        Rollup.objects.filter(when, organization_id__in=[organization.pk, *path_of], cell_type=cell_type)
        .order_by()
        .values(
            *ROLLUP_FIELDS,
            **HISTOGRAM_TEXTS,
            # Each rule's counts: read for the period's rows and the organization's months (the headline, the
            # children's figures, the trend), not for the hundreds of the children's months.
            results_text=Case(
                When(
                    Q(organization_id=organization.pk) | Q(period=kind, start=period.first_month),
                    then=Cast("results", TextField()),
                ),
                default=Value(None),
            ),
        )
    )  # query
    headline, groups, months, trend = Figures(), {}, {}, {}
    for row in rows:
        own = row["organization_id"] == organization.pk
        if row["period"] == kind and row["start"] == period.first_month:
            if own:
                headline = _rollup_figures(row)
            else:
                groups[path_of[row["organization_id"]]] = _rollup_figures(row)
        if row["period"] == Rollup.Period.MONTH:
            sums = {name: row[name] for name in MONTH_SUMS}
            if own:
                sums["results"] = json.loads(row["results_text"] or "{}")
                trend[row["start"]] = sums
            else:
                months[path_of[row["organization_id"]], row["start"]] = sums
    worst = list(
        Rollup.objects.filter(
            period=kind,
            start=period.first_month,
            cell_type=cell_type,
            is_cell=True,
            path__startswith=organization.path,
            organization__path__startswith=organization.path,  # and today (a move in the admin, not yet repaired)
            failed__gt=0,
        )
        .order_by("-failed", "path")
        .values_list("organization_id", "failed")[(short_page - 1) * SHORTFALL_LIMIT : short_page * SHORTFALL_LIMIT]
    )  # query
    return Summary(headline=headline, groups=groups, months=months, trend=trend, worst=worst)


HEAT_FIELDS = (
    "cell_id",
    "cell__name",
    "cell__code",
    "month",
    "meeting_id",
    "all_ok",
    "rules",
    "attendance_present",
    "attendance_expected",
    "length_minutes",
    "length_required",
    "speakers_count",
    "speakers_required",
    "thematic_count",
)


def _cell_square(row: dict) -> Square:
    status = status_of(row)
    label = dict(Result.choices)[status]
    reasons = failed_reasons(row) if status == FAIL else []
    title = _("{cell}, {month}: {result}").format(cell=row["cell__name"], month=month_label(row["month"]), result=label)
    if reasons:
        title += ": " + "; ".join(reasons)
    return Square(
        month=row["month"], status=status, title=title, meeting_id=row["meeting_id"], organization_id=row["cell_id"]
    )


def _empty_square(month: datetime.date, name: str, organization_id: int | None) -> Square:
    title = _("{cell}, {month}: chưa có số liệu").format(cell=name, month=month_label(month))
    return Square(month=month, title=title, organization_id=organization_id)


def _trend(summary: Summary, period: Period) -> list[TrendPoint]:
    return [
        TrendPoint(
            month,
            **{name: summary.trend.get(month, {}).get(name, 0) for name in MONTH_SUMS},
            results=summary.trend.get(month, {}).get("results", {}),
        )
        for month in period.trend_months
    ]


def _children_heatmap(summary: Summary, period: Period, children: list[Organization]) -> Heatmap:
    # Translated once: a province is a hundred rows of twelve squares.
    labels = {month: month_label(month) for month in period.months}
    title, share_text, not_applicable = (
        _("{organization}, {month}: {text}"),
        _("{percent}% chi bộ đạt"),
        _("không áp dụng"),
    )
    no_data = _("{cell}, {month}: chưa có số liệu")
    heat_rows = []
    for child in children:
        if not any((child.path, month) in summary.months for month in period.months):
            continue
        line = []
        for month in period.months:
            sums = summary.months.get((child.path, month))
            if sums is None:
                text = no_data.format(cell=child.name, month=labels[month])
                line.append(Square(month=month, title=text, organization_id=child.pk))
                continue
            decided = sums["passed"] + sums["failed"]
            share = sums["passed"] / decided if decided else None
            if share is None:
                text = not_applicable
            else:
                text = f"{share_text.format(percent=round(share * 100))} ({sums['passed']}/{decided})"
            line.append(
                Square(
                    month=month,
                    status=NA if share is None else "share",
                    share=share,
                    title=title.format(organization=child.name, month=labels[month], text=text),
                    organization_id=child.pk,
                )
            )
        heat_rows.append(HeatRow(child.pk, child.name, child.code, line))
    return Heatmap("children", period.months, heat_rows)


def _cells_heatmap(rows: list[dict], period: Period) -> Heatmap:
    in_period = set(period.months)
    by_cell: dict[int, dict] = {}
    for row in rows:
        if row["month"] in in_period:
            by_cell.setdefault(row["cell_id"], {"row": row, "months": {}})["months"][row["month"]] = row
    heat_rows = []
    for cell_id, item in by_cell.items():
        name = item["row"]["cell__name"]
        squares = [
            _cell_square(item["months"][m]) if m in item["months"] else _empty_square(m, name, cell_id)
            for m in period.months
        ]
        heat_rows.append(HeatRow(cell_id, name, item["row"]["cell__code"], squares))
    heat_rows.sort(key=lambda row: vi_natural_key(row.name))
    return Heatmap("cells", period.months, heat_rows)


def _month_rows(rows: list[dict], period: Period) -> list[MonthRow]:
    in_period = set(period.months)
    return [
        MonthRow(
            month=row["month"],
            status=status_of(row),
            meeting_id=row["meeting_id"],
            length_minutes=row["length_minutes"],
            length_required=row["length_required"],
            speakers_count=row["speakers_count"],
            speakers_required=row["speakers_required"],
            attendance_present=row["attendance_present"],
            attendance_expected=row["attendance_expected"],
            thematic_count=row["thematic_count"],
            reasons=failed_reasons(row),
        )
        for row in rows
        if row["month"] in in_period
    ]


def _shortfalls(rows: list[dict], worst: list[tuple[int, int]], period: Period) -> list[Shortfall]:
    """The failing months (latest first) of the cells that fell short most often, most first."""
    failing = dict(worst)
    in_period = set(period.months)
    items: dict[int, Shortfall] = {}
    for row in sorted(rows, key=lambda row: row["month"], reverse=True):
        if row["cell_id"] not in failing or row["all_ok"] or row["month"] not in in_period:
            continue
        item = items.setdefault(row["cell_id"], Shortfall(row["cell_id"], row["cell__name"], row["cell__code"], []))
        item.months.append((row["month"], row["meeting_id"], failed_reasons(row)))
    return sorted(items.values(), key=lambda item: (-failing[item.organization_id], vi_natural_key(item.name)))


@dataclass
class RankRow(PassedShare):
    """A cell among those of the subtree, ranked by its months meeting every rule in the period."""

    rank: int
    organization_id: int
    name: str
    code: str
    passed: int
    failed: int
    href: str = ""


def _rollup_kind(period: Period) -> str:
    return {"month": Rollup.Period.MONTH, "quarter": Rollup.Period.QUARTER, "year": Rollup.Period.YEAR}[period.kind]


def ranking(organization: Organization, period: Period, cell_type: str = "", page: int = 1) -> list[RankRow]:
    """One page (of ``RANKING_PAGE``) of the subtree's cells ranked by their months meeting every rule in the period,
    most first, then fewest failing; equal cells in tree order across pages, in natural order of their names within
    one. One query on the cells' stored sums, whatever the number of cells (their count is the headline's ``cells``).
    """
    first = (page - 1) * RANKING_PAGE
    rows = list(
        Rollup.objects.filter(
            period=_rollup_kind(period),
            start=period.first_month,
            cell_type=cell_type,
            is_cell=True,
            path__startswith=organization.path,
            organization__path__startswith=organization.path,
        )
        .order_by("-passed", "failed", "path")
        .values_list("organization_id", "organization__name", "organization__code", "passed", "failed")[
            first : first + RANKING_PAGE
        ]
    )  # query
    rows.sort(key=lambda row: (-row[3], row[4], vi_natural_key(row[1])))
    return [RankRow(first + index + 1, *row) for index, row in enumerate(rows)]


def pages(total: int, size: int) -> int:
    return max(1, -(-total // size))


def dashboard(
    organization: Organization, period: Period, cell_type: str = "", *, short_page: int = 1, rank_page: int = 1
) -> Dashboard:
    """Everything the dashboard page shows, whatever the number of cells: the children (not for a cell), the
    summary (two queries: see ``summarize``), and one query of stored findings: every
    cell-month of the trend's months when the subtree has at most ``HEATMAP_CELLS`` cells (at most 720 rows: the
    heatmap's squares, a cell's months, the reasons), else the failing cell-months of the cells that fell short
    most often (at most ``SHORTFALL_LIMIT`` × 12 rows)."""
    children = children_of(organization)
    summary = summarize(organization, period, cell_type, children, short_page=short_page)
    headline = summary.headline
    worst_ids = [cell_id for cell_id, _n in summary.worst]
    few = headline.cells <= HEATMAP_CELLS or organization.is_cell
    fields = (*HEAT_FIELDS, *CellMonth.RULE_FIELDS)
    if few:
        rows = list(
            findings_in(organization, period.trend_months, cell_type).values(*fields).order_by("cell__path", "month")
        )
        heatmap = _cells_heatmap(rows, period)
    else:
        rows = list(
            findings_in(organization, period.months, cell_type)
            .filter(all_ok=False, cell_id__in=worst_ids)
            .values(*fields)
        )
        heatmap = _children_heatmap(summary, period, children)
    short = _shortfalls(rows, summary.worst, period)
    ranked = [] if organization.is_cell else ranking(organization, period, cell_type, rank_page)
    child_rows = [
        ChildRow(child, summary.groups.get(child.path, Figures()))
        for child in children
        # A cell of another type than the one filtered has nothing to show.
        if not (cell_type and child.is_cell and child.cell_type != cell_type)
    ]
    return Dashboard(
        organization=organization,
        period=period,
        cell_type=cell_type,
        headline=headline,
        children=child_rows,
        heatmap=heatmap,
        trend=_trend(summary, period),
        shortfalls=short,
        short_page=short_page,
        short_pages=pages(headline.cells_short, SHORTFALL_LIMIT),
        ranking=ranked,
        rank_page=rank_page,
        rank_pages=pages(headline.cells, RANKING_PAGE),
        months=_month_rows(rows, period) if organization.is_cell else [],
        # Months already begun with no findings at all (an empty period says so on its own).
        months_without_data=[]
        if headline.is_empty
        else [m for m in period.months if m not in summary.trend and m <= month_start(local_today())],
    )
