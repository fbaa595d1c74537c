"""Each finding is traceable: the meeting page and the CSV show every rule's result, measured and required values,
and the policy and legal source the required value came from."""

import csv
import datetime
import io

import pytest
from django.urls import reverse

from cells.models import Policy
from reports.compliance import compute_month
from reports.models import CellMonth
from tests.factories import UserFactory, make_cell, make_org, make_secretary
from tests.reports.compliance_helpers import Tree, hold, local, travel

pytestmark = pytest.mark.django_db

MAR = datetime.date(2026, 3, 1)


@pytest.fixture
def judged(db):
    tree = Tree()
    cell = tree.cell(official=6)
    policy = Policy.objects.create(
        organization=tree.commune,
        name="Quy định sinh hoạt chi bộ của Đảng ủy xã",
        source="Quy định 09-QĐ/ĐU ngày 15/01/2026",
        valid_from=datetime.date(2026, 2, 1),
        min_member_speakers=5,
    )
    meeting = hold(cell, datetime.date(2026, 3, 4), minutes=95, speakers=4)
    with travel(local(2026, 4, 2)):
        compute_month(MAR)
    tree.cell_ = cell
    tree.meeting, tree.policy = meeting, policy
    return tree


def test_the_meeting_page_loads_the_findings_report_of_its_month(client, judged):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))

    body = client.get(reverse("meetings:detail", args=[judged.meeting.pk])).content.decode()

    findings_url = reverse("reports:meeting_findings", args=[judged.meeting.pk])
    assert f'data-hx-get="{findings_url}"' in body  # loaded in place
    assert f'href="{findings_url}"' in body  # and a link without JavaScript


def test_the_findings_report_shows_each_rule_with_its_measure_and_source(client, judged):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))

    with travel(local(2026, 4, 2)):
        body = client.get(
            reverse("reports:meeting_findings", args=[judged.meeting.pk]), headers={"HX-Request": "true"}
        ).content.decode()

    assert CellMonth.objects.get(meeting=judged.meeting).speakers == "fail"
    start = body.index('data-testid="finding-speakers"')
    speakers = body[start : body.index("</li>", start)]
    assert 'data-status="fail"' in speakers
    assert "4/5 đảng viên" in speakers
    assert "Quy định sinh hoạt chi bộ của Đảng ủy xã (Đảng bộ xã Bảo Hà)" in speakers
    assert "Quy định 09-QĐ/ĐU ngày 15/01/2026" in speakers
    start = body.index('data-testid="finding-length"')
    length = body[start : body.index("</li>", start)]
    assert 'data-status="pass"' in length and "95/90 phút" in length
    assert "Hướng dẫn 42-HD/BTCTW" in length  # the built-in default's citation
    assert "Đánh giá theo quy định, tháng 03/2026" in body
    start = body.index('data-testid="finding-attendance"')
    assert "6 đảng viên chính thức có mặt, cần ít nhất 4 (quá nửa)" in body[start : body.index("</li>", start)]
    # Its links open the rules in force on the meeting's day and on the month's last day.
    assert reverse("reports:organization_policy", args=[judged.cell_.pk]) + "?ngay=2026-03-04" in body
    assert reverse("reports:organization_policy", args=[judged.cell_.pk]) + "?ngay=2026-03-31" in body
    assert "<html" not in body  # the panel alone, for the meeting page


def test_without_javascript_the_findings_report_is_a_page(client, judged):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))

    body = client.get(reverse("reports:meeting_findings", args=[judged.meeting.pk])).content.decode()

    assert "<html" in body and 'data-testid="finding-speakers"' in body
    assert reverse("meetings:detail", args=[judged.meeting.pk]) in body  # back to the meeting


def test_a_meeting_without_findings_shows_none(client, judged):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    later = hold(judged.cell_, datetime.date(2026, 4, 4))  # its month is not computed yet
    url = reverse("reports:meeting_findings", args=[later.pk])

    assert client.get(url, headers={"HX-Request": "true"}).content.decode().strip() == ""
    assert 'data-testid="no-findings"' in client.get(url).content.decode()


def test_the_findings_report_hides_other_cells(client, judged):
    elsewhere = make_cell(make_org(judged.province))
    outsider = UserFactory()
    make_secretary(elsewhere, outsider)
    client.force_login(outsider)

    assert client.get(reverse("reports:meeting_findings", args=[judged.meeting.pk])).status_code == 404


def test_the_csv_names_the_source_of_each_required_value(client, judged):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))

    response = client.get(reverse("reports:dashboard_csv", args=[judged.commune.pk]) + "?ky=thang-2026-03")

    lines, legend = b"".join(response.streaming_content).decode("utf-8-sig").split("\r\n\r\n")
    (row,) = csv.DictReader(io.StringIO(lines))
    sources = {code: (policy, citation) for code, policy, citation in list(csv.reader(io.StringIO(legend)))[2:]}
    assert sources[row["Đủ số đảng viên phát biểu: căn cứ"]] == (
        "Quy định sinh hoạt chi bộ của Đảng ủy xã",
        "Quy định 09-QĐ/ĐU ngày 15/01/2026",
    )
    policy, citation = sources[row["Đủ thời lượng: căn cứ"]]
    assert policy == "Mặc định của hệ thống" and citation.startswith("Hướng dẫn 42-HD/BTCTW")
    # A default with no legal text: its name once.
    assert sources[row["Duyệt biên bản đúng hạn: căn cứ"]] == ("Mặc định của hệ thống", "")


def test_in_english_a_default_without_a_legal_text_reads_system_default(client, judged):
    from tests.config.test_english import visible_text

    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    with travel(local(2026, 4, 2)):
        text = visible_text(client.get(reverse("reports:meeting_findings", args=[judged.meeting.pk])))

    assert "Findings against the rules, 03/2026" in text
    # The minutes' deadline: the kind of its source (a recommendation of the app), then the source itself.
    assert "Basis: | Recommendation (system default) | · System default" in text
    assert "Mặc định của hệ thống" not in text and "Khuyến nghị" not in text
