"""The ``tooling`` app: demo data and benchmarks, installed after the domain apps so its commands can use them all."""

from django.apps import AppConfig


class ToolingConfig(AppConfig):
    # No models and nothing in the admin: its name is never shown, so it needs no translated verbose_name.
    name = "tooling"
    label = "tooling"
