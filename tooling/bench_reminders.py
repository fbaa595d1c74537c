"""The mail benchmark (``manage.py bench_reminders``, part of ``make bench``): agenda e-mails for N members queued
through the outbox and sent by a real Celery worker against Redis, beside a no-op task on the same worker.

1. A province of cells of ``per_cell`` members (each with an address) is written in bulk; every cell plans a meeting
   and publishes it through ``meetings.services.meeting_publish``, which writes one outbox row per recipient.
2. A worker is started as its own process (``celery -A config worker``, prefork, ``--concurrency``), with the same
   database and broker and a file mail backend in a fresh folder.
3. No-op baseline: N ``tooling.noop`` tasks are sent and the time until the worker has run them all is measured (they
   count themselves in Redis). Then the outbox rows' sends are enqueued (``outbox.enqueue_sends``) and the time until
   every row is sent or failed is measured.
4. The mail folder is read back: every message carries ``X-Chibo-Outbox: <row id>``; ``duplicates`` counts messages
   beyond one per row, ``lost`` the rows not sent.

Results go to ``var/bench/reminders.json``: ``mails``, ``mails_per_s``, ``noop_per_s``, ``ratio_mail_to_noop``,
``duplicates``, ``lost`` and the set-up's figures.
"""

import datetime
import email
import json
import os
import platform
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from celery import current_app
from django.conf import settings
from django.db import transaction

from cells.models import Organization
from cells.periods import local_today
from cells.text import vi_name_sort_key
from meetings import outbox, services
from meetings.models import Meeting, OutboxMessage
from members.models import Member, Membership, StatusChange
from tooling.bench_data import PROVINCE_NAME, purge
from tooling.tasks import NOOP_KEY, noop

Log = Callable[[str], None]
ROOT_NAME = f"{PROVINCE_NAME} – thư"
ROOT_CODE = "BENCHMAIL"


def build(members: int, per_cell: int, log: Log) -> list[Meeting]:
    """A fresh benchmark province with ``members`` members in cells of ``per_cell``, each cell with a planned meeting
    a week ahead. Returns the meetings."""
    old = Organization.objects.filter(depth=1, code=ROOT_CODE).first()
    if old is not None:
        OutboxMessage.objects.filter(meeting__organization__path__startswith=old.path).delete()
        purge(old, log)
    started = time.perf_counter()
    root = Organization.add_root(name=ROOT_NAME, code=ROOT_CODE, kind=Organization.Kind.PROVINCIAL)
    commune = root.add_child(name="Đảng bộ xã Thử nghiệm thư", code=f"{ROOT_CODE}-X", kind=Organization.Kind.COMMUNE)
    cells = []
    for index in range((members + per_cell - 1) // per_cell):
        cells.append(
            commune.add_child(
                name=f"Chi bộ thử nghiệm {index + 1:04d}",
                code=f"{ROOT_CODE}-{index + 1:04d}",
                kind=Organization.Kind.SUBORDINATE_CELL,
                meeting_day=4,
            )
        )
    joined = datetime.date(2010, 1, 1)
    rows = []
    for number in range(members):
        name = f"Đảng viên Thử {number + 1:05d}"
        rows.append(
            Member(
                full_name=name,
                sort_key=vi_name_sort_key(name),
                email=f"bench{number + 1:05d}@example.invalid",
                admission_date=joined,
                official_date=joined + datetime.timedelta(days=365),
            )
        )
    with transaction.atomic():
        created = Member.objects.bulk_create(rows, batch_size=2_000)
        Membership.objects.bulk_create(
            [
                Membership(member=member, organization=cells[index // per_cell], valid_from=joined)
                for index, member in enumerate(created)
            ],
            batch_size=2_000,
        )
        StatusChange.objects.bulk_create(
            [
                StatusChange(member=member, status=StatusChange.Status.OFFICIAL, effective_from=joined)
                for member in created
            ],
            batch_size=2_000,
        )
    day = local_today() + datetime.timedelta(days=7)
    meetings = [
        services.meeting_plan(
            organization=cell,
            kind=Meeting.Kind.REGULAR,
            planned_date=day,
            planned_time=datetime.time(14, 0),
            venue="Hội trường",
        )
        for cell in cells
    ]
    log(f"built {len(cells):,} cells of {per_cell} members ({time.perf_counter() - started:.1f} s)")
    return meetings


def publish(meetings: list[Meeting], log: Log) -> tuple[list[int], float]:
    """Publish every meeting with the broker untouched (the sends are enqueued later, all at once): the outbox rows'
    ids and the seconds it took."""
    started = time.perf_counter()
    real = outbox.enqueue_sends
    outbox.enqueue_sends = lambda ids: 0
    try:
        for meeting in meetings:
            with transaction.atomic():
                services.meeting_publish(meeting=meeting)
    finally:
        outbox.enqueue_sends = real
    ids = list(
        OutboxMessage.objects.filter(meeting__in=meetings, status=OutboxMessage.Status.QUEUED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    seconds = time.perf_counter() - started
    log(f"published {len(meetings):,} meetings: {len(ids):,} outbox rows ({seconds:.1f} s)")
    return ids, seconds


def start_worker(mail_dir: Path, concurrency: int, log: Log) -> subprocess.Popen:
    env = {
        **os.environ,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "LOG_LEVEL": "WARNING",
    }
    command = [
        str(Path(sys.executable).with_name("celery")),
        "-A",
        "config",
        "worker",
        "--pool=prefork",
        f"--concurrency={concurrency}",
        "--loglevel=WARNING",
        "--without-gossip",
        "--without-mingle",
        "-n",
        f"bench-{uuid.uuid4().hex[:6]}@%h",
    ]
    worker = subprocess.Popen(command, env=env, cwd=settings.BASE_DIR, start_new_session=True)
    # Ready when it answers a ping.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if current_app.control.ping(timeout=1.0):
            log(f"worker up (pid {worker.pid}, {concurrency} processes)")
            return worker
        if worker.poll() is not None:
            raise RuntimeError(f"the worker exited with {worker.returncode}")
    stop_worker(worker)
    raise RuntimeError("the worker did not answer within 60 s")


def stop_worker(worker: subprocess.Popen) -> None:
    try:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=60)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(worker.pid, signal.SIGKILL)


def time_noop(count: int, timeout: float) -> float:
    import redis

    run = uuid.uuid4().hex
    client = redis.Redis.from_url(settings.REDIS_URL)
    started = time.perf_counter()
    for _ in range(count):
        noop.apply_async(args=[run], ignore_result=True)
    key = f"{NOOP_KEY}:{run}"
    while int(client.get(key) or 0) < count:
        if time.perf_counter() - started > timeout:
            raise RuntimeError(f"only {int(client.get(key) or 0)} of {count} no-op tasks ran in {timeout:.0f} s")
        time.sleep(0.05)
    seconds = time.perf_counter() - started
    client.delete(key)
    return seconds


def time_mail(ids: list[int], timeout: float) -> float:
    started = time.perf_counter()
    outbox.enqueue_sends(ids)
    done_statuses = [OutboxMessage.Status.SENT, OutboxMessage.Status.FAILED]
    while OutboxMessage.objects.filter(pk__in=ids).exclude(status__in=done_statuses).exists():
        if time.perf_counter() - started > timeout:
            break
        time.sleep(0.1)
    return time.perf_counter() - started


def read_mail(mail_dir: Path) -> Counter:
    """How many messages the folder holds per outbox row (``X-Chibo-Outbox``)."""
    counts: Counter = Counter()
    for path in mail_dir.glob("*.log"):
        text = path.read_text(errors="replace")
        # The file backend writes each message followed by a line of 79 dashes.
        for chunk in text.split("\n" + "-" * 79 + "\n"):
            if not chunk.strip():
                continue
            message = email.message_from_string(chunk.lstrip("\n"))
            row = message.get("X-Chibo-Outbox")
            if row:
                counts[int(row)] += 1
    return counts


def run(*, members: int, per_cell: int, concurrency: int, output: str, log: Log, timeout: float = 1800) -> dict:
    if not settings.REDIS_URL:
        raise RuntimeError("the mail benchmark needs Redis: set REDIS_URL (make bench sets redis://127.0.0.1:6379/15)")
    meetings = build(members, per_cell, log)
    ids, publish_seconds = publish(meetings, log)
    mail_dir = Path(settings.BASE_DIR) / "var" / "bench" / f"mail-{uuid.uuid4().hex[:8]}"
    mail_dir.mkdir(parents=True)
    worker = start_worker(mail_dir, concurrency, log)
    try:
        noop_seconds = time_noop(len(ids), timeout)
        log(f"no-op: {len(ids):,} tasks in {noop_seconds:.1f} s")
        mail_seconds = time_mail(ids, timeout)
        log(f"mail: {len(ids):,} rows in {mail_seconds:.1f} s")
    finally:
        stop_worker(worker)
    delivered = read_mail(mail_dir)
    sent = OutboxMessage.objects.filter(pk__in=ids, status=OutboxMessage.Status.SENT).count()
    result = {
        "mails": len(ids),
        "sent": sent,
        "mails_per_s": round(len(ids) / mail_seconds, 1),
        "noop_per_s": round(len(ids) / noop_seconds, 1),
        "ratio_mail_to_noop": round(noop_seconds / mail_seconds, 3),
        "duplicates": sum(count - 1 for count in delivered.values() if count > 1),
        "lost": len(ids) - sum(1 for pk in ids if delivered.get(pk)),
        "publish_s": round(publish_seconds, 1),
        "mail_s": round(mail_seconds, 2),
        "noop_s": round(noop_seconds, 2),
        "members": members,
        "cells": len(meetings),
        "worker_concurrency": concurrency,
        "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
        "python": platform.python_version(),
        "measured_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }
    Path(output).parent.mkdir(parents=True, exist_ok=True)
    Path(output).write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    return result
