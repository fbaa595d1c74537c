"""Roster export: the XLSX in the import layout (so it re-imports unchanged), Vietnamese order, status on a date,
access (full read only), and a constant number of queries."""

import datetime
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from members.models import Member, Position
from members.roster_import import COLUMNS, read_roster_file, roster_check, roster_lines
from members.services import member_status_change, position_assign
from tests.factories import make_cell, make_member

pytestmark = pytest.mark.django_db

HEADER = [column.header for column in COLUMNS] + ["Tình trạng", "Chức vụ"]


def export_url(org, **query) -> str:
    url = reverse("members:roster_export", args=[org.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def sheet_rows(response) -> list[list]:
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]


def test_it_exports_the_roster_in_the_import_layout(client, world):
    world.plain_member.card_number = "0042"
    world.plain_member.phone = "0912000111"
    world.plain_member.gender = "female"
    world.plain_member.save()
    client.force_login(world.secretary_user)

    response = client.get(export_url(world.cell_a))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    today = timezone.localdate()
    assert f'filename="danh-sach-a-{today:%Y%m%d}.xlsx"' in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    rows = sheet_rows(response)
    assert rows[0] == HEADER
    huong = next(row for row in rows if row[1] == "Quách Thị Hương")
    assert huong[0] == "A"
    assert huong[2] == datetime.datetime(1980, 1, 1)  # a real date cell
    assert huong[3:7] == ["Nữ", world.plain_member.email, "0912000111", "0042"]
    assert huong[9:13] == [datetime.datetime(2015, 3, 1), datetime.datetime(2016, 3, 1), "Chính thức", None]
    hien = next(row for row in rows if row[1] == "Nguyễn Thị Hiền")
    assert hien[12] == "Bí thư"


def test_members_are_in_vietnamese_order_by_given_name(client, world):
    for name in ("Trần Văn Ánh", "Lê Thị Anh", "Phạm Văn Đức", "Hoàng Văn Dũng", "Ngô Thị Ân"):
        make_member(world.cell_a, full_name=name)
    client.force_login(world.secretary_user)

    names = [row[1] for row in sheet_rows(client.get(export_url(world.cell_a)))[1:]]

    # Given names: Anh, Ánh (tone breaks the tie), Ân (â after a), Dũng, Đức (đ after d), Hài, Hiền, Hương.
    assert names == [
        "Lê Thị Anh",
        "Trần Văn Ánh",
        "Ngô Thị Ân",
        "Hoàng Văn Dũng",
        "Phạm Văn Đức",
        "Đỗ Thanh Hài",
        "Nguyễn Thị Hiền",
        "Quách Thị Hương",
    ]


def test_the_status_is_the_one_on_the_chosen_date(client, world):
    newcomer = make_member(
        world.cell_a,
        full_name="Lý Thị Mới",
        official=False,
        admission_date=datetime.date(2024, 5, 1),
        joined_cell_on=datetime.date(2024, 5, 1),
    )
    member_status_change(member=newcomer, status="official", effective_from=datetime.date(2025, 5, 2))
    client.force_login(world.secretary_user)

    before = sheet_rows(client.get(export_url(world.cell_a, ngay="2025-01-15")))
    after = sheet_rows(client.get(export_url(world.cell_a, ngay="15/06/2025")))

    assert next(row for row in before if row[1] == "Lý Thị Mới")[11] == "Dự bị"
    assert next(row for row in after if row[1] == "Lý Thị Mới")[11] == "Chính thức"


def test_members_who_left_are_not_exported(client, world):
    member_status_change(member=world.plain_member, status="struck_off", effective_from=datetime.date(2025, 2, 1))
    client.force_login(world.secretary_user)

    names = [row[1] for row in sheet_rows(client.get(export_url(world.cell_a)))]

    assert "Quách Thị Hương" not in names


def test_a_cell_export_has_the_same_people_as_its_roster(world):
    guest = make_member(world.cell_b, full_name="Khách Tạm Thời")
    day = timezone.localdate()
    member_status_change(
        member=guest,
        status="attached_elsewhere",
        effective_from=day - datetime.timedelta(days=10),
        attached_to=world.cell_a,
    )

    exported = {line.member.pk for line in roster_lines(world.cell_a, day)}

    roster = Member.objects.roster_of(world.cell_a, day, include_temporary=False)
    assert exported == set(roster.values_list("pk", flat=True))
    assert guest.pk not in exported  # a guest is exported with their home cell


def test_a_commune_export_lists_the_members_of_its_cells_with_their_cell_codes(client, world):
    cell_c = make_cell(world.commune, name="Chi bộ thôn 2", code="C2")
    make_member(cell_c, full_name="Lê Văn Ba")
    client.force_login(world.board_user)

    rows = sheet_rows(client.get(export_url(world.commune)))

    codes = {row[1]: row[0] for row in rows[1:]}
    assert codes["Lê Văn Ba"] == "C2"
    assert codes["Đỗ Thanh Hài"] == "A"
    assert "Trần Văn Bình" not in codes  # cell B is in another commune


def test_an_export_reimports_unchanged(client, world):
    world.member.card_number = "H-1"
    world.member.phone = "0900000001"
    world.member.save()
    client.force_login(world.secretary_user)
    response = client.get(export_url(world.cell_a))

    for organization in (world.cell_a, world.commune):
        table = read_roster_file(
            SimpleUploadedFile("export.xlsx", response.content), needs_cell_code=not organization.is_cell
        )
        report = roster_check(organization=organization, table=table)
        assert report.is_clean, [(row.line, row.problems) for row in report.problem_rows]
        assert (report.created, report.updated, report.unchanged) == (0, 0, 3)


def test_text_that_looks_like_a_formula_is_exported_as_text(client, world):
    make_member(world.cell_a, full_name='=HYPERLINK("http://example.com")')
    client.force_login(world.secretary_user)

    response = client.get(export_url(world.cell_a))

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    cell = next(row[1] for row in sheet.iter_rows(min_row=2) if str(row[1].value).startswith("="))
    assert cell.data_type == "s"


def test_a_bad_date_is_a_bad_request(client, world):
    client.force_login(world.secretary_user)

    response = client.get(export_url(world.cell_a, ngay="32-13-2025"))

    assert response.status_code == 400
    assert "Ngày không hợp lệ." in response.content.decode()


# --- Access ---------------------------------------------------------------------------------------------------------


def test_it_hides_other_cells(client, world):
    client.force_login(world.outsider_user)

    assert client.get(export_url(world.cell_a)).status_code == 404
    assert client.get(export_url(world.commune)).status_code == 404


def test_a_read_only_board_user_can_export(client, world):
    client.force_login(world.board_user)

    assert client.get(export_url(world.cell_a)).status_code == 200


def test_a_plain_member_of_the_cell_cannot_export_its_roster(client, world):
    client.force_login(world.member_user)

    assert client.get(export_url(world.cell_a)).status_code == 404


def test_it_requires_a_login(client, world):
    response = client.get(export_url(world.cell_a))

    assert response.status_code == 302 and "/dang-nhap/" in response.url


# --- Queries --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("extra_members", [2, 25])
def test_the_export_runs_a_constant_number_of_queries(client, world, django_assert_num_queries, extra_members):
    cell_c = make_cell(world.commune, name="Chi bộ thôn 2", code="C2")
    for n in range(extra_members):
        member = make_member(world.cell_a if n % 2 else cell_c, full_name=f"Nguyễn Văn Số {n}")
        if n == 1:
            position_assign(
                member=member,
                organization=world.cell_a,
                role=Position.Role.COMMITTEE_MEMBER,
                valid_from=datetime.date(2021, 1, 1),
            )
    client.force_login(world.board_user)

    # session, user; scope_for: grants, positions, seats, assignments, memberships, member id; the organization;
    # the memberships with members, cells and statuses; the posts.
    with django_assert_num_queries(11):
        response = client.get(export_url(world.commune))

    assert len(sheet_rows(response)) == 1 + 3 + extra_members
