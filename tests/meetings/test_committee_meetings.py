"""A committee (đảng bộ) holds meetings of its own kinds: its executive and standing committees' conferences and its
own conferences. The cell rules (a regular meeting every month, length, speakers) are not theirs."""

import datetime
import re
import subprocess
import unicodedata
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from meetings.models import Meeting
from meetings.rules import NA, MeetingFacts, VoteBasis, assess, rules_for
from tests.factories import make_meeting

pytestmark = pytest.mark.django_db

HANOI = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime.datetime(2026, 12, 4, 18, 33, tzinfo=HANOI)


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


def _login(client, user):
    client.force_login(user)
    return client


def _plan(client, organization, **data):
    return client.post(
        reverse("meetings:plan", args=[organization.pk]),
        {"planned_date": "2026-12-10", "planned_time": "08:00", "venue": "Hội trường Đảng ủy", **data},
    )


def test_a_committees_meeting_list_flags_no_month_and_plans_a_conference(client, world, django_assert_num_queries):
    make_meeting(world.commune, kind="executive", planned_date=datetime.date(2026, 11, 6))
    client = _login(client, world.board_writer)
    url = reverse("meetings:list", args=[world.commune.pk])
    # session, user, scope (6), organization, meetings with their figures, their speakers, the policy history, the
    # years that have meetings: as for a cell
    with django_assert_num_queries(13):
        body = client.get(url).content.decode()

    assert "chưa có sinh hoạt định kỳ" not in body
    assert "Lập kế hoạch sinh hoạt tháng" not in body and "Yêu cầu: sinh hoạt định kỳ" not in body
    assert "Lập kế hoạch hội nghị, cuộc họp" in body
    assert 'data-testid="not-a-cell"' in body
    assert "06/11 · Hội nghị Ban Chấp hành" in body


def test_the_plan_form_of_a_committee_offers_its_own_kinds_only(client, world):
    body = _login(client, world.board_writer).get(reverse("meetings:plan", args=[world.commune.pk])).content.decode()

    assert re.findall(r'<option value="([a-z_]+)"', body) == ["executive", "standing", "conference"]
    assert '<option value="executive" selected>' in body


def test_a_committee_cannot_plan_a_cells_regular_meeting(client, world):
    response = _plan(_login(client, world.board_writer), world.commune, kind="regular")

    assert response.status_code == 200
    assert not Meeting.objects.filter(organization=world.commune).exists()
    with pytest.raises(Exception, match="không tổ chức"):
        make_meeting(world.commune, kind="regular", planned_date=datetime.date(2026, 12, 10))
    assert not Meeting.objects.filter(organization=world.commune).exists()


def test_a_cell_cannot_plan_a_committees_conference(world):
    with pytest.raises(Exception, match="Chi bộ cơ quan UBND xã không tổ chức “Hội nghị Ban Chấp hành”"):
        make_meeting(world.cell_a, kind="executive", planned_date=datetime.date(2026, 12, 10))


def test_a_committee_plans_an_executive_conference_with_an_agenda_of_its_own(client, world):
    client = _login(client, world.board_writer)

    response = _plan(client, world.commune, kind="executive")

    meeting = Meeting.objects.get(organization=world.commune)
    titles = list(meeting.agenda.values_list("title", flat=True))
    assert response.status_code == 302 and meeting.kind == "executive"
    assert titles[0] == "Khai mạc" and "Phương hướng, nhiệm vụ thời gian tới" in titles
    assert not any("đảng phí" in details for details in meeting.agenda.values_list("details", flat=True))
    page = client.get(response.url).content.decode()
    assert "Hội nghị Ban Chấp hành ngày 10/12/2026" in page


def test_a_conference_of_the_committee_needs_its_subject(client, world):
    client = _login(client, world.board_writer)

    refused = _plan(client, world.commune, kind="conference")
    planned = _plan(client, world.commune, kind="conference", topic="Quán triệt Nghị quyết Đại hội")

    assert "Hội nghị đảng bộ phải có nội dung (tên hội nghị)." in refused.content.decode()
    assert planned.status_code == 302
    assert Meeting.objects.get(organization=world.commune).topic == "Quán triệt Nghị quyết Đại hội"


def test_no_cell_rule_measures_a_committees_conference(world):
    rules = rules_for(world.commune, datetime.date(2026, 12, 10))
    facts = MeetingFacts(
        kind="executive",
        planned_date=datetime.date(2026, 12, 10),
        length=30,
        speakers=1,
        basis=VoteBasis(counted=9, eligible_present=8),
        votes_for=8,
        published_on=None,
        approved_on=None,
    )

    checks = assess(facts, rules.policy, datetime.date(2026, 12, 31))

    assert {name for name, check in checks.items() if check.result == NA} == {
        "length",
        "speakers",
        "agenda_on_time",
        "minutes_on_time",
    }
    assert checks["resolution"].ok and checks["attendance"].ok  # the Statute's vote rules bind every organization
    assert checks["speakers"].required is None and checks["speakers"].measured == 1


def test_a_meeting_of_a_committee_entered_as_a_cells_stays_readable_and_keeps_its_kind(client, world):
    # Entered before committees had kinds of their own (straight into the table: the service now refuses it).
    legacy = Meeting(
        organization=world.commune,
        kind="regular",
        planned_date=datetime.date(2026, 12, 10),
        planned_time=datetime.time(8),
        venue="Hội trường",
    )
    legacy.save()
    client = _login(client, world.board_writer)

    listed = client.get(reverse("meetings:list", args=[world.commune.pk])).content.decode()
    page = client.get(reverse("meetings:detail", args=[legacy.pk]))
    edit = client.get(reverse("meetings:edit", args=[legacy.pk])).content.decode()
    kept = client.post(
        reverse("meetings:edit", args=[legacy.pk]),
        {
            "kind": "regular",
            "planned_date": "2026-12-10",
            "planned_time": "09:00",
            "venue": "Hội trường",
            "version": legacy.version,
        },
    )
    moved = client.post(
        reverse("meetings:edit", args=[legacy.pk]),
        {
            "kind": "thematic",
            "topic": "x",
            "planned_date": "2026-12-10",
            "planned_time": "09:00",
            "venue": "Hội trường",
            "version": legacy.version + 1,
        },
    )

    assert "10/12 · Sinh hoạt định kỳ" in listed
    assert page.status_code == 200
    assert re.findall(r'<option value="([a-z_]+)"', edit) == ["regular", "executive", "standing", "conference"]
    assert kept.status_code == 302
    assert "tổ chức này không tổ chức loại buổi họp đó." in moved.content.decode()
    legacy.refresh_from_db()
    assert (legacy.kind, legacy.planned_time) == ("regular", datetime.time(9))


def test_the_minutes_of_a_committees_conference_are_its_own(client, world, tmp_path):
    meeting = make_meeting(world.commune, kind="executive", planned_date=datetime.date(2026, 12, 10))

    pdf = _login(client, world.board_user).get(reverse("reports:minutes_pdf", args=[meeting.pk])).content

    path = tmp_path / "minutes.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    text = unicodedata.normalize("NFC", " ".join(out.split()))
    assert "HỘI NGHỊ BAN CHẤP HÀNH ĐẢNG BỘ XÃ XUÂN HIỆP" in text
    assert "-BB/ĐU" in text and "BB/CB" not in text
    assert "SINH HOẠT CHI BỘ" not in text and "Tự đánh giá chất lượng" not in text
    assert "thông qua trước hội nghị" in text
