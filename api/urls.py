"""/api/v1/ (the resources), /api/schema/ (OpenAPI 3) and /api/docs/ (its browsable page, served from our static
files by drf-spectacular-sidecar: no CDN)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from api import token_views, views

app_name = "api"

router = DefaultRouter()
router.register("organizations", views.OrganizationViewSet, basename="organization")
router.register("cells", views.CellViewSet, basename="cell")
router.register("members", views.MemberViewSet, basename="member")
router.register("meetings", views.MeetingViewSet, basename="meeting")
router.register("visits", views.VisitViewSet, basename="visit")
router.register("findings", views.FindingViewSet, basename="finding")

urlpatterns = [
    path("v1/policies/in-force/", views.PolicyInForceView.as_view(), name="policy_in_force"),
    path("v1/compliance/", views.ComplianceView.as_view(), name="compliance"),
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("khoa/", token_views.tokens, name="tokens"),
    path("khoa/<int:pk>/thu-hoi/", token_views.token_revoke, name="token_revoke"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]
