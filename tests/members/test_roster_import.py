"""Roster import: reading XLSX and CSV files, the dry run's problems with line numbers, the all-or-nothing import,
idempotency, the upload → preview → confirm pages and their access rules."""

import datetime
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from members.models import Member, Membership, StatusChange
from members.roster_import import (
    COLUMNS,
    MAX_FILE_SIZE,
    RosterFileError,
    read_roster_file,
    roster_check,
    roster_import,
)
from tests.factories import make_cell, make_member

pytestmark = pytest.mark.django_db

HEADER = [column.header for column in COLUMNS]
# Mã chi bộ, Họ và tên, Ngày sinh, Giới tính, Thư điện tử, Điện thoại, Số thẻ, Số lý lịch, Số danh bạ,
# Ngày vào Đảng, Ngày chính thức
GOOD_ROWS = [
    [
        "",
        "Lê Văn An",
        "04/12/1980",
        "Nam",
        "an@example.vn",
        "0912345678",
        "001234",
        "LL1",
        "DB1",
        "01/03/2010",
        "01/03/2011",
    ],
    ["", "Phạm Thị Bình", "1985-06-15", "Nữ", "", "", "001235", "", "", "2/9/2020", ""],
]


def csv_file(rows, *, header=HEADER, bom=False, delimiter=",", name="danh-sach.csv") -> SimpleUploadedFile:
    lines = [delimiter.join(header)] + [delimiter.join(row) for row in rows]
    text = "\r\n".join(lines) + "\r\n"
    return SimpleUploadedFile(name, text.encode("utf-8-sig" if bom else "utf-8"), content_type="text/csv")


def xlsx_bytes(rows, *, header=HEADER) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_file(rows, *, header=HEADER, name="danh-sach.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, xlsx_bytes(rows, header=header))


def problems_by_line(report) -> dict[int, list[str]]:
    return {row.line: row.problems for row in report.problem_rows}


def import_url(org) -> str:
    return reverse("members:roster_import", args=[org.pk])


def upload(client, user, org, file):
    client.force_login(user)
    return client.post(import_url(org), {"file": file})


def confirm(client, response):
    token = response.context["confirm_form"].initial["token"]
    return client.post(response.wsgi_request.path, {"token": token})


# --- Reading files --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("bom", [False, True], ids=["utf8", "utf8-bom"])
def test_it_reads_utf8_csv_with_and_without_bom(bom):
    table = read_roster_file(csv_file(GOOD_ROWS, bom=bom))

    assert table.columns[:2] == ["cell_code", "full_name"]
    assert [line for line, _values in table.rows] == [2, 3]
    assert table.rows[0][1]["full_name"] == "Lê Văn An"
    assert table.rows[1][1]["admission_date"] == "2/9/2020"


def test_it_reads_semicolon_separated_csv_as_saved_by_excel_in_some_locales():
    table = read_roster_file(csv_file(GOOD_ROWS, delimiter=";", bom=True))

    assert table.rows[0][1]["email"] == "an@example.vn"


def test_it_reads_xlsx_with_real_date_cells_and_numbers():
    rows = [
        [
            "",
            "Lê Văn An",
            datetime.datetime(1980, 12, 4),
            "Nam",
            None,
            None,
            1234,
            None,
            None,
            datetime.date(2010, 3, 1),
        ]
    ]

    table = read_roster_file(xlsx_file(rows))

    values = table.rows[0][1]
    assert values["birth_date"] == "1980-12-04"
    assert values["admission_date"] == "2010-03-01"
    assert values["card_number"] == "1234"
    assert values["official_date"] == ""


def test_it_skips_blank_lines_but_keeps_the_spreadsheet_line_numbers():
    table = read_roster_file(csv_file([GOOD_ROWS[0], [""] * len(HEADER), GOOD_ROWS[1]]))

    assert [line for line, _values in table.rows] == [2, 4]


def test_it_matches_headers_in_any_order_ignoring_case_and_unknown_columns():
    header = ["ngày vào đảng", "Ghi chú", "HỌ VÀ TÊN"]
    table = read_roster_file(csv_file([["01/03/2010", "x", "Lê Văn An"]], header=header))

    assert table.rows[0][1] == {"admission_date": "01/03/2010", "full_name": "Lê Văn An"}
    assert table.ignored_headers == ["Ghi chú"]


@pytest.mark.parametrize(
    ("file", "message"),
    [
        (SimpleUploadedFile("ds.xls", b"x"), "Chỉ nhận tệp Excel (.xlsx) hoặc CSV (.csv)."),
        (SimpleUploadedFile("ds.csv", b""), "Tệp trống."),
        (SimpleUploadedFile("ds.csv", b"\n\n"), "Tệp trống: dòng 1 phải là dòng tiêu đề"),
        (SimpleUploadedFile("ds.csv", b"x" * (MAX_FILE_SIZE + 1)), "Tệp lớn hơn 2 MB"),
        (SimpleUploadedFile("ds.xlsx", b"not a zip file"), "Không đọc được tệp Excel này"),
        (SimpleUploadedFile("ds.csv", b"Ho va ten,Ngay vao \xd0ang\r\n"), "không dùng mã UTF-8"),
        (csv_file([], header=["Họ và tên", "Ngày sinh"]), "Tệp thiếu cột bắt buộc: “Ngày vào Đảng”"),
        (csv_file([], header=["Họ và tên", "Họ và tên", "Ngày vào Đảng"]), "Cột “Họ và tên” xuất hiện hai lần"),
        (csv_file([]), "Tệp không có dòng đảng viên nào"),
    ],
    ids=["extension", "empty", "blank", "too-large", "bad-xlsx", "not-utf8", "missing-column", "twice", "no-rows"],
)
def test_it_rejects_unusable_files_with_one_message(file, message):
    with pytest.raises(RosterFileError) as error:
        read_roster_file(file)

    assert message in error.value.message


def test_the_cell_code_column_is_required_above_a_cell():
    header = [h for h in HEADER if h != "Mã chi bộ"]
    with pytest.raises(RosterFileError, match="Mã chi bộ"):
        read_roster_file(csv_file([], header=header), needs_cell_code=True)


# --- Checking and importing -----------------------------------------------------------------------------------------


def test_it_creates_new_members_in_the_cell_with_their_statuses(world):
    table = read_roster_file(csv_file(GOOD_ROWS))

    report = roster_import(organization=world.cell_a, table=table, by=world.secretary_user)

    assert report.applied and (report.created, report.updated, report.unchanged) == (2, 0, 0)
    an = Member.objects.get(card_number="001234")
    assert (an.full_name, an.birth_date, an.gender, an.phone) == (
        "Lê Văn An",
        datetime.date(1980, 12, 4),
        "male",
        "0912345678",
    )
    assert (an.party_history_number, an.register_number) == ("LL1", "DB1")
    assert Membership.objects.get(member=an).organization == world.cell_a
    assert list(an.status_changes.values_list("status", "effective_from")) == [
        ("probationary", datetime.date(2010, 3, 1)),
        ("official", datetime.date(2011, 3, 1)),
    ]
    binh = Member.objects.get(card_number="001235")
    assert binh.official_date is None and binh.admission_date == datetime.date(2020, 9, 2)
    roster = Member.objects.roster_of(world.cell_a, datetime.date.today())
    assert {"Lê Văn An", "Phạm Thị Bình"} <= set(roster.values_list("full_name", flat=True))


def test_each_kind_of_bad_row_is_reported_with_its_line_number_and_nothing_is_written(world):
    world.outsider.card_number = "999"
    world.outsider.save()
    rows = [
        GOOD_ROWS[0],  # line 2: fine
        ["", "", "01/01/1980", "", "", "", "", "", "", "01/03/2010", ""],  # 3: no name
        ["", "Trần Văn C", "31/02/1980", "", "", "", "", "", "", "01/03/2010", ""],  # 4: no such date
        ["", "Trần Văn D", "", "", "", "", "", "", "", "", ""],  # 5: no admission date
        ["", "Trần Văn E", "", "", "", "", "777", "", "", "01/03/2010", ""],  # 6: card twice in the file
        ["", "Trần Văn F", "", "", "", "", "777", "", "", "01/03/2010", ""],  # 7: (with line 6)
        ["", "Trần Văn G", "", "", "", "", "999", "", "", "01/03/2010", ""],  # 8: card of a member of cell B
        ["ZZZ", "Trần Văn H", "", "", "", "", "", "", "", "01/03/2010", ""],  # 9: unknown cell code
        ["", "Trần Văn I", "", "", "khong-phai-email", "", "", "", "", "01/03/2010", ""],  # 10: bad e-mail
        ["", "Trần Văn K", "", "Khác", "", "", "", "", "", "01/03/2010", ""],  # 11: bad gender
        ["", "Trần Văn L", "", "", "", "", "", "", "", "01/03/2010", "01/09/2010"],  # 12: official too soon
        ["", "Trần Văn M", "01/01/2000", "", "", "", "", "", "", "01/03/2010", ""],  # 13: under 18 at admission
        ["B", "Trần Văn N", "", "", "", "", "", "", "", "01/03/2010", ""],  # 14: a cell outside this one
    ]
    members_before, changes_before = Member.objects.count(), StatusChange.objects.count()

    report = roster_import(organization=world.cell_a, table=read_roster_file(csv_file(rows)), by=world.secretary_user)

    problems = problems_by_line(report)
    assert not report.applied
    assert sorted(problems) == list(range(3, 15))
    assert problems[3] == ["Thiếu họ và tên."]
    assert problems[4] == ["Ngày sinh “31/02/1980” không phải là ngày có thật."]
    assert problems[5] == ["Thiếu ngày vào Đảng."]
    assert problems[6] == problems[7] == ["Số thẻ đảng viên 777 bị trùng ở các dòng 6 và 7."]
    assert problems[8] == [
        "Số thẻ đảng viên 999 đã được đăng ký cho một đảng viên ngoài Chi bộ cơ quan UBND xã; hãy kiểm tra lại số "
        "thẻ, hoặc đề nghị cấp ủy cấp trên chuyển sinh hoạt nếu đồng chí này chuyển đến."
    ]
    assert problems[9] == ["Mã chi bộ “ZZZ” không có hoặc nằm ngoài phạm vi của Chi bộ cơ quan UBND xã."]
    assert problems[10] == ["Thư điện tử “khong-phai-email” không hợp lệ."]
    assert problems[11] == ["Giới tính “Khác” không hợp lệ: ghi “Nam” hoặc “Nữ”."]
    assert problems[12] == ["Ngày chính thức phải sau ngày vào Đảng ít nhất 12 tháng (sớm nhất 01/03/2011)."]
    assert "đủ 18 tuổi" in problems[13][0]
    assert "“B” không có hoặc nằm ngoài phạm vi" in problems[14][0]
    # Line 2 was fine, and still nothing was written: all or nothing.
    assert (Member.objects.count(), StatusChange.objects.count()) == (members_before, changes_before)
    assert not Member.objects.filter(full_name="Lê Văn An").exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("04.12.1980", "Ngày vào Đảng “04.12.1980” không hợp lệ: ghi theo dạng ngày/tháng/năm, ví dụ 04/12/1980."),
        ("12/1980", "Ngày vào Đảng “12/1980” không hợp lệ: ghi theo dạng ngày/tháng/năm, ví dụ 04/12/1980."),
        ("2010-02-30", "Ngày vào Đảng “2010-02-30” không phải là ngày có thật."),
    ],
)
def test_a_bad_date_says_what_is_wrong(world, text, message):
    rows = [["", "Lê Văn An", "", "", "", "", "", "", "", text, ""]]

    report = roster_check(organization=world.cell_a, table=read_roster_file(csv_file(rows)))

    assert problems_by_line(report) == {2: [message]}


def test_a_card_number_already_held_by_a_member_who_left_is_a_problem(world):
    gone = make_member(world.cell_a, full_name="Vũ Văn Cũ", card_number="555")
    StatusChange.objects.create(member=gone, status="transferred_out", effective_from=datetime.date(2024, 1, 1))
    Membership.objects.filter(member=gone).update(valid_to=datetime.date(2024, 1, 1))
    rows = [["", "Vũ Văn Cũ", "", "", "", "", "555", "", "", "01/03/2015", ""]]

    report = roster_check(organization=world.cell_a, table=read_roster_file(csv_file(rows)))

    assert (
        "Số thẻ đảng viên 555 đã được đăng ký cho một đảng viên ngoài Chi bộ cơ quan UBND xã"
        in (problems_by_line(report)[2][0])
    )
    assert "Vũ Văn Cũ" not in problems_by_line(report)[2][0]


def test_the_dry_run_writes_nothing_even_for_a_clean_file(world):
    members_before, changes_before = Member.objects.count(), StatusChange.objects.count()

    report = roster_check(organization=world.cell_a, table=read_roster_file(csv_file(GOOD_ROWS)))

    assert report.is_clean and not report.applied and report.created == 2
    assert (Member.objects.count(), StatusChange.objects.count()) == (members_before, changes_before)


def test_importing_the_same_file_twice_changes_nothing(world):
    file_bytes = xlsx_bytes([[v or None for v in row] for row in GOOD_ROWS])
    roster_import(organization=world.cell_a, table=read_roster_file(SimpleUploadedFile("a.xlsx", file_bytes)))
    history = Member.history.count()
    counts = (Member.objects.count(), Membership.objects.count(), StatusChange.objects.count())

    preview = roster_check(organization=world.cell_a, table=read_roster_file(SimpleUploadedFile("a.xlsx", file_bytes)))
    again = roster_import(organization=world.cell_a, table=read_roster_file(SimpleUploadedFile("a.xlsx", file_bytes)))

    assert (preview.created, preview.updated, preview.unchanged) == (0, 0, 2)
    assert again.applied and (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert (Member.objects.count(), Membership.objects.count(), StatusChange.objects.count()) == counts
    assert Member.history.count() == history


def test_rows_without_card_match_by_name_birth_date_and_cell(world):
    hai = world.member  # Đỗ Thanh Hài, born 01/01/1980, admitted 01/03/2015, no card
    rows = [["", "Đỗ  Thanh Hài", "01/01/1980", "", "", "0988000111", "", "", "", "01/03/2015", ""]]

    report = roster_import(organization=world.cell_a, table=read_roster_file(csv_file(rows)))

    assert (report.created, report.updated) == (0, 1)
    assert report.rows[0].changes == ["Điện thoại"]
    hai.refresh_from_db()
    assert hai.phone == "0988000111"
    assert hai.email.startswith("dv")  # a blank cell keeps what is recorded


def test_a_card_number_is_added_to_a_member_found_by_name(world):
    rows = [["", "Đỗ Thanh Hài", "01/01/1980", "", "", "", "C-42", "", "", "01/03/2015", ""]]

    report = roster_import(organization=world.cell_a, table=read_roster_file(csv_file(rows)))

    assert (report.created, report.updated) == (0, 1)
    world.member.refresh_from_db()
    assert world.member.card_number == "C-42"


def test_an_official_date_for_a_probationary_member_records_the_recognition(world):
    probationary = make_member(
        world.cell_a,
        full_name="Hồ Thị Dự",
        official=False,
        card_number="D1",
        admission_date=datetime.date(2024, 1, 10),
        joined_cell_on=datetime.date(2024, 1, 10),
    )
    rows = [["", "Hồ Thị Dự", "", "", "", "", "D1", "", "", "10/01/2024", "10/01/2025"]]

    report = roster_import(organization=world.cell_a, table=read_roster_file(csv_file(rows)))

    assert report.applied and report.rows[0].changes == ["Ngày chính thức"]
    probationary.refresh_from_db()
    assert probationary.official_date == datetime.date(2025, 1, 10)
    assert probationary.status_changes.order_by("effective_from").last().status == "official"


def test_a_different_admission_date_is_a_problem_not_a_silent_change(world):
    rows = [["", "Đỗ Thanh Hài", "01/01/1980", "", "", "", "", "", "", "02/03/2015", ""]]

    report = roster_check(organization=world.cell_a, table=read_roster_file(csv_file(rows)))

    assert problems_by_line(report)[2] == [
        "Ngày vào Đảng khác với hồ sơ (01/03/2015); nếu hồ sơ sai, hãy sửa ở trang của đảng viên."
    ]


def test_above_a_cell_rows_go_to_the_cells_named_by_their_code(world):
    cell_c = make_cell(world.commune, name="Chi bộ thôn 2", code="C2")
    rows = [
        ["A", "Lê Văn An", "", "", "", "", "", "", "", "01/03/2010", ""],
        ["C2", "Lê Văn Ba", "", "", "", "", "", "", "", "01/03/2010", ""],
        ["", "Lê Văn Ca", "", "", "", "", "", "", "", "01/03/2010", ""],
        ["B", "Lê Văn Da", "", "", "", "", "", "", "", "01/03/2010", ""],
    ]

    report = roster_check(
        organization=world.commune, table=read_roster_file(csv_file(rows), needs_cell_code=True), by=world.board_writer
    )

    assert [(row.line, row.cell) for row in report.rows[:2]] == [(2, world.cell_a), (3, cell_c)]
    assert problems_by_line(report) == {
        4: ["Thiếu mã chi bộ."],
        5: ["Mã chi bộ “B” không có hoặc nằm ngoài phạm vi của Đảng bộ xã Xuân Hiệp."],
    }


def test_a_card_number_corrects_the_name_of_its_member_and_the_preview_shows_both_names(world):
    world.member.card_number = "H1"
    world.member.save()
    rows = [["", "Đỗ Thanh Hải", "01/01/1980", "", "", "", "H1", "", "", "01/03/2015", ""]]

    report = roster_import(organization=world.cell_a, table=read_roster_file(csv_file(rows)))

    assert report.updated == 1
    assert report.rows[0].changes == ["Họ và tên (Đỗ Thanh Hài → Đỗ Thanh Hải)"]
    world.member.refresh_from_db()
    assert world.member.full_name == "Đỗ Thanh Hải"


def test_a_card_number_of_someone_with_another_name_and_birth_date_is_a_problem(world):
    world.member.card_number = "H1"
    world.member.save()
    rows = [["", "Trần Văn Khác", "02/02/1990", "", "", "", "H1", "", "", "01/03/2015", ""]]

    report = roster_check(organization=world.cell_a, table=read_roster_file(csv_file(rows)))

    assert problems_by_line(report)[2] == [
        "Số thẻ đảng viên H1 là của đảng viên Đỗ Thanh Hài (sinh 01/01/1980), khác họ tên và ngày sinh ở dòng này; "
        "hãy kiểm tra lại số thẻ."
    ]


def test_a_namesake_with_another_card_number_is_a_problem_not_a_second_member(world):
    world.member.card_number = "H1"
    world.member.save()
    rows = [["", "Đỗ Thanh Hài", "01/01/1980", "", "", "", "H2", "", "", "01/03/2015", ""]]

    report = roster_check(organization=world.cell_a, table=read_roster_file(csv_file(rows)))

    assert problems_by_line(report) == {
        2: [
            "Chi bộ đã có đảng viên Đỗ Thanh Hài cùng ngày sinh nhưng số thẻ khác (H1); "
            "hãy kiểm tra lại số thẻ đảng viên."
        ]
    }


def test_two_lines_for_the_same_existing_member_are_a_problem(world):
    world.member.card_number = "H1"
    world.member.save()
    rows = [
        ["", "Đỗ Thanh Hài", "01/01/1980", "", "", "", "H1", "", "", "01/03/2015", ""],
        ["", "Trần Văn Khác", "", "", "", "", "H1", "", "", "01/03/2015", ""],
    ]

    report = roster_check(organization=world.cell_a, table=read_roster_file(csv_file(rows)))

    assert problems_by_line(report)[2] == ["Số thẻ đảng viên H1 bị trùng ở các dòng 2 và 3."]


def test_two_lines_with_the_same_name_birth_date_and_cell_are_a_problem(world):
    row = ["", "Lê Văn An", "04/12/1980", "", "", "", "", "", "", "01/03/2010", ""]

    report = roster_check(organization=world.cell_a, table=read_roster_file(csv_file([row, row])))

    assert problems_by_line(report) == {
        2: ["Các dòng 2 và 3 trùng họ tên, ngày sinh và chi bộ."],
        3: ["Các dòng 2 và 3 trùng họ tên, ngày sinh và chi bộ."],
    }


# --- Pages: upload → preview → confirm ------------------------------------------------------------------------------


def test_the_upload_page_documents_the_layout_and_links_the_templates(client, world):
    client.force_login(world.secretary_user)

    response = client.get(import_url(world.cell_a))

    assert response.status_code == 200
    text = response.content.decode()
    for header in HEADER:
        assert header in text
    assert reverse("members:roster_template") in text and reverse("members:roster_template_csv") in text


def test_a_file_problem_is_shown_on_the_form(client, world):
    response = upload(client, world.secretary_user, world.cell_a, SimpleUploadedFile("ds.pdf", b"%PDF"))

    assert response.status_code == 200
    assert response.context["form"].errors["file"] == ["Chỉ nhận tệp Excel (.xlsx) hoặc CSV (.csv)."]
    assert "Chỉ nhận tệp Excel (.xlsx) hoặc CSV (.csv)." in response.content.decode()


def test_above_a_cell_the_form_asks_for_the_cell_code_column(client, world):
    header = [h for h in HEADER if h != "Mã chi bộ"]
    file = csv_file([row[1:] for row in GOOD_ROWS], header=header)

    response = upload(client, world.board_writer, world.commune, file)

    assert response.context["form"].errors["file"] == [
        "Tệp thiếu cột bắt buộc: “Mã chi bộ”. Dòng 1 phải là dòng tiêu đề theo mẫu."
    ]
    assert not Member.objects.filter(card_number="001234").exists()


def test_the_preview_lists_problems_with_line_numbers_and_offers_no_confirmation(client, world):
    rows = [GOOD_ROWS[0], ["", "", "", "", "", "", "", "", "", "01/03/2010", ""]]

    response = upload(client, world.secretary_user, world.cell_a, csv_file(rows))

    text = response.content.decode()
    assert "Dòng 3: Thiếu họ và tên." in text
    assert response.context["confirm_form"] is None
    assert 'name="token"' not in text
    assert f"roster_import:{world.cell_a.pk}" not in client.session


def test_upload_then_confirm_imports_in_one_go(client, world):
    response = upload(client, world.secretary_user, world.cell_a, csv_file(GOOD_ROWS, bom=True))
    assert response.status_code == 200
    assert (response.context["report"].created, response.context["report"].updated) == (2, 0)
    assert not Member.objects.filter(card_number__in=["001234", "001235"]).exists()

    done = confirm(client, response)

    assert done.status_code == 302 and done.url == reverse("members:organization", args=[world.cell_a.pk])
    assert Member.objects.filter(card_number__in=["001234", "001235"]).count() == 2
    followed = client.get(done.url)
    assert "Đã nhập danh sách: 2 đảng viên mới, 0 cập nhật, 0 không đổi." in followed.content.decode()


def test_confirming_twice_writes_once(client, world):
    response = upload(client, world.secretary_user, world.cell_a, csv_file(GOOD_ROWS))
    confirm(client, response)

    second = confirm(client, response)

    assert second.status_code == 302 and second.url == import_url(world.cell_a)
    assert Member.objects.filter(card_number="001234").count() == 1


def test_confirm_writes_nothing_when_the_data_changed_since_the_preview(client, world):
    response = upload(client, world.secretary_user, world.cell_a, csv_file(GOOD_ROWS))
    make_member(world.cell_b, full_name="Lê Văn An", card_number="001234")  # meanwhile, in another cell

    done = confirm(client, response)

    assert done.status_code == 200
    assert not done.context["report"].applied
    assert "Chưa nhập được" in done.content.decode()
    assert "Số thẻ đảng viên 001234 đã được đăng ký cho một đảng viên ngoài" in done.content.decode()
    assert "Chi bộ ấp 1" not in done.content.decode()
    assert not Member.objects.filter(card_number="001235").exists()


def test_reimporting_says_there_is_nothing_to_import(client, world):
    confirm(client, upload(client, world.secretary_user, world.cell_a, csv_file(GOOD_ROWS)))

    response = upload(client, world.secretary_user, world.cell_a, csv_file(GOOD_ROWS))

    report = response.context["report"]
    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)
    assert "không có gì để nhập" in response.content.decode()
    assert response.context["confirm_form"] is None


def test_a_committee_writer_imports_into_cells_of_its_subtree(client, world):
    rows = [["A", "Lê Văn An", "", "", "", "", "", "", "", "01/03/2010", ""]]
    response = upload(client, world.board_writer, world.commune, csv_file(rows))

    confirm(client, response)

    member = Member.objects.get(full_name="Lê Văn An")
    assert Membership.objects.get(member=member).organization == world.cell_a


def test_the_template_file_downloads_and_reimports_cleanly_when_filled(client, world):
    client.force_login(world.secretary_user)
    xlsx = client.get(reverse("members:roster_template"))
    csv_response = client.get(reverse("members:roster_template_csv"))
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="mau-danh-sach-dang-vien.xlsx"' in xlsx["Content-Disposition"]
    assert csv_response.content.startswith("\ufeffMã chi bộ,Họ và tên".encode())

    workbook = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert [cell.value for cell in workbook.worksheets[0][1]] == HEADER
    assert workbook.worksheets[1].title == "Hướng dẫn"
    workbook.worksheets[0].append(
        ["", "Lê Văn An", datetime.date(1980, 12, 4), "Nam", None, None, "T1", None, None, datetime.date(2010, 3, 1)]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    filled_csv = csv_response.content + "A,Phạm Thị Bình,,Nữ,,,T2,,,01/03/2012,\r\n".encode()

    for file in (SimpleUploadedFile("mau.xlsx", buffer.getvalue()), SimpleUploadedFile("mau.csv", filled_csv)):
        response = upload(client, world.secretary_user, world.cell_a, file)
        assert response.context["report"].is_clean, problems_by_line(response.context["report"])
        assert response.context["report"].created == 1
        confirm(client, response)
    assert set(Member.objects.filter(card_number__in=["T1", "T2"]).values_list("full_name", flat=True)) == {
        "Lê Văn An",
        "Phạm Thị Bình",
    }


def test_the_templates_need_a_login(client):
    for name in ("members:roster_template", "members:roster_template_csv"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/dang-nhap/" in response.url


# --- Access ---------------------------------------------------------------------------------------------------------


def test_it_hides_other_cells(client, world):
    client.force_login(world.outsider_user)

    assert client.get(import_url(world.cell_a)).status_code == 404
    assert client.post(import_url(world.cell_a), {"file": csv_file(GOOD_ROWS)}).status_code == 404
    assert client.post(import_url(world.cell_a), {"token": "x"}).status_code == 404
    assert not Member.objects.filter(card_number="001234").exists()


@pytest.mark.parametrize("who", ["board_user", "member_user"])
def test_it_requires_write_access(client, world, who):
    client.force_login(getattr(world, who))

    assert client.get(import_url(world.cell_a)).status_code == 403
    assert client.post(import_url(world.cell_a), {"file": csv_file(GOOD_ROWS)}).status_code == 403
    assert not Member.objects.filter(card_number="001234").exists()


def test_a_preview_made_for_one_cell_cannot_be_confirmed_on_another(client, world):
    cell_c = make_cell(world.commune, name="Chi bộ thôn 2", code="C2")
    response = upload(client, world.board_writer, world.cell_a, csv_file(GOOD_ROWS))
    token = response.context["confirm_form"].initial["token"]

    other = client.post(import_url(cell_c), {"token": token})

    assert other.status_code == 302
    assert not Member.objects.filter(card_number="001234").exists()


def test_it_requires_a_login(client, world):
    response = client.get(import_url(world.cell_a))

    assert response.status_code == 302 and "/dang-nhap/" in response.url
