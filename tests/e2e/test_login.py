import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import assert_accessible
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_user_logs_in_through_the_form_and_sees_the_home_page(live_server, page: Page):
    UserFactory(username="hien.bt", first_name="Hiền", last_name="Nguyễn Thị")

    page.goto(live_server.url + "/")
    expect(page).to_have_url(re.compile(r"/dang-nhap/\?next=/$"))
    assert_accessible(page, "login")
    page.get_by_label("Tên đăng nhập").fill("hien.bt")
    page.get_by_label("Mật khẩu").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()

    expect(page.get_by_role("heading", name="Xin chào, Nguyễn Thị Hiền")).to_be_visible()
    expect(page.get_by_test_id("whoami")).to_contain_text("hien.bt")
    assert_accessible(page, "home")


def test_a_wrong_password_shows_a_vietnamese_message(live_server, page: Page):
    UserFactory(username="hien.bt")

    page.goto(live_server.url + "/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill("hien.bt")
    page.get_by_label("Mật khẩu").fill("sai-mat-khau")
    page.get_by_role("button", name="Đăng nhập").click()

    expect(page.get_by_role("main")).to_contain_text("Vui lòng điền vào Tên đăng nhập và mật khẩu chính xác")
    assert_accessible(page, "login refused")
