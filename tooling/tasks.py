"""Tasks of the benchmarks only (found by the worker's autodiscovery; nothing in the domain sends them)."""

from celery import shared_task
from django.conf import settings

NOOP_KEY = "chibo:bench:noop"


@shared_task(name="tooling.noop", ignore_result=True)
def noop(run: str) -> None:
    """The baseline of the mail benchmark: one Redis increment, so that the bench knows when all have run."""
    import redis

    redis.Redis.from_url(settings.REDIS_URL).incr(f"{NOOP_KEY}:{run}")
