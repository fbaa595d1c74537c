from django.urls import include, path

from reports import views

app_name = "reports"

urlpatterns = [
    path("sinh-hoat/<int:pk>/bien-ban.pdf", views.minutes_pdf, name="minutes_pdf"),
    path("sinh-hoat/<int:pk>/nghi-quyet.pdf", views.resolution_pdf, name="resolution_pdf"),
    path("sinh-hoat/<int:pk>/van-ban/<int:document_pk>.pdf", views.document_version, name="document_version"),
    path("to-chuc/<int:org_pk>/so-nghi-quyet/<int:year>/", views.resolution_book, name="resolution_book"),
    path("sinh-hoat/<int:pk>/danh-gia/", views.meeting_findings, name="meeting_findings"),
    path("", include("reports.urls_dashboard")),
    path("", include("reports.urls_policy")),
    path("", include("reports.urls_visits")),
    path("", include("reports.urls_printouts")),
    path("", include("reports.urls_jobs")),
]
