"""The reminders that read the compliance figures (issue 13): three months absent without reason (to the secretary),
and the monthly digest to each board."""

import datetime

import pytest

from meetings import outbox, reminders
from meetings.models import OutboxMessage
from tests.factories import UserFactory, grant, make_secretary
from tests.reports.compliance_helpers import Tree, hold, local, travel
from tests.reports.test_dashboard import finding

pytestmark = pytest.mark.django_db

Kind = OutboxMessage.Kind


@pytest.fixture
def enqueued(monkeypatch):
    from config.celery import app

    monkeypatch.setattr(app, "send_task", lambda *args, **kwargs: None)


def test_the_secretary_is_told_once_when_a_member_misses_a_third_month_without_reason(enqueued):
    tree = Tree()
    cell = tree.cell(official=5)
    secretary = make_secretary(cell, UserFactory(username="bithu.lc"), full_name="Vũ Thị Mai")
    cell.members.append(secretary)  # present at every meeting
    absent = cell.members[4]
    hold(cell, datetime.date(2026, 1, 5), absent={4})
    hold(cell, datetime.date(2026, 2, 5), absent={4})
    with travel(local(2026, 2, 20, 9)):
        reminders.reminders_sweep()
    assert not OutboxMessage.objects.filter(kind=Kind.ABSENCES).exists()
    hold(cell, datetime.date(2026, 3, 5), absent={4})
    with travel(local(2026, 3, 6, 9)):
        reminders.reminders_sweep()
        reminders.reminders_sweep()
    row = OutboxMessage.objects.get(kind=Kind.ABSENCES)
    assert row.to_email == secretary.email and row.about == f"member:{absent.pk}" and row.period.year == 2026
    assert absent.full_name in row.subject and "3 tháng" in row.subject
    assert "01/2026, 02/2026, 03/2026" in row.body_text and "Quy định 294-QĐ/TW" in row.body_text
    # A fourth month is the same reminder (once a year).
    hold(cell, datetime.date(2026, 4, 5), absent={4})
    with travel(local(2026, 4, 6, 9)):
        reminders.reminders_sweep()
        assert outbox.outbox_send(message_id=row.pk) == "sent"
    assert OutboxMessage.objects.filter(kind=Kind.ABSENCES).count() == 1


def test_each_board_gets_last_months_shortfalls_from_the_first_of_the_month(enqueued):
    tree = Tree()
    short, fine = tree.cell(official=3, name="Chi bộ thôn Bản Lầu"), tree.cell(official=3, name="Chi bộ thôn Cốc")
    finding(short, datetime.date(2026, 11, 1), fail=["length"], length_minutes=70)
    finding(fine, datetime.date(2026, 11, 1))
    staff = UserFactory(username="bantochuc.baoha", email="btc.baoha@example.vn", first_name="Hà")
    grant(staff, tree.commune)
    province_staff = UserFactory(username="bantochuc.tinh", email="btc.tinh@example.vn")
    grant(province_staff, tree.province)
    with travel(local(2026, 11, 30, 23, 59)):
        reminders.reminders_sweep()
    assert not OutboxMessage.objects.filter(kind=Kind.DIGEST).exists()
    with travel(local(2026, 12, 1, 7)):
        reminders.reminders_sweep()
    digests = {row.to_email: row for row in OutboxMessage.objects.filter(kind=Kind.DIGEST)}
    assert set(digests) == {"btc.baoha@example.vn", "btc.tinh@example.vn"}
    commune = digests["btc.baoha@example.vn"]
    assert commune.period == datetime.date(2026, 11, 1) and "Đảng bộ xã Bảo Hà" in commune.subject
    assert "2 chi bộ được đánh giá" in commune.body_text and "Chi bộ chưa đạt quy định: 1" in commune.body_text
    assert "Chi bộ thôn Bản Lầu" in commune.body_text and "Chi bộ thôn Cốc" not in commune.body_text
    assert "70/90" in commune.body_text and "?ky=thang-2026-11" in commune.body_text
    # After the 10th the month's digest is no longer written (a beat down that long).
    OutboxMessage.objects.filter(kind=Kind.DIGEST).delete()
    with travel(local(2026, 12, 11, 7)):
        reminders.reminders_sweep()
    assert not OutboxMessage.objects.filter(kind=Kind.DIGEST).exists()


def test_a_digest_for_a_board_whose_grant_ended_is_dropped(enqueued):
    tree = Tree()
    finding(tree.cell(official=3), datetime.date(2026, 11, 1), fail=["length"], length_minutes=70)
    staff = UserFactory(username="bantochuc.cu", email="btc.cu@example.vn")
    access = grant(staff, tree.commune)
    with travel(local(2026, 12, 1, 8)):
        reminders.reminders_sweep()
        access.valid_to = datetime.date(2026, 12, 1)
        access.save()
        row = OutboxMessage.objects.get(kind=Kind.DIGEST)
        assert outbox.outbox_send(message_id=row.pk) == "dropped"
