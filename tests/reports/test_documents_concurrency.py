"""Two approvals in one cell at the same moment, on PostgreSQL (row locks; SQLite serializes every writer): each
thread with its own connection, a pause widening the window between reading the last number and writing the next.
The organization's row is locked before counting, so the second waits and takes the next number."""

import threading
import time
from unittest import mock

import pytest
from django.db import connection, connections

from cells.numbering import numbering_period
from meetings import services
from tests.reports.test_documents import DECEMBER, hold

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL only"),
]


def test_two_approvals_at_once_take_two_numbers(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    first = hold(world, DECEMBER.replace(month=11))
    second = hold(world, DECEMBER)
    errors = []

    def slow_period(*args, **kwargs):
        time.sleep(0.5)
        return numbering_period(*args, **kwargs)

    def approve(meeting):
        try:
            services.minutes_approve(meeting=meeting, by=world.secretary_user)
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connections.close_all()

    with mock.patch.object(services, "numbering_period", slow_period):
        threads = [threading.Thread(target=approve, args=(meeting,)) for meeting in (first, second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    first.refresh_from_db()
    second.refresh_from_db()
    assert errors == []
    assert sorted([first.number, second.number]) == [1, 2]
    assert sorted([first.resolution_number, second.resolution_number]) == [1, 2]
