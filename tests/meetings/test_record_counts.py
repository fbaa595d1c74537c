"""The recording page must not get the count wrong (issue 10, part 1): the vote's denominator depends on what the
secretary chose, and on nothing else. An excused absence is accepted only by the committee's explicit tick; an
excused tap is kept while its reason is typed and "Tất cả có mặt" never overwrites it; ballots short of the members
present who may vote are confirmed and printed; the live figures judge typed votes by the server's rule; a rule that
does not apply is shown as such; nothing is recorded before the meeting's day, and opening a page writes nothing."""

import datetime
import re

import pytest
import time_machine
from django.template.loader import render_to_string
from django.urls import reverse

from meetings import services
from meetings.minutes import minutes_context
from meetings.models import Attendance, Meeting
from tests.factories import make_meeting, make_member

pytestmark = pytest.mark.django_db

# 22 November 2026, 16:00 in Hanoi; the meeting was on 4 November at 14:00.
NOW = datetime.datetime(2026, 11, 22, 9, 0, tzinfo=datetime.UTC)
DAY = datetime.date(2026, 11, 4)
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def cell(world):
    """Cell A with 8 official members: the secretary, the member, the plain member and 5 more."""
    world.more = [make_member(world.cell_a, full_name=f"Lê Văn Số {n}") for n in range(1, 6)]
    return world


@pytest.fixture
def meeting(cell):
    return make_meeting(cell.cell_a, planned_date=DAY)


def url(name: str, meeting: Meeting, *args) -> str:
    return reverse(f"meetings:{name}", args=[meeting.pk, *args])


def tap(client, meeting, member, status, **data):
    return client.post(url("attendance", meeting, member.pk), {"status": status, **data}, **HTMX)


def counted(client, meeting) -> int:
    body = client.get(url("record", meeting)).content.decode()
    return int(re.search(r"Đảng viên chính thức được tính: <strong>(\d+)</strong>", body).group(1))


def main_form(meeting, world, **fields) -> dict:
    meeting.refresh_from_db()
    data = {
        "version": meeting.version,
        "started_at": "2026-11-04T14:00",
        "ended_at": "2026-11-04T15:40",
        "chair": world.secretary.pk,
        "recorder": world.member.pk,
    }
    data.update(fields)
    return data


# --- 1. An excused absence is accepted only by the committee's explicit tick -----------------------------------------


def test_an_excused_absence_stays_counted_unless_the_secretary_ticks_the_committees_acceptance(client, cell, meeting):
    client.force_login(cell.secretary_user)
    client.get(url("record", meeting))  # the page open, as a secretary has it

    tap(client, meeting, cell.plain_member, "excused", reason="Đi công tác")
    row = Attendance.objects.get(meeting=meeting, member=cell.plain_member)
    body = client.get(url("record", meeting)).content.decode()

    assert row.absence_accepted is False
    assert counted(client, meeting) == 8
    assert f'id="accepted-{cell.plain_member.pk}"' in body
    assert f'id="accepted-{cell.plain_member.pk}" checked' not in body  # unticked by default

    tap(client, meeting, cell.plain_member, "excused", reason="Đi công tác", accepted="1")

    assert Attendance.objects.get(pk=row.pk).absence_accepted is True
    assert counted(client, meeting) == 7
    body = client.get(url("record", meeting)).content.decode()
    assert f'id="accepted-{cell.plain_member.pk}" checked' in body


def test_the_services_default_is_not_accepted():
    import inspect

    assert inspect.signature(services.attendance_set).parameters["absence_accepted"].default is False
    assert Attendance._meta.get_field("absence_accepted").default is False


def test_a_members_advance_notice_makes_an_excused_absence_never_an_accepted_one(client, cell):
    meeting = make_meeting(cell.cell_a, planned_date=datetime.date(2026, 11, 23))
    client.force_login(cell.member_user)
    client.post(reverse("meetings:absence", args=[meeting.pk]), {"reason": "Đi công tác"})

    with time_machine.travel(datetime.datetime(2026, 11, 23, 1, 0, tzinfo=datetime.UTC), tick=False):
        client.force_login(cell.secretary_user)
        client.get(url("record", meeting))
        tap(client, meeting, cell.secretary, "present")
        row = Attendance.objects.get(meeting=meeting, member=cell.member)
        figures = services.figures(meeting)

    assert (row.status, row.reason, row.absence_accepted) == ("excused", "Đi công tác", False)
    assert figures["basis"].counted == 8 and figures["basis"].excluded_accepted_absence == 0


def test_all_present_marks_nobody_accepted(client, cell, meeting):
    client.force_login(cell.secretary_user)
    client.get(url("record", meeting))  # the page open, as a secretary has it
    client.post(url("attendance_all_present", meeting), **HTMX)
    assert not Attendance.objects.filter(meeting=meeting, absence_accepted=True).exists()


# --- 2. An excused tap is kept; "Tất cả có mặt" never overwrites a state the secretary chose ------------------------


def test_an_excused_tap_without_reason_is_kept_and_all_present_does_not_overwrite_it(client, cell, meeting):
    client.force_login(cell.secretary_user)
    client.get(url("record", meeting))  # the page open, as a secretary has it

    answer = tap(client, meeting, cell.plain_member, "excused").content.decode()
    client.post(url("attendance_all_present", meeting), **HTMX)

    row = Attendance.objects.get(meeting=meeting, member=cell.plain_member)
    assert (row.status, row.reason) == ("excused", "")
    assert "Đã ghi vắng có lý do; chưa có lý do" in answer
    # The row shows one state: only the excused button is pressed.
    row_html = answer.split("</form>")[0]
    assert row_html.count('aria-pressed="true"') == 1
    assert re.search(r'value="excused"[^>]*aria-pressed="true"', row_html)
    assert Attendance.objects.filter(meeting=meeting, status="present").count() == 7


def test_closing_the_meeting_asks_for_the_reason_of_each_excused_absence(client, cell, meeting):
    client.force_login(cell.secretary_user)
    client.get(url("record", meeting))  # the page open, as a secretary has it
    tap(client, meeting, cell.plain_member, "excused")
    client.post(url("attendance_all_present", meeting), **HTMX)

    refused = client.post(url("record", meeting), {**main_form(meeting, cell), "mark_held": "1"}).content.decode()
    assert "Vắng có lý do nhưng chưa ghi lý do: Quách Thị Hương." in refused
    assert Meeting.objects.get(pk=meeting.pk).status == Meeting.Status.PLANNED

    tap(client, meeting, cell.plain_member, "excused", reason="Ốm")
    client.post(url("record", meeting), {**main_form(meeting, cell), "mark_held": "1"})
    assert Meeting.objects.get(pk=meeting.pk).status == Meeting.Status.HELD


# --- 3. Ballots that do not add up to the members present who may vote --------------------------------------------


def test_ballots_short_of_the_voters_present_are_saved_only_once_confirmed_and_the_minutes_print_the_gap(
    client, cell, meeting
):
    client.force_login(cell.secretary_user)
    client.get(url("record", meeting))  # the page open, as a secretary has it
    client.post(url("attendance_all_present", meeting), **HTMX)  # 8 present, all may vote
    votes = {"votes_for": 4, "votes_against": 0, "votes_abstain": 1}

    refused = client.post(url("record", meeting), main_form(meeting, cell, **votes)).content.decode()

    difference = "Tổng số phiếu 5 khác số đảng viên có mặt có quyền biểu quyết 8 (thiếu 3)."
    assert difference in refused
    assert 'name="confirm_votes"' in refused
    assert Meeting.objects.get(pk=meeting.pk).votes_for is None

    saved = client.post(url("record", meeting), main_form(meeting, cell, confirm_votes="on", **votes))
    assert saved.status_code == 302
    assert Meeting.objects.get(pk=meeting.pk).votes_for == 4
    # Saving again with the same ballots does not ask again.
    again = client.post(url("record", meeting), main_form(meeting, cell, mark_held="1", **votes))
    assert again.status_code == 302

    meeting.refresh_from_db()
    assert minutes_context(meeting)["vote_difference"] == difference
    page = client.get(url("detail", meeting)).content.decode()
    assert difference in page
    assert difference in render_to_string("pdf/minutes.html", minutes_context(meeting))  # the official minutes


def test_ballots_that_add_up_need_no_confirmation(client, cell, meeting):
    client.force_login(cell.secretary_user)
    client.get(url("record", meeting))  # the page open, as a secretary has it
    client.post(url("attendance_all_present", meeting), **HTMX)
    response = client.post(
        url("record", meeting), main_form(meeting, cell, votes_for=7, votes_against=1, votes_abstain=0)
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert minutes_context(meeting)["vote_difference"] == ""


# --- 4. The live figures follow the server's rule -----------------------------------------------------------------


def fig_vote(html: str) -> str:
    match = re.search(r'data-testid="fig-vote">(.*?)</div>', html, re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", match.group(1))).strip()


def test_the_preview_never_says_passed_for_ballots_the_server_refuses(client, cell, meeting):
    client.force_login(cell.secretary_user)
    client.get(url("record", meeting))  # the page open, as a secretary has it
    client.post(url("attendance_all_present", meeting), **HTMX)

    preview = client.get(url("figures", meeting), {"votes_for": 9, "votes_against": 0, "votes_abstain": 0})
    refused = client.post(url("record", meeting), main_form(meeting, cell, votes_for=9)).content.decode()

    assert "thông qua" not in fig_vote(preview.content.decode()).replace("không thông qua", "")
    assert "số phiếu không hợp lệ" in fig_vote(preview.content.decode())
    assert "Tổng số phiếu (9) vượt số đảng viên có mặt được biểu quyết (8)." in refused
    # After the refused save, the figures show what was typed and refused, not "chưa nhập số phiếu".
    assert "số phiếu không hợp lệ" in fig_vote(refused)


def test_the_preview_counts_against_and_abstaining_ballots_too(client, cell, meeting):
    client.force_login(cell.secretary_user)
    client.get(url("record", meeting))  # the page open, as a secretary has it
    client.post(url("attendance_all_present", meeting), **HTMX)

    preview = client.get(url("figures", meeting), {"votes_for": 6, "votes_against": 2, "votes_abstain": 1})

    assert "số phiếu không hợp lệ" in fig_vote(preview.content.decode())


def test_a_tap_after_a_refused_save_keeps_the_typed_ballots_in_the_figures(client, cell, meeting):
    client.force_login(cell.secretary_user)
    client.get(url("record", meeting))  # the page open, as a secretary has it
    client.post(url("attendance_all_present", meeting), **HTMX)
    typed = {"votes_for": "9", "votes_against": "", "votes_abstain": "", "started_at": "", "ended_at": ""}

    answer = tap(client, meeting, cell.plain_member, "absent", **typed).content.decode()

    assert "chưa nhập số phiếu" not in fig_vote(answer)
    assert "số phiếu không hợp lệ" in fig_vote(answer)


# --- 5. A rule that does not apply ----------------------------------------------------------------------------------


def test_an_extraordinary_meeting_has_no_length_requirement_and_shows_none(client, cell):
    meeting = make_meeting(cell.cell_a, kind="extraordinary", planned_date=DAY)
    client.force_login(cell.secretary_user)

    opened = client.get(url("record", meeting)).content.decode()
    client.post(url("attendance_all_present", meeting), **HTMX)
    client.post(url("record", meeting), main_form(meeting, cell, ended_at="2026-11-04T15:45"))
    saved = client.get(url("record", meeting)).content.decode()

    for body, text in ((opened, "Thời lượng (không quy định)"), (saved, "Thời lượng 105 phút (không quy định)")):
        length = re.search(r'data-testid="fig-length">(.*?)</span>', body).group(1)
        assert length == text
        assert "/0" not in length and "✓" not in length and "✗" not in length


# --- 6. Nothing is recorded before the meeting's day; opening a page writes nothing -------------------------------


@pytest.mark.parametrize("ahead", [datetime.date(2027, 1, 22), datetime.date(2026, 11, 23)], ids=["months", "tomorrow"])
def test_nothing_is_recorded_before_the_meetings_day(client, cell, ahead):
    meeting = make_meeting(cell.cell_a, kind="extraordinary", planned_date=ahead)
    client.force_login(cell.secretary_user)

    page = client.get(url("record", meeting)).content.decode()
    tapped = tap(client, meeting, cell.member, "present")
    all_present = client.post(url("attendance_all_present", meeting), follow=True).content.decode()
    recorded = client.post(url("record", meeting), main_form(meeting, cell, votes_for=3)).content.decode()

    message = f"Buổi họp ngày {ahead:%d/%m/%Y} chưa diễn ra: chưa thể điểm danh hay ghi biên bản trước ngày họp."
    assert message in page and 'data-testid="att-row"' not in page
    assert tapped.status_code in (200, 302)
    assert message in all_present and message in recorded
    assert not Attendance.objects.filter(meeting=meeting).exists()
    assert Meeting.objects.get(pk=meeting.pk).votes_for is None
    with pytest.raises(services.ValidationError, match="chưa diễn ra"):
        services.attendance_set(meeting=meeting, member=cell.member, status="present")


def test_opening_the_recording_page_writes_nothing_and_the_members_history_stays_empty(client, cell, meeting):
    client.force_login(cell.secretary_user)
    client.get(url("record", meeting))
    client.get(url("figures", meeting))
    client.get(url("detail", meeting))

    assert not Attendance.objects.filter(meeting=meeting).exists()
    client.force_login(cell.member_user)
    history = client.get(reverse("meetings:mine")).content.decode()
    assert url("detail", meeting) not in history


def test_a_members_history_shows_only_answered_roll_calls(client, cell, meeting):
    client.force_login(cell.secretary_user)
    client.get(url("record", meeting))  # the page open, as a secretary has it
    tap(client, meeting, cell.secretary, "present")  # writes the roll call; the member is not answered yet

    client.force_login(cell.member_user)
    assert url("detail", meeting) not in client.get(reverse("meetings:mine")).content.decode()

    client.force_login(cell.secretary_user)
    tap(client, meeting, cell.member, "absent")
    client.force_login(cell.member_user)
    assert url("detail", meeting) in client.get(reverse("meetings:mine")).content.decode()
