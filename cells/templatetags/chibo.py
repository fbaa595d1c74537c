"""Template filters used across the apps: Vietnamese names and dates."""

import datetime

from django import template

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
