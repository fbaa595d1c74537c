"""Demo data for `manage.py load_demo`: safe to run any number of times (everything is get-or-create)."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

DEMO_PASSWORD = "chibo-demo-2026"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str


def _ensure_user(username: str, *, first_name: str, last_name: str, **flags) -> None:
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        username=username, defaults={"first_name": first_name, "last_name": last_name, **flags}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])


@transaction.atomic
def load_demo() -> list[DemoLogin]:
    """Create the demo data and return the logins to print."""
    _ensure_user("admin", first_name="Quản trị", last_name="", is_staff=True, is_superuser=True)
    return [DemoLogin("admin", "Quản trị viên hệ thống")]
