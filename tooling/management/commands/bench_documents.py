"""`manage.py bench_documents` (`make bench`): the minutes and the compliance report as PDF. See
tooling/bench_documents.py."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from tooling.bench_documents import run


class Command(BaseCommand):
    help = (
        "Benchmark the official documents: the minutes PDF of a meeting of 20 members and 10 speeches against a "
        "one-page plain PDF rendered in the same run, and the compliance report PDF of the BENCH province for a year "
        "(the one bench_compliance leaves; generated if missing or of another size). Writes var/bench/documents.json. "
        "Replaces the BENCHDOC province of the database it runs on."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--runs", type=int, default=15, help="timed minutes and plain renderings, interleaved")
        parser.add_argument("--report-runs", type=int, default=5, help="timed compliance reports")
        parser.add_argument("--report-cells", type=int, default=5000, help="cells of the report's province")
        parser.add_argument("--members-per-cell", type=int, default=20, help="if the province must be generated")
        parser.add_argument("--months", type=int, default=24, help="if the province must be generated")
        parser.add_argument("--output", default=str(Path(settings.BASE_DIR) / "var" / "bench" / "documents.json"))
        parser.add_argument("--allow-any-database", action="store_true", help="SQLite too (the tests)")

    def handle(self, *args, **options) -> None:
        if connection.vendor != "postgresql" and not options["allow_any_database"]:
            raise CommandError("The documents benchmark needs PostgreSQL: set DATABASE_URL (make bench does).")
        if options["runs"] < 1 or options["report_runs"] < 1 or options["report_cells"] < 1:
            raise CommandError("--runs, --report-runs and --report-cells take a number above zero.")
        try:
            result = run(
                runs=options["runs"],
                report_runs=options["report_runs"],
                report_cells=options["report_cells"],
                members_per_cell=options["members_per_cell"],
                months=options["months"],
                output=options["output"],
                log=lambda line: self.stdout.write(line),
            )
        except RuntimeError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"minutes PDF: {result['minutes_ms_median']} ms ({result['minutes_queries']} queries), plain PDF "
            f"{result['plain_ms_median']} ms, ratio {result['ratio_minutes_to_plain']}; compliance report of "
            f"{result['report_cells']:,} cells: {result['report_ms_median']} ms ({result['report_queries']} queries; "
            f"a commune's: {result['report_queries_commune']})"
        )
        self.stdout.write(f"written to {options['output']}")
