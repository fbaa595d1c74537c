"""The outbox's guarantees with real processes (issue 13, "Done when"): Celery workers and beats started as the
project runs them (``celery ... worker|beat``, see tests/processes.py), sharing the test's database and broker, mail
sent over SMTP to a server in the test.

- A worker killed (SIGKILL) while it sends a row: the row stays "sending" until its lease runs out, then the sweeper
  puts it back in the queue and a fresh worker sends it. Killed before the mail server accepted the message, the
  message is delivered once; killed after (the one duplicate the outbox cannot exclude, README "Mail"), it is delivered
  twice, and the row says so (two attempts, last error "Timeout").
- Two beats (and two workers) running at once: each reminder is written once and sent once.

Each process runs at the test's instant (its clock starts there and runs on), never at the wall clock's.
"""

import contextlib
import datetime
import signal
import uuid
import zoneinfo
from collections import Counter

import pytest
from django.utils import timezone

from config.celery import app
from meetings import outbox, services
from meetings.models import OutboxMessage
from tests.factories import make_meeting
from tests.processes import SmtpSink, celery_process, kill, stop, wait_for, wait_ready, worker_command

pytestmark = [pytest.mark.processes, pytest.mark.django_db(transaction=True)]

HANOI = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
Kind = OutboxMessage.Kind
Status = OutboxMessage.Status


@pytest.fixture
def queue(monkeypatch):
    """A queue of this test's own: everything the test sends (the sends enqueued when a meeting is published, the
    sweeps) goes there, and the processes it starts send to it and read it (tests/celery_app.py)."""
    name = f"test-outbox-{uuid.uuid4().hex[:12]}"
    send_task = app.send_task

    def to_queue(task_name, args=(), **options):
        return send_task(task_name, args=args, **{**options, "queue": name})

    monkeypatch.setattr(app, "send_task", to_queue)
    yield name
    with app.connection_for_write() as connection:
        connection.default_channel.queue_purge(name)


def queue_size(name: str) -> int:
    """How many messages wait in the queue (declared if need be: Redis knows a queue only once it is declared)."""
    with app.connection_for_read() as connection:
        return connection.default_channel.queue_declare(name).message_count


@pytest.mark.parametrize(
    ("hold", "copies"),
    [("DATA", 1), ("QUIT", 2)],
    ids=["killed-before-the-server-accepted", "killed-after-the-server-accepted"],
)
def test_a_worker_killed_while_sending_leaves_the_row_to_the_sweeper_and_a_fresh_worker_sends_it(
    world, queue, tmp_path, hold, copies
):
    meeting = make_meeting(world.cell_a)
    services.meeting_publish(meeting=meeting, by=world.secretary_user)  # its sends go to the queue on commit
    rows = OutboxMessage.objects.filter(meeting=meeting)
    assert rows.count() == 3
    first_log, second_log = tmp_path / "first-worker.log", tmp_path / "second-worker.log"

    with SmtpSink(hold=hold) as smtp:
        with celery_process(
            worker_command("first"), clock=timezone.now(), queue=queue, log=first_log, env=smtp.env()
        ) as first:
            wait_ready(first_log)
            wait_for(smtp.held.is_set, timeout=20, what=f"the first worker waiting at {hold}", logs=[first_log])
            [row] = rows.filter(status=Status.SENDING)  # the row the worker claimed
            kill(first)
        assert first.returncode == -signal.SIGKILL
        smtp.release.set()

        row.refresh_from_db()
        assert (row.status, row.attempts) == (Status.SENDING, 1)
        assert smtp.per_outbox_row()[row.pk] == copies - 1  # QUIT: the server has the message, the row says "sending"
        # The claim's lease: 15 minutes from the claim, by the worker's clock (which started at the test's instant).
        lease_end = row.next_attempt_at
        assert (
            timezone.now() + outbox.SENDING_LEASE
            < lease_end
            < timezone.now() + outbox.SENDING_LEASE + (datetime.timedelta(seconds=30))
        )
        # Before the lease runs out the sweeper leaves the row to its sender: a dead one looks like a slow one.
        # (It hands the other rows' sends over again: the fresh worker gets each of them twice.)
        assert outbox.outbox_sweep(now=lease_end - datetime.timedelta(seconds=1)) == 2
        row.refresh_from_db()
        assert row.status == Status.SENDING

        # A fresh worker, a minute after the lease ran out: the sweeper (on the worker, every minute in production)
        # puts the row back in the queue, and it is sent.
        with celery_process(
            worker_command("second"),
            clock=lease_end + datetime.timedelta(minutes=1),
            queue=queue,
            log=second_log,
            env=smtp.env(),
        ) as second:
            wait_ready(second_log)
            app.send_task("meetings.sweep_outbox")
            wait_for(
                lambda: not rows.exclude(status=Status.SENT).exists(),
                timeout=20,
                what="every row sent by the fresh worker",
                logs=[first_log, second_log],
            )
            wait_for(lambda: queue_size(queue) == 0, timeout=10, what="the queue drained", logs=[second_log])
            stop(second)  # finishes the task in hand (a second send of a row: skipped), then exits

    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (Status.SENT, 2, "Timeout")
    others = rows.exclude(pk=row.pk)
    assert set(others.values_list("status", "attempts", "last_error")) == {(Status.SENT, 1, "")}
    # Killed before the server accepted: one message. Killed after: two, and the row's two attempts and "Timeout"
    # are what the outbox pages show of it (README "Mail"): counted, not hidden.
    assert smtp.per_outbox_row() == {row.pk: copies, **{pk: 1 for pk in others.values_list("pk", flat=True)}}


def beat_runs(log) -> int:
    """How many times a beat sent the reminders' sweep (its INFO log line per run)."""
    return log.read_text(errors="replace").count("Sending due task sweep-reminders")


def test_two_beats_and_two_workers_write_and_send_each_reminder_once(world, queue, tmp_path):
    meeting = make_meeting(world.cell_a, planned_date=datetime.date(2026, 12, 10), planned_time=datetime.time(14, 0))
    services.meeting_publish(meeting=meeting, by=world.secretary_user)  # the agenda: sent by the workers below
    recipients = sorted(OutboxMessage.objects.filter(kind=Kind.AGENDA).values_list("to_email", flat=True))
    assert len(recipients) == 3
    # The day before the meeting, 07:00 in Hà Nội: the "meeting tomorrow" reminder is due from now on.
    morning = datetime.datetime(2026, 12, 9, 7, 0, tzinfo=HANOI)
    workers = [tmp_path / "worker-1.log", tmp_path / "worker-2.log"]
    beats = [tmp_path / "beat-1.log", tmp_path / "beat-2.log"]
    tomorrow = OutboxMessage.objects.filter(kind=Kind.MEETING_TOMORROW)
    unsent = OutboxMessage.objects.exclude(status=Status.SENT)

    with SmtpSink() as smtp, contextlib.ExitStack() as processes:
        started = [
            processes.enter_context(
                celery_process(worker_command(log.stem), clock=morning, queue=queue, log=log, env=smtp.env())
            )
            for log in workers
        ]
        for log in workers:
            wait_ready(log)
        for log in beats:  # each with a schedule file of its own, as two hosts each running beat would have
            processes.enter_context(
                celery_process(
                    ["beat", "--loglevel=INFO", f"--schedule={tmp_path / log.stem}", f"--pidfile={log}.pid"],
                    clock=morning,
                    queue=queue,
                    log=log,
                    env={"CHIBO_BEAT_SECONDS": "0.5"},
                )
            )
        wait_for(
            lambda: tomorrow.count() == len(recipients) and not unsent.exists(),
            timeout=20,
            what="the reminders written and every row sent",
            logs=workers + beats,
        )
        # Both beats go on sweeping: three more runs each, which write nothing new.
        runs = [beat_runs(log) for log in beats]
        wait_for(
            lambda: all(beat_runs(log) >= before + 3 for log, before in zip(beats, runs, strict=True)),
            timeout=15,
            what="three more runs of each beat",
            logs=beats,
        )
        for worker in started:
            stop(worker)

    assert all(beat_runs(log) >= 4 for log in beats)
    assert sorted(tomorrow.values_list("to_email", flat=True)) == recipients
    rows = OutboxMessage.objects.all()
    assert set(rows.values_list("kind", flat=True)) == {Kind.AGENDA, Kind.MEETING_TOMORROW}
    assert smtp.per_outbox_row() == {pk: 1 for pk in rows.values_list("pk", flat=True)}
    reminded = Counter(message["To"] for message in smtp.messages if "Nhắc lịch" in str(message["Subject"]))
    assert reminded == dict.fromkeys(recipients, 1)
