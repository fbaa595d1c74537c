"""Routes for roster import and export (members/roster_views.py), in the `members` namespace."""

from django.urls import path

from members import roster_views

urlpatterns = [
    path("to-chuc/<int:pk>/nhap-danh-sach/", roster_views.roster_import_view, name="roster_import"),
    path("to-chuc/<int:pk>/xuat-danh-sach.xlsx", roster_views.roster_export_view, name="roster_export"),
    path("mau-danh-sach.xlsx", roster_views.roster_template_view, name="roster_template"),
    path("mau-danh-sach.csv", roster_views.roster_template_csv_view, name="roster_template_csv"),
]
