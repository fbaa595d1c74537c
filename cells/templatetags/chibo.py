"""Template filters used across the apps: Vietnamese names, dates and numbers."""

import datetime

from django import template

from cells import text

register = template.Library()


@register.filter
def vi_name(user) -> str:
    """A user's name the Vietnamese way, family name first ("Nguyễn Thị Hiền"), or the username."""
    full = " ".join(part for part in (user.last_name, user.first_name) if part).strip()
    return full or user.get_username()


@register.filter
def vi_date(value: datetime.date | None) -> str:
    """ "ngày 04 tháng 12 năm 2023", as Party documents print dates."""
    if not value:
        return ""
    return f"ngày {value.day:02d} tháng {value.month:02d} năm {value.year}"


@register.filter
def number(value, places: int = 1) -> str:
    """ "7,5", "1.234": a number the Vietnamese way (``cells.text.format_number``); ``{{ x|number:2 }}``."""
    return text.format_number(value, int(places))
