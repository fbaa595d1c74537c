"""What the exports read (``reports.exports``): the stored findings of a subtree over a period, per cell with its
figures and failing months, and per cell-month with every rule's values and sources. One query each, to be read with
``.iterator()``: a province's year is 60,000 cell-months, never held whole in memory."""

from django.db.models import BigIntegerField, Case, Count, ExpressionWrapper, F, Q, QuerySet, Sum, Value, When
from django.db.models.fields.json import KT

from cells.models import Organization
from reports.findings import FAIL, PASS, findings_in
from reports.models import CellMonth
from reports.periods import Period


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
