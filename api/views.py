"""The API's resources. Each reads through the pages' access gate (``members.access``): an organization outside the
user's subtree is a 404, as on the pages."""

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets

from api.serializers import OrganizationSerializer
from cells.models import Organization, parent_path
from members.access import visible_organizations


@extend_schema(
    parameters=[
        OpenApiParameter(
            "within", OpenApiTypes.INT, description="Only this organization and everything below it (its subtree)."
        )
    ]
)
class OrganizationViewSet(viewsets.ReadOnlyModelViewSet):
    """The organizations the user reads, in the tree's order (a parent before its children). Two queries a page: the
    page, and its parents' ids."""

    serializer_class = OrganizationSerializer

    def get_queryset(self):
        organizations = visible_organizations(self.request.user).order_by("path")
        within = self.request.query_params.get("within", "")
        if within:
            if not within.isdigit():
                return organizations.none()
            top = get_object_or_404(visible_organizations(self.request.user), pk=int(within))
            organizations = organizations.filter(path__startswith=top.path)
        return organizations

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["parents"] = {}
        return context

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        if args:
            rows = args[0] if isinstance(args[0], list | tuple) else [args[0]]
            paths = {parent_path(o.path) for o in rows if isinstance(o, Organization)} - {""}
            by_path = dict(Organization.objects.filter(path__in=paths).values_list("path", "pk")) if paths else {}
            serializer.context["parents"].update(
                {o.pk: by_path.get(parent_path(o.path)) for o in rows if isinstance(o, Organization)}
            )
        return serializer
