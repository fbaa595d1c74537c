"""The periods a dashboard reads: a calendar month, quarter or year, as named in its URL (``?ky=thang-2026-03``,
``quy-2026-1``, ``nam-2026``), with the months each covers and the trend's twelve months."""

import datetime
import re
from dataclasses import dataclass
from functools import cached_property

from django.utils.translation import gettext as _

from cells.periods import ROMAN_QUARTERS, add_months, month_start, quarter_of, quarter_start

TREND_MONTHS = 12

MIN_YEAR, MAX_YEAR = 2000, 2100
_PATTERNS = {
    "month": re.compile(r"^thang-(\d{4})-(\d{2})$"),
    "quarter": re.compile(r"^quy-(\d{4})-([1-4])$"),
    "year": re.compile(r"^nam-(\d{4})$"),
}


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
        return sorted({quarter_start(month) for month in self.months})

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
            return _("Quý {quarter} năm {year}").format(quarter=ROMAN_QUARTERS[self.number], year=self.year)
        return _("Năm {year}").format(year=self.year)

    def __str__(self) -> str:
        return self.label


def recent_periods(today: datetime.date) -> dict[str, list[Period]]:
    """What the period picker offers: the last 3 years, 8 quarters and 24 months, newest first."""
    this_month, this_quarter = month_start(today), quarter_start(today)
    return {
        "year": [Period("year", today.year - n) for n in range(3)],
        "quarter": [
            Period("quarter", q.year, quarter_of(q)) for q in (add_months(this_quarter, -3 * n) for n in range(8))
        ],
        "month": [Period("month", m.year, m.month) for m in (add_months(this_month, -n) for n in range(24))],
    }


def month_label(month: datetime.date) -> str:
    return _("tháng {month:02d}/{year}").format(month=month.month, year=month.year)
