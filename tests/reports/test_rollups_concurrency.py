"""Concurrency of the findings and their sums (reports.compliance, reports.rollups) against corrections, moves, merges
and repairs, on PostgreSQL (row locks; SQLite
serializes every writer): two threads, each with its own connection, with a pause widening the window in which
each pair once deadlocked. Every writer now locks the chains it touches first, root first, so they wait instead."""

import datetime
import threading
import time
from unittest import mock

import pytest
from celery import current_app
from django.db import connection, connections, transaction

from cells.models import Organization, PendingRefresh
from cells.services import organization_move
from reports import compliance, rollups
from reports.compliance import compute_month
from reports.models import CellMonth, Result
from reports.refresh import refresh_pending
from tests.factories import make_cell, make_org
from tests.reports.compliance_helpers import Tree, correct_vote, hold, local, travel
from tests.reports.test_dashboard import build_finding, finding

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL only"),
]
M = datetime.date(2026, 3, 1)


@pytest.fixture
def tree():
    p = make_org(None, name="P", code="P", kind="provincial")
    a = make_org(p, name="A", code="A")
    b = make_org(p, name="B", code="B")
    c1 = make_cell(a, code="C1")
    c2 = make_cell(a, code="C2")
    d = make_cell(b, code="D")
    for m in (1, 2, 3):
        for c in (c1, c2, d):
            finding(c, datetime.date(2026, m, 1))
    return p, a, b, c1, c2, d


def race(**work) -> dict[str, str]:
    """Run each function in its own thread (named by its keyword; each has its own connection) and return the
    errors they raised, by name (a deadlock shows as ``OperationalError: deadlock detected``)."""
    errors: dict[str, str] = {}

    def target(name, fn):
        try:
            fn()
        except Exception as e:  # noqa: BLE001
            errors[name] = f"{type(e).__name__}: {str(e).splitlines()[0]}"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=target, args=(name, fn), name=name) for name, fn in work.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return errors


def test_a_refresh_and_a_move_of_its_cell_wait_for_each_other(tree, monkeypatch):
    """T_cell upserts an existing CellMonth row (no FK lock), then waits for the ancestors; T_move locks the
    ancestors in moved() and then updates the subtree's CellMonth rows."""
    p, a, b, c1, c2, d = tree
    upserted = threading.Event()
    real_refresh = rollups.refresh

    def slow_refresh(*args, **kwargs):
        if threading.current_thread().name == "cell":
            upserted.set()
            time.sleep(1.0)
        return real_refresh(*args, **kwargs)

    monkeypatch.setattr(rollups, "refresh", slow_refresh)

    def cell():
        with transaction.atomic():
            compliance._store([build_finding(c1, M, fail=["speakers"])])

    def move():
        upserted.wait(5)
        time.sleep(0.2)
        organization_move(
            organization=Organization.objects.get(pk=c1.pk),
            new_parent=Organization.objects.get(pk=b.pk),
            on=datetime.date(2026, 3, 20),
        )

    assert race(cell=cell, move=move) == {}


def test_a_move_and_a_refresh_under_the_new_parent_wait_for_each_other(tree, monkeypatch):
    """T_move's treebeard UPDATEs lock the old and new parents (numchild) before moved() locks the chain root
    first; a refresh of a cell under the new parent locks the root in between."""
    p, a, b, c1, c2, d = tree
    tree_changed = threading.Event()
    real_moved = rollups.moved

    def slow_moved(*args, **kwargs):
        tree_changed.set()
        time.sleep(1.0)
        return real_moved(*args, **kwargs)

    monkeypatch.setattr(rollups, "moved", slow_moved)

    def cell():
        tree_changed.wait(5)
        time.sleep(0.2)
        compliance._store([build_finding(d, M, fail=["speakers"])])

    def move():
        organization_move(
            organization=Organization.objects.get(pk=c1.pk),
            new_parent=Organization.objects.get(pk=b.pk),
            on=datetime.date(2026, 3, 20),
        )

    assert race(cell=cell, move=move) == {}


def test_the_nightly_repair_and_a_refresh_under_the_same_root_wait_for_each_other(tree, monkeypatch):
    """repair() -> rebuild(root) for a top-level root locks nothing (``_lock_ancestors([root.path])`` is empty):
    a refresh under that root runs at the same time."""
    p, a, b, c1, c2, d = tree
    # A move made outside the services (the admin): repair() has something to do.
    Organization.objects.move(Organization.objects.get(pk=c2.pk), Organization.objects.get(pk=b.pk), pos="last-child")
    deleted = threading.Event()
    real = rollups._refresh_cells

    def slow(*args, **kwargs):
        if threading.current_thread().name == "repair":
            deleted.set()
            time.sleep(1.5)
        return real(*args, **kwargs)

    monkeypatch.setattr(rollups, "_refresh_cells", slow)

    def repair():
        rollups.repair()

    def cell():
        deleted.wait(5)
        d_now = Organization.objects.get(pk=d.pk)
        compliance._store([build_finding(d_now, M, fail=["speakers"])])

    assert race(repair=repair, cell=cell) == {}


def test_a_merge_and_a_refresh_of_a_cell_it_moves_wait_for_each_other(tree, monkeypatch):
    """organization_merge moves the children one by one in one transaction: from the first moved() on it holds the
    root's lock. A plain refresh (no hook) of a cell of a later child upserts its CellMonth row and waits for the
    root; the merge's next moved() updates that CellMonth row."""
    from cells.services import organization_merge

    p, a, b, c1, c2, d = tree
    real_moved = rollups.moved
    first_done = threading.Event()

    def moved(*args, **kwargs):
        real_moved(*args, **kwargs)
        if not first_done.is_set():
            first_done.set()
            time.sleep(1.0)  # a merge of many children: the next move comes a little later

    monkeypatch.setattr(rollups, "moved", moved)

    def merge():
        organization_merge(
            sources=[Organization.objects.get(pk=a.pk)],
            target=Organization.objects.get(pk=b.pk),
            on=datetime.date(2026, 3, 20),
        )

    def cell():
        first_done.wait(5)
        c2_now = Organization.objects.get(pk=c2.pk)
        compliance._store([build_finding(c2_now, M, fail=["speakers"])])

    assert race(merge=merge, cell=cell) == {}


def test_a_correction_committed_while_an_older_refresh_runs_is_not_overwritten(monkeypatch):
    """A refresh reads the facts only once it holds its cells' locks: one that read them before a correction
    committed cannot write them over the correction's own refresh, which waits for it, then reads the new facts."""
    tree = Tree()
    cell = tree.cell(official=5)
    meeting = hold(cell, datetime.date(2026, 3, 4), votes_for=5)
    with travel(local(2026, 3, 20)):
        compute_month(M)
        PendingRefresh.objects.all().delete()
        older = PendingRefresh.objects.create(organization=cell, cause="meeting", first_month=M, last_month=M)
    assert CellMonth.objects.get(cell=cell, month=M).resolution == Result.PASS

    facts_read, go_on = threading.Event(), threading.Event()
    real_facts = compliance._facts

    def slow_facts(*args, **kwargs):
        result = real_facts(*args, **kwargs)
        if threading.current_thread().name == "worker-A":
            facts_read.set()  # worker A has read the facts of March, and not yet locked or written anything
            go_on.wait(30)
        return result

    errors = []

    def worker_a():
        try:
            refresh_pending([older.pk])
        except Exception as error:  # pragma: no cover
            errors.append(error)
        finally:
            connections.close_all()

    monkeypatch.setattr(compliance, "_facts", slow_facts)
    with travel(local(2026, 3, 20)):
        thread = threading.Thread(target=worker_a, name="worker-A")
        thread.start()
        assert facts_read.wait(30)
        # The secretary corrects the vote: 2 for, 3 against. Committed; its request's task runs at once.
        with mock.patch.object(current_app, "send_task") as send:
            correct_vote(meeting, 2, 3)
        (newer_ids,) = send.call_args.kwargs["args"]

        def worker_b():  # the newer request's own task, on another worker
            try:
                refresh_pending(newer_ids)
            except Exception as error:  # pragma: no cover
                errors.append(error)
            finally:
                connections.close_all()

        other = threading.Thread(target=worker_b, name="worker-B")
        other.start()
        other.join(3)  # done at once unless it has to wait for worker A's locks
        b_finished_first = not other.is_alive()
        go_on.set()
        thread.join(30)
        other.join(30)

    assert not errors
    assert not PendingRefresh.objects.exists()  # every request done and deleted: nothing will compute March again
    row = CellMonth.objects.get(cell=cell, month=M)
    assert row.resolution == Result.FAIL, f"worker A overwrote the correction (B finished first: {b_finished_first})"
