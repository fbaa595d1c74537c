"""The Celery app of the tests' real processes (``celery -A tests.celery_app worker|beat``, see tests/processes.py):
the project's own app (``config.celery``, the same tasks and settings), with three things set by the test that starts
the process, through its environment:

- ``CHIBO_CLOCK``: the instant the process starts at (ISO 8601 with its UTC offset); its clock runs on from there
  (time-machine, ``tick=True``). What a worker does (a claim's lease, a reminder's cutoff) depends on the test's
  instant, never on the wall clock's.
- ``CHIBO_QUEUE``: the queue the process sends its tasks to and its worker reads: the test's own, so that no other
  test's leftovers (or a worker of another test) get in the way.
- ``CHIBO_BEAT_SECONDS``: beat runs ``meetings.sweep_reminders`` every that many seconds, and nothing else.
- ``CHIBO_PARENT_PID``: the test's process. The test kills what it started, even when it fails; should the test's
  process itself die first (killed, crashed), Linux kills this one too (``PR_SET_PDEATHSIG``).
"""

import ctypes
import datetime
import os
import signal
import sys

import time_machine

from config.celery import app

PR_SET_PDEATHSIG = 1
if sys.platform == "linux":
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != int(os.environ["CHIBO_PARENT_PID"]):  # the test's process died before the line above
        os._exit(1)

time_machine.travel(datetime.datetime.fromisoformat(os.environ["CHIBO_CLOCK"]), tick=True).start()

app.conf.task_default_queue = os.environ["CHIBO_QUEUE"]
if os.environ.get("CHIBO_BEAT_SECONDS"):
    app.conf.beat_schedule = {
        "sweep-reminders": {"task": "meetings.sweep_reminders", "schedule": float(os.environ["CHIBO_BEAT_SECONDS"])}
    }

__all__ = ["app"]
