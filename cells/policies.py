"""Rules as dated data: the built-in defaults (with their legal sources) and the policy in force on a date.

``policy_for(organization, day)`` answers every rule for one organization; ``policies_for(organizations, day)``
answers it for many in one query (the compliance sweep). Each value says where it comes from.
"""

import datetime
from dataclasses import dataclass, field

from cells.models import Organization, Policy

# The rules of ../shared/design.md: value and legal source. These sit at the root of every tree.
DEFAULTS: dict[str, tuple[object, str]] = {
    "min_minutes_regular": (90, "Hướng dẫn 42-HD/BTCTW (2025)"),
    "min_minutes_thematic": (120, "Hướng dẫn 42-HD/BTCTW (2025)"),
    "min_minutes_combined": (120, "Hướng dẫn 42-HD/BTCTW (2025)"),
    "min_member_speakers": (4, "Thực tiễn chi bộ cơ quan UBND xã Xuân Hiệp (bài 000)"),
    "thematic_per_quarter": (1, "Hướng dẫn 12-HD/BTCTW; bài 001, 002"),
    "agenda_lead_days": (1, "Hướng dẫn 42-HD/BTCTW (2025)"),
    "agenda_send_days": (3, "Hướng dẫn 42-HD/BTCTW (2025)"),
    "minutes_approval_days": (7, "Mặc định của hệ thống"),
    "smallest_cell_official": (3, "Điều lệ Đảng, Điều 24"),
    "strike_off_absences": (3, "Quy định 294-QĐ/TW, 8.1"),
    "confirm_over_minutes": (360, "Mặc định của hệ thống"),
    "guests_may_vote": (False, "Điều lệ Đảng, Điều 3"),
}
RULE_FIELDS = tuple(DEFAULTS)
BUILT_IN = "built-in"


@dataclass(frozen=True)
class Source:
    """Where one value comes from: a policy (its name, organization and source), or the built-in defaults."""

    policy_id: int | None
    name: str
    organization: str
    citation: str
    valid_from: datetime.date | None


@dataclass(frozen=True)
class ResolvedPolicy:
    values: dict
    sources: dict = field(default_factory=dict)

    def __getattr__(self, name: str):
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None

    def min_minutes(self, kind: str) -> int:
        return {
            "regular": self.values["min_minutes_regular"],
            "thematic": self.values["min_minutes_thematic"],
            "combined": self.values["min_minutes_combined"],
        }.get(kind, 0)


def _ancestor_paths(path: str) -> list[str]:
    step = Organization.steplen
    return [path[:end] for end in range(step, len(path) + 1, step)]


def _resolve(path: str, day: datetime.date, policies: list[Policy], names: dict[int, str]) -> ResolvedPolicy:
    """Nearest ancestor first; within one organization the latest policy in force on ``day``."""
    in_force = [p for p in policies if p.valid_from <= day and path.startswith(p.organization_path)]
    in_force.sort(key=lambda p: (len(p.organization_path), p.valid_from), reverse=True)
    values, sources = {}, {}
    for name in RULE_FIELDS:
        for policy in in_force:
            value = getattr(policy, name)
            if value is not None:
                values[name] = value
                sources[name] = Source(
                    policy.pk, policy.name, names.get(policy.organization_id, ""), policy.source, policy.valid_from
                )
                break
        else:
            values[name], citation = DEFAULTS[name]
            sources[name] = Source(None, BUILT_IN, "", citation, None)
    return ResolvedPolicy(values=values, sources=sources)


def _load(paths: set[str] | None, day: datetime.date) -> tuple[list[Policy], dict[int, str]]:
    """Policies in force on ``day`` on these organizations (``None``: all of them; the table is small)."""
    queryset = Policy.objects.filter(valid_from__lte=day).select_related("organization")
    if paths is not None:
        queryset = queryset.filter(organization__path__in=paths)
    policies = list(queryset)
    names = {}
    for policy in policies:
        policy.organization_path = policy.organization.path
        names[policy.organization_id] = policy.organization.name
    return policies, names


def policy_for(organization: Organization, day: datetime.date) -> ResolvedPolicy:
    """The rules in force for ``organization`` on ``day``: one query."""
    policies, names = _load(set(_ancestor_paths(organization.path)), day)
    return _resolve(organization.path, day, policies, names)


def policies_for(organizations, day: datetime.date) -> dict[int, ResolvedPolicy]:
    """The rules in force on ``day`` for many organizations: one query whatever their number."""
    organizations = list(organizations)
    policies, names = _load(None, day)
    return {org.pk: _resolve(org.path, day, policies, names) for org in organizations}
