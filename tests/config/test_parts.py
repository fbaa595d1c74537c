"""Proofs that the real parts work together: the database in use, a real Celery worker, the settings helpers."""

import os
import sys

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from config.celery import app, heartbeat
from config.env import database_from_url, env_bool, env_int
from tests.factories import UserFactory


@pytest.mark.django_db
def test_it_runs_on_the_database_that_database_url_names():
    url = os.environ.get("DATABASE_URL", "")

    with connection.cursor() as cursor:
        if url.startswith("postgres"):
            assert connection.vendor == "postgresql"
            cursor.execute("SELECT version()")
            assert "PostgreSQL" in cursor.fetchone()[0]
        else:
            assert connection.vendor == "sqlite"
            cursor.execute("SELECT sqlite_version()")
            assert cursor.fetchone()[0]


def test_ci_uses_postgresql_and_redis():
    """CI must exercise the production parts: a missing DATABASE_URL or REDIS_URL there is a failure."""
    if not os.environ.get("CI"):
        assert settings.DATABASES["default"]["ENGINE"]  # outside CI either database is fine
        return
    assert os.environ.get("DATABASE_URL", "").startswith("postgres"), "CI must set DATABASE_URL to PostgreSQL"
    assert os.environ.get("REDIS_URL", "").startswith("redis://"), "CI must set REDIS_URL"
    assert settings.CELERY_BROKER_URL.startswith("redis://")


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_executes_a_task_through_the_broker():
    UserFactory(username="worker-proof")
    expected_transport = "redis" if os.environ.get("REDIS_URL") else "filesystem"
    assert app.connection_for_write().transport_cls == expected_transport

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        result = heartbeat.delay()
        value = result.get(timeout=30)

    assert value == {"ok": True, "users": 1}
    assert result.successful()


def test_database_url_for_postgres_keeps_every_part():
    db = database_from_url("postgres://app:s%40cret@db.example:5433/chibo?conn_max_age=60&sslmode=require", None)

    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["NAME"], db["USER"], db["PASSWORD"], db["HOST"], db["PORT"]) == (
        "chibo",
        "app",
        "s@cret",
        "db.example",
        "5433",
    )
    assert db["CONN_MAX_AGE"] == 60
    assert db["OPTIONS"] == {"sslmode": "require"}


def test_database_url_for_sqlite_turns_on_wal_and_immediate_transactions(tmp_path):
    db = database_from_url("sqlite:///var/app.sqlite3", tmp_path)

    assert db["NAME"] == str(tmp_path / "var" / "app.sqlite3")
    assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in db["OPTIONS"]["init_command"]
    assert db["OPTIONS"]["timeout"] > 0
    assert database_from_url("sqlite:////srv/chibo.sqlite3", tmp_path)["NAME"] == "/srv/chibo.sqlite3"


@pytest.mark.parametrize(
    "url", ["mysql://x@y/z", "postgres://x@y:5432/", "sqlite://relative/path", "postgres://x@y/z?conn_max_age=soon"]
)
def test_database_url_refuses_what_it_cannot_use(url):
    with pytest.raises(ImproperlyConfigured):
        database_from_url(url, None)


def test_env_helpers_fail_loudly_on_bad_values(monkeypatch):
    monkeypatch.setenv("X_FLAG", "maybe")
    monkeypatch.setenv("X_NUMBER", "ten")
    with pytest.raises(ImproperlyConfigured):
        env_bool("X_FLAG", False)
    with pytest.raises(ImproperlyConfigured):
        env_int("X_NUMBER", 1)
    monkeypatch.setenv("X_FLAG", "yes")
    assert env_bool("X_FLAG", False) is True


def test_settings_refuse_to_start_without_secret_key_when_debug_is_off(tmp_path):
    import subprocess

    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env.update({"DEBUG": "0", "VAR_DIR": str(tmp_path), "PYTHONPATH": str(settings.BASE_DIR)})
    code = "import config.settings"
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False)

    assert proc.returncode != 0
    assert "SECRET_KEY" in proc.stderr
