"""Routes of meetings/record_views.py (in the `meetings` namespace)."""

from django.urls import path

from meetings import record_views

urlpatterns = [
    path("sinh-hoat/<int:pk>/ghi-bien-ban/", record_views.record, name="record"),
    path("sinh-hoat/<int:pk>/so-lieu/", record_views.figures, name="figures"),
    path("sinh-hoat/<int:pk>/diem-danh/<int:member_pk>/", record_views.attendance, name="attendance"),
    path(
        "sinh-hoat/<int:pk>/diem-danh/tat-ca-co-mat/",
        record_views.attendance_all_present,
        name="attendance_all_present",
    ),
    path("sinh-hoat/<int:pk>/dai-bieu/", record_views.visitor_add, name="visitor_add"),
    path("sinh-hoat/<int:pk>/dai-bieu/<int:visitor_pk>/xoa/", record_views.visitor_remove, name="visitor_remove"),
    path("sinh-hoat/<int:pk>/phat-bieu/", record_views.speech_add, name="speech_add"),
    path("sinh-hoat/<int:pk>/phat-bieu/<int:speech_pk>/xoa/", record_views.speech_remove, name="speech_remove"),
]
