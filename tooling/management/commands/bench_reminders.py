"""`manage.py bench_reminders` (`make bench`): agenda e-mails queued and sent by a real worker. See
tooling/bench_reminders.py."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from tooling.bench_reminders import run


class Command(BaseCommand):
    help = (
        "Benchmark the outbox: the agenda e-mails of N members (default 10,000) queued by publishing their cells' "
        "meetings and sent by a real Celery worker against Redis, beside a no-op task on the same worker. Writes "
        "var/bench/reminders.json. Replaces the BENCHMAIL province of the database it runs on."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--members", type=int, default=10_000)
        parser.add_argument("--per-cell", type=int, default=20)
        parser.add_argument("--concurrency", type=int, default=2, help="the worker's processes")
        parser.add_argument("--output", default=str(Path(settings.BASE_DIR) / "var" / "bench" / "reminders.json"))
        parser.add_argument("--allow-any-database", action="store_true", help="SQLite too (the tests)")

    def handle(self, *args, **options) -> None:
        if connection.vendor != "postgresql" and not options["allow_any_database"]:
            raise CommandError("The mail benchmark needs PostgreSQL: set DATABASE_URL (make bench does).")
        try:
            result = run(
                members=options["members"],
                per_cell=options["per_cell"],
                concurrency=options["concurrency"],
                output=options["output"],
                log=lambda line: self.stdout.write(line),
            )
        except RuntimeError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"{result['mails']:,} mails: {result['mails_per_s']} mails/s, no-op {result['noop_per_s']} tasks/s, "
            f"ratio {result['ratio_mail_to_noop']}, duplicates {result['duplicates']}, lost {result['lost']}"
        )
        self.stdout.write(f"written to {options['output']}")
