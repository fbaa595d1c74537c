"""The Celery app, configured from Django settings (namespace ``CELERY``)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("chibo")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="config.heartbeat")
def heartbeat() -> dict:
    """Prove that a worker reaches the database: answer the number of user accounts. Safe to run twice."""
    from django.contrib.auth import get_user_model

    return {"ok": True, "users": get_user_model().objects.count()}
