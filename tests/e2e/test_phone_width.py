"""On a phone (390×844) no page scrolls sideways: the long words users type (a reason without spaces, a long e-mail
address) wrap, and tables fit. First the pages that went wide with such words, then every main page of every demo
role, found by following the links a user has."""

import datetime
import re
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page

from meetings import services
from meetings.models import OutboxMessage
from reports.compliance import local_today
from tests.e2e.conftest import login, screenshot
from tests.factories import UserFactory, make_meeting, make_member
from tooling.demo import DEMO_PASSWORD, load_demo

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE_WIDTH = 390
HCM = ZoneInfo("Asia/Ho_Chi_Minh")
# A reason typed as one word (a phone keyboard, a pasted reference): 200 characters, the longest the form takes.
LONG_WORD = ("Điviệnkiểmtrasứckhỏeđịnhkỳtheogiấygiớithiệucủacơquan" * 4)[:200]
# Links that are not pages: files, the sign-out, the language switch, the admin (Django's own pages).
NOT_A_PAGE = re.compile(r"\.(pdf|xlsx|csv|ics)$|/dang-xuat/|/i18n/|/admin/|/tai-lieu/\d+/$")


def page_width(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def assert_fits(page: Page, url: str, name: str) -> None:
    response = page.goto(url)
    assert response.status == 200, f"{name}: {url} answered {response.status}"
    width = page_width(page)
    if width > PHONE_WIDTH:
        screenshot(page, f"too-wide-{re.sub(r'[^a-z0-9]+', '-', name.lower())}")
    assert width <= PHONE_WIDTH, f"{name} ({url}) is {width} px wide on a {PHONE_WIDTH} px phone"


def test_long_words_and_the_positions_table_fit_a_phone(live_server, phone: Page, world):
    w = world
    traveller = make_member(
        w.cell_a,
        full_name="Lê Thị Diệu Linh",
        user=UserFactory(username="dangvien.c"),
        email="dang.vien.cua.chi.bo.co.quan.uy.ban.nhan.dan.xa.xuan.hiep@dongnai.gov.example",
    )
    held = make_meeting(w.cell_a, planned_date=datetime.date(local_today().year - 1, 5, 4))
    services.meeting_publish(meeting=held)
    services.attendance_prepare(meeting=held)
    for member in (w.secretary, w.member, w.plain_member):
        services.attendance_set(meeting=held, member=member, status="present")
    services.attendance_set(meeting=held, member=traveller, status="excused", reason=LONG_WORD)
    start = datetime.datetime.combine(held.planned_date, datetime.time(14), HCM)
    services.meeting_record(
        meeting=held,
        version=None,
        started_at=start,
        ended_at=start + datetime.timedelta(minutes=100),
        chair=w.secretary,
        recorder=w.member,
        mark_held=True,
    )
    upcoming = make_meeting(w.cell_a, planned_date=local_today() + datetime.timedelta(days=10))
    services.meeting_publish(meeting=upcoming)
    services.absence_notice_submit(meeting=upcoming, member=traveller, reason=LONG_WORD)
    message = OutboxMessage.objects.get(meeting=upcoming, member=traveller)
    url = live_server.url

    login(phone, live_server, "dangvien.c")
    assert_fits(phone, f"{url}/sinh-hoat-cua-toi/", "my meetings with a reason of one long word")
    assert_fits(phone, f"{url}/sinh-hoat/{upcoming.pk}/", "a meeting the member said they will miss")
    assert_fits(phone, f"{url}/sinh-hoat/{held.pk}/", "a held meeting with an excused member")

    phone.context.clear_cookies()
    login(phone, live_server, "bithu.a")
    assert_fits(phone, f"{url}/dang-vien/{w.secretary.pk}/", "the secretary's page, a post that can be ended")
    assert_fits(phone, f"{url}/dang-vien/{traveller.pk}/", "a member's page with a long e-mail address")
    assert_fits(phone, f"{url}/sinh-hoat/{upcoming.pk}/", "a meeting page with an absence notice (secretary)")
    assert_fits(phone, f"{url}/sinh-hoat/{upcoming.pk}/thu/", "the outbox")
    assert_fits(phone, f"{url}/sinh-hoat/{upcoming.pk}/thu/{message.pk}/", "an outbox message")
    assert_fits(phone, f"{url}/sinh-hoat/{held.pk}/", "a held meeting (secretary)")
    assert_fits(phone, f"{url}/sinh-hoat/{held.pk}/ghi-bien-ban/", "the recording page")


def pattern(url: str) -> str:
    """One page of each kind: ids and dates in the path and the query are the same page."""
    parts = urlsplit(url)
    return re.sub(r"\d+", "N", parts.path) + "?" + re.sub(r"=[^&]*", "=", parts.query)


def test_every_main_page_of_every_demo_role_fits_a_phone(live_server, phone: Page, transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    logins = load_demo()
    base = live_server.url
    wide = []
    for demo_login in logins:
        phone.goto(base + "/dang-nhap/")
        phone.get_by_label("Tên đăng nhập").fill(demo_login.username)
        phone.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
        phone.get_by_role("button", name="Đăng nhập").click()
        phone.get_by_test_id("whoami").wait_for()
        # Breadth first from the home page, one page of each kind, two levels of links deep.
        queue, seen = [(base + "/", 0)], set()
        visited = 0
        while queue:
            url, depth = queue.pop(0)
            if pattern(url) in seen:
                continue
            seen.add(pattern(url))
            response = phone.goto(url)
            assert response.status == 200, f"{demo_login.username}: {url} answered {response.status}"
            visited += 1
            if (width := page_width(phone)) > PHONE_WIDTH:
                wide.append(f"{demo_login.username}: {url[len(base) :]} is {width} px wide")
            if depth < 2:
                for href in phone.eval_on_selector_all("main a[href], nav a[href]", "links => links.map(a => a.href)"):
                    href = href.split("#")[0]
                    if href.startswith(base) and not NOT_A_PAGE.search(urlsplit(href).path):
                        queue.append((href, depth + 1))
        assert visited >= 5, f"{demo_login.username} reached only {visited} pages"
        phone.context.clear_cookies()
    assert wide == [], "\n".join(wide)
