from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from config import views

# The admin under the app's name, in Vietnamese (English with the switcher), not "Django administration".
admin.site.site_header = _("Quản trị Chi bộ")
admin.site.site_title = _("Quản trị Chi bộ")
admin.site.index_title = _("Quản trị hệ thống")

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("dang-nhap/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("members.urls")),
    path("", include("meetings.urls")),
    path("", include("reports.urls")),
    path("api/", include("api.urls")),
    path("admin/", admin.site.urls),
]
