"""The policy page: the rules in force for an organization on a date, where each value comes from, the history of
policies on the organization and its ancestors, and (with write access) a form to add a policy or load a preset.

Every organization comes through ``members.access``; the writes are ``cells.policies.policy_create`` and
``policy_update``.
"""

import datetime
import json
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cells.forms import apply_errors
from cells.models import Organization, Policy
from cells.policies import (
    RULE_FIELDS,
    SYSTEM_DEFAULT,
    format_value,
    policy_create,
    policy_for,
    policy_history,
    policy_update,
    resolve,
    rule_label,
)
from cells.text import vi_date
from meetings.quotas import describe
from meetings.services import quota_set_from_preset
from members.access import get_organization_for_user, scope_for
from reports.forms_policy import PolicyDateForm, PolicyForm, QuotaPresetForm
from reports.visits import quota_set_in_force


def _page_url(organization: Organization, day: datetime.date | None = None) -> str:
    url = reverse("reports:organization_policy", args=[organization.pk])
    return f"{url}?{urlencode({'ngay': day.isoformat()})}" if day else url


def _earliest(scope, today: datetime.date) -> datetime.date | None:
    """A new policy applies from today on; only an administrator records one from a past date (setting up history),
    so a board never changes the rules of months already measured."""
    return None if scope.is_admin else today


def _latest_own(policies: list[Policy], organization: Organization) -> Policy | None:
    """The organization's own latest policy, in force or not yet: the starting point of the next one (a new policy
    replaces it whole, so the form starts from its values rather than from an older one)."""
    own = [p for p in policies if p.organization_id == organization.pk]
    return max(own, key=lambda p: p.valid_from) if own else None


def _own_values(latest: Policy | None) -> dict:
    """The form's initial rule values from ``latest`` (a yes/no rule as its select's option, "1"/"0"), and the same
    values as JSON in ``prefilled``, so that the form tells what was served from what was typed."""
    if latest is None:
        return {}
    values = {name: getattr(latest, name) for name in RULE_FIELDS if getattr(latest, name) is not None}
    initial = {name: ("1" if value else "0") if isinstance(value, bool) else value for name, value in values.items()}
    return {**initial, "prefilled": json.dumps(values)}


def _render(
    request: HttpRequest,
    organization: Organization,
    day: datetime.date,
    date_form,
    form: PolicyForm | None,
    quota_form: QuotaPresetForm | None = None,
) -> HttpResponse:
    scope = scope_for(request.user)
    today = timezone.localdate()
    ancestors = list(Organization.objects.get_ancestors(organization))
    for node in ancestors:
        node.visible = scope.can_see(node)
    history = policy_history(organization)
    resolved = resolve(organization, day, history)
    in_force_ids = {p.pk for p in resolved.in_force}
    rows = [
        {
            "name": name,
            "label": rule_label(name),
            "value": format_value(name, resolved.values[name]),
            "source": resolved.sources[name],
            # A default without a document of its own says so once (the badge), not twice.
            "show_citation": resolved.sources[name].citation != SYSTEM_DEFAULT,
        }
        for name in RULE_FIELDS
    ]
    for policy in history:
        policy.in_force_on_day = policy.pk in in_force_ids
        policy.is_future = policy.valid_from > today
        policy.not_yet_on_day = policy.valid_from > day
        policy.set_values = [
            (rule_label(name), format_value(name, getattr(policy, name)))
            for name in RULE_FIELDS
            if getattr(policy, name) is not None
        ]
        policy.editable = policy.is_future and scope.can_set_policy(policy.organization)
    can_write = scope.can_set_policy(organization)
    latest = _latest_own(history, organization)
    if can_write and form is None:
        form = PolicyForm(
            initial=_own_values(latest),
            earliest=_earliest(scope, today),
            in_force=resolved.values,
        )
    quota_set = quota_set_in_force(organization, day)
    quota_lines = [(quota, describe(quota)) for quota in quota_set.quotas.all()] if quota_set is not None else []
    if can_write and quota_form is None:
        quota_form = QuotaPresetForm(initial={"quota_valid_from": today})
    return render(
        request,
        "reports/policy.html",
        {
            "quota_set": quota_set,
            "quota_lines": quota_lines,
            "quota_form": quota_form if can_write else None,
            "organization": organization,
            "ancestors": ancestors,
            "day": day,
            "today": today,
            "date_form": date_form,
            "rows": rows,
            "history": history,
            "can_write": can_write,
            "prefilled_from": latest,
            # A secretary writes their cell but not its rules: say who sets them instead of showing the form.
            "set_above": not can_write and scope.can_write(organization),
            "form": form if can_write else None,
        },
    )


def _day(request: HttpRequest) -> tuple[datetime.date, PolicyDateForm]:
    date_form = PolicyDateForm(request.GET or None)
    day = date_form.cleaned_data.get("ngay") if date_form.is_valid() else None
    return day or timezone.localdate(), date_form


def _default_organization(request: HttpRequest) -> Organization:
    """The top of what the user sees (the first of their subtrees, or the first root for an administrator)."""
    scope = scope_for(request.user)
    roots = (
        Organization.objects.filter(depth=1)
        if scope.is_admin
        else Organization.objects.filter(path__in=scope.visible_paths)
    )
    organization = roots.order_by("path").first()
    if organization is None:
        raise Http404
    return organization


@login_required
@require_GET
def policy(request: HttpRequest) -> HttpResponse:
    """``?to_chuc=<pk>&ngay=YYYY-MM-DD``: the rules in force for any organization the user sees, on any date."""
    raw = request.GET.get("to_chuc", "")
    if raw:
        if not raw.isdigit():
            raise Http404
        organization = get_organization_for_user(request, int(raw))
    else:
        organization = _default_organization(request)
    day, date_form = _day(request)
    return _render(request, organization, day, date_form, None)


@login_required
@require_http_methods(["GET", "POST"])
def organization_policy(request: HttpRequest, pk: int) -> HttpResponse:
    """The page for one organization; a POST adds a policy on it (write access)."""
    organization = get_organization_for_user(request, pk, write=request.method == "POST")
    day, date_form = _day(request)
    if request.method != "POST":
        return _render(request, organization, day, date_form, None)
    scope = scope_for(request.user)
    if not scope.can_set_policy(organization):
        raise PermissionDenied(_("Quy định do cấp ủy cấp trên ban hành; chi bộ không tự đặt quy định cho mình."))
    today = timezone.localdate()
    form = PolicyForm(request.POST, earliest=_earliest(scope, today), in_force=policy_for(organization, day).values)
    if form.is_valid():
        try:
            created = policy_create(organization=organization, **form.policy_data())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("Đã thêm quy định “{name}”, áp dụng từ ngày {day}.").format(
                    name=created.name, day=vi_date(created.valid_from)
                ),
            )
            if getattr(created, "refresh_asked", False):
                messages.info(
                    request,
                    _(
                        "Kết quả đánh giá của các chi bộ trực thuộc từ tháng {month} đang được tính lại theo quy định "
                        "mới (vài phút với đảng bộ lớn)."
                    ).format(month=created.valid_from.strftime("%m/%Y")),
                )
            return redirect(_page_url(organization, created.valid_from))
    return _render(request, organization, day, date_form, form)


@login_required
@require_http_methods(["GET", "POST"])
def policy_edit(request: HttpRequest, pk: int, policy_pk: int) -> HttpResponse:
    """Change a policy that is not in force yet; one in force or past is history (add a new one instead)."""
    organization = get_organization_for_user(request, pk, write=True)
    if not scope_for(request.user).can_set_policy(organization):
        raise PermissionDenied(_("Quy định do cấp ủy cấp trên ban hành; chi bộ không tự đặt quy định cho mình."))
    policy = Policy.objects.filter(pk=policy_pk, organization=organization).first()
    if policy is None:
        raise Http404
    today = timezone.localdate()
    if policy.valid_from <= today:
        messages.error(
            request,
            _("Quy định này đã có hiệu lực nên không sửa được: hãy thêm quy định mới áp dụng từ một ngày sau."),
        )
        return redirect(_page_url(organization))
    initial = {name: getattr(policy, name) for name in ("valid_from", "name", "source", "source_url", "note")}
    initial.update({name: getattr(policy, name) for name in RULE_FIELDS})
    if isinstance(initial["guests_may_vote"], bool):
        initial["guests_may_vote"] = "1" if initial["guests_may_vote"] else "0"
    form = PolicyForm(request.POST or None, initial=initial, editing=True, earliest=today + datetime.timedelta(days=1))
    if request.method == "POST" and form.is_valid():
        try:
            policy_update(policy=policy, today=today, **form.policy_data())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Đã lưu quy định."))
            return redirect(_page_url(organization, form.cleaned_data["valid_from"]))
    return render(
        request,
        "reports/policy_form.html",
        {"organization": organization, "policy": policy, "form": form},
    )


@login_required
@require_POST
def quota_preset(request: HttpRequest, pk: int) -> HttpResponse:
    """Load a regulation's visit quotas on the organization from a date (``meetings.services.quota_set_from_preset``):
    who may set the organization's policy may set its quotas."""
    organization = get_organization_for_user(request, pk, write=True)
    if not scope_for(request.user).can_set_policy(organization):
        raise PermissionDenied(_("Quy định do cấp ủy cấp trên ban hành; chi bộ không tự đặt quy định cho mình."))
    form = QuotaPresetForm(request.POST)
    if form.is_valid():
        try:
            created = quota_set_from_preset(
                organization=organization,
                key=form.cleaned_data["quota_preset"],
                valid_from=form.cleaned_data["quota_valid_from"],
                by=request.user,
            )
        except ValidationError as error:
            _quota_errors(form, error)
        else:
            messages.success(
                request,
                _("Đã nạp định mức dự sinh hoạt “{name}”, áp dụng từ ngày {day}.").format(
                    name=created.name, day=vi_date(created.valid_from)
                ),
            )
            return redirect(_page_url(organization, created.valid_from) + "#dinh-muc")
    day, date_form = _day(request)
    return _render(request, organization, day, date_form, None, quota_form=form)


def _quota_errors(form: QuotaPresetForm, error: ValidationError) -> None:
    """The service's messages on the form's fields (``valid_from`` and ``preset`` are named apart on the page)."""
    fields = {"valid_from": "quota_valid_from", "preset": "quota_preset"}
    if hasattr(error, "error_dict"):
        for name, messages_ in error.message_dict.items():
            form.add_error(fields.get(name), messages_)
    else:
        form.add_error(None, error.messages)
