"""Planning, publishing, cancelling, materials, absence notices and approval: services and pages."""

import datetime
import re
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from icalendar import Calendar

from meetings import services
from meetings.models import AbsenceNotice, AgendaItem, Attendance, Meeting, OutboxMessage
from meetings.views import _next_meeting_date
from tests.factories import make_meeting

pytestmark = pytest.mark.django_db

TODAY = datetime.datetime(2026, 11, 22, 9, 0, tzinfo=datetime.UTC)
HANOI = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


def _login(client, user):
    client.force_login(user)
    return client


# --- Planning -------------------------------------------------------------------------------------------------------


def test_the_plan_form_is_prefilled_from_the_cells_fixed_day_time_and_venue(client, world):
    world.cell_a.meeting_time = datetime.time(14, 30)
    world.cell_a.venue = "Hội trường UBND xã"
    world.cell_a.save()

    body = _login(client, world.secretary_user).get(reverse("meetings:plan", args=[world.cell_a.pk])).content.decode()

    # The 4th of November has passed on 22 November: the next regular meeting is on 4 December.
    assert 'value="2026-12-04"' in body
    assert 'value="14:30"' in body
    assert "Hội trường UBND xã" in body


def _local(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=HANOI)


@pytest.mark.parametrize(
    ("now", "meeting_day", "meeting_time", "expected"),
    [
        # The report's instant: the 4th, 18:33; the meeting at 14:00 has begun, so next month's.
        (_local(2026, 12, 4, 18, 33), 4, datetime.time(14, 0), datetime.date(2027, 1, 4)),
        # The same day before the meeting: today's is still ahead.
        (_local(2026, 12, 4, 9, 0), 4, datetime.time(14, 0), datetime.date(2026, 12, 4)),
        # At the very minute it begins it is no longer ahead.
        (_local(2026, 12, 4, 14, 0), 4, datetime.time(14, 0), datetime.date(2027, 1, 4)),
        # No time set: the default 14:00 counts.
        (_local(2026, 12, 4, 14, 30), 4, None, datetime.date(2027, 1, 4)),
        (_local(2026, 12, 4, 13, 30), 4, None, datetime.date(2026, 12, 4)),
        # An evening meeting later than "now": still today.
        (_local(2026, 12, 4, 18, 33), 4, datetime.time(19, 30), datetime.date(2026, 12, 4)),
        # The last day of the month (0): New Year's Eve after the meeting, then across February, leap year or not.
        (_local(2026, 12, 31, 23, 59), 0, datetime.time(14, 0), datetime.date(2027, 1, 31)),
        (_local(2027, 1, 31, 15, 0), 0, datetime.time(14, 0), datetime.date(2027, 2, 28)),
        (_local(2028, 1, 31, 15, 0), 0, datetime.time(14, 0), datetime.date(2028, 2, 29)),
        # 23:30 UTC on 3 December is 06:30 on the 4th in Hà Nội: the local day and time count.
        (
            datetime.datetime(2026, 12, 3, 23, 30, tzinfo=datetime.UTC),
            4,
            datetime.time(14, 0),
            datetime.date(2026, 12, 4),
        ),
        (
            datetime.datetime(2026, 12, 4, 7, 30, tzinfo=datetime.UTC),
            4,
            datetime.time(14, 0),
            datetime.date(2027, 1, 4),
        ),
    ],
)
def test_the_proposed_date_is_the_first_fixed_day_whose_day_and_time_are_still_ahead(
    world, now, meeting_day, meeting_time, expected
):
    world.cell_a.meeting_day, world.cell_a.meeting_time = meeting_day, meeting_time

    assert _next_meeting_date(world.cell_a, now) == expected


def test_the_proposed_date_skips_months_that_already_have_a_regular_meeting(world):
    make_meeting(world.cell_a, planned_date=datetime.date(2026, 12, 10))
    make_meeting(world.cell_a, planned_date=datetime.date(2027, 1, 4))
    cancelled = make_meeting(world.cell_a, planned_date=datetime.date(2027, 2, 4))
    services.meeting_cancel(meeting=cancelled, reason="Bão")

    assert _next_meeting_date(world.cell_a, _local(2026, 12, 4, 9, 0)) == datetime.date(2027, 2, 4)


def test_after_the_meeting_time_on_the_meeting_day_the_plan_form_proposes_next_month(client, world):
    with time_machine.travel(_local(2026, 12, 4, 18, 33), tick=False):
        body = _login(client, world.secretary_user).get(reverse("meetings:plan", args=[world.cell_a.pk]))

    assert 'value="2027-01-04"' in body.content.decode()


def test_a_new_plan_in_the_past_asks_to_confirm_that_the_meeting_took_place(client, world):
    # 22 November, 16:00 in Hà Nội: the 14:00 meeting of that day has begun.
    data = {"kind": "regular", "planned_date": "2026-11-22", "planned_time": "14:00", "venue": "Hội trường"}
    client = _login(client, world.secretary_user)

    refused = client.post(reverse("meetings:plan", args=[world.cell_a.pk]), data)

    body = refused.content.decode()
    assert refused.status_code == 200
    assert "Giờ họp 14:00 ngày 22/11/2026 đã qua." in body
    assert 'type="checkbox" name="confirm_past"' in body
    assert not Meeting.objects.filter(organization=world.cell_a).exists()

    confirmed = client.post(reverse("meetings:plan", args=[world.cell_a.pk]), {**data, "confirm_past": "on"})

    assert confirmed.status_code == 302
    assert Meeting.objects.get(organization=world.cell_a).planned_date == datetime.date(2026, 11, 22)


def test_a_new_plan_later_today_is_not_questioned(client, world):
    response = _login(client, world.secretary_user).post(
        reverse("meetings:plan", args=[world.cell_a.pk]),
        {"kind": "extraordinary", "planned_date": "2026-11-22", "planned_time": "19:00", "venue": "Hội trường"},
    )

    assert response.status_code == 302
    assert Meeting.objects.get(organization=world.cell_a).planned_time == datetime.time(19, 0)


def test_the_plan_form_hides_the_past_confirmation_until_it_is_needed(client, world):
    body = _login(client, world.secretary_user).get(reverse("meetings:plan", args=[world.cell_a.pk])).content.decode()

    assert 'type="hidden" name="confirm_past"' in body
    assert 'type="checkbox" name="confirm_past"' not in body


def test_editing_a_plan_to_a_past_start_asks_to_confirm_as_a_new_plan_does(client, world):
    # 22 November, 16:00 in Hà Nội: moving the 4 December meeting to 20 November is moving it into the past.
    meeting = make_meeting(world.cell_a, planned_date=datetime.date(2026, 12, 4))
    data = {
        "kind": "regular",
        "planned_date": "2026-11-20",
        "planned_time": "14:00",
        "venue": "Hội trường",
        "version": meeting.version,
    }
    client = _login(client, world.secretary_user)

    asked = client.post(reverse("meetings:edit", args=[meeting.pk]), data)

    assert "Giờ họp 14:00 ngày 20/11/2026 đã qua." in asked.content.decode()
    meeting.refresh_from_db()
    assert meeting.planned_date == datetime.date(2026, 12, 4)

    confirmed = client.post(reverse("meetings:edit", args=[meeting.pk]), {**data, "confirm_past": "on"})

    assert confirmed.status_code == 302
    meeting.refresh_from_db()
    assert meeting.planned_date == datetime.date(2026, 11, 20)


def test_planning_creates_the_agenda_from_the_order_of_business(client, world):
    response = _login(client, world.secretary_user).post(
        reverse("meetings:plan", args=[world.cell_a.pk]),
        {"kind": "regular", "planned_date": "2026-12-04", "planned_time": "14:00", "venue": "Hội trường"},
    )

    meeting = Meeting.objects.get(organization=world.cell_a)
    titles = list(meeting.agenda.values_list("title", flat=True))
    assert response.status_code == 302
    assert titles[0] == "Khai mạc"
    assert "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh" in titles
    assert titles[-1].startswith("Biểu quyết nghị quyết")
    assert meeting.status == Meeting.Status.PLANNED and meeting.month == datetime.date(2026, 12, 1)


def test_one_regular_meeting_per_cell_per_month(client, world):
    make_meeting(world.cell_a, planned_date=datetime.date(2026, 12, 4))

    response = _login(client, world.secretary_user).post(
        reverse("meetings:plan", args=[world.cell_a.pk]),
        {"kind": "regular", "planned_date": "2026-12-20", "planned_time": "14:00", "venue": "Hội trường"},
    )
    extra = _login(client, world.secretary_user).post(
        reverse("meetings:plan", args=[world.cell_a.pk]),
        {"kind": "extraordinary", "planned_date": "2026-12-20", "planned_time": "14:00", "venue": "Hội trường"},
    )

    assert "Tháng 12/2026 đã có buổi sinh hoạt định kỳ (ngày 04/12/2026)" in response.content.decode()
    assert extra.status_code == 302
    assert Meeting.objects.filter(organization=world.cell_a).count() == 2


def test_a_cancelled_regular_meeting_frees_its_month(world):
    meeting = make_meeting(world.cell_a, planned_date=datetime.date(2026, 12, 4))
    services.meeting_cancel(meeting=meeting, reason="Bão")

    again = make_meeting(world.cell_a, planned_date=datetime.date(2026, 12, 11))

    assert again.month == datetime.date(2026, 12, 1)


def test_a_thematic_meeting_needs_a_topic(client, world):
    before = Meeting.objects.count()

    response = _login(client, world.secretary_user).post(
        reverse("meetings:plan", args=[world.cell_a.pk]),
        {"kind": "thematic", "planned_date": "2026-12-10", "planned_time": "14:00", "venue": "Hội trường"},
    )

    assert "Sinh hoạt chuyên đề phải có tên chuyên đề." in response.content.decode()
    assert Meeting.objects.count() == before


def test_a_custom_agenda_is_kept_in_order(client, world):
    _login(client, world.secretary_user).post(
        reverse("meetings:plan", args=[world.cell_a.pk]),
        {
            "kind": "regular",
            "planned_date": "2026-12-04",
            "planned_time": "14:00",
            "venue": "Hội trường",
            "agenda": "1. Khai mạc\n2. Tình hình tháng 11 — báo cáo của chi ủy\n\n3. Nhiệm vụ tháng 12",
        },
    )

    items = list(AgendaItem.objects.filter(meeting__organization=world.cell_a).values_list("title", "details"))
    assert items == [("Khai mạc", ""), ("Tình hình tháng 11", "báo cáo của chi ủy"), ("Nhiệm vụ tháng 12", "")]


def test_the_meeting_list_shows_months_and_flags_a_missing_regular_meeting(client, world, django_assert_num_queries):
    make_meeting(world.cell_a, planned_date=datetime.date(2026, 10, 4))
    client = _login(client, world.board_user)
    url = reverse("meetings:list", args=[world.cell_a.pk])
    # session, user, scope (6), organization, meetings with their figures, their speakers, the policy history, the
    # years that have meetings
    with django_assert_num_queries(13):
        body = client.get(url).content.decode()

    assert "Tháng 10/2026" in body and "Tháng 11/2026" in body
    assert "chưa có sinh hoạt định kỳ" in body  # November has none


def _listed_months(body: str) -> list[str]:
    return re.findall(r"<h2 class=\"h6 mb-1\">Tháng (\d\d/\d{4})</h2>", body)


def test_the_meeting_list_shows_twelve_months_the_current_one_two_ahead_and_nine_before(client, world):
    body = _login(client, world.board_user).get(reverse("meetings:list", args=[world.cell_a.pk])).content.decode()

    # Today is 22/11/2026: January 2027 back to February 2026, newest first.
    assert _listed_months(body) == [f"{m:02d}/2027" for m in (1,)] + [f"{m:02d}/2026" for m in range(12, 1, -1)]


@pytest.mark.parametrize(
    ("chosen", "first", "last"),
    [("2026-03", "04/2025", "03/2026"), ("2025-12", "01/2025", "12/2025"), ("2028-02", "03/2027", "02/2028")],
)
def test_the_meeting_list_shows_the_twelve_months_ending_with_the_chosen_one(client, world, chosen, first, last):
    make_meeting(world.cell_a, planned_date=datetime.date(2025, 3, 4))
    url = reverse("meetings:list", args=[world.cell_a.pk])

    body = _login(client, world.board_user).get(url, {"thang": chosen}).content.decode()

    months = _listed_months(body)
    assert (len(months), months[0], months[-1]) == (12, last, first)
    assert ("04/03 · " in body) == (chosen == "2025-12")  # the meeting of March 2025 only in that window


def test_a_month_that_is_not_a_month_lists_the_default_window(client, world):
    url = reverse("meetings:list", args=[world.cell_a.pk])
    body = _login(client, world.board_user).get(url, {"thang": "2026-13"}).content.decode()

    assert _listed_months(body)[0] == "01/2027"


@pytest.mark.parametrize("count", [1, 6])
def test_the_meeting_list_runs_in_a_constant_number_of_queries(client, world, django_assert_num_queries, count):
    for month in range(1, count + 1):
        make_meeting(world.cell_a, planned_date=datetime.date(2026, month, 4))
    client = _login(client, world.board_user)
    with django_assert_num_queries(13):
        client.get(reverse("meetings:list", args=[world.cell_a.pk]))


# --- Editing and publishing -------------------------------------------------------------------------------------------


def test_editing_with_a_stale_version_is_refused_and_the_input_kept(client, world):
    meeting = make_meeting(world.cell_a, planned_date=datetime.date(2026, 12, 4))
    services.meeting_update_plan(
        meeting=meeting,
        version=meeting.version,
        kind="regular",
        planned_date=meeting.planned_date,
        planned_time=datetime.time(15, 0),
        venue="Nhà văn hóa",
    )

    response = _login(client, world.secretary_user).post(
        reverse("meetings:edit", args=[meeting.pk]),
        {
            "kind": "regular",
            "planned_date": "2026-12-04",
            "planned_time": "08:00",
            "venue": "Phòng họp B",
            "version": 1,
        },
    )

    body = response.content.decode()
    meeting.refresh_from_db()
    assert "vừa được người khác lưu" in body
    assert "Phòng họp B" in body  # what they typed is still there
    assert meeting.venue == "Nhà văn hóa"


def test_editing_without_a_version_is_refused(client, world):
    """Issue 11, point 7, for the plan: a POST without ``version`` would overwrite another user's save."""
    meeting = make_meeting(world.cell_a, planned_date=datetime.date(2026, 12, 4), venue="Nhà văn hóa")
    data = {"kind": "regular", "planned_date": "2026-12-04", "planned_time": "19:00", "venue": "Phòng họp B"}

    response = _login(client, world.secretary_user).post(reverse("meetings:edit", args=[meeting.pk]), data)

    meeting.refresh_from_db()
    assert response.status_code == 200
    assert "thiếu số phiên bản để đối chiếu với bản đã lưu" in response.content.decode()
    assert meeting.venue == "Nhà văn hóa"


def test_editing_a_published_meeting_mails_the_new_time_with_the_new_agenda(client, world):
    meeting = make_meeting(world.cell_a, planned_date=datetime.date(2026, 12, 4))
    services.meeting_publish(meeting=meeting)
    meeting.refresh_from_db()

    response = _login(client, world.secretary_user).post(
        reverse("meetings:edit", args=[meeting.pk]),
        {
            "kind": "regular",
            "planned_date": "2026-12-05",
            "planned_time": "08:00",
            "venue": meeting.venue,
            "agenda": "Khai mạc\nBàn việc làm đường liên thôn\nBế mạc",
            "version": meeting.version,
        },
    )

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert list(meeting.agenda.values_list("title", flat=True)) == [
        "Khai mạc",
        "Bàn việc làm đường liên thôn",
        "Bế mạc",
    ]
    update = OutboxMessage.objects.filter(meeting=meeting, kind="update").first()
    assert update is not None and "Bàn việc làm đường liên thôn" in update.body_text  # the new agenda, not the old
    (event,) = Calendar.from_ical(update.ics).walk("VEVENT")
    assert "Bàn việc làm đường liên thôn" in str(event["DESCRIPTION"])


def test_a_plan_edit_whose_agenda_is_refused_changes_nothing(world):
    meeting = make_meeting(world.cell_a, planned_date=datetime.date(2026, 12, 4))
    services.meeting_publish(meeting=meeting)
    meeting.refresh_from_db()
    before = (meeting.planned_time, meeting.version, meeting.sequence, list(meeting.agenda.values_list("title")))

    with pytest.raises(ValidationError):
        services.meeting_update_plan(
            meeting=meeting,
            version=meeting.version,
            kind="regular",
            planned_date=meeting.planned_date,
            planned_time=datetime.time(8, 0),
            venue=meeting.venue,
            agenda=[("  ", "")],
        )

    meeting.refresh_from_db()
    assert (
        meeting.planned_time,
        meeting.version,
        meeting.sequence,
        list(meeting.agenda.values_list("title")),
    ) == before
    assert not OutboxMessage.objects.filter(meeting=meeting, kind="update").exists()


def test_publishing_twice_is_refused(world, django_capture_on_commit_callbacks):
    meeting = make_meeting(world.cell_a, planned_date=datetime.date(2026, 12, 4))
    with django_capture_on_commit_callbacks():
        services.meeting_publish(meeting=meeting)

    with pytest.raises(ValidationError):
        services.meeting_publish(meeting=meeting)


def test_publish_tells_the_secretary_who_has_no_email(client, world, django_capture_on_commit_callbacks):
    world.plain_member.email = ""
    world.plain_member.save()
    meeting = make_meeting(world.cell_a, planned_date=datetime.date(2026, 12, 4))

    with django_capture_on_commit_callbacks():
        response = _login(client, world.secretary_user).post(
            reverse("meetings:publish", args=[meeting.pk]), follow=True
        )

    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.PUBLISHED
    assert "cần báo trên giấy: Quách Thị Hương" in response.content.decode()


# --- Member side ---------------------------------------------------------------------------------------------------


def test_a_member_says_ahead_they_will_be_absent_and_the_secretary_sees_it(client, world):
    meeting = make_meeting(world.cell_a, planned_date=datetime.date(2026, 12, 4))

    _login(client, world.member_user).post(reverse("meetings:absence", args=[meeting.pk]), {"reason": "Đi công tác"})
    secretary_view = _login(client, world.secretary_user).get(reverse("meetings:detail", args=[meeting.pk]))
    rows = services.attendance_prepare(meeting=meeting)

    assert AbsenceNotice.objects.get(meeting=meeting).reason == "Đi công tác"
    assert "Đỗ Thanh Hài: Đi công tác" in secretary_view.content.decode()
    hai = next(row for row in rows if row.member == world.member)
    assert (hai.status, hai.reason) == (Attendance.Status.EXCUSED, "Đi công tác")


def test_an_absence_notice_needs_a_reason_and_is_refused_after_the_start(client, world):
    meeting = make_meeting(world.cell_a, planned_date=datetime.date(2026, 11, 22), planned_time=datetime.time(8, 0))

    empty = _login(client, world.member_user).post(
        reverse("meetings:absence", args=[meeting.pk]), {"reason": " "}, follow=True
    )
    late = _login(client, world.member_user).post(
        reverse("meetings:absence", args=[meeting.pk]), {"reason": "Ốm"}, follow=True
    )

    assert "Ghi lý do vắng." in empty.content.decode()
    assert "Đã đến giờ họp" in late.content.decode()
    assert not AbsenceNotice.objects.exists()


def test_my_meetings_lists_upcoming_meetings_with_the_agenda(client, world):
    make_meeting(world.cell_a, planned_date=datetime.date(2026, 12, 4))
    make_meeting(world.cell_b, planned_date=datetime.date(2026, 12, 5))

    body = _login(client, world.member_user).get(reverse("meetings:mine")).content.decode()

    assert body.count('data-testid="upcoming-meeting"') == 1
    assert "Khai mạc" in body


# --- Materials -------------------------------------------------------------------------------------------------------


def test_materials_are_checked_and_served_only_to_those_who_see_the_meeting(client, world):
    meeting = make_meeting(world.cell_a, planned_date=datetime.date(2026, 12, 4))
    pdf = SimpleUploadedFile("bao-cao.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    fake = SimpleUploadedFile("virus.pdf", b"MZ\x90\x00", content_type="application/pdf")

    _login(client, world.secretary_user).post(reverse("meetings:material_add", args=[meeting.pk]), {"file": pdf})
    refused = client.post(reverse("meetings:material_add", args=[meeting.pk]), {"file": fake}, follow=True)
    material = meeting.materials.get()
    url = reverse("meetings:material", args=[meeting.pk, material.pk])

    assert "Nội dung tệp không đúng với đuôi .pdf." in refused.content.decode()
    assert meeting.materials.count() == 1
    assert b"".join(_login(client, world.member_user).get(url).streaming_content) == b"%PDF-1.4 test"
    assert _login(client, world.outsider_user).get(url).status_code == 404


# --- Approval ---------------------------------------------------------------------------------------------------


def _held(world):
    meeting = make_meeting(world.cell_a, planned_date=datetime.date(2026, 11, 4))
    services.attendance_prepare(meeting=meeting)
    for member in (world.secretary, world.member, world.plain_member):
        services.attendance_set(meeting=meeting, member=member, status="present")
    start = datetime.datetime(2026, 11, 4, 7, 0, tzinfo=datetime.UTC)
    return services.meeting_record(
        meeting=meeting,
        version=None,
        started_at=start,
        ended_at=start + datetime.timedelta(minutes=100),
        chair=world.secretary,
        recorder=world.member,
        mark_held=True,
    )


def test_only_the_chair_approves_and_approval_locks_the_minutes(client, world):
    meeting = _held(world)

    refused = _login(client, world.board_writer).post(reverse("meetings:approve", args=[meeting.pk]), follow=True)
    approved = _login(client, world.secretary_user).post(reverse("meetings:approve", args=[meeting.pk]), follow=True)
    meeting.refresh_from_db()

    assert "Chỉ đồng chí chủ trì" in refused.content.decode()
    assert meeting.status == Meeting.Status.APPROVED and meeting.number == 1
    assert "Đã duyệt biên bản" in approved.content.decode()
    with pytest.raises(ValidationError) as locked:
        services.speech_add(meeting=meeting, member=world.member, summary="Thêm ý kiến")
    assert "lý do đính chính" in " ".join(locked.value.messages)


def test_a_correction_with_a_reason_is_kept_in_the_history_and_shown(client, world):
    meeting = _held(world)
    services.minutes_approve(meeting=meeting, by=world.secretary_user)

    services.speech_add(
        meeting=meeting, member=world.member, summary="Bổ sung ý kiến", correction_reason="Thiếu ý kiến đồng chí Hài"
    )
    body = _login(client, world.board_user).get(reverse("meetings:detail", args=[meeting.pk])).content.decode()

    meeting.refresh_from_db()
    assert meeting.correction_count == 1
    assert meeting.history.filter(history_change_reason__contains="Thiếu ý kiến đồng chí Hài").exists()
    assert "đã đính chính 1 lần" in body
    assert "Đính chính: Thiếu ý kiến đồng chí Hài" in body


def test_a_material_added_after_approval_is_a_correction_with_its_reason(client, world):
    """Issue 11, point 9: after approval a document was added with no reason and left no trace in the history."""
    meeting = _held(world)
    services.minutes_approve(meeting=meeting, by=world.secretary_user)
    client = _login(client, world.secretary_user)
    url = reverse("meetings:material_add", args=[meeting.pk])

    page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert 'name="correction_reason" id="id_material_correction"' in page
    pdf = SimpleUploadedFile("nghi-quyet.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    refused = client.post(url, {"file": pdf}, follow=True)

    assert "Biên bản đã duyệt: ghi lý do đính chính để sửa." in refused.content.decode()
    assert not meeting.materials.exists()

    pdf = SimpleUploadedFile("nghi-quyet.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    client.post(url, {"file": pdf, "name": "Nghị quyết", "correction_reason": "Thiếu nghị quyết đã ký"})

    meeting.refresh_from_db()
    assert meeting.materials.get().name == "Nghị quyết"
    assert meeting.correction_count == 1
    assert meeting.history.filter(
        history_change_reason="Đính chính: Thiếu nghị quyết đã ký (thêm tài liệu “Nghị quyết”)"
    ).exists()


# --- Access ----------------------------------------------------------------------------------------------------------


def _urls(meeting, world):
    read = [reverse("meetings:detail", args=[meeting.pk]), reverse("meetings:list", args=[world.cell_a.pk])]
    write = [
        reverse("meetings:plan", args=[world.cell_a.pk]),
        reverse("meetings:edit", args=[meeting.pk]),
    ]
    post_only = [
        reverse("meetings:publish", args=[meeting.pk]),
        reverse("meetings:cancel", args=[meeting.pk]),
        reverse("meetings:approve", args=[meeting.pk]),
        reverse("meetings:material_add", args=[meeting.pk]),
    ]
    return read, write, post_only


def test_it_hides_other_cells(client, world):
    meeting = make_meeting(world.cell_a, planned_date=datetime.date(2026, 12, 4))
    read, write, post_only = _urls(meeting, world)
    client = _login(client, world.outsider_user)
    for url in read + write:
        assert client.get(url).status_code == 404, url
    for url in post_only + [reverse("meetings:absence", args=[meeting.pk])]:
        assert client.post(url, {"reason": "x"}).status_code == 404, url


def test_it_requires_write_access(client, world):
    meeting = make_meeting(world.cell_a, planned_date=datetime.date(2026, 12, 4))
    read, write, post_only = _urls(meeting, world)
    client = _login(client, world.board_user)
    for url in read:
        assert client.get(url).status_code == 200, url
    for url in write:
        assert client.get(url).status_code == 403, url
    for url in post_only:
        assert client.post(url, {"reason": "x"}).status_code == 403, url
    assert Meeting.objects.get(pk=meeting.pk).status == Meeting.Status.PLANNED


def test_the_meeting_page_runs_in_a_constant_number_of_queries(client, world, django_assert_num_queries):
    meeting = _held(world)
    client = _login(client, world.board_user)
    client.get(reverse("meetings:detail", args=[meeting.pk]))  # warm the content-type cache
    # session, user, scope (6), meeting, absence notice, notices; minutes: attendance, agenda + speeches, general
    # speeches, printed name, visitors, figures (policy, attendance rows, speakers); materials (the month's findings
    # are a report the page loads apart: reports.views.meeting_findings)
    with django_assert_num_queries(19) as first:
        client.get(reverse("meetings:detail", args=[meeting.pk]))
    for member in (world.member, world.plain_member, world.secretary):
        services.speech_add(meeting=meeting, member=member, summary="Ý kiến thêm")
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(reverse("meetings:detail", args=[meeting.pk]))


def test_a_bulk_load_can_defer_the_findings_refresh(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, services.findings_deferred():
        make_meeting(world.cell_a, planned_date=datetime.date(2026, 12, 4))
        services.meeting_cancel(meeting=Meeting.objects.get(organization=world.cell_a), reason="Bão")
    assert callbacks == []

    with django_capture_on_commit_callbacks() as callbacks:
        services.meeting_cancel(meeting=make_meeting(world.cell_a, planned_date=datetime.date(2026, 12, 5)), reason="x")
    assert len(callbacks) == 1
