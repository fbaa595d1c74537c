"""`manage.py bench_compliance` (`make bench`): the compliance dashboard benchmarks. See tooling/bench.py."""

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from tooling.bench import Options, run


def _create_database() -> bool:
    """Create the PostgreSQL database named by DATABASE_URL if it is missing (through the `postgres` database)."""
    import psycopg2
    from psycopg2 import sql

    db = settings.DATABASES["default"]
    params = {"dbname": "postgres", "user": db.get("USER") or None, "password": db.get("PASSWORD") or None}
    params |= {"host": db.get("HOST") or None, "port": db.get("PORT") or None}
    server = psycopg2.connect(**{key: value for key, value in params.items() if value})
    try:
        server.autocommit = True
        with server.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]])
            if cursor.fetchone():
                return False
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"])))
            return True
    finally:
        server.close()


class Command(BaseCommand):
    help = (
        "Benchmark the compliance dashboards on PostgreSQL: generate a province at each size (default 500 and 5,000 "
        "cells of 20 members over 24 months), compute the stored findings, then measure the province dashboard "
        "through Django, the facts and the stored findings in raw SQL, and refreshing. Prints a table and writes "
        "var/bench/compliance.json. Replaces the BENCH province of the database it runs on."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--sizes", default="500,5000", help="the small and the large number of cells")
        parser.add_argument("--members-per-cell", type=int, default=20)
        parser.add_argument("--months", type=int, default=24)
        parser.add_argument("--province-code", default="BENCH")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--requests", type=int, default=15, help="timed dashboard requests (after 2 warm-ups)")
        parser.add_argument(
            "--cold-requests", type=int, default=5, help="timed first requests after the findings changed"
        )
        parser.add_argument("--facts-runs", type=int, default=5)
        parser.add_argument("--stored-runs", type=int, default=15)
        parser.add_argument("--refresh-runs", type=int, default=30)
        parser.add_argument("--month-runs", type=int, default=3)
        parser.add_argument("--output", default=str(Path(settings.BASE_DIR) / "var" / "bench" / "compliance.json"))
        parser.add_argument(
            "--create-database",
            action="store_true",
            help="create the PostgreSQL database of DATABASE_URL if it is missing, and migrate it",
        )
        parser.add_argument(
            "--allow-any-database",
            action="store_true",
            help="run on a database other than PostgreSQL (the tests do: its numbers mean nothing)",
        )

    def handle(self, *args, **options) -> None:
        if connection.vendor != "postgresql" and not options["allow_any_database"]:
            raise CommandError(
                "The benchmarks need PostgreSQL: set DATABASE_URL=postgres://user@host:5432/chibo_bench "
                f"(the database is {connection.vendor}). `make bench` does this for you."
            )
        try:
            small, large = (int(part) for part in options["sizes"].split(","))
        except ValueError:
            raise CommandError("--sizes takes two numbers of cells, e.g. 500,5000.") from None
        if options["create_database"] and connection.vendor == "postgresql":
            if _create_database():
                self.stdout.write(f"created database {settings.DATABASES['default']['NAME']}")
            call_command("migrate", interactive=False, verbosity=0)

        def log(line: str) -> None:
            self.stdout.write(line)
            self.stdout.flush()

        result = run(
            Options(
                sizes=(small, large),
                members_per_cell=options["members_per_cell"],
                months=options["months"],
                code=options["province_code"],
                seed=options["seed"],
                requests=options["requests"],
                cold_requests=options["cold_requests"],
                facts_runs=options["facts_runs"],
                stored_runs=options["stored_runs"],
                refresh_runs=options["refresh_runs"],
                month_runs=options["month_runs"],
            ),
            options["output"],
            log,
        )
        if result["errors"]:
            raise CommandError("Some measurements failed:\n  " + "\n  ".join(result["errors"]))
        missed = [name for name, met in result["targets_met"].items() if met is False]
        if missed:
            self.stdout.write(self.style.WARNING(f"Targets missed: {', '.join(missed)} (see the table above)."))
        else:
            self.stdout.write(self.style.SUCCESS("Every target is met."))
