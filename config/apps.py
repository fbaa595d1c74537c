"""Third-party apps as this app names them."""

from axes.apps import AppConfig as BaseAxesConfig
from django.utils.translation import gettext_lazy as _


class AxesConfig(BaseAxesConfig):
    """django-axes (failed logins, lock-outs), under a Vietnamese name in the admin instead of "Axes"."""

    verbose_name = _("Bảo vệ đăng nhập")
