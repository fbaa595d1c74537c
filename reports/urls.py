from django.urls import include, path

from reports import views

app_name = "reports"

urlpatterns = [
    path("sinh-hoat/<int:pk>/bien-ban.pdf", views.minutes_pdf, name="minutes_pdf"),
    path("sinh-hoat/<int:pk>/danh-gia/", views.meeting_findings, name="meeting_findings"),
    path("", include("reports.urls_dashboard")),
    path("", include("reports.urls_policy")),
    path("", include("reports.urls_visits")),
    path("", include("reports.urls_documents")),
]
