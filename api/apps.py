from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The JSON API under /api/v1/ (Django REST framework), described by OpenAPI 3 (drf-spectacular). It stands above
    the domain apps and reads through their access gate (members.access) and services: no rule lives here."""

    name = "api"
    verbose_name = "API"
