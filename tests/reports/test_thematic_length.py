"""Issue 10, section 7: the thematic meeting's length under Hướng dẫn 42-HD/BTCTW (2025), and as a finding of its
month that the quarter's thematic rule reads. Every figure below is computed by hand from the scenario.

Hướng dẫn 42 (28/10/2025): every cell meeting at least 90 minutes, 120 only for the thematic and the regular meeting
held in one session. The cell of seed 000 held its thematic meetings for 120 minutes: its practice, not the guidance.
"""

import datetime

import pytest
from django.urls import reverse

from cells.models import Policy
from cells.presets import preset_load
from meetings.services import figures
from reports.compliance import compute_month
from reports.findings import failed_reasons
from reports.models import CellMonth, Result, Rollup
from tests.factories import UserFactory
from tests.reports.compliance_helpers import Tree, hold, local, travel

pytestmark = pytest.mark.django_db

PASS, FAIL, NA, ADVICE = Result.PASS, Result.FAIL, Result.NOT_APPLICABLE, Result.ADVICE
D = datetime.date
OCT, NOV, DEC = D(2025, 10, 1), D(2025, 11, 1), D(2025, 12, 1)
JAN, FEB, MAR = D(2026, 1, 1), D(2026, 2, 1), D(2026, 3, 1)


def row(cell, month) -> CellMonth:
    return CellMonth.objects.get(cell=cell, month=month)


@pytest.fixture
def hd42(db):
    """A province whose committee required 120 minutes for a thematic meeting from 2025 (its own decision, binding),
    then loaded the Hướng dẫn 42 preset from 28/10/2025."""
    tree = Tree()
    tree.before = Policy.objects.create(
        organization=tree.province,
        valid_from=D(2025, 1, 1),
        name="Quy định sinh hoạt chi bộ của Tỉnh ủy",
        source="Quy định 05-QĐ/TU ngày 01/01/2025",
        min_minutes_thematic=120,
    )
    tree.preset, _created = preset_load(preset="hd42-2025", organization=tree.province, valid_from=D(2025, 10, 28))
    return tree


def test_under_the_hd42_preset_a_110_minute_thematic_meeting_passes_and_one_before_it_is_judged_by_the_rules_then(hd42):
    cell = hd42.cell()
    october = hold(cell, D(2025, 10, 15), kind="thematic", minutes=110)
    november = hold(cell, D(2025, 11, 18), kind="thematic", minutes=110)

    # The meeting's own page: the policy of its day.
    assert (figures(october)["length"].result, figures(october)["length"].required) == (FAIL, 120)
    assert (figures(november)["length"].result, figures(november)["length"].required) == (PASS, 90)

    with travel(local(2026, 1, 2)):
        for month in (OCT, NOV, DEC):
            compute_month(month)

    # October: 110 < 120 of the province's own policy then; the quarter is not made by it.
    oct_row = row(cell, OCT)
    assert (oct_row.thematic_length, oct_row.rules["thematic_length"]["measured"]) == (FAIL, 110)
    assert oct_row.rules["thematic_length"]["required"] == 120
    assert oct_row.rules["thematic_length"]["policy_id"] == hd42.before.pk
    assert oct_row.rules["thematic_length"]["meeting_id"] == october.pk
    assert (oct_row.thematic, oct_row.thematic_count) == (NA, 0)  # October is not the quarter's last month
    assert "Chuyên đề 110/120 phút" in failed_reasons(CellMonth.objects.filter(pk=oct_row.pk).values().get())
    # 18 November: 110 ≥ 90 under the preset; it makes the fourth quarter.
    nov_row = row(cell, NOV)
    assert (nov_row.thematic_length, nov_row.rules["thematic_length"]["required"]) == (PASS, 90)
    assert nov_row.rules["thematic_length"]["policy_id"] == hd42.preset.pk
    assert (nov_row.thematic, nov_row.thematic_count, nov_row.rules["thematic"]["held"]) == (PASS, 1, 2)
    # December: no thematic meeting of its own; the quarter counts one of the two held.
    dec_row = row(cell, DEC)
    assert (dec_row.thematic_length, dec_row.thematic, dec_row.thematic_count) == (NA, PASS, 1)


def test_a_thematic_meeting_too_short_is_a_finding_of_its_month_and_does_not_make_the_quarter(hd42):
    short, enough = hd42.cell(), hd42.cell()
    meeting = hold(short, D(2026, 2, 10), kind="thematic", minutes=85)
    hold(enough, D(2026, 2, 10), kind="thematic", minutes=95)
    for cell in (short, enough):  # the regular meetings, all in order, so that only the thematic rules differ
        for day in (D(2026, 1, 5), D(2026, 2, 5), D(2026, 3, 5)):
            hold(cell, day, minutes=90, approved=local(day.year, day.month, day.day + 1))

    with travel(local(2026, 4, 1, 8, 0)):
        for month in (JAN, FEB, MAR):
            compute_month(month)

    # February: 85 < 90 (Hướng dẫn 42, the province's policy): a failed finding of its month.
    feb = row(short, FEB)
    assert (feb.thematic_length, feb.all_ok) == (FAIL, False)
    assert feb.failed_rules == ["thematic_length"]
    assert (feb.rules["thematic_length"]["measured"], feb.rules["thematic_length"]["required"]) == (85, 90)
    assert feb.rules["thematic_length"]["meetings"] == [
        {"id": meeting.pk, "date": "2026-02-10", "measured": 85, "required": 90, "result": "fail"}
    ]
    # March, the quarter's last month, is over: held 1, counted 0 < 1 required.
    mar = row(short, MAR)
    assert (mar.thematic, mar.thematic_count, mar.rules["thematic"]["held"]) == (FAIL, 0, 1)
    reasons = failed_reasons(CellMonth.objects.filter(pk=mar.pk).values().get())
    assert reasons == ["Chuyên đề 0/1 buổi trong quý (1 buổi chưa đủ thời lượng)"]
    # The cell that held 95 minutes: both pass, every month passes.
    assert (row(enough, FEB).thematic_length, row(enough, MAR).thematic, row(enough, MAR).thematic_count) == (
        PASS,
        PASS,
        1,
    )
    assert all(row(enough, month).all_ok for month in (JAN, FEB, MAR))
    # The board's figures: the short cell's quarter is decided and not passed; its February and March failed.
    quarter = {r.organization_id: r for r in Rollup.objects.filter(period="q", start=JAN, cell_type="", is_cell=True)}
    assert (quarter[short.pk].thematic_pass, quarter[short.pk].thematic_decided, quarter[short.pk].failed) == (0, 1, 2)
    assert (quarter[enough.pk].thematic_pass, quarter[enough.pk].thematic_decided, quarter[enough.pk].failed) == (
        1,
        1,
        0,
    )


def test_under_the_built_in_defaults_a_thematic_meeting_short_of_120_minutes_is_advice_and_counts(db):
    """120 for a thematic meeting is seed 000's practice: short of it is advice; the meeting still makes the quarter
    (it broke no binding rule)."""
    tree = Tree()
    cell = tree.cell()
    hold(cell, D(2026, 2, 10), kind="thematic", minutes=100)

    with travel(local(2026, 4, 1, 8, 0)):
        compute_month(FEB)
        compute_month(MAR)

    feb = row(cell, FEB)
    assert (feb.thematic_length, feb.rules["thematic_length"]["kind"]) == (ADVICE, "local")
    assert "thematic_length" not in feb.failed_rules
    assert (row(cell, MAR).thematic, row(cell, MAR).thematic_count) == (PASS, 1)


def test_the_thematic_meetings_page_shows_its_months_finding_of_its_length(client, hd42):
    cell = hd42.cell()
    meeting = hold(cell, D(2026, 2, 10), kind="thematic", minutes=85)
    with travel(local(2026, 3, 2)):
        compute_month(FEB)
    client.force_login(UserFactory(is_superuser=True, is_staff=True))

    body = client.get(reverse("reports:meeting_findings", args=[meeting.pk])).content.decode()

    start = body.index('data-testid="finding-thematic_length"')
    item = body[start : body.index("</li>", start)]
    assert 'data-status="fail"' in item and "85/90 phút" in item
    assert "Quy định của cấp ủy" in item and "Hướng dẫn 42-HD/BTCTW (2025)" in item
    assert 'data-testid="thematic-note"' in body  # the other meeting rules are the regular meeting's
