"""Reads of members and their dated facts, as queryset methods.

``members.models`` builds its managers from these querysets, so the models are looked up by name here
(``apps.get_model``) when a query is built, never imported: the two modules do not depend on each other both ways.
"""

import datetime

from django.apps import apps
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from cells.models import Organization

# Kept here (not imported from models) so that querysets do not import the models module that imports them.
GONE_STATUSES = ("transferred_out", "struck_off", "deceased")


class DatedQuerySet(QuerySet):
    """Rows valid over ``[valid_from, valid_to)``."""

    def active_on(self, day: datetime.date):
        return self.filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day), valid_from__lte=day)


class MembershipQuerySet(DatedQuerySet):
    pass


class StatusChangeQuerySet(QuerySet):
    def in_force_on(self, day: datetime.date):
        return self.filter(effective_from__lte=day).order_by("-effective_from", "-id")


def status_on_subquery(day: datetime.date, member_ref: str = "pk") -> Subquery:
    """The status of the member referenced by ``member_ref`` on ``day`` (the latest change on or before it)."""
    StatusChange = apps.get_model("members", "StatusChange")
    return Subquery(StatusChange.objects.filter(member=OuterRef(member_ref)).in_force_on(day).values("status")[:1])


class MemberQuerySet(QuerySet):
    def with_status_on(self, day: datetime.date):
        return self.annotate(status=status_on_subquery(day))

    def roster_of(self, organization, day: datetime.date, *, include_temporary: bool = True):
        """Members of ``organization`` on ``day``: home members not gone, and (optionally) guests attached here.

        Correct across transfers: it reads the dated memberships and status changes, not the current cell.
        """
        Membership = apps.get_model("members", "Membership")
        memberships = Membership.objects.filter(member=OuterRef("pk"), organization=organization).active_on(day)
        if not include_temporary:
            memberships = memberships.filter(kind="home")
        return (
            self.annotate(
                status=status_on_subquery(day),
                membership_kind=Subquery(memberships.order_by("kind").values("kind")[:1]),
            )
            .filter(membership_kind__isnull=False, status__isnull=False)
            .exclude(status__in=GONE_STATUSES)
        )

    def in_paths(self, paths):
        """Members whose current home cell is in one of these subtrees."""
        condition = Q()
        for path in paths:
            condition |= Q(memberships__organization__path__startswith=path)
        if not paths:
            return self.none()
        return self.filter(condition, memberships__valid_to__isnull=True, memberships__kind="home").distinct()


def subtree_counts(nodes, day: datetime.date) -> dict[int, tuple[int, int]]:
    """For each node, (active cells, current members) in its whole subtree: two queries for any number of nodes."""
    Membership = apps.get_model("members", "Membership")
    nodes = list(nodes)
    if not nodes:
        return {}
    cell_counts = (
        Organization.objects.cells()
        .active_on(day)
        .order_by()
        .aggregate(**{f"n{node.pk}": Count("pk", filter=Q(path__startswith=node.path)) for node in nodes})
    )
    member_counts = (
        Membership.objects.filter(kind="home")
        .active_on(day)
        .order_by()
        .aggregate(
            **{f"n{node.pk}": Count("member", filter=Q(organization__path__startswith=node.path)) for node in nodes}
        )
    )
    return {node.pk: (cell_counts[f"n{node.pk}"], member_counts[f"n{node.pk}"]) for node in nodes}
