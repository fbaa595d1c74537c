"""Routes of reports/printouts_views.py (in the `reports` namespace): a meeting's attendance sheet, a visit report."""

from django.urls import path

from reports import printouts_views

urlpatterns = [
    path("sinh-hoat/<int:pk>/danh-sach-ky.pdf", printouts_views.attendance_sheet_pdf, name="attendance_sheet_pdf"),
    path("du-sinh-hoat/<int:visitor_pk>/bao-cao.pdf", printouts_views.visit_report_pdf, name="visit_report_pdf"),
]
