"""A roster upload cannot make the web worker unpack or hold more than a roster needs (issue 11, point 1): the .xlsx
archive is measured before openpyxl reads it, and each cell is capped while the rows stream in."""

import io
import tracemalloc
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from members.models import Member
from members.roster_import import MAX_CELL_CHARS, RosterFileError, read_roster_file
from tests.members.test_roster_import import GOOD_ROWS, csv_file, upload, xlsx_bytes

TOO_BIG = "Tệp Excel này khi giải nén quá lớn so với một danh sách đảng viên; hãy lưu lại chỉ trang danh sách."


def with_member(content: bytes, name: str, data: bytes) -> bytes:
    """The workbook with one of its archive members replaced (or added), deflated at the highest level."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            if info.filename != name:
                target.writestr(info.filename, source.read(info.filename))
        target.writestr(name, data)
    return out.getvalue()


def shared_strings_bomb(size: int) -> bytes:
    """A sharedStrings.xml holding one string of ``size`` characters: deflates about a thousand times."""
    head = b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>'
    return head + b"a" * size + b"</t></si></sst>"


def test_a_small_file_that_unpacks_to_a_huge_string_is_refused_before_it_is_parsed():
    content = with_member(xlsx_bytes(GOOD_ROWS), "xl/sharedStrings.xml", shared_strings_bomb(200 * 1024 * 1024))
    assert len(content) < 1024 * 1024  # a small upload, under the 2 MB limit

    tracemalloc.start()
    try:
        with pytest.raises(RosterFileError) as raised:
            read_roster_file(SimpleUploadedFile("ds.xlsx", content))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert raised.value.message == TOO_BIG
    assert peak < 20 * 1024 * 1024  # nothing was inflated (parsing it took gigabytes)


def test_an_archive_of_thousands_of_members_is_refused():
    content = xlsx_bytes(GOOD_ROWS)
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            target.writestr(info.filename, source.read(info.filename))
        for number in range(600):
            target.writestr(f"xl/media/x{number}.bin", b"")

    with pytest.raises(RosterFileError) as raised:
        read_roster_file(SimpleUploadedFile("ds.xlsx", out.getvalue()))
    assert raised.value.message == TOO_BIG


def test_a_roster_of_two_thousand_members_still_reads():
    rows = [
        ["", f"Đảng viên {n}", "04/12/1980", "Nam", "", "", f"{n:06d}", "", "", "01/03/2010", ""] for n in range(2000)
    ]

    table = read_roster_file(SimpleUploadedFile("ds.xlsx", xlsx_bytes(rows)))

    assert len(table.rows) == 2000


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_a_cell_longer_than_any_roster_value_is_refused_with_its_line(kind):
    rows = [list(GOOD_ROWS[0]), list(GOOD_ROWS[1])]
    rows[1][1] = "Phạm " + "x" * MAX_CELL_CHARS
    file = SimpleUploadedFile("ds.xlsx", xlsx_bytes(rows)) if kind == "xlsx" else csv_file(rows)

    with pytest.raises(RosterFileError) as raised:
        read_roster_file(file)
    assert raised.value.message == "Ô “Họ và tên” ở dòng 3 dài 1.005 ký tự, quá 1.000: hãy kiểm tra lại tệp."


@pytest.mark.django_db
def test_the_upload_page_shows_the_message_and_writes_nothing(client, world):
    content = with_member(xlsx_bytes(GOOD_ROWS), "xl/sharedStrings.xml", shared_strings_bomb(50 * 1024 * 1024))
    before = Member.objects.count()

    response = upload(client, world.secretary_user, world.cell_a, SimpleUploadedFile("ds.xlsx", content))

    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [TOO_BIG]
    assert Member.objects.count() == before


@pytest.mark.django_db
def test_a_card_held_outside_the_importers_subtree_is_only_said_to_be_taken(world):
    """Issue 11, point 3: the dry run answered "the member with card N is in cell X" for any cell of the country."""
    from members.roster_import import read_roster_file, roster_check
    from tests.factories import make_cell, make_member

    neighbour = make_cell(world.commune, name="Chi bộ ấp 3", code="A3")
    make_member(neighbour, full_name="Lưu Văn Láng Giềng", card_number="31")
    make_member(world.cell_b, full_name="Hồ Văn Xa", card_number="32")
    rows = [
        ["", "Ai Đó", "", "", "", "", "31", "", "", "01/03/2010", ""],
        ["", "Ai Khác", "", "", "", "", "32", "", "", "01/03/2010", ""],
    ]

    by_secretary = roster_check(organization=world.cell_a, table=read_roster_file(csv_file(rows)))
    in_cell_a = [["A", *row[1:]] for row in rows]
    by_commune = roster_check(organization=world.commune, table=read_roster_file(csv_file(in_cell_a)))

    said = " ".join(problem for row in by_secretary.problem_rows for problem in row.problems)
    assert "Chi bộ ấp 3" not in said and "Chi bộ ấp 1" not in said and "Láng Giềng" not in said
    assert said.count("đã được đăng ký cho một đảng viên ngoài Chi bộ cơ quan UBND xã") == 2
    problems = {row.line: row.problems for row in by_commune.problem_rows}
    # The commune's board manages Chi bộ ấp 3: it is told where the member is; Chi bộ ấp 1 is another commune's.
    assert problems[2] == ["Đảng viên có số thẻ 31 đang sinh hoạt ở Chi bộ ấp 3; hãy dùng chức năng chuyển sinh hoạt."]
    assert "Chi bộ ấp 1" not in problems[3][0]
    assert "đã được đăng ký cho một đảng viên ngoài Đảng bộ xã Xuân Hiệp" in problems[3][0]
