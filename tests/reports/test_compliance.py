"""Compliance findings per cell and month (reports/compliance.py), at every boundary: 89 and 90 minutes, 3 and 4
speakers, month and quarter ends in Asia/Ho_Chi_Minh, a policy changed mid-year, a policy inherited from an ancestor,
the smallest cell, the vote rule, the agenda and minutes deadlines. Meetings are built through the services."""

import datetime

import pytest

from cells.models import Policy
from cells.policies import BUILT_IN, DEFAULTS
from meetings.models import Attendance, Meeting, Speech
from meetings.rules import roll_call_counts, speaker_counts, vote_basis
from members.services import member_status_change
from reports.compliance import compute_month, refresh_cell_month
from reports.findings import RULE_LABELS, findings
from reports.models import CellMonth, Result
from tests.factories import make_member
from tests.reports.compliance_helpers import Tree, hold, local, travel

pytestmark = pytest.mark.django_db

PASS, FAIL, NA, ADVICE = Result.PASS, Result.FAIL, Result.NOT_APPLICABLE, Result.ADVICE
JAN, MAR, APR, MAY, JUN, JUL = (datetime.date(2026, m, 1) for m in (1, 3, 4, 5, 6, 7))


@pytest.fixture
def tree(db):
    return Tree()


def findings_of(cell, month) -> CellMonth:
    return CellMonth.objects.get(cell=cell, month=month)


def compute(month, at):
    with travel(at):
        return compute_month(month)


def adopt(organization, **values) -> Policy:
    """A committee's own policy (since 2020) adopting these values: binding in its subtree, whatever their origin."""
    return Policy.objects.create(
        organization=organization,
        valid_from=datetime.date(2020, 1, 1),
        name="Quy định của cấp ủy",
        source="Quy định 01-QĐ/TU ngày 01/01/2020",
        **values,
    )


# --- length and speakers ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("minutes", "expected"), [(89, FAIL), (90, PASS)])
def test_a_regular_meeting_needs_90_minutes(tree, minutes, expected):
    cell = tree.cell()
    hold(cell, datetime.date(2026, 3, 4), minutes=minutes)

    compute(MAR, local(2026, 3, 20))

    row = findings_of(cell, MAR)
    assert (row.length, row.length_minutes, row.length_required) == (expected, minutes, 90)
    assert row.rules["length"]["citation"] == DEFAULTS["min_minutes_regular"][1]


def test_a_combined_session_needs_120_minutes(tree):
    cell = tree.cell()
    hold(cell, datetime.date(2026, 3, 4), minutes=119, kind="combined")

    compute(MAR, local(2026, 3, 20))

    row = findings_of(cell, MAR)
    assert (row.regular_held, row.length, row.length_required) == (PASS, FAIL, 120)
    # Too short for a combined session (Hướng dẫn 42): it does not make the quarter's thematic meeting either.
    assert (row.thematic, row.thematic_count, row.rules["thematic"]["held"]) == (NA, 0, 1)


@pytest.mark.parametrize(
    ("speakers", "adopted", "expected"),
    [(3, False, ADVICE), (4, False, PASS), (3, True, FAIL), (4, True, PASS)],
    ids=["3-recommended", "4-recommended", "3-adopted", "4-adopted"],
)
def test_at_least_4_distinct_members_speak(tree, speakers, adopted, expected):
    """4 speakers is one agency cell's practice (seed 000): advice, until a committee adopts it in its policy."""
    if adopted:
        adopt(tree.province, min_member_speakers=4)
    cell = tree.cell(official=6)
    hold(cell, datetime.date(2026, 3, 4), speakers=speakers)  # the chair speaks twice: counted once

    compute(MAR, local(2026, 3, 20))

    row = findings_of(cell, MAR)
    assert (row.speakers, row.speakers_count, row.speakers_required) == (expected, speakers, 4)
    assert row.all_ok is (expected != FAIL)


# --- months and quarters in Asia/Ho_Chi_Minh -------------------------------------------------------------------------


def test_a_meeting_at_23_30_on_the_last_day_of_a_month_belongs_to_that_month(tree):
    cell = tree.cell()
    # 23:30 on 31 March local is 16:30 UTC; it ends at 01:00 on 1 April local.
    meeting = hold(cell, datetime.date(2026, 3, 31), start=datetime.time(23, 30), minutes=90)

    with travel(local(2026, 4, 2)):
        compute_month(MAR)
        compute_month(APR)

    march, april = findings_of(cell, MAR), findings_of(cell, APR)
    assert (march.regular_held, march.meeting_id, march.length, march.length_minutes) == (PASS, meeting.pk, PASS, 90)
    assert (april.regular_held, april.meeting_id) == (NA, None)


def test_the_regular_meeting_is_pending_during_the_month_and_missing_once_it_ends_in_local_time(tree):
    cell = tree.cell()
    december = datetime.date(2026, 12, 1)

    compute(december, datetime.datetime(2026, 12, 31, 16, 59, tzinfo=datetime.UTC))  # 23:59 on 31 Dec local
    row = findings_of(cell, december)
    assert (row.regular_held, row.thematic, row.all_ok) == (NA, NA, True)

    compute(december, datetime.datetime(2026, 12, 31, 17, 0, tzinfo=datetime.UTC))  # 00:00 on 1 Jan 2027 local
    row = findings_of(cell, december)
    # One thematic meeting a quarter is Hướng dẫn 12-HD/BTCTW's: a quarter without one fails.
    assert (row.regular_held, row.thematic, row.all_ok) == (FAIL, FAIL, False)
    assert set(row.failed_rules) == {"regular_held", "thematic"}


def test_a_thematic_meeting_on_31_march_counts_for_the_first_quarter_and_one_on_1_april_for_the_second(tree):
    adopt(tree.province, thematic_per_quarter=1)
    on_31_march, on_1_april = tree.cell(), tree.cell()
    hold(on_31_march, datetime.date(2026, 3, 31), kind="thematic", minutes=120, start=datetime.time(21, 0))
    hold(on_1_april, datetime.date(2026, 4, 1), kind="thematic", minutes=120, start=datetime.time(0, 30))

    with travel(local(2026, 4, 2)):
        compute_month(MAR)
        compute_month(APR)

    assert (findings_of(on_31_march, MAR).thematic, findings_of(on_31_march, MAR).thematic_count) == (PASS, 1)
    assert (findings_of(on_1_april, MAR).thematic, findings_of(on_1_april, MAR).thematic_count) == (FAIL, 0)
    assert (findings_of(on_31_march, APR).thematic, findings_of(on_31_march, APR).thematic_count) == (NA, 0)
    assert (findings_of(on_1_april, APR).thematic, findings_of(on_1_april, APR).thematic_count) == (PASS, 1)


def test_the_thematic_rule_passes_once_held_waits_mid_quarter_and_fails_at_the_quarter_end(tree):
    adopt(tree.province, thematic_per_quarter=1)
    held, missing = tree.cell(), tree.cell()
    hold(held, datetime.date(2026, 5, 20), kind="thematic", minutes=120)

    with travel(local(2026, 6, 30, 23, 0)):  # June not over yet
        for month in (APR, MAY, JUN):
            compute_month(month)
    assert [findings_of(held, m).thematic for m in (APR, MAY, JUN)] == [NA, PASS, PASS]
    assert [findings_of(missing, m).thematic for m in (APR, MAY, JUN)] == [NA, NA, NA]

    compute(JUN, local(2026, 7, 1, 0, 0))
    assert findings_of(missing, JUN).thematic == FAIL
    assert findings_of(held, JUN).thematic == PASS
    assert findings_of(missing, MAY).thematic == NA  # only the quarter's last month fails


# --- policies: dated, inherited --------------------------------------------------------------------------------------


def test_a_policy_changed_mid_year_keeps_the_findings_of_earlier_months(tree):
    cell = tree.cell()
    hold(cell, datetime.date(2026, 1, 6), minutes=100)
    hold(cell, datetime.date(2026, 7, 6), minutes=100)
    compute(JAN, local(2026, 2, 2))
    assert (findings_of(cell, JAN).length, findings_of(cell, JAN).length_required) == (PASS, 90)

    policy = Policy.objects.create(
        organization=tree.province,
        name="Quy định về sinh hoạt chi bộ",
        source="Quy định 05-QĐ/TU ngày 20/6/2026",
        valid_from=datetime.date(2026, 7, 1),
        min_minutes_regular=120,
    )
    with travel(local(2026, 8, 2)):
        compute_month(JAN)  # computed again after the change
        compute_month(JUL)

    january, july = findings_of(cell, JAN), findings_of(cell, JUL)
    assert (january.length, january.length_required, january.rules["length"]["policy"]) == (PASS, 90, BUILT_IN)
    assert (july.length, july.length_required) == (FAIL, 120)
    assert (
        july.rules["length"].items()
        >= {
            "policy_id": policy.pk,
            "policy": "Quy định về sinh hoạt chi bộ",
            "organization": "Đảng bộ tỉnh Lào Cai",
            "citation": "Quy định 05-QĐ/TU ngày 20/6/2026",
            "valid_from": "2026-07-01",
            "required": 120,
            "measured": 100,
        }.items()
    )


def test_a_policy_from_the_15th_judges_the_meetings_from_that_day_and_the_month_it_closes(tree):
    """Meeting rules by the meeting's day (as its own page judges it); the month's rules by its last day."""
    early, late = tree.cell(official=6), tree.cell(official=6)
    hold(early, datetime.date(2026, 9, 4), speakers=4)
    hold(late, datetime.date(2026, 9, 20), speakers=4)
    Policy.objects.create(
        organization=tree.commune,
        name="Nâng chất lượng",
        source="Nghị quyết 02-NQ/ĐU",
        valid_from=datetime.date(2026, 9, 15),
        min_member_speakers=5,
        smallest_cell_official=7,
    )

    compute(datetime.date(2026, 9, 1), local(2026, 10, 2))

    before, after = findings_of(early, datetime.date(2026, 9, 1)), findings_of(late, datetime.date(2026, 9, 1))
    assert (before.speakers, before.speakers_required) == (PASS, 4)  # held on the 4th: the rules of the 4th
    assert before.rules["speakers"]["policy"] == BUILT_IN
    assert (after.speakers, after.speakers_required) == (FAIL, 5)  # held on the 20th: the new policy
    assert after.rules["speakers"]["citation"] == "Nghị quyết 02-NQ/ĐU"
    # The smallest cell is a rule of the month: judged on its last day, under the new policy, for both.
    assert (before.cell_size, before.rules["cell_size"]["required"]) == (FAIL, 7)
    assert (after.cell_size, after.rules["cell_size"]["required"]) == (FAIL, 7)


def test_a_cell_inherits_its_provinces_policy_and_its_communes_where_nearer(tree):
    Policy.objects.create(
        organization=tree.province,
        name="Thời lượng vùng cao",
        source="Hướng dẫn 03-HD/TU",
        valid_from=datetime.date(2025, 1, 1),
        min_minutes_regular=60,
        min_member_speakers=2,
    )
    Policy.objects.create(
        organization=tree.commune,
        name="Phát biểu",
        source="Nghị quyết 01-NQ/ĐU",
        valid_from=datetime.date(2025, 1, 1),
        min_member_speakers=3,
    )
    cell = tree.cell()
    hold(cell, datetime.date(2026, 3, 4), minutes=70, speakers=3)

    compute(MAR, local(2026, 3, 20))

    row = findings_of(cell, MAR)
    assert (row.length, row.length_required, row.rules["length"]["organization"]) == (
        PASS,
        60,
        "Đảng bộ tỉnh Lào Cai",
    )
    assert (row.speakers, row.speakers_required, row.rules["speakers"]["organization"]) == (
        PASS,
        3,
        "Đảng bộ xã Bảo Hà",
    )
    assert row.rules["thematic"]["policy"] == BUILT_IN


# --- smallest cell ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("official", "probationary", "expected"), [(2, 0, FAIL), (3, 0, PASS), (2, 2, FAIL)], ids=["2", "3", "2+2dự bị"]
)
def test_a_cell_needs_3_official_members(tree, official, probationary, expected):
    cell = tree.cell(official=official, probationary=probationary)

    compute(MAR, local(2026, 3, 20))

    row = findings_of(cell, MAR)
    assert (row.cell_size, row.official_members) == (expected, official)
    assert row.rules["cell_size"]["citation"] == DEFAULTS["smallest_cell_official"][1]


def test_exempted_and_attached_elsewhere_members_are_official_members_but_the_transferred_are_not(tree):
    cell = tree.cell(official=4)
    member_status_change(member=cell.members[0], status="exempted", effective_from=datetime.date(2026, 1, 10))
    member_status_change(
        member=cell.members[1],
        status="attached_elsewhere",
        attached_to_name="Chi bộ Bệnh viện tỉnh",
        effective_from=datetime.date(2026, 2, 1),
    )
    member_status_change(member=cell.members[2], status="transferred_out", effective_from=datetime.date(2026, 3, 10))

    with travel(local(2026, 4, 2)):
        compute_month(datetime.date(2026, 2, 1))
        compute_month(MAR)

    assert findings_of(cell, datetime.date(2026, 2, 1)).official_members == 4
    assert (findings_of(cell, MAR).official_members, findings_of(cell, MAR).cell_size) == (3, PASS)


# --- attendance and the vote rule ------------------------------------------------------------------------------------


def test_attendance_counts_the_expected_members_and_the_resolution_passes_above_half(tree):
    cell = tree.cell(official=6, probationary=1)
    member_status_change(member=cell.members[5], status="exempted", effective_from=datetime.date(2026, 1, 10))
    # 0..3 official present, 4 official absent without reason, 5 exempted absent, 6 probationary present.
    hold(cell, datetime.date(2026, 3, 4), absent={4, 5}, speakers=4, votes_for=3)

    compute(MAR, local(2026, 3, 20))

    row = findings_of(cell, MAR)
    assert (row.attendance_present, row.attendance_expected, row.attendance_absent, row.attendance_excused) == (
        5,
        6,
        1,
        0,
    )
    # Counted: 5 official members (the exempted absent one is not); 4 may vote; 3 of 5 approve.
    assert (row.vote_counted, row.vote_present, row.attendance, row.resolution) == (5, 4, PASS, PASS)
    assert row.rules["resolution"]["required"] == 3


@pytest.mark.parametrize(
    ("absent", "excused", "votes_for", "attendance", "resolution"),
    [
        ((), (), None, PASS, NA),  # no vote recorded
        ((), (), 2, PASS, FAIL),  # 2 of 5 is not above half
        ((2, 3, 4), (), 2, FAIL, FAIL),  # 2 present of 5 counted: no quorum
        ((), (2, 3, 4), 2, PASS, PASS),  # accepted absences leave 2 counted: 2 of 2
    ],
    ids=["no-vote", "2-of-5", "no-quorum", "accepted-absences"],
)
def test_the_resolution_and_the_quorum(tree, absent, excused, votes_for, attendance, resolution):
    cell = tree.cell(official=5)
    hold(cell, datetime.date(2026, 3, 4), absent=set(absent), excused=set(excused), speakers=2, votes_for=votes_for)

    compute(MAR, local(2026, 3, 20))

    row = findings_of(cell, MAR)
    assert (row.attendance, row.resolution) == (attendance, resolution)


ROSTERS = [
    # (member_status, attendance status, absence accepted, guest)
    [
        ("official", "present", True, False),
        ("official", "present", True, False),
        ("official", "absent", True, False),
        ("official", "excused", True, False),
        ("official", "excused", False, False),
        ("probationary", "present", True, False),
        ("official", "present", True, True),
        ("attached_elsewhere", "present", True, True),
    ],
    [
        ("exempted", "present", True, False),
        ("exempted", "absent", True, False),
        ("exempted", "excused", True, False),
        ("attached_elsewhere", "present", True, False),
        ("attached_elsewhere", "absent", True, False),
        ("suspended", "present", True, False),
        ("official", "present", True, False),
        ("official", "present", True, False),
    ],
    [
        ("official", "", True, False),
        ("official", "present", True, False),
        ("suspended", "absent", True, False),
        ("probationary", "absent", True, False),
        ("official", "excused", True, False),
        ("exempted", "present", True, False),
        ("official", "absent", True, False),
        ("probationary", "excused", False, False),
    ],
]


def test_the_vote_rule_in_sql_matches_vote_basis(tree):
    cell = tree.cell(official=8)
    meetings = []
    for day, roster in zip((3, 10, 17), ROSTERS, strict=True):
        meeting = Meeting.objects.create(
            organization=cell,
            kind="extraordinary",
            planned_date=datetime.date(2026, 3, day),
            planned_time=datetime.time(14),
            venue="Nhà văn hóa",
            status="held",
        )
        Attendance.objects.bulk_create(
            Attendance(
                meeting=meeting,
                member=member,
                member_status=status,
                status=attendance,
                absence_accepted=accepted,
                is_guest=guest,
            )
            for member, (status, attendance, accepted, guest) in zip(cell.members, roster, strict=True)
        )
        meetings.append(meeting)

    figures = {
        row["id"]: row for row in Meeting.objects.filter(organization=cell).annotate(**roll_call_counts()).values()
    }
    assert speaker_counts(Speech.objects.filter(meeting__organization=cell)) == {}

    for meeting, roster in zip(meetings, ROSTERS, strict=True):
        basis = vote_basis(roster)
        assert (figures[meeting.pk]["counted"], figures[meeting.pk]["eligible_present"]) == (
            basis.counted,
            basis.eligible_present,
        ), roster
    first = figures[meetings[0].pk]
    assert (first["expected"], first["present"], first["absent"], first["excused"]) == (6, 3, 1, 2)


# --- agenda and minutes deadlines ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("published", "expected"),
    [
        (local(2026, 3, 3, 23, 59), PASS),  # the day before, local time
        (local(2026, 3, 4, 0, 30), FAIL),  # the meeting day (17:30 UTC on the 3rd)
        (None, FAIL),  # never sent
    ],
    ids=["day-before", "same-day", "never"],
)
def test_the_agenda_goes_out_at_least_a_day_before(tree, published, expected):
    cell = tree.cell()
    hold(cell, datetime.date(2026, 3, 4), published=published)

    compute(MAR, local(2026, 3, 20))

    row = findings_of(cell, MAR)
    assert (row.agenda_on_time, row.rules["agenda_on_time"]["required"]) == (expected, 1)


@pytest.mark.parametrize(
    ("approved", "today", "expected"),
    [
        (local(2026, 3, 11, 23, 0), local(2026, 3, 20), PASS),  # on the 7th day
        (local(2026, 3, 12, 9, 0), local(2026, 3, 20), ADVICE),  # approved late
        (None, local(2026, 3, 11, 23, 59), NA),  # still within the time
        (None, local(2026, 3, 12, 0, 1), ADVICE),  # not approved, the time is up
    ],
    ids=["in-time", "late", "pending", "overdue"],
)
def test_the_minutes_are_approved_within_7_days(tree, approved, today, expected):
    """7 days is the app's own default, with no legal text behind it: a late approval is advice."""
    cell = tree.cell()
    hold(cell, datetime.date(2026, 3, 4), approved=approved)

    compute(MAR, today)

    row = findings_of(cell, MAR)
    assert (row.minutes_on_time, row.rules["minutes_on_time"]["required"]) == (expected, 7)


# --- the row as a whole ----------------------------------------------------------------------------------------------


def test_a_compliant_cell_has_every_finding_with_its_source(tree):
    cell = tree.cell(official=5)
    meeting = hold(
        cell, datetime.date(2026, 3, 4), kind="combined", minutes=150, votes_for=5, approved=local(2026, 3, 5)
    )

    with travel(local(2026, 4, 2)):
        row = refresh_cell_month(cell.pk, MAR)

    assert row.pk == findings_of(cell, MAR).pk
    row = findings_of(cell, MAR)
    assert (row.path, row.cell_type, row.meeting_id, row.all_ok, row.failed_rules) == (
        cell.path,
        "residential",
        meeting.pk,
        True,
        [],
    )
    shown = {finding.rule: finding for finding in findings(row)}
    assert set(shown) == set(CellMonth.RULE_FIELDS)
    # A combined session's length is the month's "length"; no thematic meeting was held on its own.
    assert {finding.result for finding in shown.values() if finding.rule != "thematic_length"} == {PASS}
    assert shown["thematic_length"].result == NA
    assert shown["length"].label == str(RULE_LABELS["length"]) == "Đủ thời lượng"
    assert (shown["length"].measured, shown["length"].required, shown["length"].policy) == (150, 120, BUILT_IN)
    assert (shown["speakers"].measured, shown["speakers"].required) == (4, 4)
    assert (shown["cell_size"].measured, shown["cell_size"].required) == (5, 3)
    assert shown["regular_held"].citation == "Điều lệ Đảng, Điều 24"


def test_it_computes_a_subtree_or_a_set_and_skips_closed_cells(tree):
    here = tree.cell()
    other_commune = Tree()
    there = other_commune.cell()
    closed = tree.cell()
    closed.valid_to = datetime.date(2026, 3, 1)
    closed.save(update_fields=["valid_to"])

    with travel(local(2026, 3, 20)):
        assert compute_month(MAR, organization=tree.commune) == 1
        assert compute_month(MAR, cells=[there]) == 1
        assert compute_month(datetime.date(2026, 2, 1), cells=type(here).objects.filter(pk=closed.pk)) == 1
        assert refresh_cell_month(tree.commune.pk, MAR) is None  # not a cell

    assert set(CellMonth.objects.values_list("cell", "month")) == {
        (here.pk, MAR),
        (there.pk, MAR),
        (closed.pk, datetime.date(2026, 2, 1)),
    }


def test_computing_a_month_again_rewrites_its_row(tree):
    cell = tree.cell()
    with travel(local(2026, 3, 20)):
        compute_month(MAR)
    make_member(cell)
    with travel(local(2026, 3, 20)):
        compute_month(MAR)
        compute_month(MAR)
    assert CellMonth.objects.filter(cell=cell).count() == 1
    assert findings_of(cell, MAR).official_members == 6
