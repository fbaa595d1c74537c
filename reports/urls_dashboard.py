"""Routes of reports/dashboard_views.py (in the `reports` namespace)."""

from django.urls import path

from reports import dashboard_views

urlpatterns = [
    path("bao-cao/", dashboard_views.dashboard_home, name="dashboard_home"),
    path("to-chuc/<int:pk>/bao-cao/", dashboard_views.dashboard_view, name="dashboard"),
    path("to-chuc/<int:pk>/bao-cao.xlsx", dashboard_views.dashboard_xlsx, name="dashboard_xlsx"),
    path("to-chuc/<int:pk>/bao-cao.pdf", dashboard_views.dashboard_pdf, name="dashboard_pdf"),
    path("to-chuc/<int:pk>/bao-cao.csv", dashboard_views.dashboard_csv, name="dashboard_csv"),
    path("to-chuc/<int:pk>/bao-cao/vang-khong-ly-do/", dashboard_views.dashboard_absences, name="dashboard_absences"),
    path(
        "to-chuc/<int:pk>/bao-cao/vang-khong-ly-do.xlsx",
        dashboard_views.dashboard_absences_xlsx,
        name="dashboard_absences_xlsx",
    ),
    path(
        "to-chuc/<int:pk>/bao-cao/vang-khong-ly-do.csv",
        dashboard_views.dashboard_absences_csv,
        name="dashboard_absences_csv",
    ),
]
