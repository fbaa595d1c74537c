import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from cells.models import Organization
from cells.presets import PRESETS, preset_load


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--from must be a date YYYY-MM-DD, not {value!r}") from None


class Command(BaseCommand):
    help = (
        "Load a preset of rules as the policy of an organization from a date "
        "(same organization and date: the policy is overwritten, so running it twice changes nothing)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("preset", choices=sorted(PRESETS), help="the preset's key")
        parser.add_argument("--organization", required=True, help="the organization's code")
        parser.add_argument("--from", dest="valid_from", required=True, help="first day it applies, YYYY-MM-DD")

    def handle(self, *args, **options) -> None:
        valid_from = _date(options["valid_from"])
        organization = Organization.objects.filter(code=options["organization"]).first()
        if organization is None:
            raise CommandError(f"No organization has the code {options['organization']!r}.")
        try:
            policy, created = preset_load(preset=options["preset"], organization=organization, valid_from=valid_from)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        verb = "Created" if created else "Updated"
        self.stdout.write(
            self.style.SUCCESS(f"{verb} policy #{policy.pk} “{policy.name}” on {organization.code} from {valid_from}.")
        )
