"""The dashboard's exports: the Excel workbook's three sheets and the CSV of every cell-month, with their queries."""

import csv
import datetime
import io

import openpyxl
import pytest
import time_machine
from django.urls import reverse

from tests.factories import grant, make_cell, make_meeting
from tests.reports.test_dashboard import PASS, finding, grow

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 11, 22, 9, 0, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def findings(world):
    meeting = make_meeting(world.cell_a, planned_date=datetime.date(2026, 2, 4))
    cell_c = make_cell(world.commune, name="Chi bộ thôn 3", code="C3")
    finding(world.cell_a, datetime.date(2026, 1, 1), thematic=PASS, thematic_count=1)
    finding(world.cell_a, datetime.date(2026, 2, 1), meeting=meeting, fail=["length"], length_minutes=75)
    finding(cell_c, datetime.date(2026, 1, 1))
    finding(cell_c, datetime.date(2026, 2, 1), fail=["regular_held"])
    finding(world.cell_b, datetime.date(2026, 1, 1), fail=["length"])  # another commune: never exported here
    return world


def xlsx(client, org, query="ky=quy-2026-1"):
    response = client.get(reverse("reports:dashboard_xlsx", args=[org.pk]) + f"?{query}")
    assert response.status_code == 200
    return response, openpyxl.load_workbook(io.BytesIO(response.content))


def csv_parts(client, org, query="ky=quy-2026-1"):
    """The CSV's response, its cell-months (as dicts) and its legend (the lines after the blank line)."""
    response = client.get(reverse("reports:dashboard_csv", args=[org.pk]) + f"?{query}")
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    assert content.startswith("\ufeff".encode())
    lines, legend = content.decode("utf-8-sig").split("\r\n\r\n")
    return response, list(csv.DictReader(io.StringIO(lines))), list(csv.reader(io.StringIO(legend)))


def csv_rows(client, org, query="ky=quy-2026-1"):
    response, rows, _legend = csv_parts(client, org, query)
    return response, rows


def test_the_workbook_has_the_summary_the_cells_and_the_months(client, findings):
    w = findings
    client.force_login(w.board_user)

    response, workbook = xlsx(client, w.commune)

    assert response["Content-Disposition"] == 'attachment; filename="bao-cao-C01-quy-2026-1.xlsx"'
    assert workbook.sheetnames == ["Tổng hợp", "Chi bộ", "Theo tháng"]

    summary = list(workbook["Tổng hợp"].iter_rows(values_only=True))
    assert summary[2][:2] == ("Kỳ báo cáo", "Quý I năm 2026")
    assert summary[3][:2] == ("Từ ngày", datetime.datetime(2026, 1, 1))
    assert summary[4][:2] == ("Đến ngày", datetime.datetime(2026, 3, 31))
    header = summary[8]
    assert header[:5] == ("Tổ chức", "Mã", "Số chi bộ có số liệu", "Chi bộ đã có kết quả", "Chi bộ đạt mọi quy định")
    headline = dict(zip(header, summary[9], strict=True))
    assert headline["Tổ chức"] == "Đảng bộ xã Xuân Hiệp"
    assert headline["Số chi bộ có số liệu"] == 2
    assert headline["Chi bộ đạt mọi quy định"] == 0
    assert headline["Tháng đã sinh hoạt định kỳ"] == 3 and headline["Tháng phải sinh hoạt định kỳ"] == 4
    assert headline["Tỷ lệ dự họp"] == pytest.approx(30 / 36)
    assert headline["Thời lượng trung vị (phút)"] == 95
    # What a board can act on: the share of cell-months meeting every rule, beside "every rule, every month".
    assert (headline["Tháng đạt mọi quy định"], headline["Tháng đã có kết quả"]) == (2, 4)
    assert headline["Tỷ lệ tháng đạt mọi quy định"] == pytest.approx(0.5)
    children = {row[0]: dict(zip(header, row, strict=True)) for row in summary[10:]}
    assert set(children) == {"Chi bộ cơ quan UBND xã", "Chi bộ thôn 3"}
    assert children["Chi bộ thôn 3"]["Tháng phải sinh hoạt định kỳ"] == 2
    assert workbook["Tổng hợp"].cell(row=10, column=14).number_format == "0.0%"

    cells = list(workbook["Chi bộ"].iter_rows(values_only=True))
    header = cells[0]
    by_code = {row[0]: dict(zip(header, row, strict=True)) for row in cells[1:]}
    assert set(by_code) == {"A", "C3"}
    assert by_code["A"]["Số tháng không đạt"] == 1
    assert by_code["A"]["Số tháng không đạt: Đủ thời lượng"] == 1
    assert by_code["A"]["Quy định không đạt"] == "“Đủ thời lượng”: 1 tháng không đạt"
    assert by_code["A"]["Quý có sinh hoạt chuyên đề"] == 1
    assert by_code["C3"]["Quy định không đạt"] == "“Có sinh hoạt định kỳ”: 1 tháng không đạt"

    by_month = list(workbook["Theo tháng"].iter_rows(values_only=True))
    assert by_month[0][:5] == (
        "Mã",
        "Chi bộ",
        datetime.datetime(2026, 1, 1),
        datetime.datetime(2026, 2, 1),
        datetime.datetime(2026, 3, 1),
    )
    assert by_month[1] == ("A", "Chi bộ cơ quan UBND xã", "Đạt", "Không đạt", None, 1)
    assert by_month[2] == ("C3", "Chi bộ thôn 3", "Đạt", "Không đạt", None, 1)
    colours = {
        rule.formula[0]: rule.dxf.fill.fgColor.rgb
        for formatting in workbook["Theo tháng"].conditional_formatting
        for rule in formatting.rules
    }
    assert colours['"Không đạt"'].endswith("FFC7CE") and colours['"Đạt"'].endswith("C6EFCE")


def test_the_workbook_follows_the_cell_type_filter(client, findings):
    client.force_login(findings.board_user)

    response, workbook = xlsx(client, findings.commune, "ky=quy-2026-1&loai=agency")

    assert response["Content-Disposition"].endswith('bao-cao-C01-quy-2026-1-agency.xlsx"')
    codes = [row[0] for row in workbook["Chi bộ"].iter_rows(min_row=2, values_only=True)]
    assert codes == ["A"]


def test_the_csv_has_one_line_per_cell_month_with_every_rules_values(client, findings):
    client.force_login(findings.board_user)

    response, rows = csv_rows(client, findings.commune)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="bao-cao-C01-quy-2026-1.csv"'
    assert [(row["Mã chi bộ"], row["Tháng"], row["Kết quả"]) for row in rows] == [
        ("A", "2026-01-01", "Đạt"),
        ("A", "2026-02-01", "Không đạt"),
        ("C3", "2026-01-01", "Đạt"),
        ("C3", "2026-02-01", "Không đạt"),
    ]
    short = rows[1]
    assert short["Đủ thời lượng"] == "Không đạt"
    assert (short["Đủ thời lượng: thực tế"], short["Đủ thời lượng: yêu cầu"]) == ("75", "90")
    assert short["Đủ thời lượng: căn cứ"] == "CC1"  # the stored citation of the required value, by its code
    assert short["Ngày họp"] == "2026-02-04"
    assert (short["Có mặt"], short["Phải có mặt"]) == ("10", "12")
    assert rows[3]["Có sinh hoạt định kỳ"] == "Không đạt"
    assert rows[3]["Có sinh hoạt định kỳ: thực tế"] == "0"
    assert rows[0]["Có sinh hoạt chuyên đề trong quý"] == "Đạt"
    # No meeting, no length: an empty cell, never the JSON word "null".
    assert rows[3]["Đủ thời lượng: thực tế"] == ""
    assert not [value for row in rows for value in row.values() if value == "null"]


def test_the_exports_are_hidden_from_other_subtrees_and_from_plain_members(client, findings):
    for user in (findings.outsider_user, findings.member_user):
        client.force_login(user)
        assert client.get(reverse("reports:dashboard_xlsx", args=[findings.commune.pk])).status_code == 404
        assert client.get(reverse("reports:dashboard_csv", args=[findings.cell_a.pk])).status_code == 404


def test_a_bad_period_exports_the_default_one(client, findings):
    client.force_login(findings.secretary_user)

    response, _rows = csv_rows(client, findings.cell_a, "ky=hom-qua")

    assert response["Content-Disposition"].endswith('bao-cao-A-nam-2026.csv"')


# Queries of an export, whatever the number of cells:
#   1-2   the session and the user;  3  the organization;  4-9  the user's scope;
#   XLSX: 10 the children, 11 the figures per child, 12 the medians, 13 one row per cell, 14 the cell-months;
#   CSV:  10 the cell-months (read in chunks from one query).
XLSX_QUERIES = 14
CSV_QUERIES = 10


@pytest.mark.parametrize(("cells", "month_count"), [(3, 3), (40, 12)])
def test_the_exports_cost_the_same_queries_whatever_their_size(
    client, world, django_assert_num_queries, cells, month_count
):
    grow([world.commune], cells, month_count)
    client.force_login(world.board_user)

    with django_assert_num_queries(XLSX_QUERIES):
        _response, workbook = xlsx(client, world.commune, "ky=nam-2026")
    with django_assert_num_queries(CSV_QUERIES):
        _response, rows = csv_rows(client, world.commune, "ky=nam-2026")

    assert workbook["Chi bộ"].max_row == cells + 1
    assert len(rows) == cells * month_count


def test_a_province_board_exports_its_whole_subtree(client, findings):
    grant(findings.board_user, findings.province)
    client.force_login(findings.board_user)

    _response, rows = csv_rows(client, findings.province)

    assert {row["Mã chi bộ"] for row in rows} == {"A", "C3", "B"}


def test_the_csv_cites_each_source_by_a_short_code_with_a_legend_written_once(client, world):
    """Each rule's source was the policy's full name and legal title on every line (841 KB for 565 lines): now a
    code, and the legend after the lines gives each code's policy and legal source once."""
    title = "Hướng dẫn số 42-HD/BTCTW ngày 15/5/2025 của Ban Tổ chức Trung ương về nâng cao chất lượng sinh hoạt chi bộ"
    rows = []
    for n in range(6):
        cell = make_cell(world.commune, code=f"S{n}")
        for month in (1, 2, 3):
            row = finding(cell, datetime.date(2026, month, 1))
            for rule in row.rules:
                row.rules[rule].update(policy="Hướng dẫn 42-HD/BTCTW (2025)", citation=title)
            row.rules["cell_size"].update(policy="built-in", citation="Điều lệ Đảng, Điều 24")
            row.save(update_fields=["rules"])
            rows.append(row)
    client.force_login(world.board_user)

    response, lines, legend = csv_parts(client, world.commune)

    assert len(lines) == 18
    assert {line["Đủ thời lượng: căn cứ"] for line in lines} == {"CC1"}
    assert {line["Đủ số đảng viên chính thức: căn cứ"] for line in lines} == {"CC2"}
    assert legend[0] == ["Chú giải mã căn cứ"]
    assert legend[1] == ["Mã căn cứ", "Quy định áp dụng", "Căn cứ"]
    assert legend[2:] == [
        ["CC1", "Hướng dẫn 42-HD/BTCTW (2025)", title],
        ["CC2", "Mặc định của hệ thống", "Điều lệ Đảng, Điều 24"],
    ]
    content = b"".join(client.get(reverse("reports:dashboard_csv", args=[world.commune.pk]) + "?ky=quy-2026-1"))
    assert content.decode("utf-8-sig").count(title) == 1
    assert len(content) / len(lines) < 600  # bytes per cell-month: was ~1,500 with the titles repeated


def test_text_that_a_spreadsheet_would_run_as_a_formula_is_written_as_text(client, world):
    """Issue 11, point 4: a ward board's policy named "=HYPERLINK(…)" came out as a live formula in the province's
    CSV. Every CSV cell starting with =, +, - or @ gets a leading apostrophe; numbers stay numbers."""
    cell = make_cell(world.commune, name="@Chi bộ thử", code="-X1")
    row = finding(cell, datetime.date(2026, 1, 1))
    row.rules["length"].update(policy='=HYPERLINK("http://evil.example","Bấm")', citation="+1-2")
    row.save(update_fields=["rules"])
    client.force_login(world.board_user)

    _response, lines, legend = csv_parts(client, world.commune)

    (line,) = [line for line in lines if line["Mã chi bộ"].endswith("X1")]
    assert line["Mã chi bộ"] == "'-X1"
    assert line["Chi bộ"] == "'@Chi bộ thử"
    assert ['\'=HYPERLINK("http://evil.example","Bấm")', "'+1-2"] in [entry[1:] for entry in legend]
    assert line["Có mặt"] == str(row.attendance_present)  # a number is written as it is
    cells = [value for line in lines for value in line.values()] + [value for entry in legend for value in entry]
    assert not any(value.startswith(("=", "+", "-", "@")) for value in cells)


def test_the_absences_csv_neutralizes_formulas_too():
    from reports.exports import absences_csv

    class Source:
        name, citation = "@evil", "=1+1"

    class Item:
        full_name, cell_name, months, absences, missed, required, source = (
            "=cmd|' /C calc'!A0",
            "Chi bộ",
            3,
            3,
            [],
            3,
            Source,
        )

    (row,) = list(csv.reader(io.StringIO(absences_csv([Item]).lstrip("\ufeff"))))[1:]
    assert row[0] == "'=cmd|' /C calc'!A0"
    assert row[6] == "'@evil: =1+1"
