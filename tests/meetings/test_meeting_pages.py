"""The meeting pages as a secretary and a member read them: a start in the past, the notice before the meeting and
the minutes after it, and the meeting list over any year."""

import datetime
import re
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from meetings import services
from meetings.models import Meeting, OutboxMessage
from tests.factories import make_meeting

pytestmark = pytest.mark.django_db

HANOI = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
# The instant of the walk-through: the 4th, 18:33 in Hà Nội.
NOW = datetime.datetime(2026, 12, 4, 18, 33, tzinfo=HANOI)


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


def _login(client, user):
    client.force_login(user)
    return client


def _plan(client, organization, **data):
    return client.post(
        reverse("meetings:plan", args=[organization.pk]),
        {"kind": "extraordinary", "planned_date": "2026-12-04", "planned_time": "08:00", "venue": "Hội trường", **data},
    )


# --- A start in the past --------------------------------------------------------------------------------------------


def test_a_plan_for_today_at_eight_made_in_the_evening_asks_to_confirm(client, world):
    client = _login(client, world.secretary_user)

    asked = _plan(client, world.cell_a)

    assert "Giờ họp 08:00 ngày 04/12/2026 đã qua." in asked.content.decode()
    assert not Meeting.objects.filter(organization=world.cell_a).exists()


def test_a_confirmed_past_plan_offers_the_minutes_not_the_notice(client, world):
    client = _login(client, world.secretary_user)

    response = _plan(client, world.cell_a, confirm_past="on")
    meeting = Meeting.objects.get(organization=world.cell_a)
    page = client.get(response.url).content.decode()

    assert "Đã lập kế hoạch cho buổi họp đã diễn ra. Ghi biên bản buổi họp." in page
    assert "Gửi thông báo cho đảng viên" not in page
    assert 'data-testid="start-passed"' in page
    assert reverse("meetings:record", args=[meeting.pk]) in page
    assert "gửi thông báo cho đảng viên." not in page  # nor the success message that says to send it


def test_a_notice_is_not_sent_once_the_start_has_passed(client, world, django_capture_on_commit_callbacks):
    meeting = make_meeting(world.cell_a, planned_date=datetime.date(2026, 12, 4), planned_time=datetime.time(14, 0))

    with django_capture_on_commit_callbacks(execute=True):
        response = _login(client, world.secretary_user).post(
            reverse("meetings:publish", args=[meeting.pk]), follow=True
        )

    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.PLANNED
    assert not OutboxMessage.objects.filter(meeting=meeting).exists()
    assert "Giờ họp 14:00 ngày 04/12/2026 đã qua: không gửi thông báo" in response.content.decode()


def test_a_plan_later_today_still_offers_the_notice(client, world):
    client = _login(client, world.secretary_user)

    response = _plan(client, world.cell_a, planned_time="19:30")
    page = client.get(response.url).content.decode()

    assert "Đã lập kế hoạch. Xem lại chương trình rồi gửi thông báo cho đảng viên." in page
    assert "Gửi thông báo cho đảng viên" in page and 'data-testid="start-passed"' not in page


def test_editing_a_plan_to_this_morning_asks_to_confirm(client, world):
    meeting = make_meeting(world.cell_a, kind="extraordinary", planned_date=datetime.date(2026, 12, 10))
    data = {
        "kind": "extraordinary",
        "planned_date": "2026-12-04",
        "planned_time": "08:00",
        "venue": meeting.venue,
        "version": meeting.version,
    }

    asked = _login(client, world.secretary_user).post(reverse("meetings:edit", args=[meeting.pk]), data)

    body = asked.content.decode()
    assert "Giờ họp 08:00 ngày 04/12/2026 đã qua." in body
    assert 'type="checkbox" name="confirm_past"' in body
    meeting.refresh_from_db()
    assert meeting.planned_date == datetime.date(2026, 12, 10)


def test_editing_the_venue_of_a_meeting_whose_hour_has_come_asks_nothing(client, world):
    meeting = make_meeting(world.cell_a, planned_date=datetime.date(2026, 12, 4), planned_time=datetime.time(14, 0))

    response = _login(client, world.secretary_user).post(
        reverse("meetings:edit", args=[meeting.pk]),
        {
            "kind": "regular",
            "planned_date": "2026-12-04",
            "planned_time": "14:00",
            "venue": "Nhà văn hóa ấp",
            "version": meeting.version,
        },
    )

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.venue == "Nhà văn hóa ấp"


# --- Before the meeting: the notice and agenda; after it: the minutes ------------------------------------------------


def test_a_member_reads_the_notice_and_agenda_of_a_meeting_not_yet_held(client, world):
    meeting = make_meeting(world.cell_a, planned_date=datetime.date(2026, 12, 10), planned_time=datetime.time(14, 0))
    services.meeting_publish(meeting=meeting)

    body = _login(client, world.member_user).get(reverse("meetings:detail", args=[meeting.pk])).content.decode()

    assert 'data-testid="notice"' in body
    assert "Thông báo" in body
    assert "Sinh hoạt định kỳ tháng 12/2026" in body
    assert "14 giờ 00, thứ Năm ngày 10/12/2026" in body
    assert "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh" in body
    assert "BIÊN BẢN" not in body
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" not in body
    assert "Xuân Hiệp, ngày" not in body
    assert 'data-testid="absence-card"' in body


def test_a_member_is_not_offered_the_absence_form_once_the_meeting_has_begun(client, world):
    meeting = make_meeting(world.cell_a, planned_date=datetime.date(2026, 12, 4), planned_time=datetime.time(14, 0))

    body = _login(client, world.member_user).get(reverse("meetings:detail", args=[meeting.pk])).content.decode()

    assert 'data-testid="absence-card"' not in body
    assert "Đã đến giờ họp; hãy báo trực tiếp với bí thư chi bộ." in body
    assert "BIÊN BẢN" not in body


def test_a_held_meeting_reads_as_its_minutes(client, world):
    meeting = make_meeting(world.cell_a, planned_date=datetime.date(2026, 12, 4), planned_time=datetime.time(14, 0))
    services.attendance_prepare(meeting=meeting)
    for member in (world.secretary, world.member, world.plain_member):
        services.attendance_set(meeting=meeting, member=member, status="present")
    start = datetime.datetime(2026, 12, 4, 14, 0, tzinfo=HANOI)
    services.meeting_record(
        meeting=meeting,
        version=None,
        started_at=start,
        ended_at=start + datetime.timedelta(minutes=100),
        chair=world.secretary,
        recorder=world.member,
        mark_held=True,
    )

    body = _login(client, world.member_user).get(reverse("meetings:detail", args=[meeting.pk])).content.decode()

    assert 'data-testid="minutes"' in body and 'data-testid="notice"' not in body
    assert "BIÊN BẢN" in body and "Xuân Hiệp, ngày 04 tháng 12 năm 2026" in body


# --- The meeting list over any year ----------------------------------------------------------------------------------


def _listed_months(body: str) -> list[str]:
    return re.findall(r"<h2 class=\"h6 mb-1\">Tháng (\d\d/\d{4})</h2>", body)


def test_the_meeting_list_offers_every_year_with_meetings_and_lists_a_chosen_year(client, world):
    old = make_meeting(world.cell_a, planned_date=datetime.date(2023, 5, 4))
    make_meeting(world.cell_a, planned_date=datetime.date(2026, 11, 4))
    client = _login(client, world.board_user)
    url = reverse("meetings:list", args=[world.cell_a.pk])

    default = client.get(url).content.decode()

    # 4 December 2026: March 2026 to February 2027; May 2023 is not on the page, but its year is offered.
    assert reverse("meetings:detail", args=[old.pk]) not in default
    assert re.findall(r'<option value="(\d{4})"', default) == ["2027", "2026", "2023"]
    assert 'href="?thang=2026-02"' in default and 'href="?thang=2028-02"' in default  # twelve months back, ahead

    year = client.get(url, {"nam": "2023"}).content.decode()

    assert _listed_months(year) == [f"{m:02d}/2023" for m in range(12, 0, -1)]
    assert reverse("meetings:detail", args=[old.pk]) in year
    assert '<option value="2023" selected>' in year
    assert 'href="?thang=2022-12"' in year and 'href="?thang=2024-12"' in year


def test_the_previous_twelve_months_follow_on_from_the_page(client, world):
    url = reverse("meetings:list", args=[world.cell_a.pk])

    body = _login(client, world.board_user).get(url, {"thang": "2026-02"}).content.decode()

    assert _listed_months(body)[0] == "02/2026" and _listed_months(body)[-1] == "03/2025"
    assert "Tháng 03/2025 – 02/2026" in body


@pytest.mark.parametrize("value", ["1800", "abc", "2026-13"])
def test_a_year_that_is_not_a_year_lists_the_default_months(client, world, value):
    url = reverse("meetings:list", args=[world.cell_a.pk])

    body = _login(client, world.board_user).get(url, {"nam": value}).content.decode()

    assert _listed_months(body)[0] == "02/2027"


def test_months_before_a_cell_was_formed_are_not_flagged_without_a_regular_meeting(client, world):
    world.cell_a.valid_from = datetime.date(2025, 7, 1)
    world.cell_a.save(update_fields=["valid_from"])
    url = reverse("meetings:list", args=[world.cell_a.pk])

    body = _login(client, world.board_user).get(url, {"nam": "2025"}).content.decode()

    flagged = re.findall(r"Tháng (\d\d)/2025</h2>\s*(<span[^>]*>chưa có sinh hoạt định kỳ)?", body)
    assert [month for month, flag in flagged if flag] == [f"{m:02d}" for m in range(12, 6, -1)]
