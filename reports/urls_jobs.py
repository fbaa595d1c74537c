"""Routes of reports/jobs_views.py (in the `reports` namespace)."""

from django.urls import path

from reports import jobs_views

urlpatterns = [
    path("to-chuc/<int:pk>/in-bien-ban/", jobs_views.month_minutes_request, name="month_minutes_request"),
    path("to-chuc/<int:pk>/in-bao-cao/", jobs_views.compliance_report_request, name="compliance_report_request"),
    path("ban-in/", jobs_views.document_jobs, name="document_jobs"),
    path("ban-in/<int:pk>/", jobs_views.document_job, name="document_job"),
    path("ban-in/<int:pk>/tep.pdf", jobs_views.document_job_file, name="document_job_file"),
]
