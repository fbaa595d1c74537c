"""Routes of reports/document_views.py (in the `reports` namespace)."""

from django.urls import path

from reports import document_views

urlpatterns = [
    path("to-chuc/<int:pk>/in-bien-ban/", document_views.month_minutes_request, name="month_minutes_request"),
    path("ban-in/", document_views.document_jobs, name="document_jobs"),
    path("ban-in/<int:pk>/", document_views.document_job, name="document_job"),
    path("ban-in/<int:pk>/tep.pdf", document_views.document_job_file, name="document_job_file"),
]
