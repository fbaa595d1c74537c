"""The query parameters the lists share: the organization (a subtree, through the access gate), the period, a
date. A bad value is a 400 with a Vietnamese message; an organization outside the user's reach is a 404."""

import datetime
import re

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError

from cells.models import Organization
from members.access import visible_organizations
from reports.periods import Period

ORGANIZATION = OpenApiParameter(
    "organization",
    OpenApiTypes.INT,
    description="Only this organization and everything below it (its subtree).",
)
PERIOD_TEXT = (
    "A month `2026-11`, a quarter `2026-Q4` or a year `2026` (the dashboard's `thang-2026-11`, `quy-2026-4`, "
    "`nam-2026` are read too)."
)
PERIOD = OpenApiParameter("period", OpenApiTypes.STR, description=PERIOD_TEXT)
# Where the organization and the period are what is asked for (policies, compliance, findings).
THE_ORGANIZATION = OpenApiParameter(
    "organization", OpenApiTypes.INT, required=True, description="The organization (its subtree's cells)."
)
THE_PERIOD = OpenApiParameter("period", OpenApiTypes.STR, required=True, description=PERIOD_TEXT)
DATE = OpenApiParameter("date", OpenApiTypes.DATE, description="A day, `YYYY-MM-DD`; today when omitted.")

_API_PERIOD = re.compile(r"^(\d{4})(?:-(?:(\d{2})|[Qq]([1-4])))?$")


# An id as the database keeps it (a 64-bit integer): more digits are no id at all.
ID = re.compile(r"^[0-9]{1,18}$")


def integer_param(request, name: str) -> int | None:
    value = request.query_params.get(name, "").strip()
    if value == "":
        return None
    if not ID.match(value):
        raise ValidationError({name: [_("Phải là một số nguyên dương.")]})
    return int(value)


def organization_param(request, *, name: str = "organization", required: bool = False, readable=None):
    """The organization named by the parameter, if the user sees it (else 404); ``None`` when omitted.
    ``readable``: a queryset narrower than what the user sees (the organizations they read in full)."""
    pk = integer_param(request, name)
    if pk is None:
        if required:
            raise ValidationError({name: [_("Chọn tổ chức (mã số của tổ chức).")]})
        return None
    queryset = readable if readable is not None else visible_organizations(request.user)
    return get_object_or_404(queryset, pk=pk)


def period_param(request, *, required: bool = False) -> Period | None:
    text = request.query_params.get("period", "").strip()
    if not text:
        if required:
            raise ValidationError({"period": [_("Chọn kỳ: 2026-11 (tháng), 2026-Q4 (quý) hoặc 2026 (năm).")]})
        return None
    period = Period.parse(text)
    match = _API_PERIOD.match(text)
    if period is None and match:
        year, month, quarter = match.groups()
        slug = f"thang-{year}-{month}" if month else f"quy-{year}-{quarter}" if quarter else f"nam-{year}"
        period = Period.parse(slug)
    if period is None:
        raise ValidationError({"period": [_("Kỳ không hợp lệ: viết 2026-11 (tháng), 2026-Q4 (quý) hoặc 2026 (năm).")]})
    return period


def date_param(request, *, default: datetime.date) -> datetime.date:
    text = request.query_params.get("date", "").strip()
    if not text:
        return default
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise ValidationError({"date": [_("Ngày không hợp lệ: viết theo dạng 2026-12-04.")]}) from None


def within(queryset, organization: Organization | None, field: str = "organization"):
    """The rows whose ``field`` (an organization; ``""``: the rows are organizations) lies in ``organization``'s
    subtree; all when ``None``."""
    if organization is None:
        return queryset
    lookup = f"{field}__path__startswith" if field else "path__startswith"
    return queryset.filter(**{lookup: organization.path})
