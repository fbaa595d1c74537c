"""Issue 10, section 3: a rule's source is a regulation, or it is labelled a local or system recommendation; findings
of a recommendation not met read as advice, do not count against the cell, until a committee adopts the rule in its
own policy (then its decision is the source and it counts). Figures computed by hand from each scenario."""

import datetime
import re

import pytest
from django.urls import reverse

from cells.models import Policy
from cells.policies import DEFAULT_KINDS, DEFAULTS, SourceKind, policy_for
from meetings.services import figures
from reports.compliance import compute_month
from reports.findings import failed_reasons
from reports.models import CellMonth, Result, Rollup
from tests.factories import UserFactory
from tests.reports.compliance_helpers import Tree, hold, local, travel

pytestmark = pytest.mark.django_db

PASS, FAIL, ADVICE = Result.PASS, Result.FAIL, Result.ADVICE
MAR = datetime.date(2026, 3, 1)
# Legal texts of the Party; the articles of seeds/ and "Mặc định của hệ thống" are none.
LEGAL = ("Điều lệ Đảng", "Quy định 294", "Hướng dẫn 42-HD/BTCTW", "Hướng dẫn 12-HD/BTCTW")


def test_every_default_cites_a_legal_text_or_is_labelled_a_recommendation():
    for name, (_value, citation) in DEFAULTS.items():
        legal = any(text in citation for text in LEGAL)
        assert legal == (DEFAULT_KINDS[name] == SourceKind.REGULATION), name
    assert DEFAULT_KINDS["min_member_speakers"] == SourceKind.LOCAL  # one agency cell's practice (seed 000)
    assert DEFAULT_KINDS["minutes_approval_days"] == SourceKind.SYSTEM  # "Mặc định của hệ thống"


@pytest.fixture
def late_and_quiet(db):
    """A cell of 6 whose March meeting had 3 member speakers (4 recommended) and whose minutes were approved on the
    10th day (7 by the app's default); everything else in order: 95 minutes, agenda 3 days ahead, a valid vote."""
    tree = Tree()
    cell = tree.cell(official=6)
    meeting = hold(
        cell, datetime.date(2026, 3, 4), minutes=95, speakers=3, votes_for=6, approved=local(2026, 3, 14, 9, 0)
    )
    hold(cell, datetime.date(2026, 3, 20), kind="thematic", minutes=120)
    tree.cell_, tree.meeting = cell, meeting
    return tree


def test_recommendations_not_met_are_advice_and_do_not_count_against_the_cell(late_and_quiet):
    with travel(local(2026, 4, 2)):
        compute_month(MAR)

    row = CellMonth.objects.get(cell=late_and_quiet.cell_, month=MAR)
    assert (row.speakers, row.speakers_count, row.speakers_required) == (ADVICE, 3, 4)
    assert (row.minutes_on_time, row.rules["minutes_on_time"]["measured"]) == (ADVICE, 10)
    assert (row.rules["speakers"]["kind"], row.rules["minutes_on_time"]["kind"]) == ("local", "system")
    assert (row.all_ok, row.failed_rules) == (True, [])
    assert failed_reasons(CellMonth.objects.filter(pk=row.pk).values().get()) == []
    month = Rollup.objects.get(organization=late_and_quiet.province, period="m", start=MAR, cell_type="")
    assert (month.passed, month.failed, month.cells_short) == (1, 0, 0)
    # The meeting's own page judges it the same way.
    assert (figures(late_and_quiet.meeting)["speakers"].result, figures(late_and_quiet.meeting)["speakers"].advice) == (
        ADVICE,
        True,
    )


def test_once_a_committee_adopts_them_they_count(late_and_quiet):
    adopted = Policy.objects.create(
        organization=late_and_quiet.commune,
        valid_from=datetime.date(2026, 1, 1),
        name="Quy định sinh hoạt chi bộ của Đảng ủy xã",
        source="Quy định 09-QĐ/ĐU ngày 15/12/2025",
        min_member_speakers=4,
        minutes_approval_days=7,
    )
    with travel(local(2026, 4, 2)):
        compute_month(MAR)

    row = CellMonth.objects.get(cell=late_and_quiet.cell_, month=MAR)
    assert (row.speakers, row.minutes_on_time, row.all_ok) == (FAIL, FAIL, False)
    assert set(row.failed_rules) == {"speakers", "minutes_on_time"}
    assert row.rules["speakers"]["policy_id"] == adopted.pk and row.rules["speakers"]["kind"] == "adopted"
    assert policy_for(late_and_quiet.cell_, datetime.date(2026, 3, 4)).sources["min_member_speakers"].binding
    month = Rollup.objects.get(organization=late_and_quiet.province, period="m", start=MAR, cell_type="")
    assert (month.passed, month.failed, month.cells_short) == (0, 1, 1)


def test_the_findings_panel_reads_advice_with_the_kind_of_each_source(client, late_and_quiet):
    with travel(local(2026, 4, 2)):
        compute_month(MAR)
    client.force_login(UserFactory(is_superuser=True, is_staff=True))

    body = client.get(
        reverse("reports:meeting_findings", args=[late_and_quiet.meeting.pk]), headers={"HX-Request": "true"}
    ).content.decode()

    def item(rule):
        start = body.index(f'data-testid="finding-{rule}"')
        return " ".join(re.sub(r"<[^>]+>", " ", body[start : body.index("</li>", start)]).split())

    assert 'data-testid="finding-speakers" data-status="adv"' in body
    assert "Khuyến nghị Đủ số đảng viên phát biểu : 3/4 đảng viên" in item("speakers")
    assert "Khuyến nghị theo kinh nghiệm địa phương" in item("speakers")
    assert "không tính là không đạt" in item("speakers")
    assert "Khuyến nghị của hệ thống" in item("minutes_on_time")
    assert "Văn bản quy định" in item("cell_size") and "Điều lệ Đảng, Điều 24" in item("cell_size")
    assert "Đạt mọi quy định" in body and "2 khuyến nghị chưa đạt" in body


def test_the_policy_page_labels_each_values_source(client, world):
    Policy.objects.create(
        organization=world.commune,
        valid_from=datetime.date(2026, 1, 1),
        name="Quy định của Đảng ủy xã",
        source="Quy định 09-QĐ/ĐU",
        min_member_speakers=5,
    )
    client.force_login(world.board_user)

    body = client.get(reverse("reports:organization_policy", args=[world.cell_a.pk])).content.decode()

    def kind(name):
        row = re.search(rf'<tr data-testid="rule-{name}">(.*?)</tr>', body, re.S).group(1)
        return re.search(r'data-kind="(\w+)"', row).group(1)

    assert kind("min_member_speakers") == "adopted"  # the commune's decision: binding
    assert kind("min_minutes_thematic") == "local"
    assert kind("minutes_approval_days") == "system"
    assert kind("smallest_cell_official") == "regulation"
    assert "Khuyến nghị theo kinh nghiệm địa phương" in body and "Khuyến nghị của hệ thống" in body
