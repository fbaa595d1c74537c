"""Routes of reports/policy_views.py (in the `reports` namespace)."""

from django.urls import path

from reports import policy_views

urlpatterns = [
    path("quy-dinh/", policy_views.policy, name="policy"),
    path("to-chuc/<int:pk>/quy-dinh/", policy_views.organization_policy, name="organization_policy"),
    path("to-chuc/<int:pk>/quy-dinh/<int:policy_pk>/sua/", policy_views.policy_edit, name="policy_edit"),
    path("to-chuc/<int:pk>/quy-dinh/dinh-muc-du-sinh-hoat/", policy_views.quota_preset, name="quota_preset"),
]
