"""/api/v1/ (the resources), /api/schema/ (OpenAPI 3) and /api/docs/ (its browsable page, served from our static
files by drf-spectacular-sidecar: no CDN)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from api import token_views, views

app_name = "api"

router = DefaultRouter()
router.register("organizations", views.OrganizationViewSet, basename="organization")

urlpatterns = [
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("khoa/", token_views.tokens, name="tokens"),
    path("khoa/<int:pk>/thu-hoi/", token_views.token_revoke, name="token_revoke"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]
