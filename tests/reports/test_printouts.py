"""The official documents besides the minutes, as PDF: a meeting's attendance sheet, the compliance report of an
organization over a period, and a committee member's visit report. Each is read back as text (pdftotext): names with
their diacritics, figures and headings; then who may download it, and its queries."""

import datetime
import subprocess
import unicodedata

import pytest
import time_machine
from django.urls import reverse

from meetings import services
from members.models import Assignment, Position, StatusChange
from reports.models import Result
from tests.factories import UserFactory, grant, make_cell, make_meeting, make_member, seat
from tests.reports.test_dashboard import finding, grow

pytestmark = pytest.mark.django_db

PASS, FAIL = Result.PASS, Result.FAIL
NOV_22 = datetime.datetime(2026, 11, 22, 9, 0, tzinfo=datetime.UTC)


def pdf_text(response, tmp_path) -> str:
    """The PDF's text on one line (pdftotext in content order: a table's row reads as one), Unicode composed."""
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    content = response.content
    assert content.startswith(b"%PDF")
    path = tmp_path / "document.pdf"
    path.write_bytes(content)
    out = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True)
    return unicodedata.normalize("NFC", " ".join(out.stdout.split()))


def pages(response, tmp_path) -> int:
    path = tmp_path / "pages.pdf"
    path.write_bytes(response.content)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[1] for line in info.splitlines() if line.startswith("Pages:")))


# --- the attendance sheet --------------------------------------------------------------------------------------------


@pytest.fixture
def planned(world):
    """Cell A's meeting of 4 January 2027, planned; its roster: the secretary, two members, one of them exempted
    since December, a probationary member, and a guest attached here."""
    StatusChange.objects.create(
        member=world.plain_member, status=StatusChange.Status.EXEMPTED, effective_from=datetime.date(2026, 12, 1)
    )
    make_member(world.cell_a, full_name="Vũ Thị Ánh Tuyết", official=False, admission_date=datetime.date(2026, 6, 1))
    guest = make_member(world.cell_b, full_name="Phạm Quốc Khánh")
    guest.memberships.create(organization=world.cell_a, kind="temporary", valid_from=datetime.date(2026, 10, 1))
    Position.objects.create(
        member=world.member, organization=world.cell_a, role="committee_member", valid_from=datetime.date(2025, 1, 1)
    )
    return make_meeting(world.cell_a, planned_date=datetime.date(2027, 1, 4), venue="Hội trường UBND xã")


def sheet_url(meeting) -> str:
    return reverse("reports:attendance_sheet_pdf", args=[meeting.pk])


def test_the_attendance_sheet_lists_the_roster_on_the_meetings_day_with_a_signature_column(
    client, world, planned, tmp_path
):
    client.force_login(world.secretary_user)

    text = pdf_text(client.get(sheet_url(planned)), tmp_path)

    for phrase in [
        "ĐẢNG BỘ XÃ XUÂN HIỆP",
        "CHI BỘ CƠ QUAN UBND XÃ",
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "Xuân Hiệp, ngày 04 tháng 01 năm 2027",
        "DANH SÁCH ĐẢNG VIÊN DỰ SINH HOẠT",
        "Sinh hoạt định kỳ tháng 01/2027",
        "Thời gian: 14 giờ 00, thứ Hai ngày 04/01/2027",
        "Địa điểm: Hội trường UBND xã",
        "STT Họ và tên Chức vụ Đảng viên Ký tên",
        "Nguyễn Thị Hiền Bí thư Chính thức",
        "Đỗ Thanh Hài Chi ủy viên Chính thức",
        "3 Quách Thị Hương Miễn công tác và sinh hoạt đảng 4 Phạm Quốc Khánh Đến sinh hoạt tạm thời 5",
        "Vũ Thị Ánh Tuyết Dự bị",
        "Tổng số đảng viên: 4 (chính thức 3, dự bị 1); miễn sinh hoạt: 1; sinh hoạt tạm thời nơi khác: 0; "
        "đến sinh hoạt tạm thời: 1.",
        "THƯ KÝ",
        "CHỦ TRÌ",
    ]:
        assert phrase in text, phrase
    # In name order (Vietnamese: by given name), numbered.
    names = ["Đỗ Thanh Hài", "Nguyễn Thị Hiền", "Quách Thị Hương", "Phạm Quốc Khánh", "Vũ Thị Ánh Tuyết"]
    assert [text.index(name) for name in names] == sorted(text.index(name) for name in names)
    assert "5 Vũ Thị Ánh Tuyết" in text
    assert "Trần Văn Bình" not in text  # cell B's secretary: not on this roster


def test_the_attendance_sheet_of_a_held_meeting_is_its_frozen_roll_call(client, world, tmp_path):
    with time_machine.travel(NOV_22, tick=False):
        meeting = make_meeting(world.cell_a, planned_date=datetime.date(2026, 11, 4))
        services.attendance_prepare(meeting=meeting)
    # Later changes to the roster do not change the sheet of a meeting whose roll call was taken.
    make_member(world.cell_a, full_name="Hoàng Văn Mới", official=False, admission_date=datetime.date(2026, 11, 10))
    client.force_login(world.board_user)

    text = pdf_text(client.get(sheet_url(meeting)), tmp_path)

    assert "Nguyễn Thị Hiền" in text and "Hoàng Văn Mới" not in text


def test_the_attendance_sheet_is_the_rosters_readers_only(client, world, planned):
    url = sheet_url(planned)

    assert client.get(url).status_code == 302  # anonymous: to the login page
    client.force_login(world.outsider_user)
    assert client.get(url).status_code == 404  # another commune's cell
    client.force_login(world.member_user)
    assert client.get(url).status_code == 404  # a plain member sees the meeting, not the roster
    client.force_login(world.board_user)
    assert client.get(url).status_code == 200  # the commune's board reads it
    assert client.post(url).status_code == 405


def test_the_meeting_page_links_the_sheet_for_its_readers_only(client, world, planned):
    page = reverse("meetings:detail", args=[planned.pk])

    client.force_login(world.secretary_user)
    assert sheet_url(planned) in client.get(page).content.decode()
    client.force_login(world.member_user)
    assert sheet_url(planned) not in client.get(page).content.decode()


# Queries of the attendance sheet, whatever the roster's size:
#   1-2   the session and the user;  3  the meeting (meetings.access);  4-9  the user's scope;
#   10    the saved roll call;  11  the absence notices;  12  the roster on the day (meetings.services.roll_call);
#   13    the committee's posts that day;  14  the cell's name that day.
SHEET_QUERIES = 14


@pytest.mark.parametrize("extra", [0, 25])
def test_the_attendance_sheet_costs_the_same_queries_whatever_the_roster(
    client, world, planned, django_assert_num_queries, extra, tmp_path
):
    for _ in range(extra):
        make_member(world.cell_a)
    client.force_login(world.board_user)

    with django_assert_num_queries(SHEET_QUERIES):
        response = client.get(sheet_url(planned))

    assert f"Tổng số đảng viên: {4 + extra} " in pdf_text(response, tmp_path)


def test_a_long_roster_runs_onto_a_second_page_with_the_table_header_repeated(client, world, planned, tmp_path):
    for _ in range(40):
        make_member(world.cell_a)
    client.force_login(world.board_user)

    response = client.get(sheet_url(planned))

    assert pages(response, tmp_path) >= 2
    assert pdf_text(response, tmp_path).count("STT Họ và tên") >= 2


def test_user_text_is_printed_never_fetched_nor_read_as_markup(client, world, tmp_path):
    meeting = make_meeting(
        world.cell_a,
        planned_date=datetime.date(2027, 1, 4),
        venue='<img src="http://example.com/x.png"> <a href="file:///etc/passwd">nhà văn hóa</a>',
    )
    client.force_login(world.secretary_user)

    text = pdf_text(client.get(sheet_url(meeting)), tmp_path)

    # Printed as typed: had the template read them as markup, neither would be in the text.
    assert '<img src="http://example.com/x.png">' in text
    assert '<a href="file:///etc/' in text and "nhà văn hóa</a>" in text


# --- the compliance report -------------------------------------------------------------------------------------------


@pytest.fixture
def findings(world):
    with time_machine.travel(NOV_22, tick=False):
        meeting = make_meeting(world.cell_a, planned_date=datetime.date(2026, 2, 4))
        cell_c = make_cell(world.commune, name="Chi bộ thôn Đồng Tâm", code="C3")
        finding(world.cell_a, datetime.date(2026, 1, 1), thematic=PASS, thematic_count=1)
        finding(world.cell_a, datetime.date(2026, 2, 1), meeting=meeting, fail=["length"], length_minutes=75)
        finding(cell_c, datetime.date(2026, 1, 1))
        finding(cell_c, datetime.date(2026, 2, 1), fail=["regular_held"])
        finding(world.cell_b, datetime.date(2026, 1, 1), fail=["length"])  # another commune
    return world


def report_url(organization, query="ky=quy-2026-1") -> str:
    return reverse("reports:dashboard_pdf", args=[organization.pk]) + f"?{query}"


def test_the_compliance_report_prints_the_dashboards_figures_children_shortfalls_and_chart(client, findings, tmp_path):
    w = findings
    grant(w.board_user, w.province)
    client.force_login(w.board_user)

    with time_machine.travel(NOV_22, tick=False):
        response = client.get(report_url(w.province))
    text = pdf_text(response, tmp_path)

    assert response["Content-Disposition"] == 'inline; filename="bao-cao-P01-quy-2026-1.pdf"'
    for phrase in [
        "ĐẢNG BỘ TỈNH ĐỒNG NAI",
        "Số: -BC/ĐU",
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "Đồng Nai, ngày 22 tháng 11 năm 2026",
        "BÁO CÁO",
        "TÌNH HÌNH SINH HOẠT CHI BỘ QUÝ I NĂM 2026",
        "(từ ngày 01/01/2026 đến ngày 31/03/2026)",
        "I. Kết quả chung",
        "Số chi bộ có số liệu trong kỳ 3",
        # 5 cell-months decided, 2 passed (A in January, C3 in January); no cell passed every month.
        "Chi bộ đạt mọi quy định, mọi tháng 0/3 (0%)",
        "Tháng đạt mọi quy định (trên số tháng đã có kết quả) 2/5 (40%)",
        "Sinh hoạt định kỳ (số tháng đã họp / phải họp) 4/5 (80%)",
        "Thời lượng trung vị buổi sinh hoạt định kỳ 95 phút",
        "Đủ thời lượng 2 4 50%",
        "II. Kết quả của các tổ chức trực thuộc",
        "Đảng bộ xã Xuân Hiệp 50% (2/4) 3/4 83% 95 5 100% 0",
        "Đảng bộ xã Xuân Lộc 0% (0/1) 1/1 83% 95 5 — 0",
        "III. Những chi bộ chưa đạt và lý do",
        "Có 3 chi bộ có tháng chưa đạt quy định.",
        "Chi bộ cơ quan UBND xã tháng 02/2026 Thời lượng 75/90 phút",
        "Chi bộ thôn Đồng Tâm tháng 02/2026 Không sinh hoạt định kỳ",
        "Chi bộ ấp 1 tháng 01/2026 Thời lượng 95/90 phút",
        "IV. Diễn biến 12 tháng",
        "Tỷ lệ dự họp",
        "T/M BAN THƯỜNG VỤ",
    ]:
        assert phrase in text, phrase


def test_a_cells_report_lists_its_months_and_the_reasons_of_those_that_failed(client, findings, tmp_path):
    client.force_login(findings.secretary_user)

    with time_machine.travel(NOV_22, tick=False):
        text = pdf_text(client.get(report_url(findings.cell_a)), tmp_path)

    for phrase in [
        "ĐẢNG BỘ XÃ XUÂN HIỆP",
        "CHI BỘ CƠ QUAN UBND XÃ",
        "Số: -BC/CB",
        "II. Kết quả từng tháng",
        "01/2026 Đạt 10/12 95 5 1 0",
        "02/2026 Không đạt 10/12 75 5 0 0",
        "III. Những tháng chưa đạt và lý do",
        "Thời lượng 75/90 phút",
        "T/M CHI BỘ",
        "BÍ THƯ",
    ]:
        assert phrase in text, phrase


def test_the_compliance_report_follows_the_period_and_says_when_there_are_no_figures(client, findings, tmp_path):
    client.force_login(findings.board_user)

    with time_machine.travel(NOV_22, tick=False):
        text = pdf_text(client.get(report_url(findings.commune, "ky=thang-2026-06")), tmp_path)

    assert "TÌNH HÌNH SINH HOẠT CHI BỘ THÁNG 06 NĂM 2026" in text
    assert "Chưa có số liệu đánh giá cho kỳ này." in text


def test_the_compliance_report_is_hidden_outside_the_subtree_and_from_plain_members(client, findings):
    url = report_url(findings.commune)

    assert client.get(url).status_code == 302
    client.force_login(findings.outsider_user)
    assert client.get(url).status_code == 404
    client.force_login(findings.member_user)
    assert client.get(report_url(findings.cell_a)).status_code == 404


def test_the_dashboard_links_the_report_with_its_period(client, findings):
    client.force_login(findings.board_user)

    body = client.get(reverse("reports:dashboard", args=[findings.commune.pk]) + "?ky=quy-2026-1").content.decode()

    assert "Tải báo cáo PDF" in body
    assert report_url(findings.commune) in body


# Queries of the compliance report, whatever the number of cells:
#   1-2   the session and the user;  3  the organization;  4-9  the user's scope;
#   10    the children;  11  the sums (reports.rollups);  12  one page of the cells that fell short;
#   13    the stored rows;  14  one page of the ranking (reports.dashboard.dashboard, as the page);
#   15    the visits received;  16  the organization's name today.
REPORT_QUERIES = 16


@pytest.mark.parametrize(("cells", "month_count"), [(3, 3), (70, 12)])
def test_the_compliance_report_costs_the_same_queries_whatever_its_size(
    client, world, django_assert_num_queries, cells, month_count, tmp_path
):
    grow([world.commune, world.other_commune], cells, month_count)
    grant(world.board_user, world.province)
    client.force_login(world.board_user)

    with time_machine.travel(NOV_22, tick=False), django_assert_num_queries(REPORT_QUERIES):
        response = client.get(report_url(world.province, "ky=nam-2026"))

    assert f"Số chi bộ có số liệu trong kỳ {cells}" in pdf_text(response, tmp_path)


# --- the visit report ------------------------------------------------------------------------------------------------


@pytest.fixture
def follower(world):
    """A commune committee member living in cell B who follows cell A."""
    user = UserFactory(username="capuy.a")
    member = make_member(world.cell_b, full_name="Lê Văn Cấp", user=user)
    committee_seat = seat(member, world.commune)
    committee_seat.title = "Trưởng ban Tuyên giáo Đảng ủy xã"
    committee_seat.save(update_fields=["title"])
    Assignment.objects.create(seat=committee_seat, organization=world.cell_a, valid_from=datetime.date(2020, 1, 1))
    return user, committee_seat


REPORT_VALUES = {
    "attendance_observed": "Có mặt 3/3 đồng chí, đúng giờ.",
    "followed_guidance": "partly",
    "guidance_note": "Chưa liên hệ thực tế địa phương.",
    "speakers": 3,
    "discussion_note": "Thảo luận sôi nổi về chuyển đổi số.",
    "resolution_adopted": True,
    "contribution": "Đề nghị chi bộ bám sát Nghị quyết Đại hội.",
    "recommendations": "Nhân dân kiến nghị sửa đường liên thôn.",
    "score": 85,
    "grade": "",
    "follow_ups": "Đảng ủy xã chỉ đạo rà soát đường liên thôn.",
}


@pytest.fixture
def visit(world, follower):
    user, committee_seat = follower
    with time_machine.travel(NOV_22, tick=False):
        meeting = make_meeting(world.cell_a, planned_date=datetime.date(2026, 11, 4))
        services.attendance_prepare(meeting=meeting)
        for member in (world.secretary, world.member, world.plain_member):
            services.attendance_set(meeting=meeting, member=member, status="present")
        start = datetime.datetime(2026, 11, 4, 7, 0, tzinfo=datetime.UTC)
        services.meeting_record(
            meeting=meeting,
            version=None,
            started_at=start,
            ended_at=start + datetime.timedelta(minutes=100),
            chair=world.secretary,
            recorder=world.member,
            quality_score=90,
            mark_held=True,
        )
        meeting.refresh_from_db()
        return services.visit_record(meeting=meeting, seat=committee_seat, by=user)


def visit_url(visitor) -> str:
    return reverse("reports:visit_report_pdf", kwargs={"visitor_pk": visitor.pk})


def test_the_visit_report_prints_the_visitor_the_meeting_and_what_they_found(client, world, follower, visit, tmp_path):
    with time_machine.travel(NOV_22, tick=False):
        services.visit_report_save(visitor=visit, values=REPORT_VALUES, submit=True, by=follower[0])
    client.force_login(world.board_user)  # reads the commune whose committee the visitor sits on

    text = pdf_text(client.get(visit_url(visit)), tmp_path)

    for phrase in [
        "ĐẢNG BỘ TỈNH ĐỒNG NAI",
        "ĐẢNG BỘ XÃ XUÂN HIỆP",
        "Số: -BC/ĐU",
        "Xuân Hiệp, ngày 22 tháng 11 năm 2026",
        "BÁO CÁO",
        "KẾT QUẢ DỰ SINH HOẠT CHI BỘ",
        "Chi bộ cơ quan UBND xã",
        "Kính gửi: Cấp ủy Đảng bộ xã Xuân Hiệp",
        "Người dự: đồng chí Lê Văn Cấp, Ủy viên Ban Chấp hành Đảng bộ xã (Trưởng ban Tuyên giáo Đảng ủy xã).",
        "Buổi sinh hoạt: Sinh hoạt định kỳ tháng 11/2026, 14 giờ 00, thứ Tư ngày 04/11/2026",
        "Chi bộ tự đánh giá: 90 điểm, xếp loại Tốt.",
        "Có mặt 3/3 đồng chí, đúng giờ.",
        "Đúng một phần",
        "Chưa liên hệ thực tế địa phương.",
        "Số đảng viên phát biểu: 3.",
        "Đề nghị chi bộ bám sát Nghị quyết Đại hội.",
        "Nhân dân kiến nghị sửa đường liên thôn.",
        "85 điểm, xếp loại Khá",
        "Đảng ủy xã chỉ đạo rà soát đường liên thôn.",
        "NGƯỜI BÁO CÁO",
    ]:
        assert phrase in text, phrase
    assert "DỰ THẢO" not in text


def test_a_draft_visit_report_is_its_authors_alone_and_marked_as_a_draft(client, world, follower, visit, tmp_path):
    with time_machine.travel(NOV_22, tick=False):
        services.visit_report_save(visitor=visit, values=REPORT_VALUES, submit=False, by=follower[0])
    url = visit_url(visit)

    client.force_login(follower[0])
    assert "Bản nháp, chưa nộp." in pdf_text(client.get(url), tmp_path)
    client.force_login(world.board_user)
    assert client.get(url).status_code == 404  # the board reads submitted reports only
    client.force_login(world.outsider_user)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_a_visit_without_a_report_has_no_document(client, follower, visit):
    client.force_login(follower[0])

    assert client.get(visit_url(visit)).status_code == 404


def test_the_report_page_links_the_document(client, follower, visit):
    with time_machine.travel(NOV_22, tick=False):
        services.visit_report_save(visitor=visit, values=REPORT_VALUES, submit=True, by=follower[0])
    client.force_login(follower[0])

    body = client.get(reverse("meetings:visit_report", kwargs={"visitor_pk": visit.pk})).content.decode()

    assert visit_url(visit) in body
