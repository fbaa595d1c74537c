"""`make run` stops its web server, worker and beat once, cleanly, on Ctrl-C or SIGTERM.

The real recipe runs (its prerequisites, install, messages and demo, skipped with ``make -o``), in a folder of its own
(``VAR_DIR``: an empty SQLite file, the embedded broker) and on a free port. Ctrl-C is what a terminal sends: SIGINT
to the foreground process group, the one make leads.
"""

import os
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 180
STOP_SECONDS = 60
# `make run`'s prerequisites, done already by the test run's own set-up: `make -o` takes them as done.
SKIPPED = ("-o", "install", "-o", "messages", "-o", "demo")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _processes_of(var_dir: Path) -> set[int]:
    """The processes started for this run: those whose environment holds its ``VAR_DIR``."""
    marker = f"VAR_DIR={var_dir}".encode()
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker in (entry / "environ").read_bytes().split(b"\0"):
                    found.add(int(entry.name))
            except OSError:
                continue
    return found


class Run:
    """``make run`` in a session of its own, its output collected by a thread (time here is frozen: perf_counter)."""

    def __init__(self, var_dir: Path):
        self.var_dir = var_dir
        self.port = _free_port()
        env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL")}
        env.update({"DEBUG": "1", "VAR_DIR": str(var_dir), "PYTHONUNBUFFERED": "1"})
        self.process = subprocess.Popen(
            ["make", "--no-print-directory", *SKIPPED, "run", f"PORT={self.port}"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.chunks: list[bytes] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for chunk in iter(lambda: self.process.stdout.read1(65536), b""):
            self.chunks.append(chunk)

    @property
    def output(self) -> str:
        return b"".join(self.chunks).decode(errors="replace")

    def _answers(self) -> bool:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=2)
        except urllib.error.HTTPError:
            return True  # 503: it answers
        except OSError:
            return False
        return True

    def wait_until_up(self) -> None:
        """The web server answers, and the worker and beat have printed their banners (their signal handlers are
        installed right after)."""
        deadline = time.perf_counter() + STARTUP_SECONDS
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"make run ended before it was up:\n{self.output}")
            if "[queues]" in self.output and "LocalTime" in self.output and self._answers():
                time.sleep(1)
                return
            time.sleep(0.5)
        pytest.fail(f"make run was not up after {STARTUP_SECONDS} s:\n{self.output}")

    def stop(self, how: str) -> str:
        """Stop it as a user (Ctrl-C) or a service manager (SIGTERM to make) would; what it printed afterwards."""
        before = len(self.output)
        if how == "ctrl-c":
            os.killpg(self.process.pid, signal.SIGINT)
        else:
            self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            pytest.fail(f"make run still running {STOP_SECONDS} s after {how}:\n{self.output[before:][-3000:]}")
        self.reader.join(timeout=10)
        return self.output[before:]

    def kill_leftovers(self) -> None:
        for pid in _processes_of(self.var_dir):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


@pytest.mark.parametrize("how", ["ctrl-c", "sigterm"])
def test_make_run_stops_its_three_processes_once_and_cleanly(tmp_path, how):
    run = Run(tmp_path)
    try:
        run.wait_until_up()
        started = _processes_of(tmp_path)
        assert len(started) >= 5, run.output  # make, its shell, the worker, beat and the web server

        after = run.stop(how)

        assert after.count("Warm shutdown") == 1, after[-3000:]
        assert "Segmentation fault" not in after and "make: ***" not in after, after[-3000:]
        assert after.count("Stopping the web server, the worker and beat") == 1, after[-3000:]
        # make ends by the signal it was sent, after its recipe: nothing signalled it again.
        assert run.process.returncode == -(signal.SIGINT if how == "ctrl-c" else signal.SIGTERM)
        time.sleep(0.5)
        assert _processes_of(tmp_path) == set(), "processes of make run still alive"
    finally:
        run.kill_leftovers()
