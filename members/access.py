"""The one access gate: whose data may this user see, and change?

Access is derived from the data, never copied by hand:

- an administrator (superuser) reads and writes everything;
- a cell's secretary and deputy secretary (``Position``) write their organization's subtree;
- a committee member (``CommitteeSeat``) reads the subtree of the organization whose committee they sit on, and
  the organizations they are assigned to follow (``Assignment``);
- organization-board staff read, or write, the subtrees they are granted (``AccessGrant``);
- a member reads their own record and their cell's meetings (not the other members' records).

Views get every object through the helpers below: an object outside the user's reach is a 404, a read-only user
trying to write gets a 403.
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, Q, Subquery
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from cells.models import Organization, parent_path
from members.models import AccessGrant, Assignment, CommitteeSeat, Member, Membership, Position


@dataclass(frozen=True)
class Scope:
    """What one user may reach, as materialized-path prefixes of the organization tree."""

    is_admin: bool = False
    read_paths: tuple[str, ...] = ()
    write_paths: tuple[str, ...] = ()
    member_id: int | None = None
    # Cells where the user is only a member: they see the cell and its meetings, not its roster.
    member_paths: tuple[str, ...] = field(default=())
    # Holds a superior-committee seat today: "my cells" (``meetings:my_cells``) is for them.
    holds_seat: bool = False

    @property
    def visible_paths(self) -> tuple[str, ...]:
        return self.read_paths + self.member_paths

    def can_read(self, organization: Organization) -> bool:
        """Full read (roster, member records) of this organization."""
        return self.is_admin or organization.path.startswith(self.read_paths)

    def can_see(self, organization: Organization) -> bool:
        """The organization and its meetings are visible (members see their own cell)."""
        return self.is_admin or organization.path.startswith(self.visible_paths)

    def can_write(self, organization: Organization) -> bool:
        return self.is_admin or organization.path.startswith(self.write_paths)

    def can_set_policy(self, organization: Organization) -> bool:
        """Rules come from above: an administrator, or the writers of a committee for that committee and its
        subtree. A cell's own secretary writes the cell but never the rules its findings are judged by."""
        if self.is_admin:
            return True
        # The cell whose findings these rules would judge: the organization itself, or the cell above a party group
        # (tổ đảng, the only thing below a cell). Its writers must hold a committee above it.
        judged = organization.path
        if organization.kind == Organization.Kind.PARTY_GROUP:
            judged = parent_path(organization.path)
        elif not organization.is_cell:
            judged = None
        return any(
            organization.path.startswith(path) and (judged is None or len(path) < len(judged))
            for path in self.write_paths
        )

    @property
    def is_anything(self) -> bool:
        return self.is_admin or bool(self.visible_paths)


def _minimal(paths: set[str]) -> tuple[str, ...]:
    """Drop paths that lie inside another one: fewer OR branches in every subtree query."""
    ordered = sorted(paths)
    kept: list[str] = []
    for path in ordered:
        if not kept or not path.startswith(kept[-1]):
            kept.append(path)
    return tuple(kept)


def scope_for(user, *, day: datetime.date | None = None) -> Scope:
    """The user's scope on ``day`` (today): six small queries whatever the size of the tree, cached on the user."""
    if not user.is_authenticated or not user.is_active:
        return Scope()
    if user.is_superuser:
        return Scope(is_admin=True)
    cached = getattr(user, "_chibo_scope", None)
    if day is None and cached is not None:
        return cached
    on = day or timezone.localdate()

    def paths(queryset) -> list[str]:
        return list(queryset.active_on(on).order_by().values_list("organization__path", flat=True))

    read, write = set(), set()
    for path, can_write in (
        AccessGrant.objects.filter(user=user).active_on(on).values_list("organization__path", "can_write")
    ):
        read.add(path)
        if can_write:
            write.add(path)
    positions = paths(Position.objects.filter(member__user=user, role__in=Position.WRITING_ROLES))
    read.update(positions)
    write.update(positions)
    seats = paths(CommitteeSeat.objects.filter(member__user=user))
    read.update(seats)
    read.update(paths(Assignment.objects.filter(seat__member__user=user)))
    member = set(paths(Membership.objects.filter(member__user=user)))
    member_id = Member.objects.filter(user=user).values_list("id", flat=True).first()
    read_paths = _minimal(read)
    scope = Scope(
        read_paths=read_paths,
        write_paths=_minimal(write),
        member_id=member_id,
        member_paths=tuple(p for p in _minimal(member) if not p.startswith(read_paths)),
        holds_seat=bool(seats),
    )
    if day is None:
        user._chibo_scope = scope
    return scope


def holds_seat(request: HttpRequest) -> bool:
    """Whether the user holds a superior-committee seat today (the navigation's "my cells" link): read from the
    scope when a view already loaded it, else one query; kept on the request."""
    cached = getattr(request, "_chibo_holds_seat", None)
    if cached is not None:
        return cached
    user = request.user
    if not user.is_authenticated or not user.is_active:
        answer = False
    elif getattr(user, "_chibo_scope", None) is not None:
        answer = user._chibo_scope.holds_seat
    else:
        answer = CommitteeSeat.objects.filter(member__user=user).active_on(timezone.localdate()).exists()
    request._chibo_holds_seat = answer
    return answer


def visible_organizations(user):
    """``Organization.objects.visible_to(...)`` for this user: one query whatever the size of the tree."""
    scope = scope_for(user)
    if scope.is_admin:
        return Organization.objects.all()
    return Organization.objects.within(scope.visible_paths)


def writable_organizations(user):
    """The organizations this user may write: the choices of a form that writes to a second organization."""
    scope = scope_for(user)
    if scope.is_admin:
        return Organization.objects.all()
    return Organization.objects.within(scope.write_paths)


def check_write(by, organization: Organization, field: str) -> None:
    """In a service that writes to ``organization`` on behalf of the user ``by``: refuse unless they write there.

    The view checks the organization in the URL; this is for a second one named in the data (the cell a member is
    transferred to, the cell of a temporary attachment), so a crafted POST cannot reach a cell the user only reads.
    ``by=None`` is the system itself (demo data, tasks, the shell).
    """
    if by is not None and not scope_for(by).can_write(organization):
        raise ValidationError(
            {
                field: _(
                    "Đồng chí không có quyền ghi ở {organization}: chỉ chọn được tổ chức đồng chí quản lý."
                ).format(organization=organization.name)
            }
        )


def get_organization_for_user(request: HttpRequest, pk: int, *, write: bool = False) -> Organization:
    organization = Organization.objects.filter(pk=pk).first()
    scope = scope_for(request.user)
    if organization is None or not scope.can_see(organization):
        raise Http404
    if write and not scope.can_write(organization):
        raise PermissionDenied
    return organization


def current_cell(member: Member) -> Organization | None:
    membership = (
        Membership.objects.filter(member=member, kind=Membership.Kind.HOME, valid_to__isnull=True)
        .select_related("organization")
        .first()
    )
    return membership.organization if membership else None


def readable_members(user):
    """The members whose records this user reads: those who belonged (at home, or as a guest attached there) to a
    cell in a subtree the user reads, and the user themselves. One query, whatever the size of the tree."""
    scope = scope_for(user)
    if scope.is_admin:
        return Member.objects.all()
    condition = Q(pk=scope.member_id) if scope.member_id else Q(pk__in=[])
    if scope.read_paths:
        within = Q()
        for path in scope.read_paths:
            within |= Q(organization__path__startswith=path)
        condition |= Exists(Membership.objects.filter(within, member=OuterRef("pk")))
    return Member.objects.filter(condition)


def last_home_cell(value: str = "organization_id"):
    """The member's latest home cell (their current one, or the last before they left), as a subquery of its
    ``value`` (``"organization__path"``: its path), for annotating a list. Writing a member's record needs write
    access there (``get_member_for_user``)."""
    return Subquery(
        Membership.objects.filter(member=OuterRef("pk"), kind=Membership.Kind.HOME)
        .order_by("-valid_from", "-pk")
        .values(value)[:1]
    )


def get_member_for_user(request: HttpRequest, pk: int, *, write: bool = False) -> Member:
    """A member the user may read: one who belonged (at home or as a guest) to a cell in a subtree they read, or
    themselves.

    Writing needs write access to the member's current cell (or, for a member who has left, their last cell).
    """
    scope = scope_for(request.user)
    member = readable_members(request.user).filter(pk=pk).first()
    if member is None:
        raise Http404
    homes = list(
        member.memberships.filter(kind=Membership.Kind.HOME)
        .select_related("organization")
        .order_by("-valid_from", "-pk")
    )
    cell = homes[0].organization if homes else None
    if write and not (cell is not None and scope.can_write(cell)):
        raise PermissionDenied
    member.current_cell = cell
    return member
