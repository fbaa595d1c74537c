"""Real processes for the reliability tests: Celery workers and beats started as the project runs them, each in a
process group of its own, and a small SMTP server that keeps what it accepts and can stop before a reply.

A process started here runs ``celery -A tests.celery_app`` (the project's app, see tests/celery_app.py) against the
test's database (``database_url``) and the tests' broker (the filesystem one under var/test, or REDIS_URL), on a queue
of the test's own and at the test's instant. Leaving ``celery_process`` kills its whole process group, whatever
happened: no process outlives its test.
"""

import contextlib
import datetime
import email
import email.policy
import os
import signal
import socketserver
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
CELERY = Path(sys.executable).with_name("celery")
# How long a process may take to start (Django, the tasks, the broker), apart from the time its work is given.
STARTUP_TIMEOUT = 60


def database_url() -> str:
    """The test database as a ``DATABASE_URL``, for a process that must read what the test wrote (and the reverse)."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        if connection.is_in_memory_db():
            raise RuntimeError("a process cannot share an in-memory SQLite test database (see tests/conftest.py)")
        return "sqlite:///" + str(Path(db["NAME"]).resolve())
    credentials = quote(db["USER"]) + (":" + quote(db["PASSWORD"]) if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{quote(db['NAME'])}"


def stop(process: subprocess.Popen, *, timeout: float = 10) -> None:
    """SIGTERM ``process``'s group (a worker finishes the task in hand, then exits) and wait up to ``timeout``
    seconds; ``celery_process`` kills what is left."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=timeout)


def kill(process: subprocess.Popen) -> None:
    """SIGKILL ``process`` and every process of its group, and wait for the leader."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


@contextlib.contextmanager
def celery_process(
    command: list[str], *, clock: datetime.datetime, queue: str, log: Path, env: dict[str, str] | None = None
) -> Iterator[subprocess.Popen]:
    """``celery -A tests.celery_app <command>``, started at ``clock`` on ``queue``, its output in ``log``."""
    environment = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CHIBO_CLOCK": clock.isoformat(),
        "CHIBO_QUEUE": queue,
        "CHIBO_PARENT_PID": str(os.getpid()),
        **(env or {}),
    }
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [str(CELERY), "-A", "tests.celery_app", *command],
            env=environment,
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a group of its own: killpg reaches it and its children, never the test
        )
        try:
            yield process
        finally:
            kill(process)


def worker_command(name: str) -> list[str]:
    """A worker as ``make run`` starts one (one process, the solo pool), reading only its own queue."""
    return [
        "worker",
        "--pool=solo",
        "--loglevel=INFO",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "-n",
        f"{name}@%h",
    ]


def wait_ready(log: Path) -> None:
    """Wait for a worker's "ready" line (celery's INFO log)."""
    wait_for(lambda: " ready." in log.read_text(errors="replace"), timeout=STARTUP_TIMEOUT, what="ready", logs=[log])


def wait_for(condition: Callable[[], bool], *, timeout: float, what: str, logs: list[Path] = ()) -> None:
    """Poll ``condition`` until it holds; after ``timeout`` seconds fail, with the processes' output."""
    deadline = time.monotonic() + timeout  # the monotonic clock: the test's wall clock is frozen
    while not condition():
        if time.monotonic() > deadline:
            tails = "\n".join(f"--- {path.name}\n{path.read_text(errors='replace')[-3000:]}" for path in logs)
            raise AssertionError(f"{what}: not within {timeout:.0f} s\n{tails}")
        time.sleep(0.1)


class _SmtpHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP for smtplib and Django's SMTP backend: EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT."""

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        sink: SmtpSink = self.server.sink
        self.reply("220 sink ESMTP")
        while line := self.rfile.readline():
            verb = line[:4].upper().decode(errors="replace")
            sink.stop_before(verb)
            if verb in ("EHLO", "HELO"):
                self.reply("250 sink")
            elif verb in ("MAIL", "RCPT", "RSET", "NOOP"):
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                lines = []
                while (data := self.rfile.readline()) != b".\r\n":
                    if not data:  # the client went away before the end of the message: nothing was accepted
                        return
                    lines.append(data[1:] if data.startswith(b"..") else data)
                sink.accept(email.message_from_bytes(b"".join(lines), policy=email.policy.default))
                self.reply("250 OK: queued")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Command not implemented")


class SmtpSink(socketserver.ThreadingTCPServer):
    """A mail server on 127.0.0.1 (a free port) that keeps every message it accepts, in ``messages``.

    ``hold`` ("DATA" or "QUIT") makes it stop, the first time that command comes, before it answers it: ``held`` is
    set, and it answers once ``release`` is set. Stopped at DATA, it does not have the message yet: a client that dies
    there sent nothing. Stopped at QUIT, it has accepted the message (answered "250" to its end): a client that dies
    there has sent it, without knowing."""

    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address) -> None:
        # A client killed mid-conversation resets its connection: expected here, not worth a traceback.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)

    def __init__(self, hold: str = "") -> None:
        super().__init__(("127.0.0.1", 0), _SmtpHandler)
        self.sink = self
        self.hold = hold
        self.held = threading.Event()
        self.release = threading.Event()
        self.messages: list[email.message.EmailMessage] = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def port(self) -> int:
        return self.server_address[1]

    def stop_before(self, verb: str) -> None:
        with self._lock:
            stop = bool(self.hold) and verb == self.hold and not self.held.is_set()
            if stop:
                self.held.set()
        if stop:
            self.release.wait(timeout=60)

    def accept(self, message: email.message.EmailMessage) -> None:
        with self._lock:
            self.messages.append(message)

    def per_outbox_row(self) -> Counter:
        """How many messages were accepted for each outbox row (the ``X-Chibo-Outbox`` header)."""
        with self._lock:
            return Counter(int(message["X-Chibo-Outbox"]) for message in self.messages)

    def env(self) -> dict[str, str]:
        """The settings that send a process's mail here, through Django's SMTP backend."""
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(self.port),
            "EMAIL_TIMEOUT": "20",
        }

    def __enter__(self) -> "SmtpSink":
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.release.set()
        self.shutdown()
        self.server_close()
        self._thread.join(timeout=5)
