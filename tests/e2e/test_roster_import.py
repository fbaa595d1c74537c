"""Browser journey: a secretary imports a roster file with one bad row (sees the message, fixes it, imports)."""

import pytest
from playwright.sync_api import Page, expect

from members.models import Member, Membership
from tests.e2e.conftest import assert_accessible, login, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

HEADER = "Họ và tên,Ngày sinh,Giới tính,Thư điện tử,Số thẻ đảng viên,Ngày vào Đảng,Ngày chính thức"
GOOD = [
    "Lê Văn An,04/12/1980,Nam,an@example.vn,001234,01/03/2010,01/03/2011",
    "Phạm Thị Bình,15/06/1985,Nữ,binh@example.vn,001235,02/09/2020,",
]


def roster_csv(*rows: str) -> dict:
    text = "\r\n".join([HEADER, *rows]) + "\r\n"
    return {"name": "danh-sach.csv", "mimeType": "text/csv", "buffer": text.encode("utf-8-sig")}


def upload(page: Page, file: dict) -> None:
    page.get_by_label("Tệp danh sách").set_input_files(file)
    page.get_by_role("button", name="Tải lên và kiểm tra").click()


def test_a_secretary_imports_a_roster_with_one_bad_row_fixes_it_and_imports(live_server, page: Page, world):
    login(page, live_server, "bithu.a")
    page.goto(f"{live_server.url}/to-chuc/{world.cell_a.pk}/nhap-danh-sach/")
    expect(page.get_by_role("heading", name="Nhập danh sách đảng viên")).to_be_visible()
    expect(page.get_by_test_id("roster-columns")).to_contain_text("Ngày vào Đảng")
    screenshot(page, "roster_import_form")
    assert_accessible(page, "roster import form")

    # Line 3 has an impossible birth date.
    upload(page, roster_csv(GOOD[0], GOOD[1].replace("15/06/1985", "31/06/1985")))

    problems = page.get_by_test_id("roster-problems")
    expect(problems).to_contain_text("Dòng 3: Ngày sinh “31/06/1985” không phải là ngày có thật.")
    expect(problems.locator("tr[data-line]")).to_have_count(1)
    expect(page.get_by_role("button", name="Xác nhận nhập")).to_have_count(0)
    screenshot(page, "roster_problems")
    assert_accessible(page, "roster import problems")
    assert not Member.objects.filter(full_name="Lê Văn An").exists()

    upload(page, roster_csv(*GOOD))

    expect(page.get_by_test_id("count-created")).to_have_text("2")
    expect(page.get_by_test_id("roster-changes")).to_contain_text("Phạm Thị Bình")
    screenshot(page, "roster_preview")
    assert_accessible(page, "roster import preview")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "roster_preview_phone")
    page.get_by_role("button", name="Xác nhận nhập").click()

    expect(page.get_by_role("alert")).to_contain_text("Đã nhập danh sách: 2 đảng viên mới, 0 cập nhật, 0 không đổi.")
    assert_accessible(page, "roster imported (phone)")
    for name in ("Lê Văn An", "Phạm Thị Bình"):
        member = Member.objects.get(full_name=name)
        assert Membership.objects.get(member=member).organization == world.cell_a
