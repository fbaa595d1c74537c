"""`manage.py load_demo` (`make demo`, `make run`): the demo province and its logins. See tooling/demo.py."""

from django.core.management.base import BaseCommand

from tooling.demo import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Load the demo province (organizations, members, users). Safe to run twice."

    def handle(self, *args, **options) -> None:
        logins = load_demo()
        self.stdout.write(self.style.SUCCESS(f"Demo data is loaded. Logins (password for all: {DEMO_PASSWORD}):"))
        for login in logins:
            self.stdout.write(f"  {login.username:<22} {login.role}")
