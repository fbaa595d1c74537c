"""axe-core over the pages that the browser journeys do not reach: a secretary's forms and held meetings, a member's
own pages on a desktop and on a phone, a board user's dashboard with its absences and the 403 page. The journeys
check the pages they pass through themselves (``assert_accessible`` in tests/e2e/conftest.py)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from cells.policies import policy_create
from meetings import services
from meetings.models import OutboxMessage
from reports.compliance import compute_month, local_today
from tests.e2e.conftest import AXE, assert_accessible, login
from tests.factories import make_meeting

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
DESKTOP = {"width": 1280, "height": 900}


def held_meeting(world, day: datetime.date, *, approve: bool):
    """A meeting of cell A on ``day`` (in the past): published, the secretary and the member present and speaking, the
    member without an account absent without reason, 100 minutes, the resolution passed; approved if ``approve``."""
    meeting = make_meeting(world.cell_a, planned_date=day)
    services.meeting_publish(meeting=meeting)
    services.attendance_prepare(meeting=meeting)
    services.attendance_set(meeting=meeting, member=world.secretary, status="present")
    services.attendance_set(meeting=meeting, member=world.member, status="present")
    services.attendance_set(meeting=meeting, member=world.plain_member, status="absent")
    for member in (world.secretary, world.member):
        services.speech_add(meeting=meeting, member=member, summary="Thống nhất với dự thảo nghị quyết.")
    start = datetime.datetime.combine(day, datetime.time(14), HCM)
    services.meeting_record(
        meeting=meeting,
        version=None,
        started_at=start,
        ended_at=start + datetime.timedelta(minutes=100),
        chair=world.secretary,
        recorder=world.member,
        resolution_title="Nghị quyết sinh hoạt chi bộ tháng",
        resolution_text="Tập trung hoàn thành nhiệm vụ tháng.",
        votes_for=2,
        votes_against=0,
        votes_abstain=0,
        mark_held=True,
    )
    if approve:
        services.minutes_approve(meeting=meeting, by=world.secretary_user)
    return meeting


@pytest.fixture
def pages(world):
    """Cell A met in March, April and May of last year (the member without an account absent without reason each
    time, so the commune's absences list names her); March's minutes are approved, the others only held. Its next
    meeting, ten days from today, is published, and she has said she will be absent from it. The commune has a policy
    in force from forty days on, so still open to changes."""
    w = world
    w.year = local_today().year - 1
    w.approved = held_meeting(w, datetime.date(w.year, 3, 4), approve=True)
    held_meeting(w, datetime.date(w.year, 4, 4), approve=False)
    w.held = held_meeting(w, datetime.date(w.year, 5, 4), approve=False)
    for month in (3, 4, 5):
        compute_month(datetime.date(w.year, month, 1))
    w.upcoming = make_meeting(w.cell_a, planned_date=local_today() + datetime.timedelta(days=10))
    services.meeting_publish(meeting=w.upcoming)
    services.absence_notice_submit(meeting=w.upcoming, member=w.plain_member, reason="Đi viện")
    w.message = OutboxMessage.objects.filter(meeting=w.upcoming, member=w.member).first()
    w.policy = policy_create(
        organization=w.commune,
        valid_from=local_today() + datetime.timedelta(days=40),
        source="Quy định 09-QĐ/ĐU của Đảng ủy xã Xuân Hiệp",
        values={"min_member_speakers": 5},
    )
    return w


def visit(page: Page, url: str, name: str, *, status: int = 200) -> None:
    response = page.goto(url)
    assert response.status == status, f"{name}: {url} answered {response.status}"
    assert_accessible(page, name)


def test_axe_runs_from_the_installed_package_without_a_network_request(live_server, page: Page, world):
    login(page, live_server, "bithu.a")
    requests = []
    page.on("request", lambda request: requests.append(request.url))

    results = AXE.run(page)

    assert results.response["testEngine"]["name"] == "axe-core"
    assert page.evaluate("window.axe.version") == results.response["testEngine"]["version"]
    assert requests == []


def test_the_check_fails_with_the_rule_its_impact_and_the_offending_element(page: Page):
    page.set_content(
        '<html lang="vi"><head><title>Thử</title></head><body><main><h1>Thử</h1>'
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" id="anh">'
        '<button id="nut"></button></main></body></html>'
    )

    with pytest.raises(pytest.fail.Exception) as failure:
        assert_accessible(page, "a page with two faults")

    message = str(failure.value)
    assert "2 serious/critical violation(s) on a page with two faults" in message
    assert "- image-alt (critical): Images must have alternative text" in message
    assert "#anh: <img" in message
    assert "- button-name (critical): Buttons must have discernible text" in message
    assert '#nut: <button id="nut"></button>' in message


def test_a_secretarys_forms_and_held_meetings_have_no_serious_violation(live_server, page: Page, pages):
    w = pages
    url = live_server.url
    page.set_viewport_size(DESKTOP)
    login(page, live_server, "bithu.a")
    assert_accessible(page, "home (secretary)")
    visit(page, f"{url}/to-chuc/{w.cell_a.pk}/", "cell roster (secretary)")
    visit(page, f"{url}/to-chuc/{w.cell_a.pk}/them-dang-vien/", "member add form")
    visit(page, f"{url}/dang-vien/{w.plain_member.pk}/", "member page (secretary)")
    visit(page, f"{url}/dang-vien/{w.plain_member.pk}/sua/", "member edit form")
    page.get_by_label("Họ và tên").fill("")
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator(".invalid-feedback, .is-invalid").first).to_be_visible()
    assert_accessible(page, "member edit form refused")
    visit(page, f"{url}/dang-vien/{w.plain_member.pk}/tinh-trang/", "status change form")
    visit(page, f"{url}/dang-vien/{w.plain_member.pk}/chuyen-sinh-hoat/", "transfer form")
    visit(page, f"{url}/dang-vien/{w.plain_member.pk}/chuc-vu/", "position form")
    visit(page, f"{url}/to-chuc/{w.cell_a.pk}/sinh-hoat/?thang={w.year}-06", "meeting list with held meetings")
    visit(page, f"{url}/to-chuc/{w.cell_a.pk}/sinh-hoat/moi/", "plan form")
    page.get_by_label("Địa điểm").fill("")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_role("main")).to_contain_text("Nhập địa điểm họp.")
    assert_accessible(page, "plan form refused")
    visit(page, f"{url}/sinh-hoat/{w.upcoming.pk}/", "meeting page, published, with an absence notice (secretary)")
    expect(page.get_by_test_id("absence-notices")).to_contain_text("Quách Thị Hương: Đi viện")
    visit(page, f"{url}/sinh-hoat/{w.upcoming.pk}/thu/", "outbox")
    visit(page, f"{url}/sinh-hoat/{w.upcoming.pk}/sua/", "meeting edit form")
    visit(page, f"{url}/sinh-hoat/{w.upcoming.pk}/thu/{w.message.pk}/", "outbox message")
    visit(page, f"{url}/sinh-hoat/{w.held.pk}/", "meeting page, held (secretary)")
    visit(page, f"{url}/sinh-hoat/{w.held.pk}/ghi-bien-ban/", "recording page, held (desktop)")
    visit(page, f"{url}/sinh-hoat/{w.approved.pk}/", "meeting page, approved (secretary)")
    visit(page, f"{url}/to-chuc/{w.cell_a.pk}/bao-cao/?ky=nam-{w.year}", "cell dashboard (secretary)")
    visit(page, f"{url}/to-chuc/{w.cell_a.pk}/quy-dinh/", "cell policy page (secretary)")


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_a_members_own_pages_have_no_serious_violation(live_server, page: Page, phone: Page, pages, size):
    w = pages
    url = live_server.url
    if size == "phone":
        page = phone
    else:
        page.set_viewport_size(DESKTOP)
    login(page, live_server, "dangvien.a")
    assert_accessible(page, f"home (member, {size})")
    visit(page, f"{url}/sinh-hoat-cua-toi/", f"my meetings ({size})")
    expect(page.get_by_test_id("my-attendance")).to_contain_text(f"{w.year}")
    visit(page, f"{url}/sinh-hoat/{w.upcoming.pk}/", f"meeting page as a member ({size})")
    page.get_by_label("Báo trước: tôi sẽ vắng vì").fill("  ")  # blank: refused, the message says why
    page.get_by_role("button", name="Báo vắng").click()
    expect(page.get_by_role("alert")).to_contain_text("Ghi lý do vắng.")
    assert_accessible(page, f"meeting page as a member, absence refused ({size})")
    page.get_by_label("Báo trước: tôi sẽ vắng vì").fill("Đi công tác tỉnh")
    page.get_by_role("button", name="Báo vắng").click()
    expect(page.get_by_role("main")).to_contain_text("Đồng chí đã báo vắng: “Đi công tác tỉnh”.")
    assert_accessible(page, f"meeting page as a member, absence said ({size})")
    visit(page, f"{url}/sinh-hoat/{w.approved.pk}/", f"meeting page as a member, approved ({size})")
    visit(page, f"{url}/dang-vien/{w.member.pk}/", f"member's own record ({size})")
    visit(page, f"{url}/quy-dinh/", f"policy page (member, {size})")
    visit(page, f"{url}/sinh-hoat/{w.upcoming.pk}/ghi-bien-ban/", f"403 (member, {size})", status=403)


def test_a_board_users_dashboards_policy_pages_and_refusals_have_no_serious_violation(live_server, page: Page, pages):
    w = pages
    url = live_server.url
    page.set_viewport_size(DESKTOP)
    login(page, live_server, "bantochuc.xa")
    assert_accessible(page, "home (board)")
    page.goto(f"{url}/to-chuc/{w.commune.pk}/bao-cao/?ky=nam-{w.year}")
    expect(page.get_by_test_id("absences")).to_contain_text("Quách Thị Hương")  # the part htmx loads
    assert_accessible(page, "commune dashboard with its absences")
    visit(page, f"{url}/to-chuc/{w.commune.pk}/bao-cao/vang-khong-ly-do/?ky=nam-{w.year}", "absences list")
    visit(page, f"{url}/quy-dinh/?to_chuc={w.cell_a.pk}", "policy page of a cell (board)")
    visit(page, f"{url}/to-chuc/{w.commune.pk}/", "commune page (board)")
    visit(page, f"{url}/dang-vien/{w.plain_member.pk}/sua/", "403 (board, read-only)", status=403)
    visit(page, f"{url}/to-chuc/{w.cell_b.pk}/", "404 (board)", status=404)

    page.get_by_role("button", name="Đăng xuất").click()
    login(page, live_server, "bantochuc.ghi")
    visit(page, f"{url}/to-chuc/{w.commune.pk}/quy-dinh/{w.policy.pk}/sua/", "policy edit form")
    visit(page, f"{url}/to-chuc/{w.commune.pk}/quy-dinh/", "commune policy page with a policy to come")


def test_the_login_lockout_page_has_no_serious_violation(live_server, page: Page, world):
    page.goto(f"{live_server.url}/dang-nhap/")
    for _attempt in range(6):
        page.get_by_label("Tên đăng nhập").fill("bithu.a")
        page.get_by_label("Mật khẩu").fill("sai-mat-khau")
        page.get_by_role("button", name="Đăng nhập").click()
        if page.get_by_role("heading", name="Tạm khóa đăng nhập").count():
            break
    expect(page.get_by_role("heading", name="Tạm khóa đăng nhập")).to_be_visible()
    assert_accessible(page, "login locked out")
