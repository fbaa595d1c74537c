"""Pages of the organization tree, cells and members. Every object comes through ``members.access``."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cells.forms import apply_errors
from cells.models import Organization
from cells.services import name_on
from cells.text import vi_natural_key
from members import services
from members.access import (
    get_member_for_user,
    get_organization_for_user,
    scope_for,
    visible_organizations,
    writable_organizations,
)
from members.forms import (
    MemberAddForm,
    MemberForm,
    PositionEndForm,
    PositionForm,
    RosterDateForm,
    SearchForm,
    StatusForm,
    TransferForm,
)
from members.models import Member, Membership, Position, StatusChange
from members.querysets import subtree_counts

SEARCH_LIMIT = 50


def _children_with_counts(organization: Organization | None, scope, day: datetime.date) -> list[Organization]:
    if organization is None:
        # The top of what the user reaches: the roots of their subtrees.
        nodes = list(
            Organization.objects.filter(path__in=scope.visible_paths)
            if not scope.is_admin
            else Organization.objects.filter(depth=1)
        )
    else:
        children = Organization.objects.filter(path__startswith=organization.path, depth=organization.depth + 1)
        nodes = sorted(children, key=lambda node: vi_natural_key(node.name))  # khu phố 2 before khu phố 10
    counts = subtree_counts(nodes, day)
    for node in nodes:
        node.cell_count, node.member_count = counts[node.pk]
        node.readable = scope.can_read(node)
    return nodes


@login_required
@require_GET
def organization_browser(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    today = timezone.localdate()
    search = SearchForm(request.GET or None)
    results = None
    if search.is_valid() and search.cleaned_data["q"]:
        results = list(visible_organizations(request.user).search(search.cleaned_data["q"])[:SEARCH_LIMIT])
        counts = subtree_counts(results, today)
        for node in results:
            node.cell_count, node.member_count = counts[node.pk]
            node.readable = scope.can_read(node)
    roots = _children_with_counts(None, scope, today) if results is None else []
    if len(roots) == 1 and roots[0].readable and not roots[0].is_cell:
        roots[0].children_nodes = _children_with_counts(roots[0], scope, today)  # one root: open it
    return render(
        request,
        "members/organization_browser.html",
        {"search": search, "results": results, "roots": roots, "limit": SEARCH_LIMIT},
    )


@login_required
@require_GET
def organization_children(request: HttpRequest, pk: int) -> HttpResponse:
    """The children of a node with their counts (htmx fragment of the tree)."""
    organization = get_organization_for_user(request, pk)
    scope = scope_for(request.user)
    if not scope.can_read(organization):
        raise Http404
    nodes = _children_with_counts(organization, scope, timezone.localdate())
    return render(request, "members/includes/_tree_nodes.html", {"nodes": nodes})


def _roster(organization: Organization, day: datetime.date) -> list[Member]:
    """The roster on ``day`` with status and positions: three queries whatever its length."""
    positions = Position.objects.filter(organization=organization).active_on(day)
    members = list(
        Member.objects.roster_of(organization, day).prefetch_related(
            Prefetch("positions", queryset=positions, to_attr="positions_on_day")
        )
    )
    labels = dict(StatusChange.Status.choices)
    for member in members:
        member.status_label = labels.get(member.status, "")
        member.is_guest = member.membership_kind == Membership.Kind.TEMPORARY
    return members


def _roster_summary(members: list[Member]) -> dict[str, int]:
    home = [m for m in members if not m.is_guest]
    return {
        "total": len(home),
        # Exempted, attached-elsewhere and suspended members are official members too (as the minutes count them).
        "official": sum(1 for m in home if m.status != StatusChange.Status.PROBATIONARY),
        "probationary": sum(1 for m in home if m.status == StatusChange.Status.PROBATIONARY),
        "exempted": sum(1 for m in home if m.status == StatusChange.Status.EXEMPTED),
        "attached_elsewhere": sum(1 for m in home if m.status == StatusChange.Status.ATTACHED_ELSEWHERE),
        "suspended": sum(1 for m in home if m.status == StatusChange.Status.SUSPENDED),
        "guests": len(members) - len(home),
    }


@login_required
@require_GET
def organization_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organization = get_organization_for_user(request, pk)
    scope = scope_for(request.user)
    today = timezone.localdate()
    date_form = RosterDateForm(request.GET or None)
    day = (date_form.cleaned_data.get("ngay") if date_form.is_valid() else None) or today
    ancestors = list(Organization.objects.get_ancestors(organization))
    for node in ancestors:
        node.visible = scope.can_see(node)
    can_read = scope.can_read(organization)
    context = {
        "organization": organization,
        "ancestors": ancestors,
        "can_read": can_read,
        "can_write": scope.can_write(organization),
        "day": day,
        "today": today,
        "date_form": date_form,
        "printed": name_on(organization, day),
        "children": _children_with_counts(organization, scope, today) if can_read and not organization.is_cell else [],
    }
    if organization.is_cell and can_read:
        roster = _roster(organization, day)
        context["roster"] = roster
        context["summary"] = _roster_summary(roster)
    return render(request, "members/organization_detail.html", context)


@login_required
@require_GET
def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_member_for_user(request, pk)
    scope = scope_for(request.user)
    today = timezone.localdate()
    memberships = list(member.memberships.select_related("organization").order_by("-valid_from"))
    changes = list(member.status_changes.select_related("attached_to").order_by("-effective_from", "-id"))
    positions = list(member.positions.select_related("organization").order_by("-valid_from"))
    seats = list(member.committee_seats.select_related("organization").order_by("-valid_from"))
    current = next((c for c in changes if c.effective_from <= today), None)
    cell = member.current_cell
    return render(
        request,
        "members/member_detail.html",
        {
            "member": member,
            "cell": cell,
            "memberships": memberships,
            "changes": changes,
            "positions": positions,
            "seats": seats,
            "current_status": current,
            "can_write": cell is not None and scope.can_write(cell),
            "today": today,
            "end_form": PositionEndForm(),
        },
    )


def _writable_cell(request: HttpRequest, org_pk: int) -> Organization:
    organization = get_organization_for_user(request, org_pk, write=True)
    if not organization.is_cell:
        raise Http404
    return organization


@login_required
@require_http_methods(["GET", "POST"])
def member_add(request: HttpRequest, org_pk: int) -> HttpResponse:
    cell = _writable_cell(request, org_pk)
    form = MemberAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            member = services.member_create(cell=cell, by=request.user, **data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Đã thêm đảng viên {name}.").format(name=member.full_name))
            return redirect("members:detail", pk=member.pk)
    return render(
        request,
        "members/member_form.html",
        {"form": form, "cell": cell, "title": _("Thêm đảng viên vào {cell}").format(cell=cell.name)},
    )


def _member_form(request: HttpRequest, member: Member, form, action, success, title: str) -> HttpResponse:
    """The shape every member form shares: validate, hand ``cleaned_data`` to a service, put its refusal on the
    form (nothing written), or go back to the member's page with ``success`` (a text, or a function of the data)."""
    if request.method == "POST" and form.is_valid():
        try:
            action(form.cleaned_data)
        except ValidationError as error:
            member.refresh_from_db()
            apply_errors(form, error)
        else:
            messages.success(request, success(form.cleaned_data) if callable(success) else success)
            return redirect("members:detail", pk=member.pk)
    return render(
        request,
        "members/member_form.html",
        {"form": form, "member": member, "cell": member.current_cell, "title": title},
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_member_for_user(request, pk, write=True)
    form = MemberForm(request.POST or None, instance=member, editing=True)
    return _member_form(
        request,
        member,
        form,
        lambda data: services.member_update(
            member=member, by=request.user, **{key: value for key, value in data.items() if key != "official_date"}
        ),
        _("Đã lưu hồ sơ đảng viên."),
        _("Sửa hồ sơ: {name}").format(name=member.full_name),
    )


def _cells_for(request: HttpRequest):
    """The cells a member may be moved or attached to by this user: those they write (the service checks it too)."""
    return writable_organizations(request.user).cells().active_on(timezone.localdate()).order_by("name")


@login_required
@require_http_methods(["GET", "POST"])
def member_transfer_view(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_member_for_user(request, pk, write=True)
    form = TransferForm(
        request.POST or None, cells=_cells_for(request).exclude(pk=getattr(member.current_cell, "pk", None))
    )
    return _member_form(
        request,
        member,
        form,
        lambda data: services.member_transfer(member=member, by=request.user, **data),
        lambda data: _("Đã chuyển sinh hoạt của {name} đến {cell}.").format(
            name=member.full_name, cell=data["to_cell"].name
        ),
        _("Chuyển sinh hoạt: {name}").format(name=member.full_name),
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_status_view(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_member_for_user(request, pk, write=True)
    return _member_form(
        request,
        member,
        StatusForm(request.POST or None, cells=_cells_for(request)),
        lambda data: services.member_status_change(member=member, by=request.user, **data),
        _("Đã ghi thay đổi tình trạng."),
        _("Đổi tình trạng: {name}").format(name=member.full_name),
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_position_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Give the member a post in their current cell (POST ``role``), or end one (POST ``position`` and ``on``)."""
    member = get_member_for_user(request, pk, write=True)
    cell = member.current_cell
    if cell is None:
        raise PermissionDenied
    if request.method == "POST" and "position" in request.POST:
        end_form = PositionEndForm(request.POST)
        if end_form.is_valid():
            position = Position.objects.filter(pk=end_form.cleaned_data["position"], member=member).first()
            if position is None:
                raise Http404
            try:
                services.position_end(position=position, on=end_form.cleaned_data["on"], by=request.user)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("Đã kết thúc chức vụ."))
        else:
            messages.error(request, _("Nhập ngày kết thúc chức vụ."))
        return redirect("members:detail", pk=member.pk)
    form = PositionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.position_assign(member=member, organization=cell, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Đã giao chức vụ."))
            return redirect("members:detail", pk=member.pk)
    return render(
        request,
        "members/member_form.html",
        {
            "form": form,
            "member": member,
            "cell": member.current_cell,
            "title": _("Giao chức vụ: {name}").format(name=member.full_name),
        },
    )
