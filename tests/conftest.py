"""Test set-up shared by every test: a frozen clock, the system Chromium, fast password hashing, the `world` fixture."""

import datetime
import os
import shutil

# Playwright runs an event loop in the main thread; pytest-django's database set-up must still be allowed there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest  # noqa: E402
import time_machine  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")

# Every test runs at one fixed instant, never at the wall clock's: a suite that passes today must pass on the cell's
# meeting day after the meeting, on the last evening of a quarter, on New Year's night and on 29 February.
# The default is the instant CI once went red at: 4 December 2026, 18:33 in Hà Nội, the world's cells meet on the
# 4th at 14:00 (tests/factories.py). CHIBO_TEST_NOW=2027-01-01T00:00:00+07:00 runs the whole suite at another one.
DEFAULT_TEST_NOW = "2026-12-04T18:33:00+07:00"


def _frozen_instant() -> datetime.datetime:
    """The instant the tests run at: $CHIBO_TEST_NOW (ISO 8601 with its UTC offset), else ``DEFAULT_TEST_NOW``."""
    text = os.environ.get("CHIBO_TEST_NOW") or DEFAULT_TEST_NOW
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise pytest.UsageError(f"CHIBO_TEST_NOW={text!r} is not an ISO 8601 date and time") from None
    if moment.utcoffset() is None:
        raise pytest.UsageError(f"CHIBO_TEST_NOW={text!r} needs its UTC offset, e.g. 2027-01-01T00:00:00+07:00")
    return moment


TEST_NOW = _frozen_instant()


def pytest_report_header(config) -> str:
    return f"frozen clock: {TEST_NOW.isoformat()} (CHIBO_TEST_NOW to change it)"


@pytest.fixture(scope="session", autouse=True)
def _frozen_clock():
    """Freeze the clock at ``TEST_NOW`` for the whole session: every test, and the session- and module-scoped
    fixtures too (the demo province of tests/reports/test_demo.py is loaded once per module, and its "recent" dates
    must be recent at the tests' instant, not the wall clock's).

    time-machine patches the process, so the live server's thread (browser tests) sees the same instant; the browser's
    own clock is set in tests/e2e/conftest.py. A test that needs another instant travels inside this one
    (``time_machine.travel(...)`` or the ``time_machine`` fixture's ``move_to``): travels nest and unwind in order,
    back to ``TEST_NOW``. ``tick=False``: the clock does not move, so "now" in a test and "now" in the code under test
    are the same instant, to the microsecond. (pytest measures durations with ``perf_counter``, which is not frozen.)
    """
    with time_machine.travel(TEST_NOW, tick=False):
        yield


@pytest.fixture(scope="session")
def django_db_modify_db_settings(request, tmp_path_factory, django_db_modify_db_settings_parallel_suffix):
    """On SQLite, the test database is a file (in pytest's temporary folder), not Django's in-memory default: the
    Celery workers and beats that the reliability tests start (tests/processes.py) open it as the test does. (As fast
    here: the tests write little. The xdist suffix is added here, as pytest-django leaves in-memory names alone.)"""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3") and not database.get("TEST", {}).get("NAME"):
        suffix = getattr(request.config, "workerinput", {}).get("workerid", "")
        path = tmp_path_factory.mktemp("db") / f"test{'_' + suffix if suffix else ''}.sqlite3"
        database.setdefault("TEST", {})["NAME"] = str(path)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Hashing with PBKDF2's full strength costs ~0.3 s per user; tests need no strength."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium (Playwright may not download browsers here). Missing Chromium fails, never skips."""
    if not shutil.which(CHROMIUM):
        pytest.fail(f"Chromium is not installed at {CHROMIUM}: apt-get install -y chromium (or set CHROMIUM=...)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "vi-VN", "timezone_id": "Asia/Ho_Chi_Minh"}


class World:
    """A small world: province > commune > cells A and B; a secretary and a member of A, a commune board user
    (read-only), a commune board user with write, an outsider in cell B, and a member with no account."""


@pytest.fixture
def world(db):
    from tests.factories import UserFactory, grant, make_cell, make_member, make_org, make_secretary

    w = World()
    w.province = make_org(None, name="Đảng bộ tỉnh Đồng Nai", code="P01", kind="provincial", place_name="Đồng Nai")
    w.commune = make_org(w.province, name="Đảng bộ xã Xuân Hiệp", code="C01", place_name="Xuân Hiệp")
    w.other_commune = make_org(w.province, name="Đảng bộ xã Xuân Lộc", code="C02", place_name="Xuân Lộc")
    w.cell_a = make_cell(w.commune, name="Chi bộ cơ quan UBND xã", code="A", cell_type="agency")
    w.cell_b = make_cell(w.other_commune, name="Chi bộ ấp 1", code="B")
    w.secretary_user = UserFactory(username="bithu.a")
    w.secretary = make_secretary(w.cell_a, w.secretary_user, full_name="Nguyễn Thị Hiền")
    w.member_user = UserFactory(username="dangvien.a")
    w.member = make_member(w.cell_a, full_name="Đỗ Thanh Hài", user=w.member_user)
    w.plain_member = make_member(w.cell_a, full_name="Quách Thị Hương")
    w.board_user = UserFactory(username="bantochuc.xa")
    grant(w.board_user, w.commune)
    w.board_writer = UserFactory(username="bantochuc.ghi")
    grant(w.board_writer, w.commune, can_write=True)
    w.outsider_user = UserFactory(username="bithu.b")
    w.outsider = make_secretary(w.cell_b, w.outsider_user, full_name="Trần Văn Bình")
    w.admin = UserFactory(username="quantri", is_staff=True, is_superuser=True)
    return w


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """The API's rate limit counts calls at the frozen instant, which never moves on: each test starts uncounted."""
    from django.core.cache import caches

    caches["throttle"].clear()
