"""How findings are kept fresh: on commit after a meeting changes (a refresh request row, done by the task
``reports.refresh_pending``, or by the sweep when the broker is down), nightly (``reports.refresh_closed_month``),
safely twice, in a constant number of queries whatever the number of cells; and the yearly absences without reason
(strike-off review)."""

import datetime
from unittest import mock

import pytest
from celery import current_app
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cells.models import PendingRefresh, Policy
from meetings import services
from meetings.models import Attendance, Meeting
from reports import tasks
from reports.absences import member_absences
from reports.compliance import compute_month, refresh_cell_month
from reports.models import CellMonth, Result
from reports.refresh import refresh_after_change
from tests.factories import make_meeting
from tests.reports.compliance_helpers import Tree, correct_vote, hold, local, travel

pytestmark = pytest.mark.django_db

PASS, FAIL, NA = Result.PASS, Result.FAIL, Result.NOT_APPLICABLE
MAR = datetime.date(2026, 3, 1)


@pytest.fixture
def tree(db):
    return Tree()


@pytest.fixture
def eager_findings():
    """``findings_changed`` writes a request and enqueues it by name after the commit: run the task here instead,
    synchronously."""
    calls = []

    def send_task(name, args=(), **kwargs):
        calls.append((name, list(args)))
        assert name == "reports.refresh_pending"
        return tasks.refresh_pending.apply(args=args)

    with mock.patch.object(current_app, "send_task", side_effect=send_task):
        yield calls


def request_for(cell, month) -> list[int]:
    """The id of the refresh request a meeting change of ``cell`` in ``month`` wrote."""
    return list(
        PendingRefresh.objects.filter(organization=cell, cause="meeting", first_month=month).values_list(
            "pk", flat=True
        )
    )


# --- on commit -------------------------------------------------------------------------------------------------------


def test_recording_a_meeting_refreshes_its_cell_month_on_commit(
    tree, eager_findings, django_capture_on_commit_callbacks
):
    cell = tree.cell(official=5)
    day = datetime.date(2026, 3, 4)
    with travel(local(2026, 3, 1, 8)):
        meeting = make_meeting(cell, planned_date=day)
        services.meeting_publish(meeting=meeting)
    start = local(2026, 3, 4, 14)
    with travel(local(2026, 3, 4, 16)):
        services.attendance_prepare(meeting=meeting)
        for member in cell.members:
            services.attendance_set(meeting=meeting, member=member, status="present")
        for member in cell.members[:4]:
            services.speech_add(meeting=meeting, member=member, summary="Nhất trí.")
        assert not CellMonth.objects.exists()  # nothing committed yet: no task ran

        with django_capture_on_commit_callbacks(execute=True):
            services.meeting_record(
                meeting=meeting,
                version=None,
                started_at=start,
                ended_at=start + datetime.timedelta(minutes=95),
                chair=cell.members[0],
                recorder=cell.members[1],
                votes_for=5,
                votes_against=0,
                mark_held=True,
            )

    ((name, (ids,)),) = eager_findings
    assert name == "reports.refresh_pending" and len(ids) == 1
    assert not PendingRefresh.objects.filter(pk__in=ids).exists()  # done, then deleted
    row = CellMonth.objects.get(cell=cell, month=MAR)
    assert (row.meeting_id, row.regular_held, row.length, row.length_minutes) == (meeting.pk, PASS, PASS, 95)
    assert (row.speakers_count, row.attendance_present, row.attendance_expected) == (4, 5, 5)
    assert (row.resolution, row.agenda_on_time, row.minutes_on_time, row.thematic) == (PASS, PASS, NA, NA)


def test_a_correction_made_while_the_broker_is_down_is_recomputed_by_the_sweep(
    tree, django_capture_on_commit_callbacks, caplog
):
    cell = tree.cell(official=5)
    meeting = hold(cell, datetime.date(2026, 3, 4), votes_for=5, approved=local(2026, 3, 6, 9))
    with travel(local(2026, 4, 2)):
        compute_month(MAR)
    PendingRefresh.objects.all().delete()
    assert CellMonth.objects.get(cell=cell, month=MAR).resolution == PASS

    # Eight months later, a correction of the vote: older than the months the nightly sweep computes again.
    with travel(local(2026, 11, 20)), mock.patch.object(current_app, "send_task", side_effect=OSError("broker down")):
        with django_capture_on_commit_callbacks(execute=True):
            correct_vote(meeting, 2, 3, correction_reason="Ghi nhầm số phiếu")
    assert "could not enqueue reports.refresh_pending" in caplog.text
    assert CellMonth.objects.get(cell=cell, month=MAR).resolution == PASS  # not yet: the task never ran
    assert PendingRefresh.objects.filter(organization=cell, cause="meeting", first_month=MAR).exists()

    with travel(local(2026, 11, 20, 12, 10)):
        tasks.refresh_pending.apply()  # beat's sweep of the requests left, every ten minutes

    assert CellMonth.objects.get(cell=cell, month=MAR).resolution == FAIL
    assert not PendingRefresh.objects.exists()


def test_a_meeting_planned_for_a_month_not_begun_changes_no_finding(tree):
    cell = tree.cell(official=2)  # too small a cell: any month computed for it would fail

    with travel(local(2026, 12, 4, 9)):
        make_meeting(cell, planned_date=datetime.date(2027, 1, 4))
        written = tasks.refresh_pending.apply().get()

    assert written == 0 and not CellMonth.objects.exists()
    assert not PendingRefresh.objects.exists()  # done: nothing to compute until January begins


def test_the_task_the_previous_release_enqueued_is_still_done(tree):
    cell = tree.cell()
    hold(cell, datetime.date(2026, 3, 4), minutes=89)

    with travel(local(2026, 3, 20)):
        written = tasks.refresh_findings.apply(args=[cell.pk, "2026-03-01"]).get()

    assert written == 1
    assert CellMonth.objects.get(cell=cell, month=MAR).length == FAIL


def test_the_sweep_of_refresh_requests_is_scheduled_every_ten_minutes():
    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "reports.refresh_pending")
    assert entry["schedule"].minute == set(range(0, 60, 10))


def test_the_task_run_twice_gives_the_same_row(tree):
    cell = tree.cell()
    hold(cell, datetime.date(2026, 3, 4), minutes=89)

    ids = request_for(cell, MAR)
    with travel(local(2026, 3, 20)):
        tasks.refresh_pending.apply(args=[ids])
        first = CellMonth.objects.get(cell=cell, month=MAR)
        assert tasks.refresh_pending.apply(args=[ids]).get() == 0  # delivered twice: already done
        refresh_after_change(cell.pk, MAR)

    again = CellMonth.objects.get()
    fields = [f.name for f in CellMonth._meta.concrete_fields if f.name != "computed_at"]
    assert [getattr(again, name) for name in fields] == [getattr(first, name) for name in fields]
    assert (again.length, again.length_minutes) == (FAIL, 89)


def test_a_thematic_meeting_refreshes_the_later_months_of_its_quarter_that_have_begun(tree):
    cell = tree.cell()
    with travel(local(2026, 3, 10)):
        compute_month(datetime.date(2026, 2, 1))
        compute_month(MAR)
    hold(cell, datetime.date(2026, 2, 20), kind="thematic", minutes=120)

    with travel(local(2026, 3, 10)):
        tasks.refresh_pending.apply(args=[request_for(cell, datetime.date(2026, 2, 1))])

    assert dict(CellMonth.objects.values_list("month", "thematic_count")) == {datetime.date(2026, 2, 1): 1, MAR: 1}
    assert not CellMonth.objects.filter(month=datetime.date(2026, 4, 1)).exists()


def test_a_committee_meeting_changes_no_findings(tree):
    # Only cells have findings; a commune committee's own meeting must not recompute its whole subtree on every
    # roll-call tap (the nightly sweep covers subtrees).
    tree.cell()
    tree.cell()

    with travel(local(2026, 3, 10)):
        written = refresh_after_change(tree.commune.pk, MAR)
        assert refresh_after_change(987654, MAR) == 0  # gone since: nothing to do

    assert written == 0
    assert not CellMonth.objects.exists()


def test_the_nightly_sweep_computes_the_month_that_closed_and_the_current_one(tree):
    cell = tree.cell()
    hold(cell, datetime.date(2026, 12, 4))

    with travel(datetime.datetime(2026, 12, 31, 18, 30, tzinfo=datetime.UTC)):  # 01:30 on 1 January local
        result = tasks.refresh_closed_month.apply().get()

    assert result["2026-12-01"] == 1 and result["2027-01-01"] == 1
    assert result["requests"] == 1 and not PendingRefresh.objects.exists()  # the meeting's request, left: done
    rows = dict(CellMonth.objects.filter(cell=cell).values_list("month", "regular_held"))
    assert rows == {datetime.date(2026, 12, 1): PASS, datetime.date(2027, 1, 1): NA}


def test_the_nightly_sweep_is_scheduled_at_01_30_local_time():
    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "reports.refresh_closed_month")
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({1}, {30})
    assert settings.CELERY_TIMEZONE == "Asia/Ho_Chi_Minh"


# --- query counts ----------------------------------------------------------------------------------------------------


def _cells_with_meetings(tree, n):
    """``n`` cells of 3 official members, each with a held regular meeting in March (rows written directly)."""
    cells = [tree.cell(official=3) for _ in range(n)]
    for cell in cells:
        meeting = Meeting.objects.create(
            organization=cell,
            planned_date=datetime.date(2026, 3, 4),
            planned_time=datetime.time(14),
            venue="Nhà văn hóa",
            status="held",
            started_at=local(2026, 3, 4, 14),
            ended_at=local(2026, 3, 4, 15, 45),
            votes_for=3,
        )
        Attendance.objects.bulk_create(
            Attendance(meeting=meeting, member=member, member_status="official", status="present")
            for member in cell.members
        )
    Policy.objects.create(
        organization=tree.commune,
        name="Phát biểu",
        source="Nghị quyết 01-NQ/ĐU",
        valid_from=datetime.date(2026, 1, 1),
        min_member_speakers=3,
    )
    return cells


# The findings: 1 the cells; 2 the policies; 3 the regular meetings with their attendance figures; 4 their speakers;
# 5 thematic meetings of the quarter; 6 official members on the month's last day. Then, in reports.rollups (up to 50
# cells): 7 the paths the cells' sums were stored under; 8 their paths today; 9 lock the cells and their ancestors
# (root first); 10 the upsert of the findings; 11 the cells' findings of the year; 12 the old sums of the cells and
# their ancestors; 13, 14 those sums replaced (the ancestors moved by the cells' difference).
QUERIES = 6 + 8


@pytest.mark.parametrize("n", [3, 30])
def test_computing_a_month_costs_the_same_queries_whatever_the_number_of_cells(tree, django_assert_num_queries, n):
    _cells_with_meetings(tree, n)

    with travel(local(2026, 4, 2)), django_assert_num_queries(QUERIES):
        assert compute_month(MAR) == n

    assert CellMonth.objects.filter(month=MAR, regular_held=PASS, length=PASS, cell_size=PASS).count() == n


def test_refreshing_one_cell_month_costs_the_same_small_queries(tree, django_assert_num_queries):
    cell = _cells_with_meetings(tree, 3)[0]

    with travel(local(2026, 4, 2)), django_assert_num_queries(QUERIES):
        row = refresh_cell_month(cell.pk, MAR)

    assert (row.cell_id, row.regular_held, row.length_minutes) == (cell.pk, PASS, 105)


def test_the_queries_read_aggregates_not_attendance_rows(tree):
    _cells_with_meetings(tree, 3)

    with travel(local(2026, 4, 2)), CaptureQueriesContext(connection) as queries:
        compute_month(MAR)

    meetings_query = next(q["sql"] for q in queries.captured_queries if "meetings_attendance" in q["sql"])
    assert "GROUP BY" in meetings_query
    assert "COUNT(" in meetings_query


# --- absences without reason in the calendar year -------------------------------------------------------------------


def test_three_months_absent_without_reason_in_a_year_flags_a_review(tree):
    cell = tree.cell(official=5)
    often, once, never = cell.members[4], cell.members[3], cell.members[2]
    hold(cell, datetime.date(2025, 12, 31), absent={3})  # last year: not counted
    hold(cell, datetime.date(2026, 1, 5), absent={3, 4})
    hold(cell, datetime.date(2026, 1, 20), kind="thematic", minutes=120, absent={3})  # same month again
    hold(cell, datetime.date(2026, 2, 5), absent={4}, excused={3})
    hold(cell, datetime.date(2026, 3, 5), absent={4})
    committee = Meeting.objects.create(
        organization=tree.commune,
        kind="extraordinary",
        planned_date=datetime.date(2026, 4, 2),
        planned_time=datetime.time(8),
        venue="Hội trường xã",
        status="held",
    )
    Attendance.objects.create(meeting=committee, member=once, member_status="official", status="absent")  # not a cell

    with CaptureQueriesContext(connection) as queries:
        result = {item.member_id: item for item in member_absences(tree.province, 2026)}

    assert len(queries) == 2
    assert never.pk not in result
    assert (result[often.pk].absences, result[often.pk].months, result[often.pk].flagged) == (3, 3, True)
    assert (result[once.pk].absences, result[once.pk].months, result[once.pk].flagged) == (2, 1, False)
    assert (result[often.pk].required, result[often.pk].cell_id, result[often.pk].source.citation) == (
        3,
        cell.pk,
        "Quy định 294-QĐ/TW, 8.1",
    )
    assert member_absences(tree.province, 2026)[0].member_id == often.pk  # flagged first


def test_the_strike_off_threshold_is_the_policy_in_force_at_year_end(tree):
    cell = tree.cell(official=5)
    for month in (1, 2, 3):
        hold(cell, datetime.date(2026, month, 5), absent={4})
    Policy.objects.create(
        organization=tree.province,
        name="Xem xét xóa tên",
        source="Hướng dẫn 07-HD/TU",
        valid_from=datetime.date(2026, 12, 1),
        strike_off_absences=4,
    )

    (item,) = member_absences(tree.commune, 2026)
    assert (item.months, item.required, item.flagged, item.source.name) == (3, 4, False, "Xem xét xóa tên")
    assert member_absences(Tree().commune, 2026) == []


def test_the_nightly_sweep_also_settles_older_months_still_waiting(tree):
    cell = tree.cell()
    Policy.objects.create(
        organization=tree.province,
        name="Biên bản",
        source="Quy định 09-QĐ/TU",
        valid_from=datetime.date(2026, 1, 1),
        minutes_approval_days=60,
    )
    PendingRefresh.objects.all().delete()  # the policy predates every finding here (tests/reports/test_policy_refresh)
    hold(cell, datetime.date(2026, 1, 30))  # minutes never approved: due by 31 March
    quiet = tree.cell()
    with travel(local(2026, 1, 31)):
        compute_month(datetime.date(2026, 1, 1))
    assert CellMonth.objects.get(cell=cell).minutes_on_time == NA
    assert CellMonth.objects.get(cell=quiet).regular_held == NA  # computed while January ran

    with travel(local(2026, 4, 2, 1, 30)):  # the sweeps of February and March never ran
        written = tasks.refresh_closed_month.apply().get()

    assert {month: written[month] for month in ("2026-03-01", "2026-04-01", "2026-01-01")} == {
        "2026-03-01": 2,
        "2026-04-01": 2,
        "2026-01-01": 2,
    }
    january = dict(CellMonth.objects.filter(month=datetime.date(2026, 1, 1)).values_list("cell", "minutes_on_time"))
    assert january == {cell.pk: FAIL, quiet.pk: NA}
    assert CellMonth.objects.get(cell=quiet, month=datetime.date(2026, 1, 1)).regular_held == FAIL
