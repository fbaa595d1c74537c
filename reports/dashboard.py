"""Dashboard reads: compliance figures over a subtree and a period, from stored rows only.

Every figure comes from the sums kept per organization and period (``Rollup``, see ``reports.rollups``): Python
sees one row per child organization and month, per cell-month of at most ``HEATMAP_CELLS`` cells, and per failing
cell-month of at most ``SHORTFALL_LIMIT`` cells: never one row per cell-month of a province. A dashboard costs the
same queries for 3 cells or 5,000, and the same right after a meeting changed as on the tenth visit (no cache):

1. the children organizations (not for a cell);
2. the sums of the organization and of its children, for the period and for each month of the trend;
3. the cells of the subtree that fell short most often in the period;
4. one read of stored findings: the cell-months of at most 60 cells, or the failing ones of the worst cells.

Choices written down here:

- A cell-month is *failing* when a rule failed (``all_ok`` is false); *passing* when no rule failed and the regular
  meeting was held; otherwise *not applicable* (no rule failed and no meeting was due yet, e.g. the running month).
- A cell *meets every rule* in the period when one of its cell-months passed and none failed; a cell whose months
  are all not applicable yet (the running month, before its meeting) is *pending*, counted on neither side.
- Thematic coverage counts cell-quarters: a quarter passes when any of its months passes (the engine's count is
  cumulative within the quarter), and is decided when one of its months passed or failed.
- The trend covers the 12 months ending with the period's last month, whatever the period.
"""

import dataclasses
import datetime
import json
import re
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Sum,
    TextField,
    Value,
    When,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cells.models import Organization
from cells.policies import SYSTEM_DEFAULT
from reports.compliance import RULE_LABELS, Finding, findings
from reports.models import CellMonth, Result, Rollup

PASS, FAIL, NA = Result.PASS, Result.FAIL, Result.NOT_APPLICABLE
HEATMAP_CELLS = 60  # above this many cells the heatmap rows are the children organizations
SHORTFALL_LIMIT = 20  # cells listed among those that fell short; the rest are counted
TREND_MONTHS = 12


# --- the period ------------------------------------------------------------------------------------------------------

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
MIN_YEAR, MAX_YEAR = 2000, 2100
_PATTERNS = {
    "month": re.compile(r"^thang-(\d{4})-(\d{2})$"),
    "quarter": re.compile(r"^quy-(\d{4})-([1-4])$"),
    "year": re.compile(r"^nam-(\d{4})$"),
}


def add_months(month: datetime.date, count: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + count
    return datetime.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    """A calendar month, quarter or year: ``kind`` is "month", "quarter" or "year"; ``number`` the month (1 to 12) or
    the quarter (1 to 4), 0 for a year. In the URL (``?ky=``): ``thang-2026-03``, ``quy-2026-1``, ``nam-2026``."""

    kind: str
    year: int
    number: int = 0

    @classmethod
    def parse(cls, text: str) -> "Period | None":
        """The period named by ``text``, or ``None`` if it names none."""
        for kind, pattern in _PATTERNS.items():
            match = pattern.match(text or "")
            if not match:
                continue
            year = int(match.group(1))
            number = int(match.group(2)) if kind != "year" else 0
            if not MIN_YEAR <= year <= MAX_YEAR or (kind == "month" and not 1 <= number <= 12):
                return None
            return cls(kind, year, number)
        return None

    @classmethod
    def default(cls, today: datetime.date) -> "Period":
        return cls("year", today.year)

    @property
    def first_month(self) -> datetime.date:
        if self.kind == "month":
            return datetime.date(self.year, self.number, 1)
        if self.kind == "quarter":
            return datetime.date(self.year, 3 * self.number - 2, 1)
        return datetime.date(self.year, 1, 1)

    @cached_property
    def months(self) -> list[datetime.date]:
        count = {"month": 1, "quarter": 3, "year": 12}[self.kind]
        return [add_months(self.first_month, n) for n in range(count)]

    @property
    def last_month(self) -> datetime.date:
        return self.months[-1]

    @cached_property
    def quarter_starts(self) -> list[datetime.date]:
        return sorted({month.replace(month=(month.month - 1) // 3 * 3 + 1) for month in self.months})

    @cached_property
    def trend_months(self) -> list[datetime.date]:
        """The 12 months ending with the period's last month."""
        return [add_months(self.last_month, n) for n in range(1 - TREND_MONTHS, 1)]

    @property
    def slug(self) -> str:
        if self.kind == "month":
            return f"thang-{self.year}-{self.number:02d}"
        if self.kind == "quarter":
            return f"quy-{self.year}-{self.number}"
        return f"nam-{self.year}"

    @property
    def label(self) -> str:
        if self.kind == "month":
            return _("Tháng {month:02d} năm {year}").format(month=self.number, year=self.year)
        if self.kind == "quarter":
            return _("Quý {quarter} năm {year}").format(quarter=ROMAN[self.number], year=self.year)
        return _("Năm {year}").format(year=self.year)

    def __str__(self) -> str:
        return self.label


def recent_periods(today: datetime.date) -> dict[str, list[Period]]:
    """What the period picker offers: the last 3 years, 8 quarters and 24 months, newest first."""
    this_month = today.replace(day=1)
    quarter = (today.month - 1) // 3 + 1
    quarters = []
    year = today.year
    for _n in range(8):
        quarters.append(Period("quarter", year, quarter))
        quarter, year = (quarter - 1, year) if quarter > 1 else (4, year - 1)
    return {
        "year": [Period("year", today.year - n) for n in range(3)],
        "quarter": quarters,
        "month": [Period("month", m.year, m.month) for m in (add_months(this_month, -n) for n in range(24))],
    }


def month_label(month: datetime.date) -> str:
    return _("tháng {month:02d}/{year}").format(month=month.month, year=month.year)


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
    median_length: float | None = None  # minutes of the regular meetings held
    median_speakers: float | None = None  # distinct member speakers at them

    ADDITIVE = (
        "cells",
        "cells_short",
        "cells_decided",
        "held",
        "due",
        "present",
        "expected",
        "thematic_pass",
        "thematic_decided",
    )

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


def findings_in(organization: Organization, months: list[datetime.date], cell_type: str = "") -> QuerySet[CellMonth]:
    """The stored findings of the subtree over these consecutive months, of one cell type or all.

    The stored ``path`` (the cell's path when the row was computed, indexed; a move updates it) selects the rows;
    the cell's path today must lie in the subtree too, so that a row whose path was left behind by a change made
    outside the services (the admin's tree editor) never shows another subtree's history."""
    queryset = CellMonth.objects.filter(
        path__startswith=organization.path,
        cell__path__startswith=organization.path,
        month__gte=months[0],
        month__lte=months[-1],
    ).order_by()
    if cell_type:
        queryset = queryset.filter(cell_type=cell_type)
    return queryset


# --- reasons ---------------------------------------------------------------------------------------------------------


def reason(rule: str, data: dict | None) -> str:
    """A failed rule with its measured and required values, e.g. "Thời lượng 75/90 phút"."""
    data = data or {}
    measured, required = data.get("measured"), data.get("required")
    known = measured is not None and required is not None
    if rule == "regular_held":
        return _("Không sinh hoạt định kỳ")
    if rule == "length" and known:
        return _("Thời lượng {measured}/{required} phút").format(measured=measured, required=required)
    if rule == "speakers" and known:
        return _("Phát biểu {measured}/{required} đảng viên").format(measured=measured, required=required)
    if rule == "attendance" and known:
        return _("Có mặt {measured}/{required} đảng viên chính thức (cần quá nửa)").format(
            measured=measured, required=required
        )
    if rule == "resolution":
        if measured is None:
            return _("Nghị quyết không thông qua hợp lệ")
        return _("Nghị quyết {measured}/{required} phiếu tán thành").format(measured=measured, required=required)
    if rule == "agenda_on_time":
        if measured is None:
            return _("Không gửi chương trình")
        return _("Gửi chương trình trước {measured}/{required} ngày").format(measured=measured, required=required)
    if rule == "minutes_on_time":
        if measured is None:
            return _("Chưa duyệt biên bản (hạn {required} ngày)").format(required=required)
        return _("Duyệt biên bản sau {measured} ngày (hạn {required} ngày)").format(
            measured=measured, required=required
        )
    if rule == "thematic" and known:
        return _("Chuyên đề {measured}/{required} buổi trong quý").format(measured=measured, required=required)
    if rule == "cell_size" and known:
        return _("Đảng viên chính thức {measured}/{required}").format(measured=measured, required=required)
    return str(RULE_LABELS.get(rule, rule))


def rule_label(rule: str) -> str:
    return str(RULE_LABELS.get(rule, rule))


@dataclass(frozen=True)
class FindingRow:
    """One rule of a cell-month as the meeting page shows it: the stored finding (result, values, the policy and
    legal source of the required value) and its measured-against-required text."""

    finding: Finding
    measure: str


def measure(rule: str, measured, required) -> str:
    """A rule's measured value against its required one, e.g. "75/90 phút"; "—" when nothing was measured."""
    if rule == "regular_held":
        return ""
    if measured is None and required is None:
        return "—"
    shown = "—" if measured is None else measured
    if rule == "length":
        return _("{measured}/{required} phút").format(measured=shown, required=required)
    if rule in ("speakers", "cell_size"):
        return _("{measured}/{required} đảng viên").format(measured=shown, required=required)
    count = measured if isinstance(measured, int) else 0
    if rule == "attendance":
        # ``required`` is already the quorum: more than half of the counted official members.
        return _("{measured} đảng viên chính thức có mặt, cần ít nhất {required} (quá nửa)").format(
            measured=shown, required=required
        )
    if rule == "resolution":
        return _("{measured}/{required} phiếu tán thành").format(measured=shown, required=required)
    if rule == "agenda_on_time":
        return ngettext(
            "gửi trước {measured} ngày, cần {required}", "gửi trước {measured} ngày, cần {required}", count
        ).format(measured=shown, required=required)
    if rule == "minutes_on_time":
        return ngettext(
            "duyệt sau {measured} ngày, hạn {required}", "duyệt sau {measured} ngày, hạn {required}", count
        ).format(measured=shown, required=required)
    if rule == "thematic":
        return ngettext(
            "{measured}/{required} buổi trong quý", "{measured}/{required} buổi trong quý", required or 0
        ).format(measured=shown, required=required)
    return f"{shown}/{required}"


def finding_rows(row: CellMonth) -> list[FindingRow]:
    """Every rule of one stored cell-month, in the order of ``CellMonth.RULE_FIELDS`` (no query)."""
    system_default = _("Mặc định của hệ thống")
    rows = []
    for item in findings(row):
        if item.citation == SYSTEM_DEFAULT:  # a default without a legal text: stored as its name, shown translated
            item = dataclasses.replace(item, citation=system_default)
        rows.append(FindingRow(item, measure(item.rule, item.measured, item.required)))
    return rows


def status_of(row: dict) -> str:
    """ "pass", "fail" or "na" for a cell-month (see the module's docstring)."""
    if not row["all_ok"]:
        return FAIL
    return PASS if row["regular_held"] == PASS else NA


def failed_reasons(row: dict) -> list[str]:
    rules = row.get("rules") or {}
    return [reason(rule, rules.get(rule)) for rule in CellMonth.RULE_FIELDS if row.get(rule) == FAIL]


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

    @property
    def attendance_rate(self) -> float | None:
        return self.present / self.expected if self.expected else None


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
    shortfalls: list[Shortfall]
    shortfalls_more: int
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
    if organization.is_cell:
        return []
    return list(
        Organization.objects.filter(path__startswith=organization.path, depth=organization.depth + 1).only(
            "id", "path", "depth", "name", "code", "kind", "cell_type"
        )
    )


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
    figures.median_length = median_of_counts(_histogram(row["lengths_text"]))
    figures.median_speakers = median_of_counts(_histogram(row["speakers_text"]))
    return figures


ROLLUP_FIELDS = ("organization_id", "period", "start", *Figures.ADDITIVE, *MONTH_SUMS)
# The histograms as text: decoded only for the period's rows, not for the hundreds of month rows read with them.
HISTOGRAM_TEXTS = {"lengths_text": Cast("lengths", TextField()), "speakers_text": Cast("speakers", TextField())}


def summarize(
    organization: Organization, period: Period, cell_type: str = "", children: list[Organization] | None = None
) -> Summary:
    """Two queries whatever the number of cells, from the stored sums (``reports.rollups``): the rows of the
    organization and of its children (``children_of``, read here unless given) for the period and for each month
    of the trend (at most 13 per organization, by the unique index), and the cells of the subtree that fell short
    most often."""
    if children is None:
        children = children_of(organization)
    kind = {"month": Rollup.Period.MONTH, "quarter": Rollup.Period.QUARTER, "year": Rollup.Period.YEAR}[period.kind]
    when = Q(period=kind, start=period.first_month) | Q(period=Rollup.Period.MONTH, start__in=period.trend_months)
    path_of = {child.pk: child.path for child in children}
    rows = (
        Rollup.objects.filter(when, organization_id__in=[organization.pk, *path_of], cell_type=cell_type)
        .order_by()
        .values(*ROLLUP_FIELDS, **HISTOGRAM_TEXTS)
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
        .order_by("-failed", "organization_id")
        .values_list("organization_id", "failed")[:SHORTFALL_LIMIT]
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
            **{name: summary.trend.get(month, {}).get(name, 0) for name in ("held", "due", "present", "expected")},
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
    return sorted(items.values(), key=lambda item: (-failing[item.organization_id], item.name))


def dashboard(organization: Organization, period: Period, cell_type: str = "") -> Dashboard:
    """Everything the dashboard page shows, whatever the number of cells: the children (not for a cell), the
    summary (two queries: see ``summarize``), and one query of stored findings: every
    cell-month of the trend's months when the subtree has at most ``HEATMAP_CELLS`` cells (at most 720 rows: the
    heatmap's squares, a cell's months, the reasons), else the failing cell-months of the cells that fell short
    most often (at most ``SHORTFALL_LIMIT`` × 12 rows)."""
    children = children_of(organization)
    summary = summarize(organization, period, cell_type, children)
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
        shortfalls_more=max(0, headline.cells_short - len(short)),
        months=_month_rows(rows, period) if organization.is_cell else [],
        # Months already begun with no findings at all (an empty period says so on its own).
        months_without_data=[]
        if headline.is_empty
        else [m for m in period.months if m not in summary.trend and m <= timezone.localdate().replace(day=1)],
    )


# --- exports ---------------------------------------------------------------------------------------------------------


def _quarter_key(period: Period) -> ExpressionWrapper:
    """An integer naming a cell-quarter of the period (the period lies within one calendar year)."""
    starts = period.quarter_starts
    quarter = Case(
        *[When(month__gte=start, then=Value(index)) for index, start in reversed(list(enumerate(starts)))],
        default=Value(0),
    )
    return ExpressionWrapper(F("cell_id") * 10 + quarter, output_field=BigIntegerField())


def cell_figures(organization: Organization, period: Period, cell_type: str = "") -> QuerySet:
    """One row per cell of the subtree: its figures over the period and its failing months per rule (one query)."""
    key = _quarter_key(period)
    failing = {f"fail_{rule}": Count("pk", filter=Q(**{rule: FAIL})) for rule in CellMonth.RULE_FIELDS}
    return (
        findings_in(organization, period.months, cell_type)
        .values("cell_id", "cell__code", "cell__name", "cell__cell_type", "cell__path")
        .annotate(
            months=Count("pk"),
            months_short=Count("pk", filter=Q(all_ok=False)),
            months_decided=Count("pk", filter=Q(all_ok=False) | Q(regular_held=PASS)),
            held=Count("pk", filter=Q(regular_held=PASS)),
            due=Count("pk", filter=Q(regular_held__in=(PASS, FAIL))),
            present=Sum("attendance_present", default=0),
            expected=Sum("attendance_expected", default=0),
            thematic_pass=Count(Case(When(thematic=PASS, then=key)), distinct=True),
            thematic_decided=Count(Case(When(thematic__in=(PASS, FAIL), then=key)), distinct=True),
            **failing,
        )
        .order_by("cell__path")
    )


MONTH_FIELDS = (
    "cell__code",
    "cell__name",
    "cell_type",
    "month",
    "all_ok",
    "meeting__planned_date",
    "attendance_present",
    "attendance_expected",
    "attendance_excused",
    "attendance_absent",
)


def month_findings(organization: Organization, period: Period, cell_type: str = "") -> QuerySet:
    """Every cell-month of the subtree over the period in tree order, with each rule's result, its measured and
    required values and the policy and legal source of the required one (``m_<rule>``, ``r_<rule>``, ``p_<rule>``,
    ``s_<rule>``, taken out of ``rules`` by the database, as text): one query, to be read with ``.iterator()``."""
    values = {}
    for rule in CellMonth.RULE_FIELDS:
        # As text (->>): nothing to decode in Python for each of the 60,000 rows of a province's year.
        values[f"m_{rule}"] = KT(f"rules__{rule}__measured")
        values[f"r_{rule}"] = KT(f"rules__{rule}__required")
        values[f"p_{rule}"] = KT(f"rules__{rule}__policy")
        values[f"s_{rule}"] = KT(f"rules__{rule}__citation")
    return (
        findings_in(organization, period.months, cell_type)
        .values("cell_id", *MONTH_FIELDS, *CellMonth.RULE_FIELDS, **values)
        .order_by("cell__path", "month")
    )


def month_results(organization: Organization, period: Period, cell_type: str = "") -> QuerySet:
    """Every cell-month of the subtree over the period in tree order, with what ``status_of`` needs: one query, to be
    read with ``.iterator()`` (the cells × months sheet)."""
    return (
        findings_in(organization, period.months, cell_type)
        .values("cell_id", "cell__code", "cell__name", "month", "all_ok", "regular_held")
        .order_by("cell__path", "month")
    )
