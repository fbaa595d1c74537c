"""The board's visits page (dự sinh hoạt): quota progress per committee seat, cells not visited, reports overdue and
received, its workbook, the quota sets on the policy page, and "visits received" on the dashboard."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from meetings.models import VisitQuotaSet
from tests.factories import UserFactory, grant, make_cell, make_member, make_org
from tests.reports.visits_helpers import Q3, Kind, add_seat, build_tree, hold_visited, report, visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    return build_tree()


def page(client, tree, **query):
    client.force_login(tree["board"])
    return client.get(reverse("reports:visits", args=[tree["district"].pk]), {"ky": Q3, **query})


def test_a_seat_behind_its_quota_is_highlighted_with_words(client, tree):
    response = page(client, tree)
    assert response.status_code == 200
    seats = {row.seat.pk: row for row in response.context["data"].seats}
    assert seats[tree["behind"].pk].status == "behind"
    html = response.content.decode()
    assert "Hoàng Văn Chậm" in html
    assert 'class="list-group-item seat-behind" data-testid="seat" data-status="behind"' in html  # stands out
    assert "Chưa đạt" in html and "Thiếu 1 lần" in html  # in words, not only the colour
    assert "Buổi sinh hoạt của chi bộ khu dân cư" in html  # the split by kind shows
    assert "Yên Bái 18-QĐ/TU (2019)" in html  # the quota set named, with its source
    assert "Quy định số 18-QĐ/TU" in html
    assert response.context["data"].behind_count == 2


def test_the_running_quarter_is_open_not_behind(client, tree):
    response = page(client, tree, ky="quy-2026-4")
    lines = [line for row in response.context["data"].seats for line in row.progress.lines]
    assert lines and {line.status for line in lines} == {"open"}
    assert "Đang trong kỳ" in response.content.decode()


def test_cells_not_visited_for_n_months_are_listed_with_the_last_visit(client, tree):
    visit(tree["behind"], tree["hamlet"], datetime.date(2026, 10, 12))
    visit(tree["idle"], tree["agency"], datetime.date(2026, 5, 6))
    response = page(client, tree, ky="quy-2026-4")  # reference: today, 4 December 2026; cut-off 4 September
    unvisited = {item.organization.name: item.last_visit for item in response.context["data"].unvisited}
    assert unvisited == {"Chi bộ thôn 2": None, "Chi bộ cơ quan": datetime.date(2026, 5, 6)}
    html = response.content.decode()
    assert "Chưa có lần nào" in html and "06/05/2026" in html
    response = page(client, tree, ky="quy-2026-4", thang=12)
    assert [item.organization.name for item in response.context["data"].unvisited] == ["Chi bộ thôn 2"]


def test_a_bad_number_of_months_falls_back_to_three_with_a_message(client, tree):
    response = page(client, tree, thang="99")
    assert response.context["months"] == 3
    assert "Số tháng không hợp lệ: từ 1 đến 24." in response.content.decode()


def test_an_overdue_report_is_listed_and_a_submitted_one_is_received_but_a_draft_is_not(client, tree):
    on_time = visit(tree["idle"], tree["hamlet"], datetime.date(2026, 9, 5))
    report(on_time, submit=True, grade="average")
    draft = visit(tree["idle"], tree["hamlet2"], datetime.date(2026, 9, 8))
    report(draft, submit=False)
    response = page(client, tree)
    data = response.context["data"]
    overdue = {item.visitor.pk: item for item in data.overdue}
    # The first visit (10 August) has no report: due 17 August; the draft's was due on 15 September.
    assert set(overdue) == {tree["first_visit"].pk, draft.pk}
    assert overdue[tree["first_visit"].pk].due == datetime.date(2026, 8, 17)
    assert overdue[draft.pk].has_draft
    assert [r.visitor.pk for r in data.received] == [on_time.pk]
    html = response.content.decode()
    assert "Đang viết dở" in html and "Chưa viết" in html
    received = html.split('data-testid="received"')[1]
    assert reverse("meetings:visit_report", kwargs={"visitor_pk": on_time.pk}) in received
    assert "Trung bình" in received  # the visitor's grade
    assert "Chi bộ thôn 2, 08/09/2026" not in received  # the draft stays the visitor's


def test_it_hides_other_subtrees(client, tree):
    other = make_org(name="Đảng bộ tỉnh Lào Cai", kind=Kind.PROVINCIAL, code="LC")
    client.force_login(tree["board"])
    assert client.get(reverse("reports:visits", args=[other.pk])).status_code == 404
    assert client.get(reverse("reports:visits_xlsx", args=[other.pk])).status_code == 404


def test_a_plain_member_gets_a_404(client, tree):
    user = UserFactory(username="dangvien.t1")
    make_member(tree["hamlet"], user=user)
    client.force_login(user)
    assert client.get(reverse("reports:visits", args=[tree["hamlet"].pk])).status_code == 404


def test_it_requires_write_access_to_load_a_preset(client, tree):
    client.force_login(tree["board"])  # reads the district, writes nothing
    response = client.post(
        reverse("reports:quota_preset", args=[tree["district"].pk]),
        {"preset": "kon-tum-776-2023", "valid_from": "2027-01-01"},
    )
    assert response.status_code == 403
    assert not VisitQuotaSet.objects.filter(organization=tree["district"]).exists()


def test_the_workbook_holds_the_four_sections(client, tree):
    on_time = visit(tree["idle"], tree["hamlet"], datetime.date(2026, 9, 5))
    report(on_time, submit=True)
    client.force_login(tree["board"])
    response = client.get(reverse("reports:visits_xlsx", args=[tree["district"].pk]), {"ky": Q3})
    assert response.status_code == 200
    assert "du-sinh-hoat-TY-quy-2026-3.xlsx" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Định mức", "Chi bộ chưa được dự", "Báo cáo quá hạn", "Báo cáo đã nhận"]
    quota_rows = list(book["Định mức"].iter_rows(values_only=True))
    assert (
        "Cấp ủy viên",
        "Cấp bậc",
        "Cấp ủy",
        "Kỳ",
        "Định mức",
        "Đã dự",
        "Phải dự",
        "Kết quả",
        "Ghi chú",
    ) in quota_rows
    behind = [row for row in quota_rows if row[0] == "Hoàng Văn Chậm"]
    assert any(row[5] == 0 and row[6] == 1 and row[7] == "Chưa đạt" for row in behind)
    unvisited = list(book["Chi bộ chưa được dự"].iter_rows(values_only=True))
    assert ("Chi bộ cơ quan", "CQ", "Chưa có") in unvisited
    overdue = list(book["Báo cáo quá hạn"].iter_rows(values_only=True))
    first = [row for row in overdue if row[0] == "Hoàng Văn Chậm"][0]
    assert first[3] == datetime.datetime(2026, 8, 10) and first[4] == datetime.datetime(2026, 8, 17)
    received = list(book["Báo cáo đã nhận"].iter_rows(values_only=True))
    assert [row[0] for row in received if row[0] == on_time.name] == [on_time.name]


def test_text_in_the_workbook_is_never_a_formula(client, tree):
    seat = add_seat(tree["district"], tree["agency"], full_name='=HYPERLINK("http://x","y")')
    visit(seat, tree["commune"], datetime.date(2026, 8, 20))
    client.force_login(tree["board"])
    response = client.get(reverse("reports:visits_xlsx", args=[tree["district"].pk]), {"ky": Q3})
    sheet = load_workbook(io.BytesIO(response.content))["Định mức"]
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value == '=HYPERLINK("http://x","y")']
    assert cells and all(cell.data_type == "s" for cell in cells)


def _more_seats(tree, n: int) -> None:
    for index in range(n):
        seat = add_seat(tree["district"], tree["agency"], follows=[tree["commune"]])
        cell = make_cell(tree["commune"], name=f"Chi bộ thôn {index + 10}", cell_type="residential")
        report(visit(seat, cell, datetime.date(2026, 8, 3)), submit=index % 2 == 0)


# The page's queries, whatever the number of seats and cells:
#   1-3    the session, the user, the organization;
#   4-9    the user's scope (grants, positions, seats, assignments, memberships, member);
#   10     the seats of the subtree's committees;
#   11-15  quota_progress: the quota sets of the chains and their lines, the visits, assignments, memberships;
#   16     the cells not visited (one page; their count only when the page is full);
#   17-18  the quota set in force on the organization, and its lines;
#   19-20  the visits of the period without a submitted report, the policies of their committees (report due);
#   21     the reports received;
#   22     the ancestors, for the breadcrumb.
VISITS_QUERIES = 22


def test_the_page_costs_the_same_queries_for_2_or_10_seats(client, tree, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(tree["board"])
    url = reverse("reports:visits", args=[tree["district"].pk])
    client.get(url, {"ky": Q3})  # the session's first read
    counts = []
    for extra in (0, 8):
        _more_seats(tree, extra)
        with django_assert_max_num_queries(VISITS_QUERIES), CaptureQueriesContext(connection) as queries:
            response = client.get(url, {"ky": Q3})
        counts.append(len(queries))
        assert len(response.context["data"].seats) == 2 + extra
    assert counts[0] == counts[1], counts
    assert len(response.context["data"].received) == 4 and len(response.context["data"].overdue) == 5


def test_the_dashboard_links_to_the_visits_page_and_counts_visits_received(client, tree):
    hold_visited(tree["hamlet"], tree["behind"], datetime.date(2026, 9, 4))
    visit(tree["idle"], tree["hamlet2"], datetime.date(2026, 9, 9))  # planned, not held: not counted
    client.force_login(tree["board"])
    response = client.get(reverse("reports:dashboard", args=[tree["district"].pk]), {"ky": Q3})
    html = response.content.decode()
    assert reverse("reports:visits", args=[tree["district"].pk]) + "?ky=" + Q3 in html
    assert response.context["visits_received"] == 1
    assert "Cấp ủy viên cấp trên dự sinh hoạt trong kỳ: 1 lượt." in html
    [commune] = response.context["data"].children
    assert commune.texts["visits"] == "1"  # the commune's row, in the "Cấp ủy dự" column
    response = client.get(reverse("reports:dashboard", args=[tree["hamlet"].pk]), {"ky": Q3})
    assert response.context["visits_received"] == 1


def test_the_cells_findings_show_the_visits_it_received_that_month(client, tree):
    from reports.compliance import compute_month

    meeting = hold_visited(tree["hamlet"], tree["behind"], datetime.date(2026, 9, 4))
    compute_month(datetime.date(2026, 9, 1))
    client.force_login(tree["board"])
    response = client.get(reverse("reports:meeting_findings", args=[meeting.pk]))
    assert "Cấp ủy viên cấp trên dự sinh hoạt của chi bộ tháng 09/2026: 1 lượt." in response.content.decode()


def test_the_policy_page_names_the_quota_set_in_force_with_its_lines(client, tree):
    client.force_login(tree["board"])
    response = client.get(reverse("reports:organization_policy", args=[tree["commune"].pk]), {"ngay": "2026-08-01"})
    html = response.content.decode()
    assert response.context["quota_set"].name == "Yên Bái 18-QĐ/TU (2019)"
    assert "Quy định số 18-QĐ/TU" in html and "từ 16/04/2019" in html
    assert "Ít nhất 1 lần mỗi tháng: buổi sinh hoạt của chi bộ khu dân cư" in html
    assert 'data-testid="quota-preset-form"' not in html  # a reader does not load presets


def test_a_policy_writer_loads_a_preset_from_a_date(client, tree):
    writer = UserFactory(username="bantochuc.huyen.ghi")
    grant(writer, tree["district"], can_write=True)
    client.force_login(writer)
    url = reverse("reports:organization_policy", args=[tree["district"].pk])
    assert 'data-testid="quota-preset-form"' in client.get(url).content.decode()
    response = client.post(
        reverse("reports:quota_preset", args=[tree["district"].pk]),
        {"quota_preset": "kon-tum-776-2023", "quota_valid_from": "2027-01-01"},
    )
    assert response.status_code == 302
    assert response["Location"].endswith("?ngay=2027-01-01#dinh-muc")
    quota_set = VisitQuotaSet.objects.get(organization=tree["district"])
    assert (quota_set.name, quota_set.valid_from, quota_set.created_by) == (
        "Kon Tum 776-QĐ/TU (2023)",
        datetime.date(2027, 1, 1),
        writer,
    )
    html = client.get(response["Location"]).content.decode()
    assert "Kon Tum 776-QĐ/TU (2023)" in html and "không tính chi bộ nơi mình sinh hoạt" in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"quota_preset": "ha-noi", "quota_valid_from": "2027-01-01"}, "Chọn một mẫu định mức trong danh sách."),
        ({"quota_preset": "kon-tum-776-2023", "quota_valid_from": ""}, "Nhập ngày bắt đầu áp dụng."),
        ({"quota_preset": "kon-tum-776-2023", "quota_valid_from": "1850-01-01"}, "không hợp lệ"),
        (
            {"quota_preset": "yen-bai-18-2019", "quota_valid_from": "2019-04-16"},
            "Tổ chức này đã có định mức dự sinh hoạt áp dụng từ ngày này.",
        ),
    ],
)
def test_a_bad_preset_load_writes_nothing_and_says_why(client, tree, data, message):
    writer = UserFactory(username="quantri.tinh")
    grant(writer, tree["province"], can_write=True)
    client.force_login(writer)
    before = VisitQuotaSet.objects.count()
    response = client.post(reverse("reports:quota_preset", args=[tree["province"].pk]), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert VisitQuotaSet.objects.count() == before


def test_a_received_report_shows_the_visitors_grade_beside_the_cells_own(client, tree):
    meeting = hold_visited(tree["hamlet"], tree["idle"], datetime.date(2026, 9, 4), quality_score=85)
    report(meeting.visitors.get(), submit=True, grade="excellent")
    response = page(client, tree)
    received = response.content.decode().split('data-testid="received"')[1]
    row = received.split('data-testid="received-report"')[1].split("</tr>")[0]
    assert "Tốt" in row and "Khá (85 điểm)" in row


def test_the_pages_are_valid_html(client, tree, tmp_path):
    from tests.test_html import run_vnu

    hold_visited(tree["hamlet"], tree["idle"], datetime.date(2026, 9, 4), quality_score=85)
    report(tree["first_visit"], submit=False)
    writer = UserFactory(username="bantochuc.huyen.ghi")
    grant(writer, tree["district"], can_write=True)
    client.force_login(writer)
    pages = {
        "visits.html": client.get(reverse("reports:visits", args=[tree["district"].pk]), {"ky": Q3}),
        "policy.html": client.get(reverse("reports:organization_policy", args=[tree["district"].pk])),
        "refused.html": client.post(
            reverse("reports:quota_preset", args=[tree["district"].pk]), {"quota_preset": "x", "quota_valid_from": ""}
        ),
        "dashboard.html": client.get(reverse("reports:dashboard", args=[tree["district"].pk]), {"ky": Q3}),
        "cell.html": client.get(reverse("reports:dashboard", args=[tree["hamlet"].pk]), {"ky": Q3}),
    }
    for name, response in pages.items():
        assert response.status_code == 200, name
        (tmp_path / name).write_text(response.content.decode())
    errors = run_vnu(sorted(tmp_path.glob("*.html")))
    assert [(e.get("url", "").rsplit("/", 1)[-1], e.get("lastLine"), e["message"]) for e in errors] == []


# --- Admin (meetings/admin.py) -----------------------------------------------------------------------------------


def test_a_quota_set_in_force_is_read_only_in_the_admin_and_a_future_one_is_not(admin_client, tree):
    in_force = VisitQuotaSet.objects.get(organization=tree["province"])
    url = f"/admin/meetings/visitquotaset/{in_force.pk}/change/"
    assert admin_client.get(url).status_code == 200
    assert admin_client.post(url, {"name": "Khác"}).status_code == 403
    assert admin_client.get(f"/admin/meetings/visitquotaset/{in_force.pk}/delete/").status_code == 403
    assert admin_client.get(f"/admin/meetings/visitquotaset/{in_force.pk}/history/").status_code == 200
    assert admin_client.get("/admin/meetings/visitquotaset/add/").status_code == 200
    assert admin_client.get("/admin/meetings/visitquotaset/").status_code == 200

    from meetings import services

    future = services.quota_set_from_preset(
        organization=tree["district"], key="kon-tum-776-2023", valid_from=datetime.date(2027, 1, 1)
    )
    response = admin_client.get(f"/admin/meetings/visitquotaset/{future.pk}/change/")
    assert response.status_code == 200 and 'name="name"' in response.content.decode()


def test_visit_reports_are_read_only_in_the_admin_with_their_history(admin_client, tree):
    filed = report(tree["first_visit"], submit=True)
    url = f"/admin/meetings/visitreport/{filed.pk}/change/"
    assert admin_client.get(url).status_code == 200
    assert admin_client.post(url, {"grade": "poor"}).status_code == 403
    assert admin_client.get("/admin/meetings/visitreport/add/").status_code == 403
    assert admin_client.get(f"/admin/meetings/visitreport/{filed.pk}/delete/").status_code == 403
    assert admin_client.get(f"/admin/meetings/visitreport/{filed.pk}/history/").status_code == 200
    assert "Hoàng Văn Chậm" in admin_client.get("/admin/meetings/visitreport/").content.decode()


def test_without_a_period_the_select_shows_the_running_quarter(client, tree):
    client.force_login(tree["board"])
    html = client.get(reverse("reports:visits", args=[tree["district"].pk])).content.decode()
    selected = html.split('name="ky"')[1].split("</select>")[0]
    assert '<option value="quy-2026-4" selected>' in selected
