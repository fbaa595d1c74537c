from django.urls import include, path

from meetings import views

app_name = "meetings"

urlpatterns = [
    path("to-chuc/<int:org_pk>/sinh-hoat/", views.meeting_list, name="list"),
    path("to-chuc/<int:org_pk>/sinh-hoat/moi/", views.meeting_plan_view, name="plan"),
    path("sinh-hoat/<int:pk>/", views.meeting_detail, name="detail"),
    path("sinh-hoat/<int:pk>/sua/", views.meeting_edit, name="edit"),
    path("sinh-hoat/<int:pk>/gui-thong-bao/", views.meeting_publish_view, name="publish"),
    path("sinh-hoat/<int:pk>/huy/", views.meeting_cancel_view, name="cancel"),
    path("sinh-hoat/<int:pk>/duyet/", views.minutes_approve_view, name="approve"),
    path("sinh-hoat/<int:pk>/tai-lieu/", views.material_add, name="material_add"),
    path("sinh-hoat/<int:pk>/tai-lieu/<int:material_pk>/", views.material_download, name="material"),
    path("sinh-hoat/<int:pk>/bao-vang/", views.absence_notice_view, name="absence"),
    path("sinh-hoat-cua-toi/", views.my_meetings, name="mine"),
    path("", include("meetings.urls_record")),
    path("", include("meetings.urls_mail")),
    path("", include("meetings.urls_visits")),
]
