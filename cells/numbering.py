"""The period in which an organization's documents are numbered from 01: its committee's term (nhiệm kỳ), the rule
of Hướng dẫn 36-HD/VPTW, or the calendar year where a committee chose so (``Organization.document_numbering``)."""

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _

from cells.models import Organization, Term

TERM, YEAR = "term", "year"
# The Party's five-year terms (Đại hội XIII 2021, XIV 2026; cells and communes hold their congresses in the year
# before): 2020–2025, 2025–2030, … An organization that records its own congress dates (``Term``) uses those.
DEFAULT_TERM_FIRST_YEAR = 2020
DEFAULT_TERM_YEARS = 5


@dataclass(frozen=True)
class NumberingPeriod:
    """Documents dated from ``start`` (inclusive) to ``end`` (exclusive; ``None``: open) share one sequence."""

    start: datetime.date
    end: datetime.date | None
    label: str


def numbering_scheme(organization: Organization) -> str:
    """The nearest choice on the organization's chain (itself first, then its ancestors); the term by default."""
    chain = {
        row["path"]: row["document_numbering"]
        for row in Organization.objects.filter(path__in=organization.ancestor_paths(itself=True)).values(
            "path", "document_numbering"
        )
    }
    for path in reversed(organization.ancestor_paths(itself=True)):
        if chain.get(path):
            return chain[path]
    return TERM


def default_term(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The Party's five-year term around ``day``: 1 January 2025 to 1 January 2030 for a day of 2026."""
    first = DEFAULT_TERM_FIRST_YEAR + (day.year - DEFAULT_TERM_FIRST_YEAR) // DEFAULT_TERM_YEARS * DEFAULT_TERM_YEARS
    return datetime.date(first, 1, 1), datetime.date(first + DEFAULT_TERM_YEARS, 1, 1)


def numbering_period(organization: Organization, day: datetime.date) -> NumberingPeriod:
    """The period of ``organization``'s documents dated ``day``."""
    if numbering_scheme(organization) == YEAR:
        return NumberingPeriod(
            datetime.date(day.year, 1, 1), datetime.date(day.year + 1, 1, 1), _("năm {year}").format(year=day.year)
        )
    terms = list(Term.objects.filter(organization=organization).order_by("starts_on").values("name", "starts_on"))
    current = [term for term in terms if term["starts_on"] <= day]
    later = [term["starts_on"] for term in terms if term["starts_on"] > day]
    if current:
        term = current[-1]
        return NumberingPeriod(term["starts_on"], later[0] if later else None, _("nhiệm kỳ {name}").format(**term))
    start, end = default_term(day)
    if later:  # before the first recorded congress: the default term, ended by it
        end = min(end, later[0])
    return NumberingPeriod(
        start, end, _("nhiệm kỳ {first}–{last}").format(first=start.year, last=start.year + DEFAULT_TERM_YEARS)
    )
