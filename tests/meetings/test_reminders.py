"""Reminders on the outbox (issue 13): found by sweepers in the database, one row per (kind, recipient, subject,
period), sent once, dropped when their reason is gone, missed after their cutoff; timed in Asia/Ho_Chi_Minh."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core import mail

from config.celery import app
from meetings import outbox, reminders, rules, services
from meetings.models import Meeting, OutboxMessage
from meetings.tasks import send_outbox_message, sweep_reminders
from members.models import Assignment
from tests.factories import make_meeting, make_member, seat

pytestmark = pytest.mark.django_db

HANOI = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
Kind = OutboxMessage.Kind
Status = OutboxMessage.Status


def at(day: datetime.date, hour: int = 7, minute: int = 0):
    return time_machine.travel(datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=HANOI), tick=False)


@pytest.fixture
def enqueued(monkeypatch):
    calls: list[int] = []

    def send_task(name, args=(), **options):
        if name == send_outbox_message.name:
            calls.append(*args)

    monkeypatch.setattr(app, "send_task", send_task)
    return calls


@pytest.fixture
def cell(world, enqueued, django_capture_on_commit_callbacks):
    """Cell A with a committee member following it, and a meeting on 10/12/2026 at 14:00, published."""
    w = world
    w.follower = make_member(w.cell_b, full_name="Lê Văn Cường", email="cuong.le@example.vn")
    w.seat = seat(w.follower, w.commune)
    Assignment.objects.create(seat=w.seat, organization=w.cell_a, valid_from=datetime.date(2025, 1, 1))
    w.meeting = make_meeting(w.cell_a, planned_date=datetime.date(2026, 12, 10), planned_time=datetime.time(14, 0))
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_publish(meeting=w.meeting, by=w.secretary_user)
    return w


def rows(kind: str):
    return OutboxMessage.objects.filter(kind=kind).order_by("to_email")


def send_all(kind: str) -> list[str]:
    return [outbox.outbox_send(message_id=pk) for pk in rows(kind).values_list("pk", flat=True)]


def test_the_day_before_reminder_waits_for_the_morning_and_goes_to_everyone_the_agenda_went_to(cell):
    agenda = set(OutboxMessage.objects.filter(kind=Kind.AGENDA).values_list("to_email", flat=True))
    assert len(agenda) >= 3
    with at(datetime.date(2026, 12, 9), 6, 59):
        assert reminders.reminders_sweep() == []
    with at(datetime.date(2026, 12, 9), 7, 0):
        written = reminders.reminders_sweep()
    assert set(rows(Kind.MEETING_TOMORROW).values_list("to_email", flat=True)) == agenda
    assert len(written) == len(agenda)
    row = rows(Kind.MEETING_TOMORROW).get(to_email=cell.follower.email)
    assert row.about == f"meeting:{cell.meeting.pk}" and row.period == datetime.date(2026, 12, 10)
    assert row.organization == cell.cell_a
    assert row.expires_at == datetime.datetime(2026, 12, 10, 14, 0, tzinfo=HANOI)
    assert "Nhắc lịch" in row.subject and "10/12/2026" in row.subject
    assert "Kính gửi đồng chí Lê Văn Cường" in row.body_text and "Hội trường UBND xã" in row.body_text


def test_two_beats_and_two_deliveries_send_one_mail_each(cell):
    with at(datetime.date(2026, 12, 9), 9):
        first = reminders.reminders_sweep()
        again = reminders.reminders_sweep()  # a second beat, the same minute
    assert first and again == []
    mail.outbox.clear()
    with at(datetime.date(2026, 12, 9), 9, 1):
        results = send_all(Kind.MEETING_TOMORROW) + send_all(Kind.MEETING_TOMORROW)
    assert results.count("sent") == len(first) and results.count("skipped") == len(first)
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        rows(Kind.MEETING_TOMORROW).values_list("to_email", flat=True)
    )


def test_a_meeting_cancelled_or_moved_after_the_reminder_was_written_is_not_reminded(cell):
    with at(datetime.date(2026, 12, 9), 8):
        reminders.reminders_sweep()
        services.meeting_cancel(meeting=cell.meeting, reason="Trùng lịch họp của xã", by=cell.secretary_user)
        mail.outbox.clear()
        results = send_all(Kind.MEETING_TOMORROW)
    assert set(results) == {"dropped"} and not mail.outbox
    assert set(rows(Kind.MEETING_TOMORROW).values_list("status", flat=True)) == {Status.DROPPED}


def test_a_moved_meeting_is_reminded_for_its_new_day_only(cell):
    with at(datetime.date(2026, 12, 9), 8):
        reminders.reminders_sweep()
        services.meeting_update_plan(
            meeting=cell.meeting,
            version=None,
            kind=cell.meeting.kind,
            planned_date=datetime.date(2026, 12, 12),
            planned_time=datetime.time(14, 0),
            venue=cell.meeting.venue,
            by=cell.secretary_user,
        )
        assert set(send_all(Kind.MEETING_TOMORROW)) == {"dropped"}
    with at(datetime.date(2026, 12, 11), 7):
        reminders.reminders_sweep()
    new = rows(Kind.MEETING_TOMORROW).filter(period=datetime.date(2026, 12, 12))
    assert new.count() == rows(Kind.MEETING_TOMORROW).filter(status=Status.DROPPED).count() > 0


def test_a_reminder_still_queued_when_the_meeting_starts_is_missed_not_sent(cell):
    with at(datetime.date(2026, 12, 9), 8):
        reminders.reminders_sweep()
    mail.outbox.clear()
    with at(datetime.date(2026, 12, 10), 14, 0):  # the worker was down until the meeting began
        results = send_all(Kind.MEETING_TOMORROW)
    assert set(results) == {"missed"} and not mail.outbox


def test_the_sweeper_marks_expired_queued_reminders_missed(cell):
    with at(datetime.date(2026, 12, 9), 8):
        reminders.reminders_sweep()
    with at(datetime.date(2026, 12, 10), 14, 1):
        reminders.reminders_sweep()
    assert set(rows(Kind.MEETING_TOMORROW).values_list("status", flat=True)) == {Status.MISSED}


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        # 31/12 23:59 in Hà Nội is 16:59 UTC: the meeting of 1/1 at 08:00 is tomorrow.
        (datetime.datetime(2026, 12, 31, 23, 59, tzinfo=HANOI), 1),
        # 1/1 00:00: the same meeting is today, but it is night: nothing before 07:00.
        (datetime.datetime(2027, 1, 1, 0, 0, tzinfo=HANOI), 0),
        (datetime.datetime(2027, 1, 1, 7, 0, tzinfo=HANOI), 1),
        (datetime.datetime(2027, 1, 1, 8, 0, tzinfo=HANOI), 0),  # it has begun
    ],
)
def test_new_years_eve_in_hanoi(world, enqueued, django_capture_on_commit_callbacks, moment, expected):
    meeting = make_meeting(world.cell_a, planned_date=datetime.date(2027, 1, 1), planned_time=datetime.time(8, 0))
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_publish(meeting=meeting, by=world.secretary_user)
    with time_machine.travel(moment, tick=False):
        reminders.reminders_sweep()
    assert rows(Kind.MEETING_TOMORROW).filter(to_email=world.secretary.email).count() == expected


def test_a_meeting_not_recorded_two_days_on_tells_the_secretary_once_even_after_a_day_without_beat(cell):
    with at(datetime.date(2026, 12, 11), 23, 59):
        reminders.reminders_sweep()
    assert not rows(Kind.NOT_RECORDED).exists()
    # Beat was down from the 12th to the 14th: its first run writes the one reminder, the next ones nothing.
    with at(datetime.date(2026, 12, 14), 10):
        reminders.reminders_sweep()
        reminders.reminders_sweep()
    row = rows(Kind.NOT_RECORDED).get()
    assert row.to_email == cell.secretary.email and row.period == datetime.date(2026, 12, 10)
    assert "Chưa ghi biên bản" in row.subject
    assert f"/sinh-hoat/{cell.meeting.pk}/ghi-bien-ban/" in row.body_text


def test_a_cancelled_meeting_is_never_reported_as_not_recorded(cell):
    with at(datetime.date(2026, 12, 9), 8):
        services.meeting_cancel(meeting=cell.meeting, reason="Hoãn vì bão", by=cell.secretary_user)
    with at(datetime.date(2026, 12, 14), 10):
        reminders.reminders_sweep()
    assert not rows(Kind.NOT_RECORDED).exists()


def test_the_reminder_task_hands_the_new_rows_to_the_senders(cell, enqueued):
    enqueued.clear()
    with at(datetime.date(2026, 12, 9), 9):
        handed = sweep_reminders.apply().get()
    assert handed == len(enqueued) == rows(Kind.MEETING_TOMORROW).count() > 0


def test_a_visit_report_not_filed_by_its_due_date_reminds_the_visitor_until_it_is_filed(cell):
    with at(datetime.date(2026, 12, 10), 15):
        visitor = services.visit_record(meeting=cell.meeting, seat=cell.seat)
    due = rules.visit_report_due(visitor)
    assert due == datetime.date(2026, 12, 17)  # the system default: 7 days
    with at(due, 20):
        reminders.reminders_sweep()
    assert not rows(Kind.VISIT_REPORT_LATE).exists()
    with at(datetime.date(2026, 12, 18), 8):
        reminders.reminders_sweep()
    row = rows(Kind.VISIT_REPORT_LATE).get()
    assert row.to_email == cell.follower.email and row.organization == cell.commune
    assert "17/12/2026" in row.body_text
    # Filed before the send: the reminder is dropped.
    with at(datetime.date(2026, 12, 18), 8, 5):
        services.visit_report_save(
            visitor=visitor,
            values={
                "attendance_observed": "Đủ 12/12 đảng viên",
                "followed_guidance": "followed",
                "speakers": 5,
                "resolution_adopted": True,
                "contribution": "Góp ý về kế hoạch phòng chống bão",
                "grade": "good",
            },
            submit=True,
            by=cell.follower,
        )
        assert outbox.outbox_send(message_id=row.pk) == "dropped"


def test_minutes_not_approved_in_time_remind_the_secretary(cell):
    Meeting.objects.filter(pk=cell.meeting.pk).update(status=Meeting.Status.HELD)  # held on 10/12 (recorded)
    with at(datetime.date(2026, 12, 17), 9):  # 7 days (minutes_approval_days): still in time
        reminders.reminders_sweep()
    assert not rows(Kind.MINUTES_LATE).exists()
    with at(datetime.date(2026, 12, 18), 9):
        reminders.reminders_sweep()
    row = rows(Kind.MINUTES_LATE).get()
    assert row.to_email == cell.secretary.email
    Meeting.objects.filter(pk=cell.meeting.pk).update(status=Meeting.Status.APPROVED)
    assert outbox.outbox_send(message_id=row.pk) == "dropped"


def test_the_secretary_is_reminded_to_plan_before_the_fixed_day_only_while_the_month_is_unplanned(world, enqueued):
    # The world's cells meet on the 4th; the system default reminds 5 days before: from 30/12 at 07:00 for January.
    with at(datetime.date(2026, 12, 30), 6, 59):
        reminders.reminders_sweep()
    assert not rows(Kind.PLAN_DUE).exists()
    make_meeting(world.cell_a, planned_date=datetime.date(2027, 1, 4))  # cell A has planned January, cell B not
    with at(datetime.date(2026, 12, 30), 7):
        reminders.reminders_sweep()
    row = rows(Kind.PLAN_DUE).get()
    assert row.to_email == world.outsider.email and row.period == datetime.date(2027, 1, 1)
    assert "tháng 01/2027" in row.subject and "04/01/2027" in row.body_text
    # Cell B plans before the mail goes out: dropped.
    make_meeting(world.cell_b, planned_date=datetime.date(2027, 1, 5))
    assert outbox.outbox_send(message_id=row.pk) == "dropped"


def test_the_plan_reminder_follows_the_committees_policy(world, enqueued):
    from cells.policies import policy_create

    policy_create(
        organization=world.commune,
        valid_from=datetime.date(2026, 1, 1),
        values={"plan_reminder_days": 10},
        source="Kế hoạch 05-KH/ĐU",
    )
    with at(datetime.date(2026, 12, 25), 8):  # 10 days before 4/1
        reminders.reminders_sweep()
    assert list(rows(Kind.PLAN_DUE).values_list("to_email", flat=True)) == [world.secretary.email]


def test_no_thematic_meeting_with_three_weeks_left_tells_the_secretary_and_the_board(world, enqueued):
    world.board_user.email = "bantochuc@example.vn"
    world.board_user.save()
    make_meeting(world.cell_b, kind="thematic", planned_date=datetime.date(2026, 12, 20), topic="Nghị quyết 57")
    with at(datetime.date(2026, 12, 10), 23, 59):
        reminders.reminders_sweep()
    assert not rows(Kind.THEMATIC_MISSING).exists()
    with at(datetime.date(2026, 12, 11), 7):
        reminders.reminders_sweep()
    sent_to = set(rows(Kind.THEMATIC_MISSING).values_list("to_email", flat=True))
    assert sent_to == {world.secretary.email, "bantochuc@example.vn"}  # cell B has its thematic meeting planned
    copy = rows(Kind.THEMATIC_MISSING).get(to_email="bantochuc@example.vn")
    assert "quý 4/2026" in copy.subject and "để biết và đôn đốc" in copy.body_text
    assert copy.expires_at == datetime.datetime(2027, 1, 1, 0, 0, tzinfo=HANOI)


def test_an_agenda_published_early_goes_out_again_the_policys_days_before_with_the_same_invite(cell):
    # Published on 4/12 for 10/12; HD 42's three days: sent again on 7/12 from 07:00.
    first = OutboxMessage.objects.get(kind=Kind.AGENDA, to_email=cell.follower.email)
    with at(datetime.date(2026, 12, 6), 23):
        reminders.reminders_sweep()
    assert not rows(Kind.AGENDA_REMINDER).exists()
    with at(datetime.date(2026, 12, 7), 7):
        reminders.reminders_sweep()
    again = rows(Kind.AGENDA_REMINDER).get(to_email=cell.follower.email)
    assert again.meeting == cell.meeting and again.subject == first.subject
    uid = next(line for line in first.ics.splitlines() if line.startswith("UID:"))
    assert uid in again.ics.splitlines() and again.body_html
    assert rows(Kind.AGENDA_REMINDER).count() == OutboxMessage.objects.filter(kind=Kind.AGENDA).count()


def test_an_agenda_published_within_the_lead_time_is_not_sent_twice(
    world, enqueued, django_capture_on_commit_callbacks
):
    meeting = make_meeting(world.cell_a, planned_date=datetime.date(2026, 12, 6), planned_time=datetime.time(14, 0))
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_publish(meeting=meeting, by=world.secretary_user)  # on 4/12: two days before
    with at(datetime.date(2026, 12, 5), 9):
        reminders.reminders_sweep()
    assert not rows(Kind.AGENDA_REMINDER).exists()


def test_a_committee_member_short_of_the_quota_with_three_weeks_left_is_told_what_is_missing(world, enqueued):
    from meetings.quotas import quota_progress

    services.quota_set_from_preset(
        organization=world.province, key="kon-tum-776-2023", valid_from=datetime.date(2023, 1, 1)
    )
    follower = make_member(world.cell_b, full_name="Lê Văn Cường", email="cuong.le@example.vn")
    member_seat = seat(follower, world.commune)
    Assignment.objects.create(seat=member_seat, organization=world.cell_a, valid_from=datetime.date(2025, 1, 1))
    meeting = make_meeting(world.cell_a, planned_date=datetime.date(2026, 11, 4))
    with at(datetime.date(2026, 11, 4), 15):
        services.visit_record(meeting=meeting, seat=member_seat)
    with at(datetime.date(2026, 12, 10), 23):
        reminders.reminders_sweep()
    assert not rows(Kind.QUOTA_BEHIND).exists()
    with at(datetime.date(2026, 12, 11), 7):
        reminders.reminders_sweep()
    row = rows(Kind.QUOTA_BEHIND).get()
    assert row.to_email == "cuong.le@example.vn" and row.about == f"seat:{member_seat.pk}"
    assert "Năm 2026" in row.body_text and "đã dự 1/6" in row.body_text
    assert "không tính chi bộ nơi mình sinh hoạt" in row.body_text
    # Five more visits before the send: the quota is met, the reminder dropped.
    for day in (5, 6, 7, 8, 9):
        extra = make_meeting(world.cell_a, kind="extraordinary", planned_date=datetime.date(2026, 12, day))
        with at(datetime.date(2026, 12, day), 15):
            services.visit_record(meeting=extra, seat=member_seat)
    [progress] = quota_progress(
        [member_seat], datetime.date(2026, 1, 1), datetime.date(2027, 1, 1), today=datetime.date(2026, 12, 11)
    )
    assert [line.done for line in progress.lines] == [6]
    with at(datetime.date(2026, 12, 11), 8):
        assert outbox.outbox_send(message_id=row.pk) == "dropped"


def _login(client, user):
    client.force_login(user)
    return client


def test_the_board_sees_what_was_sent_to_whom_and_what_was_not(client, cell, django_assert_max_num_queries):
    with at(datetime.date(2026, 12, 9), 8):
        reminders.reminders_sweep()
        services.meeting_cancel(meeting=cell.meeting, reason="Trùng lịch", by=cell.secretary_user)
    with at(datetime.date(2026, 12, 9), 8, 5):
        send_all(Kind.MEETING_TOMORROW)
    url = f"/to-chuc/{cell.commune.pk}/thu-da-gui/"
    client = _login(client, cell.board_user)
    with django_assert_max_num_queries(12):
        body = client.get(url).content.decode()
    assert "Nhắc họp ngày mai" in body and "Không gửi: hết lý do nhắc" in body and cell.follower.email in body
    assert "Hủy buổi sinh hoạt" in body  # the meeting's own mail is there too
    dropped = client.get(url, {"trang-thai": "dropped"}).content.decode()
    assert dropped.count('data-testid="outbox-row"') == rows(Kind.MEETING_TOMORROW).count()
    row = rows(Kind.MEETING_TOMORROW).first()
    detail = client.get(f"{url}{row.pk}/").content.decode()
    assert row.subject in detail and "Kính gửi đồng chí" in detail


def test_the_outbox_of_an_organization_is_for_its_readers(client, cell):
    url = f"/to-chuc/{cell.commune.pk}/thu-da-gui/"
    assert _login(client, cell.outsider_user).get(url).status_code == 404
    assert _login(client, cell.member_user).get(f"/to-chuc/{cell.cell_a.pk}/thu-da-gui/").status_code == 403
    other = OutboxMessage.objects.filter(kind=Kind.AGENDA).first()
    assert (
        _login(client, cell.outsider_user).get(f"/to-chuc/{cell.cell_b.pk}/thu-da-gui/{other.pk}/").status_code == 404
    )


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        # The last minute of the quarter in Hà Nội: Q4 has no thematic meeting, three weeks are long gone: due.
        (datetime.datetime(2026, 12, 31, 23, 59, tzinfo=HANOI), 1),
        # The first minute of Q1 (17:00 UTC on the 31st): thirteen weeks left, nothing due, Q4's is too late.
        (datetime.datetime(2027, 1, 1, 0, 0, tzinfo=HANOI), 0),
    ],
)
def test_the_quarter_turns_at_midnight_in_hanoi(world, enqueued, moment, expected):
    with time_machine.travel(moment, tick=False):
        reminders.reminders_sweep()
    assert rows(Kind.THEMATIC_MISSING).filter(to_email=world.secretary.email).count() == expected


def test_a_beat_down_for_a_day_sends_what_is_still_due_once_and_nothing_stale(cell):
    """Beat (and the workers) stopped on 8/12 at 23:00 and came back on 10/12 at 15:00: the agenda reminder written
    before the stop is missed, not sent; the day-before reminder of the meeting of 10/12 at 14:00 is stale (never
    written); nothing is written twice."""
    with at(datetime.date(2026, 12, 8), 23):
        reminders.reminders_sweep()
    assert rows(Kind.AGENDA_REMINDER).exists()
    with at(datetime.date(2026, 12, 10), 15):
        first = reminders.reminders_sweep()
        second = reminders.reminders_sweep()
    assert not rows(Kind.MEETING_TOMORROW).exists()
    assert set(rows(Kind.AGENDA_REMINDER).values_list("status", flat=True)) == {Status.MISSED}
    assert second == []
    assert set(OutboxMessage.objects.filter(pk__in=first).values_list("kind", flat=True)) <= {Kind.THEMATIC_MISSING}


def test_the_cells_outbox_lists_its_members_without_an_address(client, world):
    no_email = make_member(world.cell_a, full_name="Bùi Văn An", email="")
    body = _login(client, world.secretary_user).get(f"/to-chuc/{world.cell_a.pk}/thu-da-gui/").content.decode()
    listed = body.split('data-testid="without-email"')[1].split("</ul>")[0]
    assert no_email.full_name in listed and world.member.full_name not in listed


def test_the_overdue_report_reminder_links_to_the_report(cell):
    with at(datetime.date(2026, 12, 10), 15):
        visitor = services.visit_record(meeting=cell.meeting, seat=cell.seat)
    with at(datetime.date(2026, 12, 18), 8):
        reminders.reminders_sweep()
    assert f"/du-sinh-hoat/{visitor.pk}/bao-cao/" in rows(Kind.VISIT_REPORT_LATE).get().body_text
