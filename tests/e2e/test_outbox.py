"""Browser journey (issue 13): a commune board officer sees on the dashboard that an e-mail could not be delivered,
follows the callout to the organization's sent mail, reads to whom it went and why it failed, and opens it."""

import datetime

import pytest
from django.db.models import F
from playwright.sync_api import Page, expect

from meetings import services
from meetings.models import OutboxMessage
from tests.e2e.conftest import assert_accessible, login, screenshot
from tests.factories import make_meeting, make_member

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BOUNCE = "550 5.1.1 <hai.do@xuanhiep.vn>: Recipient address rejected: mailbox unavailable"


@pytest.fixture
def sent(world):
    """Cell A's meeting of 4 January published (one notice per roster member with an address): Đỗ Thanh Hài's
    bounced for good, the others went out."""
    make_member(world.cell_a, full_name="Lê Văn Cường", email="cuong.le@xuanhiep.vn")
    world.member.email = "hai.do@xuanhiep.vn"
    world.member.save(update_fields=["email"])
    meeting = make_meeting(world.cell_a, planned_date=datetime.date(2027, 1, 4))
    services.meeting_publish(meeting=meeting, by=world.secretary_user)
    rows = OutboxMessage.objects.filter(meeting=meeting)
    rows.update(status=OutboxMessage.Status.SENT, sent_at=F("created_at"), attempts=1)
    bounced = rows.filter(to_email="hai.do@xuanhiep.vn")
    bounced.update(status=OutboxMessage.Status.FAILED, sent_at=None, last_error=BOUNCE)
    return world


def test_a_board_officer_follows_the_failed_mail_callout_to_the_message(live_server, page: Page, sent):
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, live_server, "bantochuc.xa")
    page.get_by_role("link", name="Báo cáo", exact=True).click()
    expect(page.get_by_test_id("dashboard-title")).to_have_text("Đảng bộ xã Xuân Hiệp")
    callout = page.get_by_test_id("failed-mail")
    expect(callout).to_contain_text("1 thư điện tử trong kỳ không gửi được")
    callout.get_by_role("link", name="Xem thư lỗi và người nhận").click()

    expect(page.get_by_role("heading", name="Thư đã gửi")).to_be_visible()
    expect(page.get_by_label("Trạng thái")).to_have_value("failed")
    rows = page.get_by_test_id("outbox-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Đỗ Thanh Hài")
    expect(rows.first).to_contain_text("Recipient address rejected")
    expect(page.get_by_test_id("outbox-counts")).to_contain_text("Đã gửi")
    screenshot(page, "outbox_organization_failed_desktop")
    assert_accessible(page, "organization outbox, failed mail")

    rows.first.get_by_role("link", name="Đỗ Thanh Hài").click()
    message = page.get_by_test_id("outbox-message")
    expect(message).to_contain_text("hai.do@xuanhiep.vn")
    expect(message).to_contain_text(BOUNCE)
    expect(message.get_by_role("link", name="Sinh hoạt")).to_be_visible()
    expect(page.get_by_test_id("outbox-body")).to_contain_text("Kính gửi đồng chí")
    screenshot(page, "outbox_organization_message_desktop")
    assert_accessible(page, "organization outbox, one message")


def test_the_sent_mail_reads_on_a_phone(live_server, phone: Page, sent):
    login(phone, live_server, "bantochuc.xa")
    phone.goto(f"{live_server.url}/to-chuc/{sent.commune.pk}/thu-da-gui/")
    expect(phone.get_by_test_id("outbox-row")).to_have_count(OutboxMessage.objects.count())  # each recipient
    expect(phone.get_by_test_id("outbox-counts")).to_contain_text("Gửi lỗi: 1")
    screenshot(phone, "outbox_organization_phone")
    assert_accessible(phone, "organization outbox (phone)")
