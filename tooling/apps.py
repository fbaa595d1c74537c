"""The ``tooling`` app: demo data and benchmarks, installed after the domain apps so its commands can use them all."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ToolingConfig(AppConfig):
    name = "tooling"
    label = "tooling"
    verbose_name = _("Công cụ (dữ liệu mẫu, đo hiệu năng)")
