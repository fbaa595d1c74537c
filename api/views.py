"""The API's resources. Each reads through the pages' access gate (``members.access``): an organization outside the
user's subtree is a 404, as on the pages."""

from django.db.models import OuterRef, Subquery
from django.db.models.functions import Length, Substr
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets

from api.serializers import OrganizationSerializer
from cells.models import Organization
from members.access import visible_organizations

# The parent's id, read in the page's own query: the node whose path is this one's less its last step.
PARENT_ID = Subquery(
    Organization.objects.filter(
        path=Substr(OuterRef("path"), 1, Length(OuterRef("path")) - Organization.steplen)
    ).values("pk")[:1]
)


@extend_schema(
    parameters=[
        OpenApiParameter(
            "within", OpenApiTypes.INT, description="Only this organization and everything below it (its subtree)."
        )
    ]
)
class OrganizationViewSet(viewsets.ReadOnlyModelViewSet):
    """The organizations the user reads, in the tree's order (a parent before its children), each with its parent's
    id. One query a page, and the count."""

    serializer_class = OrganizationSerializer

    def get_queryset(self):
        organizations = visible_organizations(self.request.user).order_by("path").annotate(parent_id=PARENT_ID)
        within = self.request.query_params.get("within", "")
        if within:
            if not within.isdigit():
                return organizations.none()
            top = get_object_or_404(visible_organizations(self.request.user), pk=int(within))
            organizations = organizations.filter(path__startswith=top.path)
        return organizations
