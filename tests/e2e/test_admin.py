"""Browser journey: the administrator's admin reads in Vietnamese under the app's name, and shows meetings (read-only
once the minutes are approved) and the outbox."""

import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils.translation import trans_real
from playwright.sync_api import Page, expect

from cells.models import Policy
from meetings import services
from meetings.models import Meeting, OutboxMessage
from tests.e2e.conftest import assert_accessible, login, screenshot
from tests.factories import make_meeting

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module", autouse=True)
def _vietnamese_catalogue():
    """The Vietnamese catalogue of third-party strings (locale/vi), compiled as `make` does when it is missing or
    older than its .po; Django's cached catalogues dropped so that the fresh one is read."""
    po = Path(settings.BASE_DIR) / "locale" / "vi" / "LC_MESSAGES" / "django.po"
    mo = po.with_suffix(".mo")
    if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
        call_command("compilemessages", ignore_patterns=[".venv"], verbosity=0)
    trans_real._translations = {}
    trans_real._default = None


# What the walk-through saw in English (or as Django's own name) in the Vietnamese admin.
ENGLISH = ["Access attempts", "Select an option", "Run", "Search quy định", "Django", "Site administration"]


def test_the_admin_reads_in_vietnamese_and_shows_meetings_and_the_outbox(live_server, page: Page, world):
    approved = make_meeting(world.cell_a, planned_date=datetime.date(2026, 11, 4))
    Meeting.objects.filter(pk=approved.pk).update(status=Meeting.Status.APPROVED, number=11)
    coming = make_meeting(world.cell_a, planned_date=datetime.date(2026, 12, 18), planned_time=datetime.time(8, 0))
    services.meeting_publish(meeting=coming, by=world.secretary_user)
    Policy.objects.create(
        organization=world.commune,
        valid_from=datetime.date(2026, 1, 1),
        name="Quy định của xã",
        source="Văn bản thử",
        reminder_minutes=120,
    )

    login(page, live_server, "quantri")
    page.goto(f"{live_server.url}/admin/")
    expect(page).to_have_title("Quản trị hệ thống | Quản trị Chi bộ")
    expect(page.locator("#site-name")).to_have_text("Quản trị Chi bộ")
    main = page.locator("#content-main")
    expect(main).to_contain_text("Lượt đăng nhập sai")
    expect(main).to_contain_text("Buổi sinh hoạt")
    expect(main).to_contain_text("Hộp thư đi")
    screenshot(page, "admin_index")
    assert_accessible(page, "admin index")
    _no_english(page)

    page.goto(f"{live_server.url}/admin/cells/policy/")
    expect(page.locator("#changelist-search-form")).to_have_text("Tìm quy định")
    expect(page.get_by_role("button", name="Thực hiện")).to_be_visible()
    expect(page.locator("select[name=action] option").first).to_have_text("- Chọn -")
    assert_accessible(page, "admin policy list")
    _no_english(page)

    page.goto(f"{live_server.url}/admin/meetings/meeting/")
    expect(page.locator("#result_list tbody tr")).to_have_count(2)
    assert_accessible(page, "admin meeting list")
    _no_english(page)

    # Published, not yet recorded: the record is editable, the plan is the meeting page's (it sends the mail).
    page.goto(f"{live_server.url}/admin/meetings/meeting/{coming.pk}/change/")
    expect(page.get_by_role("button", name="Lưu lại", exact=True)).to_be_visible()
    expect(page.get_by_label("Tên nghị quyết / kết luận")).to_be_editable()
    expect(page.locator(".field-planned_date .readonly")).to_have_text("Ngày 18 tháng 12 năm 2026")
    assert_accessible(page, "admin meeting, published")

    # Approved minutes are an official document: nothing to save, nothing to delete, its parts read-only.
    page.goto(f"{live_server.url}/admin/meetings/meeting/{approved.pk}/change/")
    expect(page.get_by_role("button", name="Lưu lại", exact=True)).to_have_count(0)
    expect(page.get_by_role("link", name="Xóa")).to_have_count(0)
    expect(page.locator(".field-resolution_title .readonly")).to_be_visible()
    expect(page.locator("#agenda-group")).to_contain_text("Khai mạc")
    expect(page.locator("#agenda-group input[type=text]")).to_have_count(0)
    screenshot(page, "admin_meeting_approved")
    assert_accessible(page, "admin meeting, approved")

    page.goto(f"{live_server.url}/admin/meetings/outboxmessage/")
    rows = OutboxMessage.objects.filter(meeting=coming).count()
    expect(page.locator("#result_list tbody tr")).to_have_count(rows)
    expect(page.locator("#content-main")).to_contain_text(world.member.email)
    assert_accessible(page, "admin outbox")
    message = OutboxMessage.objects.filter(meeting=coming).first()
    page.goto(f"{live_server.url}/admin/meetings/outboxmessage/{message.pk}/change/")
    expect(page.get_by_role("button", name="Lưu lại", exact=True)).to_have_count(0)
    assert_accessible(page, "admin outbox message")


def _no_english(page: Page) -> None:
    text = page.locator("body").inner_text()
    for words in ENGLISH:
        assert words not in text, f"{words!r} on {page.url}"
    assert "Trang quản trị cho Django" not in text
