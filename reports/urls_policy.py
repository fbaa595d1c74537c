"""Routes of reports/policy_views.py (in the `reports` namespace)."""

urlpatterns: list = []
