"""Calendar months and quarters, and "today", in one place for every app.

Meetings belong to a calendar month, thematic meetings to a quarter, and the findings of a month are judged once it
is over; all of it is read in the project's time zone (Asia/Ho_Chi_Minh). Month arithmetic goes through
``dateutil.relativedelta``, which knows month lengths and leap years, instead of adding days by hand.
"""

import datetime

from dateutil.relativedelta import relativedelta
from django.utils import timezone


def local_today() -> datetime.date:
    """Today in the project's time zone (Asia/Ho_Chi_Minh), whatever time zone a request activated."""
    return timezone.localdate(timezone=timezone.get_default_timezone())


def local_date(moment: datetime.datetime | None) -> datetime.date | None:
    """The date of ``moment`` in the project's time zone (``None`` stays ``None``)."""
    return timezone.localtime(moment, timezone.get_default_timezone()).date() if moment else None


def month_start(day: datetime.date) -> datetime.date:
    """The first day of ``day``'s month."""
    return day.replace(day=1)


def add_months(day: datetime.date, count: int) -> datetime.date:
    """``day`` moved by ``count`` calendar months (negative: back); a day past the new month's end is clamped to it
    (31 January + 1 month = 28 or 29 February)."""
    return day + relativedelta(months=count)


def next_month(month: datetime.date) -> datetime.date:
    """The first day of the month after ``month``'s."""
    return add_months(month_start(month), 1)


def previous_month(month: datetime.date) -> datetime.date:
    """The first day of the month before ``month``'s."""
    return add_months(month_start(month), -1)


def month_end(month: datetime.date) -> datetime.date:
    """The last day of ``month``'s month."""
    return next_month(month) - datetime.timedelta(days=1)


def months_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """The first days of the months from ``first``'s to ``last``'s, both included (empty if ``last`` is earlier)."""
    months, cursor, end = [], month_start(first), month_start(last)
    while cursor <= end:
        months.append(cursor)
        cursor = next_month(cursor)
    return months


# Quarters as Party documents number them ("QUÝ IV NĂM 2023").
ROMAN_QUARTERS = {1: "I", 2: "II", 3: "III", 4: "IV"}


def quarter_of(day: datetime.date) -> int:
    """1 to 4."""
    return (day.month - 1) // 3 + 1


def quarter_start(day: datetime.date) -> datetime.date:
    """The first day of ``day``'s quarter."""
    return day.replace(month=(quarter_of(day) - 1) * 3 + 1, day=1)


def quarter_end(day: datetime.date) -> datetime.date:
    """The last day of ``day``'s quarter."""
    return add_months(quarter_start(day), 3) - datetime.timedelta(days=1)


def is_quarter_last_month(month: datetime.date) -> bool:
    return month.month % 3 == 0
