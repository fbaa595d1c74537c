"""`manage.py generate_benchmark_data --cells N [--members-per-cell M --months K --reset]`: tooling/bench_data.py."""

import time

from django.core.management.base import BaseCommand, CommandError

from tooling.bench_data import generate


class Command(BaseCommand):
    help = (
        "Fill the database with a benchmark province: communes of about 50 cells, N cells of M members, K months of "
        "held meetings (attendance, speeches, votes, thematic meetings) ending with the last full month. Bulk "
        "inserts (PostgreSQL COPY): minutes for 5,000 cells of 20 members over 24 months."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--cells", type=int, required=True, help="number of cells (N)")
        parser.add_argument("--members-per-cell", type=int, default=20, help="members per cell (M, default 20)")
        parser.add_argument("--months", type=int, default=24, help="months of meetings (K, default 24)")
        parser.add_argument("--province-code", default="BENCH", help="code of the province root (default BENCH)")
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1): the same data every time")
        parser.add_argument(
            "--reset", action="store_true", help="delete the province with this code (and its members) first"
        )

    def handle(self, *args, **options) -> None:
        def log(line: str) -> None:
            self.stdout.write(line)
            self.stdout.flush()

        started = time.perf_counter()
        try:
            generated = generate(
                cells=options["cells"],
                members_per_cell=options["members_per_cell"],
                months=options["months"],
                code=options["province_code"],
                seed=options["seed"],
                reset=options["reset"],
                log=log,
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Province {generated.code} (id {generated.root_id}) is ready in "
                f"{time.perf_counter() - started:.1f} s: phases {generated.phases}"
            )
        )
