"""Rules as dated data: the built-in defaults (with their legal sources) and the policy in force on a date.

How a value is found for an organization on a day:

1. On each organization of its chain (itself, then its parent, up to the root), the policy *in force* is the one with
   the latest ``valid_from`` on or before the day. A later policy of the same organization replaces the earlier one
   whole; policies dated after the day do not apply yet.
2. For each rule, the nearest of those policies that gives it a value wins (a value left empty is inherited).
3. A rule no policy gives comes from ``DEFAULTS`` (design.md), each with its own legal source.

``policy_for(organization, day)`` answers every rule for one organization in one query; ``policies_for(organizations,
day)`` answers it for many in one query (the compliance sweep). Each value says where it comes from (``sources``).
Writes (``policy_create``, ``policy_update``) check the values and never touch a policy already in force.
"""

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy

from cells.models import Organization, Policy, ancestor_paths
from cells.text import vi_date

# The documents the defaults cite (design.md, "Rules"). The source articles are named by their titles.
HD42 = "Hướng dẫn 42-HD/BTCTW (2025)"
ARTICLE_000 = "Bài “Chi bộ cơ quan UBND xã Xuân Hiệp thực hiện nâng cao chất lượng sinh hoạt chi bộ”"
ARTICLE_001 = "Bài “Đảng bộ phường Đoàn Kết: tiếp tục nâng cao chất lượng sinh hoạt chi bộ”"
ARTICLE_002 = "Bài “Huyện Đầm Dơi: giải pháp nâng cao chất lượng sinh hoạt chi bộ và sinh hoạt chuyên đề”"
HD12 = "Hướng dẫn 12-HD/BTCTW (2018)"
SYSTEM_DEFAULT = "Mặc định của hệ thống"

# The rules of design.md: value and legal source. These sit at the root of every tree.
# (Each one's kind of source, regulation or recommendation, is ``DEFAULT_KINDS`` below.)
DEFAULTS: dict[str, tuple[object, str]] = {
    "min_minutes_regular": (90, f"{HD42}; {ARTICLE_000}"),
    "min_minutes_thematic": (120, ARTICLE_000),
    "min_minutes_combined": (120, HD42),
    "min_member_speakers": (4, ARTICLE_000),
    "thematic_per_quarter": (1, f"{HD12}; {ARTICLE_001}; {ARTICLE_002}"),
    "agenda_lead_days": (1, f"{ARTICLE_000}; {HD42}"),
    "agenda_send_days": (3, HD42),
    "reminder_minutes": (60, SYSTEM_DEFAULT),
    "minutes_approval_days": (7, SYSTEM_DEFAULT),
    "smallest_cell_official": (3, "Điều lệ Đảng, Điều 24"),
    "strike_off_absences": (3, "Quy định 294-QĐ/TW, 8.1"),
    "confirm_over_minutes": (360, SYSTEM_DEFAULT),
    "guests_may_vote": (False, "Điều lệ Đảng, Điều 3"),
    # Seed 002 asks for a report after each visit; no text sets the days.
    "visit_report_days": (7, SYSTEM_DEFAULT),
    # Reminders (issue 13): no text sets when; a committee changes them on its policy.
    "plan_reminder_days": (5, SYSTEM_DEFAULT),
    "quarter_reminder_weeks": (3, SYSTEM_DEFAULT),
}
RULE_FIELDS = tuple(DEFAULTS)
BUILT_IN = "built-in"


class SourceKind(models.TextChoices):
    """What kind of text a rule's value comes from, which decides whether a cell falls short when it does not meet it.

    - ``REGULATION``: a legal text of the Party (the Statute, a regulation, a Central guidance): binding.
    - ``ADOPTED``: a committee's own policy on an organization (whatever it cites): the committee decided it, binding
      in its subtree.
    - ``LOCAL``: the practice of one cell or locality described in an article (seeds 000 to 002): a recommendation.
    - ``SYSTEM``: a default of this app with no text behind it: a recommendation.

    A rule not met whose value is a recommendation reads as advice (``meetings.rules.Result.ADVICE``), not as a
    failure, and does not count against the cell; once a committee puts the same value in its policy, it binds."""

    REGULATION = "regulation", gettext_lazy("Văn bản quy định")
    ADOPTED = "adopted", gettext_lazy("Quy định của cấp ủy")
    LOCAL = "local", gettext_lazy("Khuyến nghị theo kinh nghiệm địa phương")
    SYSTEM = "system", gettext_lazy("Khuyến nghị của hệ thống")


BINDING_KINDS = (SourceKind.REGULATION, SourceKind.ADOPTED)

# The kind of each default's source: a regulation where one of its citations is a legal text (Hướng dẫn 42, the
# Statute, Quy định 294), else the articles' local practice or the app's own default.
DEFAULT_KINDS: dict[str, str] = {
    "min_minutes_regular": SourceKind.REGULATION,
    "min_minutes_thematic": SourceKind.LOCAL,  # 120: the practice of the cell in seed 000
    "min_minutes_combined": SourceKind.REGULATION,
    "min_member_speakers": SourceKind.LOCAL,  # 4: one agency cell's practice (seed 000)
    # Hướng dẫn 12-HD/BTCTW (2018) on the quality of cell meetings: a thematic meeting at least once a quarter (the
    # articles of seeds 001 and 002 report cells keeping it).
    "thematic_per_quarter": SourceKind.REGULATION,
    "agenda_lead_days": SourceKind.REGULATION,
    "agenda_send_days": SourceKind.REGULATION,
    "reminder_minutes": SourceKind.SYSTEM,
    "minutes_approval_days": SourceKind.SYSTEM,
    "smallest_cell_official": SourceKind.REGULATION,
    "strike_off_absences": SourceKind.REGULATION,
    "confirm_over_minutes": SourceKind.SYSTEM,
    "guests_may_vote": SourceKind.REGULATION,
    "visit_report_days": SourceKind.SYSTEM,
    "plan_reminder_days": SourceKind.SYSTEM,
    "quarter_reminder_weeks": SourceKind.SYSTEM,
}


@dataclass(frozen=True)
class RuleSpec:
    """How a rule is entered and shown: its unit, the value with its unit (plural forms: "%(n)s phút"), and the
    allowed range (``None`` for a yes/no rule)."""

    unit: str = ""
    count: str = ""
    minimum: int | None = None
    maximum: int | None = None

    @property
    def is_flag(self) -> bool:
        return self.minimum is None


MINUTES = gettext_lazy("phút")
DAYS = gettext_lazy("ngày")
N_MINUTES = ngettext_lazy("%(n)s phút", "%(n)s phút", "n")
N_DAYS = ngettext_lazy("%(n)s ngày", "%(n)s ngày", "n")
SPEC: dict[str, RuleSpec] = {
    "min_minutes_regular": RuleSpec(MINUTES, N_MINUTES, 1, 600),
    "min_minutes_thematic": RuleSpec(MINUTES, N_MINUTES, 1, 600),
    "min_minutes_combined": RuleSpec(MINUTES, N_MINUTES, 1, 600),
    "min_member_speakers": RuleSpec(
        gettext_lazy("đảng viên"), ngettext_lazy("%(n)s đảng viên", "%(n)s đảng viên", "n"), 1, 100
    ),
    "thematic_per_quarter": RuleSpec(gettext_lazy("buổi"), ngettext_lazy("%(n)s buổi", "%(n)s buổi", "n"), 0, 12),
    "agenda_lead_days": RuleSpec(DAYS, N_DAYS, 0, 60),
    "agenda_send_days": RuleSpec(DAYS, N_DAYS, 0, 60),
    # From five minutes to a week before the start.
    "reminder_minutes": RuleSpec(MINUTES, N_MINUTES, 5, 7 * 24 * 60),
    "minutes_approval_days": RuleSpec(DAYS, N_DAYS, 1, 90),
    "smallest_cell_official": RuleSpec(
        gettext_lazy("đảng viên chính thức"),
        ngettext_lazy("%(n)s đảng viên chính thức", "%(n)s đảng viên chính thức", "n"),
        1,
        100,
    ),
    "strike_off_absences": RuleSpec(gettext_lazy("tháng"), ngettext_lazy("%(n)s tháng", "%(n)s tháng", "n"), 1, 12),
    "confirm_over_minutes": RuleSpec(MINUTES, N_MINUTES, 60, 1440),
    "guests_may_vote": RuleSpec(),
    "visit_report_days": RuleSpec(DAYS, N_DAYS, 1, 90),
    "plan_reminder_days": RuleSpec(DAYS, N_DAYS, 1, 27),
    "quarter_reminder_weeks": RuleSpec(gettext_lazy("tuần"), ngettext_lazy("%(n)s tuần", "%(n)s tuần", "n"), 1, 12),
}


def rule_label(name: str) -> str:
    """The rule's name as the model labels it ("thời lượng tối thiểu sinh hoạt định kỳ (phút)")."""
    return str(Policy._meta.get_field(name).verbose_name)


def format_value(name: str, value) -> str:
    """A value as people read it: "90 phút", "Có"."""
    if value is None:
        return ""
    if SPEC[name].is_flag:
        return _("Có") if value else _("Không")
    return SPEC[name].count % {"n": value}


@dataclass(frozen=True)
class Source:
    """Where one value comes from: a policy (its name, organization and source), or the built-in defaults."""

    policy_id: int | None
    name: str
    organization: str
    citation: str
    valid_from: datetime.date | None
    url: str = ""
    organization_id: int | None = None
    # ``SourceKind``: a policy's value is its committee's decision (adopted); a default has the kind of its text.
    kind: str = SourceKind.ADOPTED

    @property
    def is_default(self) -> bool:
        return self.policy_id is None

    @property
    def binding(self) -> bool:
        """A value not met is a failure (a regulation, or a committee's policy), not advice."""
        return is_binding(self.kind)

    def get_kind_display(self) -> str:
        return str(SourceKind(self.kind).label)


def is_binding(kind: str | None) -> bool:
    """Whether a source of this kind binds; a finding stored before kinds were recorded (no kind) did."""
    return kind is None or kind in BINDING_KINDS


@dataclass(frozen=True)
class ResolvedPolicy:
    """Every rule's value for one organization on one day (``values``), and where each comes from (``sources``).

    ``in_force`` lists the policies that were consulted: the one in force on each organization of the chain,
    nearest first. Rules are also attributes: ``resolved.min_member_speakers``.
    """

    values: dict
    sources: dict = field(default_factory=dict)
    day: datetime.date | None = None
    in_force: tuple = ()

    def __getattr__(self, name: str):
        # Only rule names: anything else (``values`` itself while unpickling, dunder lookups) is a plain miss.
        if name in RULE_FIELDS and "values" in self.__dict__:
            return self.values[name]
        raise AttributeError(name)

    def min_minutes(self, kind: str) -> int:
        """The least length of a meeting of this kind (``Meeting.Kind`` value); 0 when the rules set none."""
        return self.min_minutes_by_kind().get(kind, 0)

    def min_minutes_by_kind(self) -> dict[str, int]:
        return {
            "regular": self.values["min_minutes_regular"],
            "thematic": self.values["min_minutes_thematic"],
            "combined": self.values["min_minutes_combined"],
            "extraordinary": 0,
        }

    def citations(self, names: Iterable[str] = RULE_FIELDS) -> str:
        """The distinct citations behind these rules, in order ("Hướng dẫn 42-HD/BTCTW (2025); …")."""
        seen: list[str] = []
        for name in names:
            for part in self.sources[name].citation.split("; "):
                if part and part not in seen:
                    seen.append(part)
        return "; ".join(seen)


def _ancestor_paths(path: str) -> list[str]:
    """The chain of the node at ``path``: its ancestors and itself, root first."""
    return ancestor_paths(path, itself=True)


def _source(policy: Policy) -> Source:
    organization = policy.organization
    return Source(
        policy.pk, policy.name, organization.name, policy.source, policy.valid_from, policy.source_url, organization.pk
    )


_DEFAULT_SOURCES = {
    name: Source(None, BUILT_IN, "", citation, None, kind=DEFAULT_KINDS[name])
    for name, (_value, citation) in DEFAULTS.items()
}


class PolicyIndex:
    """Policies by organization path, newest first, with one ``Source`` per policy: resolving thousands of
    organizations walks each one's few ancestors instead of every policy. ``resolve`` answers any day the loaded
    policies cover, without a query."""

    def __init__(self, policies: Iterable[Policy]):
        self.by_path: dict[str, list[Policy]] = {}
        for policy in sorted(policies, key=lambda p: p.valid_from, reverse=True):
            self.by_path.setdefault(policy.organization.path, []).append(policy)
        self.sources: dict[int, Source] = {}

    def source(self, policy: Policy) -> Source:
        if policy.pk not in self.sources:
            self.sources[policy.pk] = _source(policy)
        return self.sources[policy.pk]

    def resolve(self, organization: Organization, day: datetime.date) -> ResolvedPolicy:
        chain = []  # the policy in force on each organization of the chain, nearest first
        for path in reversed(_ancestor_paths(organization.path)):
            in_force = next((p for p in self.by_path.get(path, ()) if p.valid_from <= day), None)
            if in_force is not None:
                chain.append(in_force)
        values, sources = {}, {}
        for name in RULE_FIELDS:
            for policy in chain:
                value = getattr(policy, name)
                if value is not None:
                    values[name], sources[name] = value, self.source(policy)
                    break
            else:
                values[name], sources[name] = DEFAULTS[name][0], _DEFAULT_SOURCES[name]
        return ResolvedPolicy(values=values, sources=sources, day=day, in_force=tuple(chain))


def resolve(organization: Organization, day: datetime.date, policies: Iterable[Policy]) -> ResolvedPolicy:
    """The rules for ``organization`` on ``day`` from ``policies`` (any set that holds those of its chain, with their
    ``organization`` loaded): no query."""
    return PolicyIndex(policies).resolve(organization, day)


def _chain_policies(paths: Iterable[str] | None, day: datetime.date | None):
    """Policies on these organizations (``None``: all), in force by ``day`` (``None``: any date)."""
    queryset = Policy.objects.select_related("organization").order_by("-valid_from", "-organization__depth", "-pk")
    if day is not None:
        queryset = queryset.filter(valid_from__lte=day)
    if paths is not None:
        queryset = queryset.filter(organization__path__in=sorted(set(paths)))
    return queryset


def policy_for(organization: Organization, day: datetime.date) -> ResolvedPolicy:
    """The rules in force for ``organization`` on ``day``: one query."""
    return resolve(organization, day, _chain_policies(_ancestor_paths(organization.path), day))


# Above this many organizations on the chains, load every policy in force instead: the table holds a few per
# committee, while a list of tens of thousands of paths is slow to send (and over SQLite's variable limit).
MAX_PATHS = 2000


def policy_index(organizations: Iterable[Organization], until: datetime.date) -> PolicyIndex:
    """The policies of these organizations' chains (``path`` loaded) that came into force by ``until``, indexed:
    one query whatever their number; then ``resolve(organization, day)`` for any of them and any day up to
    ``until`` costs none (the findings of a month read the rules of its last day and of each meeting's day)."""
    paths = {ancestor for org in organizations for ancestor in _ancestor_paths(org.path)}
    return PolicyIndex(_chain_policies(paths if len(paths) <= MAX_PATHS else None, until))


def policies_for(organizations: Iterable[Organization], day: datetime.date) -> dict[int, ResolvedPolicy]:
    """The rules in force on ``day`` for many organizations (with ``path`` loaded): one query whatever their number,
    and time that grows with their number times the depth of the tree, not with the number of policies."""
    organizations = list(organizations)
    if not organizations:
        return {}
    index = policy_index(organizations, day)
    return {org.pk: index.resolve(org, day) for org in organizations}


def policy_history(organization: Organization) -> list[Policy]:
    """Every policy on ``organization`` and its ancestors, past and future, newest first: one query.

    ``resolve(organization, day, policy_history(organization))`` gives the rules on any day without another query.
    """
    return list(_chain_policies(_ancestor_paths(organization.path), None))


# --- Writes ---------------------------------------------------------------------------------------------------------


def check_values(values: Mapping[str, object]) -> dict[str, str]:
    """Messages for rule values out of range, by field (empty values are fine: they inherit)."""
    errors = {}
    for name, value in values.items():
        spec = SPEC[name]
        if value is None or spec.is_flag:
            continue
        if not spec.minimum <= value <= spec.maximum:
            # "… từ 1 đến 100 đảng viên": the unit in the plural form of the upper bound ("100 Party members").
            errors[name] = _("Giá trị phải từ {min} đến {max}.").format(
                min=spec.minimum, max=spec.count % {"n": spec.maximum}
            )
    lead, send = values.get("agenda_lead_days"), values.get("agenda_send_days")
    if lead is not None and send is not None and send < lead and "agenda_send_days" not in errors:
        errors["agenda_send_days"] = _(
            "Ngày gửi chương trình mặc định ({send}) không được ít hơn số ngày gửi tối thiểu ({lead})."
        ).format(send=send, lead=lead)
    return errors


def _rule_values(values: Mapping[str, object]) -> dict[str, object]:
    unknown = set(values) - set(RULE_FIELDS)
    if unknown:
        raise ValueError(f"Unknown rule fields: {sorted(unknown)}")
    return {name: values.get(name) for name in RULE_FIELDS}


def _check(
    *,
    organization: Organization,
    valid_from: datetime.date | None,
    source: str,
    values: dict[str, object],
    exclude_pk: int | None = None,
) -> None:
    errors: dict[str, str] = {}
    if valid_from is None:
        errors["valid_from"] = _("Nhập ngày bắt đầu áp dụng.")
    elif Policy.objects.filter(organization=organization, valid_from=valid_from).exclude(pk=exclude_pk).exists():
        errors["valid_from"] = _("Tổ chức này đã có quy định áp dụng từ ngày này.")
    if not source.strip():
        errors["source"] = _("Ghi căn cứ của quy định (số, ngày và cơ quan ban hành văn bản).")
    if all(value is None for value in values.values()):
        errors["__all__"] = _("Quy định phải đặt ít nhất một giá trị.")
    errors.update(check_values(values))
    if valid_from is not None and not errors:
        errors.update(_check_with_inherited(organization, valid_from, values, exclude_pk))
    if errors:
        raise ValidationError(errors)


def _check_with_inherited(
    organization: Organization, valid_from: datetime.date, values: dict, exclude_pk: int | None = None
) -> dict[str, str]:
    """The agenda's default send time against its minimum once empty values are inherited, wherever the new policy
    applies: on ``organization`` and on every organization below it that has policies of its own, from ``valid_from``
    and again from each later date a policy of the chain or the subtree starts, until the organization's own next
    policy replaces this one. Two queries."""
    if values.get("agenda_lead_days") is None and values.get("agenda_send_days") is None:
        return {}
    candidate = Policy(organization=organization, valid_from=valid_from, **values)
    others = [
        policy
        for policy in Policy.objects.select_related("organization").filter(
            Q(organization__path__in=_ancestor_paths(organization.path))
            | Q(organization__path__startswith=organization.path)
        )
        if policy.pk != exclude_pk
    ]
    own_next = min(
        (p.valid_from for p in others if p.organization_id == organization.pk and p.valid_from > valid_from),
        default=None,
    )
    policies = [p for p in others if not (p.organization_id == organization.pk and p.valid_from <= valid_from)]
    policies.append(candidate)
    days = sorted(
        {valid_from}
        | {
            p.valid_from
            for p in policies
            if p.valid_from > valid_from and (own_next is None or p.valid_from < own_next)
        }
    )
    below = {p.organization.pk: p.organization for p in policies if p.organization.path.startswith(organization.path)}
    places = [organization, *(org for pk, org in sorted(below.items()) if pk != organization.pk)]
    for day in days:
        index = PolicyIndex([p for p in policies if p.valid_from <= day])
        for place in places:
            resolved = index.resolve(place, day)
            lead, send = resolved.values["agenda_lead_days"], resolved.values["agenda_send_days"]
            if send >= lead:
                continue
            field = "agenda_send_days" if values.get("agenda_send_days") is not None else "agenda_lead_days"
            if place.pk == organization.pk and day == valid_from:
                other = "agenda_lead_days" if field == "agenda_send_days" else "agenda_send_days"
                origin = resolved.sources[other]
                message = _(
                    "Ngày gửi chương trình mặc định ({send}) không được ít hơn số ngày gửi tối thiểu ({lead}); giá trị "
                    "“{other}” đang kế thừa từ {origin}: đặt cả hai giá trị trong quy định này."
                ).format(
                    send=send,
                    lead=lead,
                    other=rule_label(other),
                    origin=_("mặc định của hệ thống")
                    if origin.is_default
                    else f"“{origin.name}” ({origin.organization})",
                )
            else:
                message = _(
                    "Từ ngày {day}, {place} sẽ có ngày gửi chương trình mặc định ({send}) ít hơn số ngày gửi tối "
                    "thiểu ({lead}), do kết hợp quy định này với quy định khác của cấp trên hoặc cấp dưới: sửa cho "
                    "khớp trước."
                ).format(day=vi_date(day), place=place.name, send=send, lead=lead)
            return {field: message}
    return {}


def default_name(organization: Organization, valid_from: datetime.date) -> str:
    return _("Quy định của {organization} từ {day}").format(organization=organization.name, day=vi_date(valid_from))


@transaction.atomic
def policy_create(
    *,
    organization: Organization,
    valid_from: datetime.date | None,
    source: str,
    values: Mapping[str, object],
    name: str = "",
    source_url: str = "",
    note: str = "",
) -> Policy:
    """A new policy on ``organization`` from ``valid_from``. Empty values (``None``) inherit. It replaces the
    organization's earlier policy from that date on; the days before keep the rules they had."""
    values = _rule_values(values)
    _check(organization=organization, valid_from=valid_from, source=source, values=values)
    policy = Policy(
        organization=organization,
        name=name.strip() or default_name(organization, valid_from),
        source=source.strip(),
        source_url=source_url.strip(),
        valid_from=valid_from,
        note=note.strip(),
        **values,
    )
    policy.full_clean()
    policy.save()
    return policy


@transaction.atomic
def policy_update(
    *,
    policy: Policy,
    today: datetime.date,
    valid_from: datetime.date | None,
    source: str,
    values: Mapping[str, object],
    name: str = "",
    source_url: str = "",
    note: str = "",
) -> Policy:
    """Change a policy that has not come into force yet (``valid_from`` after ``today``). A policy in force or past
    is history: to change the rules, add a new policy from a date."""
    policy = Policy.objects.select_for_update().select_related("organization").get(pk=policy.pk)
    if policy.valid_from <= today:
        raise ValidationError(
            _("Quy định này đã có hiệu lực nên không sửa được: hãy thêm quy định mới áp dụng từ một ngày sau.")
        )
    values = _rule_values(values)
    _check(organization=policy.organization, valid_from=valid_from, source=source, values=values, exclude_pk=policy.pk)
    if valid_from <= today:
        raise ValidationError({"valid_from": _("Quy định sửa lại vẫn phải áp dụng từ một ngày sau hôm nay.")})
    policy.name = name.strip() or default_name(policy.organization, valid_from)
    policy.source, policy.source_url, policy.note = source.strip(), source_url.strip(), note.strip()
    policy.valid_from = valid_from
    for rule, value in values.items():
        setattr(policy, rule, value)
    policy.full_clean()
    policy.save()
    return policy
