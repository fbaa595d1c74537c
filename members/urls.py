from django.urls import include, path

from members import views

app_name = "members"

# The organization pages live here, not in `cells`: they show rosters and go through the access gate, both of
# which belong to `members` (a lower app never imports a higher one).
urlpatterns = [
    path("to-chuc/", views.organization_browser, name="browser"),
    path("to-chuc/<int:pk>/", views.organization_detail, name="organization"),
    path("to-chuc/<int:pk>/con/", views.organization_children, name="children"),
    path("to-chuc/<int:org_pk>/them-dang-vien/", views.member_add, name="add"),
    path("dang-vien/<int:pk>/", views.member_detail, name="detail"),
    path("dang-vien/<int:pk>/sua/", views.member_edit, name="edit"),
    path("dang-vien/<int:pk>/chuyen-sinh-hoat/", views.member_transfer_view, name="transfer"),
    path("dang-vien/<int:pk>/tinh-trang/", views.member_status_view, name="status"),
    path("dang-vien/<int:pk>/chuc-vu/", views.member_position_view, name="position"),
    path("", include("members.urls_roster")),
]
