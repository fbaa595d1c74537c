"""The rules of a meeting are counted twice, in Python (a meeting's pages: ``meetings.services.meeting_facts``) and
in SQL (the monthly findings: ``meetings.rules.roll_call_counts`` and ``speaker_counts`` in ``reports.compliance``).
The same cases run through both here, and every figure and every rule must agree: the roll call's counts, the
speakers, the length, each meeting-level check (result, measured, required), and the stored finding of each rule."""

import datetime
import random
from zoneinfo import ZoneInfo

import pytest

from cells.models import Policy
from cells.periods import local_today
from meetings.models import Attendance, Meeting, Speech, Visitor
from meetings.rules import MEETING_CHECKS, VOTE_COUNTS, assess, rules_for
from meetings.services import meeting_facts
from reports.compliance import _cells, _facts, compute_month
from reports.compliance import meeting_facts as sql_meeting_facts
from reports.models import CellMonth
from tests.factories import make_cell, make_member, make_org

pytestmark = pytest.mark.django_db

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
MONTH = datetime.date(2026, 3, 1)
STATUSES = ["official"] * 6 + ["probationary", "exempted", "attached_elsewhere", "suspended"]
ANSWERS = ["present"] * 5 + ["excused", "absent", ""]


def _case(rng: random.Random, parent, number: int) -> Meeting:
    """A cell of 3 to 12 members of every status (and up to 2 guests), its regular meeting of March held with a
    random roll call, speeches (members twice, visitors), times, vote, agenda and approval dates."""
    cell = make_cell(parent)
    members = [make_member(cell) for _ in range(rng.randint(3, 12))]
    guests = [make_member(cell) for _ in range(rng.randint(0, 2))]
    day = datetime.date(2026, 3, rng.randint(1, 28))
    start = datetime.datetime.combine(day, datetime.time(14), tzinfo=HCM)
    has_times = rng.random() < 0.9
    length = datetime.timedelta(minutes=rng.randint(60, 150), seconds=rng.choice([0, 59]))
    kind = rng.choice(["regular", "regular", "combined"])
    meeting = Meeting.objects.create(
        organization=cell,
        kind=kind,
        topic="Chuyên đề" if kind == "combined" else "",
        planned_date=day,
        planned_time=datetime.time(14),
        venue="Hội trường",
        status=rng.choice(["held", "approved"]),
        started_at=start if has_times else None,
        ended_at=start + length if has_times else None,
        votes_for=rng.choice([None, *range(0, 12)]),
        published_at=rng.choice([None, start - datetime.timedelta(days=rng.randint(0, 5), hours=rng.randint(0, 20))]),
        approved_at=rng.choice([None, start + datetime.timedelta(days=rng.randint(0, 12))]),
    )
    rows = []
    for member in members:
        answer = rng.choice(ANSWERS)
        rows.append(
            Attendance(
                meeting=meeting,
                member=member,
                member_status=rng.choice(STATUSES),
                status=answer,
                reason="Ốm" if answer == "excused" else "",
                absence_accepted=rng.random() < 0.5,
            )
        )
    for guest in guests:
        rows.append(
            Attendance(
                meeting=meeting,
                member=guest,
                member_status=rng.choice(["official", "attached_elsewhere", "probationary"]),
                status=rng.choice(ANSWERS),
                is_guest=True,
            )
        )
    Attendance.objects.bulk_create(rows)
    visitor = Visitor.objects.create(meeting=meeting, name="Đồng chí cấp trên", title="Đảng ủy viên")
    speakers = rng.sample(members + guests, rng.randint(0, min(6, len(members) + len(guests))))
    speeches = [Speech(meeting=meeting, member=m, summary="Ý kiến", order=i) for i, m in enumerate(speakers)]
    speeches += [Speech(meeting=meeting, member=m, summary="Ý kiến thêm", order=50) for m in speakers[:2]]
    speeches.append(Speech(meeting=meeting, visitor=visitor, summary="Chỉ đạo", order=99))
    Speech.objects.bulk_create(speeches)
    return meeting


@pytest.fixture
def cases(db):
    rng = random.Random(20261204)
    commune = make_org(make_org(None, kind="provincial"))
    # A policy from mid-March: the meetings before it and after it are judged by different rules.
    Policy.objects.create(
        organization=commune,
        name="Quy định của xã",
        source="Quy định 02-QĐ/ĐU",
        valid_from=datetime.date(2026, 3, 15),
        min_minutes_regular=100,
        min_member_speakers=3,
        agenda_lead_days=2,
        minutes_approval_days=5,
    )
    return [_case(rng, commune, number) for number in range(40)]


def test_python_and_sql_count_every_meeting_alike_and_judge_it_alike(cases):
    cell_ids = _cells(MONTH).filter(pk__in=[m.organization_id for m in cases]).values("pk")
    regular, _thematic, _official = _facts(MONTH, cell_ids)
    today = local_today()
    assert len(regular) == len(cases)

    for meeting in cases:
        python = meeting_facts(meeting)
        sql = sql_meeting_facts(regular[meeting.organization_id])
        context = f"meeting {meeting.pk}"
        for name in VOTE_COUNTS:
            assert getattr(sql.basis, name) == getattr(python.basis, name), f"{context}: {name}"
        for name in ("kind", "planned_date", "length", "speakers", "votes_for", "published_on", "approved_on"):
            assert getattr(sql, name) == getattr(python, name), f"{context}: {name}"
        policy = rules_for(meeting.organization, meeting.planned_date).policy
        assert assess(sql, policy, today) == assess(python, policy, today), context


def test_the_stored_findings_say_what_the_meeting_page_says(cases):
    compute_month(MONTH)
    today = local_today()
    stored = {row.meeting_id: row for row in CellMonth.objects.filter(month=MONTH)}

    for meeting in cases:
        row = stored[meeting.pk]
        checks = assess(meeting_facts(meeting), rules_for(meeting.organization, meeting.planned_date).policy, today)
        for rule in MEETING_CHECKS:
            check = checks[rule]
            finding = row.rules[rule]
            assert (getattr(row, rule), finding["measured"], finding["required"]) == (
                check.result,
                check.measured,
                check.required,
            ), f"meeting {meeting.pk}: {rule}"
        assert (row.vote_counted, row.vote_present) == (
            meeting_facts(meeting).basis.counted,
            meeting_facts(meeting).basis.eligible_present,
        )
    # The cases cover both sides of each rule, and both policies.
    results = {(rule, getattr(row, rule)) for row in stored.values() for rule in MEETING_CHECKS}
    for rule in ("length", "speakers", "attendance", "resolution", "agenda_on_time", "minutes_on_time"):
        assert (rule, "pass") in results and (rule, "fail") in results, rule
    assert {row.length_required for row in stored.values()} >= {90, 100, 120}
