"""Test set-up shared by every test: the system Chromium, fast password hashing, the `world` fixture."""

import os
import shutil

# Playwright runs an event loop in the main thread; pytest-django's database set-up must still be allowed there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


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
