"""Routes of reports/dashboard_views.py (in the `reports` namespace)."""

urlpatterns: list = []
