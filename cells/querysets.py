"""Reads of the organization tree, as queryset methods."""

import datetime

from django.db.models import Q
from treebeard.mp_tree import MP_NodeManager, MP_NodeQuerySet


class OrganizationQuerySet(MP_NodeQuerySet):
    def within(self, paths) -> "OrganizationQuerySet":
        """Nodes in the subtrees rooted at these materialized paths (one indexed prefix test per root)."""
        paths = list(paths)
        if not paths:
            return self.none()
        condition = Q()
        for path in paths:
            condition |= Q(path__startswith=path)
        return self.filter(condition)

    def visible_to(self, scope) -> "OrganizationQuerySet":
        """Nodes a user may read, given their access scope (``members.access.scope_for(user)``)."""
        if scope.is_admin:
            return self.all()
        return self.within(scope.read_paths)

    def cells(self) -> "OrganizationQuerySet":
        return self.filter(kind__in=["grassroots_cell", "subordinate_cell"])

    def active_on(self, day: datetime.date) -> "OrganizationQuerySet":
        return self.filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day), valid_from__lte=day)

    def lock_paths(self, paths) -> list[tuple]:
        """Lock the nodes at ``paths`` (``SELECT … FOR NO KEY UPDATE``), in path order, root first, and return their
        (id, path, depth, kind). Whoever changes a chain of the tree (a move) or the sums kept along it
        (``reports.rollups``) locks it this way before writing anything else, so they wait for each other instead of
        deadlocking; rows pointing at these nodes (a meeting, a membership) can still be inserted meanwhile."""
        paths, rows = sorted(set(paths)), []
        for index in range(0, len(paths), 500):
            rows += list(
                self.select_for_update(no_key=True)
                .filter(path__in=paths[index : index + 500])
                .order_by("path")
                .values_list("id", "path", "depth", "kind")
            )
        return rows

    def search(self, text: str) -> "OrganizationQuerySet":
        text = text.strip()
        if not text:
            return self
        return self.filter(Q(name__icontains=text) | Q(code__iexact=text) | Q(code__istartswith=text))


class OrganizationManager(MP_NodeManager.from_queryset(OrganizationQuerySet)):
    def get_queryset(self) -> OrganizationQuerySet:
        return OrganizationQuerySet(self.model, using=self._db).order_by("path")
