"""The meeting recording page: the main form and its validation, attendance, visitors, speeches (htmx and plain
posts), optimistic locking, corrections after approval, access and the query count."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.urls import reverse

from cells.models import PendingRefresh
from meetings import services
from meetings.models import AbsenceNotice, AgendaItem, Attendance, Meeting, Speech, Visitor
from members.models import Assignment
from tests.factories import make_meeting, make_member, seat

pytestmark = pytest.mark.django_db

# 22 November 2026, 16:00 in Hanoi; the meeting was on 4 November at 14:00.
NOW = datetime.datetime(2026, 11, 22, 9, 0, tzinfo=datetime.UTC)
DAY = datetime.date(2026, 11, 4)
HANOI = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def meeting(world):
    """A planned regular meeting of cell A (roster: the secretary, a member and a plain member, all official)."""
    return make_meeting(world.cell_a, planned_date=DAY)


def url(name: str, meeting: Meeting, *args) -> str:
    return reverse(f"meetings:{name}", args=[meeting.pk, *args])


def login(client, user):
    client.force_login(user)
    return client


def roll_call(meeting: Meeting, statuses: dict | None = None, default: str = "present") -> None:
    """Mark the roll call through the services: every member ``default`` unless named in ``statuses``."""
    statuses = statuses or {}
    for row in services.attendance_prepare(meeting=meeting):
        status = statuses.get(row.member_id, default)
        reason = "Đi công tác" if status == "excused" else ""
        services.attendance_set(meeting=meeting, member=row.member, status=status, reason=reason)


def form_data(meeting: Meeting, world, **overrides) -> dict:
    """A complete, valid main form: 14:00 to 15:40 (100 minutes), the secretary chairs, the member records."""
    meeting.refresh_from_db()
    data = {
        "version": meeting.version,
        "started_at": "2026-11-04T14:00",
        "ended_at": "2026-11-04T15:40",
        "chair": world.secretary.pk,
        "recorder": world.member.pk,
        "resolution_title": "Nghị quyết tháng 11",
        "resolution_text": "Hoàn thành thu thuế quý IV.",
        "votes_for": 3,
        "votes_against": 0,
        "votes_abstain": 0,
        "quality_score": 92,
    }
    for item in meeting.agenda.all():
        data[f"conclusion_{item.pk}"] = f"Kết luận mục {item.order}"
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def state(meeting: Meeting) -> dict:
    """Everything the recording writes, to compare before and after a refused post."""
    fresh = Meeting.objects.get(pk=meeting.pk)
    fields = [f.attname for f in Meeting._meta.concrete_fields if f.attname != "updated_at"]
    return {
        "meeting": {name: getattr(fresh, name) for name in fields},
        "attendance": sorted(
            Attendance.objects.filter(meeting=meeting).values_list(
                "member_id", "status", "reason", "absence_accepted", "member_status"
            )
        ),
        "speeches": sorted(Speech.objects.filter(meeting=meeting).values_list("id", "member_id", "summary")),
        "visitors": sorted(Visitor.objects.filter(meeting=meeting).values_list("id", "name")),
        "conclusions": sorted(fresh.agenda.values_list("id", "conclusion")),
        "history": fresh.history.count(),
    }


# --- The page -------------------------------------------------------------------------------------------------------


def test_opening_the_page_writes_nothing_and_the_first_tap_writes_the_roll_call_with_statuses_frozen(
    client, world, meeting
):
    response = login(client, world.secretary_user).get(url("record", meeting))

    body = response.content.decode()
    assert response.status_code == 200
    assert not Attendance.objects.filter(meeting=meeting).exists()  # opening the page writes nothing
    assert body.count('data-testid="att-row"') == 3
    # The start is prefilled from the planned date and time.
    assert 'value="2026-11-04T14:00"' in body
    assert "Thời lượng —/90 phút</span>" in body  # nothing to judge yet: neither ✓ nor ✗
    assert "Đảng viên chính thức được tính: <strong>3</strong>" in body

    client.post(url("attendance", meeting, world.member.pk), {"status": "present"}, **HTMX)

    rows = Attendance.objects.filter(meeting=meeting)
    assert sorted(rows.values_list("member__full_name", flat=True)) == sorted(
        ["Nguyễn Thị Hiền", "Đỗ Thanh Hài", "Quách Thị Hương"]
    )
    assert set(rows.values_list("member_status", flat=True)) == {"official"}
    assert sorted(rows.values_list("status", flat=True)) == ["", "", "present"]


def test_the_page_works_without_javascript_every_part_is_a_plain_form(client, world, meeting):
    body = login(client, world.secretary_user).get(url("record", meeting)).content.decode()

    for name in ("speech_add", "visitor_add", "attendance_all_present"):
        assert f'method="post" action="{url(name, meeting)}"' in body
    assert f'action="{url("attendance", meeting, world.member.pk)}"' in body
    assert 'name="mark_held"' in body and 'form="record-form"' in body


def test_it_saves_the_times_chair_recorder_conclusions_resolution_vote_and_score(client, world, meeting):
    roll_call(meeting)

    response = login(client, world.secretary_user).post(url("record", meeting), form_data(meeting, world))

    assert response.status_code == 302 and response.url == url("record", meeting)
    meeting.refresh_from_db()
    assert meeting.length_minutes == 100
    assert (meeting.chair, meeting.recorder) == (world.secretary, world.member)
    assert (meeting.votes_for, meeting.votes_against, meeting.votes_abstain) == (3, 0, 0)
    assert (meeting.quality_score, meeting.quality_grade) == (92, "excellent")
    assert meeting.resolution_title == "Nghị quyết tháng 11"
    assert list(meeting.agenda.values_list("conclusion", flat=True))[:2] == ["Kết luận mục 1", "Kết luận mục 2"]
    assert meeting.status == Meeting.Status.PLANNED
    page = client.get(url("record", meeting)).content.decode()
    assert "Đã lưu biên bản." in page
    assert "Thời lượng 100/90 phút ✓" in page
    assert "thông qua" in page


def test_save_and_mark_held_closes_the_recording(client, world, meeting):
    roll_call(meeting)

    response = login(client, world.secretary_user).post(
        url("record", meeting), {**form_data(meeting, world), "mark_held": "1"}
    )

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD
    assert "Lưu và chốt buổi họp" not in client.get(url("record", meeting)).content.decode()


# --- Validation: a Vietnamese message on the form, nothing written --------------------------------------------------


def _refused(client, world, meeting, data, message):
    before = state(meeting)
    response = login(client, world.secretary_user).post(url("record", meeting), data)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="record-errors"' in body
    assert message in body
    assert state(meeting) == before
    return body


def test_it_rejects_end_before_start(client, world, meeting):
    roll_call(meeting)
    data = form_data(meeting, world, ended_at="2026-11-04T13:30")
    body = _refused(client, world, meeting, data, "Giờ kết thúc phải sau giờ bắt đầu.")
    # The input is shown back.
    assert 'value="2026-11-04T13:30"' in body and "Hoàn thành thu thuế quý IV." in body


def test_it_rejects_a_start_in_the_future(client, world, meeting):
    roll_call(meeting)
    data = form_data(meeting, world, started_at="2026-11-23T14:00", ended_at=None)
    _refused(client, world, meeting, data, "Giờ bắt đầu không được ở tương lai.")


def test_it_rejects_an_end_in_the_future(client, world, meeting):
    roll_call(meeting)
    data = form_data(meeting, world, ended_at="2026-11-22T18:00")
    _refused(client, world, meeting, data, "Giờ kết thúc không được ở tương lai.")


def test_it_rejects_a_start_a_year_before_the_planned_date(client, world, meeting):
    roll_call(meeting)
    data = form_data(meeting, world, started_at="2025-11-04T14:00", ended_at="2025-11-04T15:40")
    _refused(
        client,
        world,
        meeting,
        data,
        "Bắt đầu lúc: Giờ bắt đầu (14:00 04/11/2025) cách ngày họp dự kiến (04/11/2026) 365 ngày, quá 7 ngày: "
        "kiểm tra lại ngày, hoặc sửa ngày họp trong kế hoạch.",
    )


@pytest.mark.parametrize(
    ("started_at", "ended_at"),
    [("2026-10-28T14:00", "2026-10-28T15:40"), ("2026-11-11T14:00", "2026-11-11T15:40")],
)
def test_a_start_up_to_a_week_from_the_planned_date_is_accepted(client, world, meeting, started_at, ended_at):
    roll_call(meeting)

    response = login(client, world.secretary_user).post(
        url("record", meeting), form_data(meeting, world, started_at=started_at, ended_at=ended_at)
    )

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.length_minutes == 100


@pytest.mark.parametrize(
    "started_at",
    [
        datetime.datetime(2026, 10, 27, 14, 0, tzinfo=HANOI),
        datetime.datetime(2026, 11, 12, 14, 0, tzinfo=HANOI),
        # 23:30 UTC on 11 November is 06:30 on the 12th in Hà Nội: eight days after the 4th, counted locally.
        datetime.datetime(2026, 11, 11, 23, 30, tzinfo=datetime.UTC),
    ],
)
def test_the_service_refuses_a_start_more_than_a_week_from_the_planned_date(world, meeting, started_at):
    with pytest.raises(ValidationError) as refused:
        services.meeting_record(meeting=meeting, version=None, started_at=started_at, ended_at=None)

    assert "quá 7 ngày" in refused.value.message_dict["started_at"][0]
    assert services.MAX_START_DRIFT_DAYS == 7
    assert Meeting.objects.get(pk=meeting.pk).started_at is None


def test_a_start_saved_before_the_drift_rule_does_not_block_other_changes(world, meeting):
    far = datetime.datetime(2026, 10, 1, 14, 0, tzinfo=HANOI)
    Meeting.objects.filter(pk=meeting.pk).update(started_at=far)

    saved = services.meeting_record(
        meeting=meeting, version=None, started_at=far, ended_at=None, resolution_title="Nghị quyết tháng 11"
    )

    assert (saved.started_at, saved.resolution_title) == (far, "Nghị quyết tháng 11")


def test_a_meeting_over_six_hours_needs_confirmation(client, world, meeting):
    roll_call(meeting)
    data = form_data(meeting, world, ended_at="2026-11-04T20:30")

    body = _refused(client, world, meeting, data, "Buổi họp dài 6,5 giờ (trên 6 giờ)")
    assert 'name="confirm_long"' in body

    response = client.post(url("record", meeting), {**data, "confirm_long": "on"})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.length_minutes == 390 and meeting.long_meeting_confirmed


def test_a_meeting_spanning_days_is_refused_not_confirmed(client, world, meeting):
    roll_call(meeting)
    # A start moved back within the week, kept with the end on the planned day: six days, no meeting lasts that long.
    data = {
        **form_data(meeting, world, started_at="2026-10-29T14:00", ended_at="2026-11-04T15:40"),
        "confirm_long": "on",
    }

    _refused(client, world, meeting, data, "một buổi sinh hoạt không kéo dài quá 24 giờ")

    meeting.refresh_from_db()
    assert meeting.started_at is None


def test_it_rejects_a_chair_who_is_not_present(client, world, meeting):
    roll_call(meeting, {world.secretary.pk: "excused"})
    _refused(client, world, meeting, form_data(meeting, world, votes_for=2), "Chủ trì phải có mặt")


def test_it_rejects_a_recorder_who_is_not_present(client, world, meeting):
    roll_call(meeting, {world.member.pk: "absent"})
    _refused(client, world, meeting, form_data(meeting, world, votes_for=2), "Thư ký phải có mặt")


def test_the_chair_and_recorder_selects_list_only_present_members(client, world, meeting):
    roll_call(meeting, {world.plain_member.pk: "absent"})
    body = login(client, world.secretary_user).get(url("record", meeting)).content.decode()
    chair_select = body.split('name="chair"')[1].split("</select>")[0]
    assert "Nguyễn Thị Hiền" in chair_select and "Đỗ Thanh Hài" in chair_select
    assert "Quách Thị Hương" not in chair_select


def test_it_rejects_more_votes_than_eligible_present_members(client, world, meeting):
    roll_call(meeting, {world.plain_member.pk: "absent"})
    data = form_data(meeting, world, votes_for=2, votes_against=1)
    _refused(client, world, meeting, data, "Tổng số phiếu (3) vượt số đảng viên có mặt được biểu quyết (2).")


def test_it_refuses_to_mark_held_while_a_member_has_no_attendance_state(client, world, meeting):
    roll_call(meeting)
    services.attendance_prepare(meeting=meeting)
    Attendance.objects.filter(meeting=meeting, member=world.plain_member).update(status="")
    data = {**form_data(meeting, world, votes_for=2), "mark_held": "1"}
    _refused(client, world, meeting, data, "Còn 1 đảng viên chưa điểm danh")


def test_it_refuses_to_mark_held_without_times(client, world, meeting):
    roll_call(meeting)
    data = {**form_data(meeting, world, started_at="", ended_at=""), "mark_held": "1"}
    _refused(client, world, meeting, data, "Nhập giờ bắt đầu và kết thúc trước khi chốt buổi họp.")


def test_it_rejects_a_score_above_100(client, world, meeting):
    roll_call(meeting)
    _refused(client, world, meeting, form_data(meeting, world, quality_score=101), "Không được lớn hơn 100.")


def test_it_rejects_negative_votes(client, world, meeting):
    roll_call(meeting)
    _refused(client, world, meeting, form_data(meeting, world, votes_against=-1), "Không được là số âm.")


def test_it_rejects_a_date_that_is_not_a_date(client, world, meeting):
    roll_call(meeting)
    _refused(client, world, meeting, form_data(meeting, world, ended_at="hôm nay"), "Nhập ngày giờ kết thúc")


def test_a_speaker_must_be_present(client, world, meeting):
    roll_call(meeting, {world.plain_member.pk: "excused"})
    before = state(meeting)

    response = login(client, world.secretary_user).post(
        url("speech_add", meeting), {"speaker": f"m{world.plain_member.pk}", "summary": "Ý kiến"}, **HTMX
    )

    assert response.status_code == 200
    assert "Người phát biểu phải có mặt" in response.content.decode()
    assert state(meeting) == before


def test_a_speech_needs_a_summary(client, world, meeting):
    roll_call(meeting)
    before = state(meeting)
    response = login(client, world.secretary_user).post(
        url("speech_add", meeting), {"speaker": f"m{world.member.pk}", "summary": " "}, **HTMX
    )
    assert "Ghi tóm tắt ý kiến phát biểu." in response.content.decode()
    assert state(meeting) == before


def test_a_member_who_spoke_cannot_be_marked_absent(client, world, meeting):
    roll_call(meeting)
    services.speech_add(meeting=meeting, member=world.member, summary="Ý kiến")
    before = state(meeting)

    response = login(client, world.secretary_user).post(
        url("attendance", meeting, world.member.pk), {"status": "absent"}, **HTMX
    )

    assert "Đảng viên này đã phát biểu nên phải có mặt." in response.content.decode()
    assert state(meeting) == before


def test_the_chair_cannot_be_marked_absent(client, world, meeting):
    roll_call(meeting)
    login(client, world.secretary_user).post(url("record", meeting), form_data(meeting, world))
    before = state(meeting)

    response = client.post(url("attendance", meeting, world.secretary.pk), {"status": "absent"}, **HTMX)

    assert "Chủ trì và thư ký phải có mặt." in response.content.decode()
    assert state(meeting) == before


def test_an_excused_absence_without_reason_is_kept_waiting_for_its_reason_with_the_field_open(client, world, meeting):
    response = login(client, world.secretary_user).post(
        url("attendance", meeting, world.member.pk), {"status": "excused", "reason": ""}, **HTMX
    )

    body = response.content.decode()
    row = Attendance.objects.get(meeting=meeting, member=world.member)
    assert (row.status, row.reason, row.absence_accepted) == ("excused", "", False)
    assert 'name="reason"' in body and "autofocus" in body
    assert 'data-testid="reason-pending"' in body
    assert 'data-status="excused"' in body


def test_without_javascript_an_excused_absence_without_reason_comes_back_with_the_reason_field_open(
    client, world, meeting
):
    services.attendance_prepare(meeting=meeting)
    response = login(client, world.secretary_user).post(
        url("attendance", meeting, world.member.pk), {"status": "excused"}
    )
    assert response.status_code == 302
    assert response.url == f"{url('record', meeting)}?ly-do={world.member.pk}#att-{world.member.pk}"
    body = client.get(response.url).content.decode()
    assert f'id="reason-{world.member.pk}"' in body


# --- Attendance ---------------------------------------------------------------------------------------------------


def test_a_tap_marks_attendance_and_returns_the_row_and_the_figures(client, world, meeting):
    services.attendance_prepare(meeting=meeting)

    response = login(client, world.secretary_user).post(
        url("attendance", meeting, world.member.pk), {"status": "present", "chair": "", "speaker": ""}, **HTMX
    )

    body = response.content.decode()
    assert Attendance.objects.get(meeting=meeting, member=world.member).status == "present"
    assert body.startswith(f'<form id="att-{world.member.pk}"')
    assert 'id="record-figures"' in body and 'data-hx-swap-oob="true"' in body
    assert "có mặt 1" in body
    # The chair and speaker selects now list the member.
    assert body.count("Đỗ Thanh Hài") >= 3


def test_the_selects_swapped_after_a_tap_keep_what_the_user_had_picked(client, world, meeting):
    roll_call(meeting)
    response = login(client, world.secretary_user).post(
        url("attendance", meeting, world.plain_member.pk),
        {"status": "present", "chair": str(world.secretary.pk), "recorder": str(world.member.pk)},
        **HTMX,
    )
    body = response.content.decode()
    assert f'<option value="{world.secretary.pk}" selected>' in body
    assert f'<option value="{world.member.pk}" selected>' in body


def test_an_excused_absence_keeps_its_reason_and_whether_the_committee_accepted_it(client, world, meeting):
    services.attendance_prepare(meeting=meeting)
    login(client, world.secretary_user).post(
        url("attendance", meeting, world.member.pk),
        {"status": "excused", "reason": "Ốm", "accepted_shown": "1"},
        **HTMX,
    )
    row = Attendance.objects.get(meeting=meeting, member=world.member)
    assert (row.status, row.reason, row.absence_accepted) == ("excused", "Ốm", False)


def test_without_javascript_a_tap_posts_and_comes_back_to_the_row(client, world, meeting):
    services.attendance_prepare(meeting=meeting)
    response = login(client, world.secretary_user).post(
        url("attendance", meeting, world.member.pk), {"status": "absent"}
    )
    assert response.status_code == 302 and response.url == f"{url('record', meeting)}#att-{world.member.pk}"
    assert Attendance.objects.get(meeting=meeting, member=world.member).status == "absent"


def test_all_present_marks_only_the_members_not_yet_marked(client, world, meeting):
    services.attendance_prepare(meeting=meeting)
    services.attendance_set(meeting=meeting, member=world.member, status="excused", reason="Ốm")

    response = login(client, world.secretary_user).post(url("attendance_all_present", meeting), **HTMX)

    statuses = dict(Attendance.objects.filter(meeting=meeting).values_list("member_id", "status"))
    assert statuses == {world.secretary.pk: "present", world.member.pk: "excused", world.plain_member.pk: "present"}
    body = response.content.decode()
    assert body.startswith('<section id="diem-danh"') and 'data-testid="fig-roll">✓</span>' in body
    assert 'data-testid="all-present"' not in body


def test_all_present_works_without_javascript(client, world, meeting):
    services.attendance_prepare(meeting=meeting)
    response = login(client, world.secretary_user).post(url("attendance_all_present", meeting))
    assert response.status_code == 302
    assert not Attendance.objects.filter(meeting=meeting).exclude(status="present").exists()
    assert "Đã điểm danh có mặt 3 đồng chí." in client.get(response.url).content.decode()


def test_all_present_with_one_bad_row_writes_nothing(world, meeting):
    services.attendance_prepare(meeting=meeting)
    stranger = make_member(world.cell_b, full_name="Người ngoài chi bộ")  # not in this meeting's roll call
    before = meeting.version

    with pytest.raises(ValidationError) as refused:
        services.attendance_all_present(meeting=meeting, members=[world.member, stranger, world.plain_member])

    assert "Người ngoài chi bộ" in " ".join(refused.value.messages)
    assert set(Attendance.objects.filter(meeting=meeting).values_list("status", flat=True)) == {""}
    meeting.refresh_from_db()
    assert meeting.version == before
    assert not PendingRefresh.objects.filter(organization=world.cell_a, cause="meeting").exists()


def test_all_present_is_one_transaction_a_failure_midway_leaves_every_row_as_it_was(world, meeting, monkeypatch):
    services.attendance_prepare(meeting=meeting)
    saved = []
    original = Attendance.save

    def save(row, *args, **kwargs):
        if saved:
            raise DatabaseError("the database went away")
        saved.append(row.member_id)
        return original(row, *args, **kwargs)

    monkeypatch.setattr(Attendance, "save", save)

    with pytest.raises(DatabaseError):
        services.attendance_all_present(meeting=meeting)

    assert saved  # the first row was written, then rolled back with the rest
    assert set(Attendance.objects.filter(meeting=meeting).values_list("status", flat=True)) == {""}


def test_all_present_asks_for_the_findings_once_whatever_the_roster(world, meeting):
    services.attendance_prepare(meeting=meeting)
    PendingRefresh.objects.all().delete()

    assert services.attendance_all_present(meeting=meeting) == 3

    assert PendingRefresh.objects.filter(organization=world.cell_a, cause="meeting").count() == 1


def test_a_service_called_without_a_request_records_its_actor_in_the_history(world, meeting):
    services.attendance_prepare(meeting=meeting)
    services.attendance_set(meeting=meeting, member=world.member, status="absent", by=world.secretary_user)

    services.meeting_cancel(meeting=meeting, reason="Bão", by=world.board_writer)

    row = Attendance.objects.get(meeting=meeting, member=world.member)
    assert row.history.latest().history_user == world.secretary_user
    assert Meeting.objects.get(pk=meeting.pk).history.latest().history_user == world.board_writer


# --- Visitors and speeches ------------------------------------------------------------------------------------------


def test_a_superior_visitor_is_added_by_the_seat_following_the_cell(client, world, meeting):
    commune_member = make_member(world.cell_b, full_name="Lê Văn Cấp")
    following = seat(commune_member, world.commune)
    following.title = "Phó Bí thư Đảng ủy xã"
    following.save()
    Assignment.objects.create(seat=following, organization=world.cell_a, valid_from=datetime.date(2020, 1, 1))

    page = login(client, world.secretary_user).get(url("record", meeting)).content.decode()
    assert "Được phân công theo dõi" in page and "Lê Văn Cấp — Phó Bí thư Đảng ủy xã" in page

    response = client.post(url("visitor_add", meeting), {"seat": following.pk, "speaker": ""}, **HTMX)

    visitor = Visitor.objects.get(meeting=meeting)
    assert (visitor.seat, visitor.name, visitor.title, visitor.is_superior) == (
        following,
        "Lê Văn Cấp",
        "Phó Bí thư Đảng ủy xã",
        True,
    )
    body = response.content.decode()
    assert body.startswith('<section id="dai-bieu"')
    # The visitor can now be picked as a speaker (out-of-band swap of the speaker select).
    assert 'id="speech-speaker-field" data-hx-swap-oob="true"' in body and f'value="v{visitor.pk}"' in body


def test_a_guest_from_outside_the_tree_is_added_by_name_and_title(client, world, meeting):
    login(client, world.secretary_user).post(
        url("visitor_add", meeting), {"name": "Trần Thị Khách", "title": "Bí thư Đoàn xã"}
    )
    visitor = Visitor.objects.get(meeting=meeting)
    assert (visitor.seat, visitor.name, visitor.title, visitor.is_superior) == (
        None,
        "Trần Thị Khách",
        "Bí thư Đoàn xã",
        False,
    )


def test_a_visitor_needs_a_seat_or_a_name(client, world, meeting):
    before = state(meeting)
    response = login(client, world.secretary_user).post(url("visitor_add", meeting), {"title": "Khách"}, **HTMX)
    assert "Chọn cấp ủy viên hoặc ghi họ tên đại biểu." in response.content.decode()
    assert state(meeting) == before


def test_removing_a_visitor_removes_their_speeches_from_the_list(client, world, meeting):
    visitor = services.visitor_add(meeting=meeting, name="Trần Thị Khách")
    services.speech_add(meeting=meeting, visitor=visitor, summary="Phát biểu chỉ đạo")

    response = login(client, world.secretary_user).post(url("visitor_remove", meeting, visitor.pk), **HTMX)

    body = response.content.decode()
    assert not Visitor.objects.filter(meeting=meeting).exists()
    assert 'id="speech-list"' in body and "Phát biểu chỉ đạo" not in body


def test_a_speech_is_added_on_an_agenda_item_and_counts_in_the_figures(client, world, meeting):
    roll_call(meeting)
    item = meeting.agenda.get(order=3)

    response = login(client, world.secretary_user).post(
        url("speech_add", meeting),
        {"speaker": f"m{world.member.pk}", "agenda_item": item.pk, "summary": "Đề nghị tăng cường tuyên truyền."},
        **HTMX,
    )

    speech = Speech.objects.get(meeting=meeting)
    assert (speech.member, speech.agenda_item, speech.summary) == (
        world.member,
        item,
        "Đề nghị tăng cường tuyên truyền.",
    )
    body = response.content.decode()
    assert body.startswith('<section id="phat-bieu"')
    assert "Phát biểu 1/4 (khuyến nghị)" in body
    # The next speaker most often speaks on the same item: it stays selected.
    assert f'<option value="{item.pk}" selected>' in body


def test_a_visitor_speaks_without_counting_as_a_member_speaker(client, world, meeting):
    visitor = services.visitor_add(meeting=meeting, name="Trần Thị Khách")
    response = login(client, world.secretary_user).post(
        url("speech_add", meeting), {"speaker": f"v{visitor.pk}", "summary": "Chỉ đạo"}, **HTMX
    )
    assert Speech.objects.get(meeting=meeting).visitor == visitor
    assert "Phát biểu 0/4 (khuyến nghị)" in response.content.decode()


def test_a_speech_is_removed(client, world, meeting):
    roll_call(meeting)
    speech = services.speech_add(meeting=meeting, member=world.member, summary="Ý kiến")
    response = login(client, world.secretary_user).post(url("speech_remove", meeting, speech.pk))
    assert response.status_code == 302 and response.url.endswith("#phat-bieu")
    assert not Speech.objects.filter(meeting=meeting).exists()


def test_the_figures_preview_unsaved_times_and_votes(client, world, meeting):
    roll_call(meeting)
    response = login(client, world.secretary_user).get(
        url("figures", meeting),
        {"started_at": "2026-11-04T14:00", "ended_at": "2026-11-04T15:35", "votes_for": "2", "quality_score": "75"},
    )
    body = response.content.decode()
    assert "Thời lượng 95/90 phút ✓" in body
    assert "thông qua" in body and "2/3 tán thành" in body
    assert "75 điểm (Khá)" in body
    assert Meeting.objects.get(pk=meeting.pk).started_at is None


# --- Optimistic locking ---------------------------------------------------------------------------------------------


def test_the_second_of_two_concurrent_saves_is_refused_and_its_input_is_shown_back(
    client, world, meeting, django_user_model
):
    roll_call(meeting)
    opened = form_data(meeting, world)  # both opened the page at this version
    first = login(client, world.secretary_user).post(url("record", meeting), {**opened, "resolution_text": "Bản A"})
    assert first.status_code == 302
    saved = state(meeting)

    second = client.post(
        url("record", meeting), {**opened, "resolution_text": "Bản B của thư ký", "ended_at": "2026-11-04T16:10"}
    )

    body = second.content.decode()
    assert second.status_code == 200
    assert "Biên bản vừa được người khác lưu" in body
    assert "Bản B của thư ký" in body and 'value="2026-11-04T16:10"' in body
    assert 'data-testid="stale-differences"' in body and "Bản A" in body
    new_version = Meeting.objects.get(pk=meeting.pk).version
    assert new_version == opened["version"] + 1
    assert f'name="version" value="{new_version}"' in body
    assert state(meeting) == saved

    # Having reviewed it, the user saves again: the form now carries the new version.
    third = client.post(
        url("record", meeting), {**opened, "version": new_version, "resolution_text": "Bản B của thư ký"}
    )
    assert third.status_code == 302
    assert Meeting.objects.get(pk=meeting.pk).resolution_text == "Bản B của thư ký"


@pytest.mark.parametrize("htmx", [False, True])
def test_a_save_without_a_version_is_refused_like_a_stale_one(client, world, meeting, htmx):
    """Issue 11, point 7: a recording POST without ``version`` overwrote the record silently."""
    roll_call(meeting)
    login(client, world.secretary_user).post(url("record", meeting), form_data(meeting, world))
    saved = state(meeting)
    data = {**form_data(meeting, world), "resolution_text": "Ghi đè không phiên bản"}
    del data["version"]

    response = client.post(url("record", meeting), data, **(HTMX if htmx else {}))

    assert response.status_code == 200
    assert "thiếu số phiên bản để đối chiếu với bản đã lưu" in response.content.decode()
    assert state(meeting) == saved


# --- Approved minutes: corrections ------------------------------------------------------------------------------------


@pytest.fixture
def approved(world, meeting, client):
    roll_call(meeting)
    response = login(client, world.secretary_user).post(
        url("record", meeting), {**form_data(meeting, world), "mark_held": "1"}
    )
    assert response.status_code == 302
    services.minutes_approve(meeting=Meeting.objects.get(pk=meeting.pk), by=world.secretary_user)
    meeting.refresh_from_db()
    return meeting


def test_approved_minutes_open_in_correction_mode(client, world, approved):
    body = login(client, world.secretary_user).get(url("record", approved)).content.decode()
    assert 'data-testid="correction-mode"' in body
    assert 'name="correction_reason"' in body
    assert "Lưu đính chính" in body and "Lưu và chốt buổi họp" not in body


def test_a_correction_without_a_reason_is_refused(client, world, approved):
    data = form_data(approved, world, votes_for=2, votes_against=1)
    _refused(client, world, approved, data, "Biên bản đã duyệt: ghi lý do đính chính để sửa.")


def test_a_correction_with_a_reason_is_saved_counted_and_kept_in_the_history(client, world, approved):
    data = form_data(approved, world, votes_for=2, votes_against=1, correction_reason="Ghi nhầm số phiếu")

    response = login(client, world.secretary_user).post(url("record", approved), data)

    assert response.status_code == 302
    approved.refresh_from_db()
    assert (approved.votes_for, approved.votes_against) == (2, 1)
    assert approved.correction_count == 1
    assert approved.status == Meeting.Status.APPROVED
    latest = approved.history.order_by("-history_date", "-history_id").first()
    assert latest.history_change_reason == "Đính chính: Ghi nhầm số phiếu"
    page = client.get(url("record", approved)).content.decode()
    assert "Biên bản đã được đính chính 1 lần." in page and "Đính chính: Ghi nhầm số phiếu" in page


def test_an_attendance_correction_needs_the_reason_and_moves_the_main_forms_version_along(client, world, approved):
    before = state(approved)
    target = url("attendance", approved, world.plain_member.pk)
    refused = login(client, world.secretary_user).post(
        target, {"status": "excused", "reason": "Ốm", "version": approved.version}, **HTMX
    )
    assert "ghi lý do đính chính" in refused.content.decode()
    assert state(approved) == before

    accepted = client.post(
        target,
        {"status": "excused", "reason": "Ốm", "version": approved.version, "correction_reason": "Bổ sung lý do"},
        **HTMX,
    )

    approved.refresh_from_db()
    assert Attendance.objects.get(meeting=approved, member=world.plain_member).status == "excused"
    assert approved.correction_count == 1
    # The user's own correction bumped the version: the main form gets it, so its next save is not refused.
    assert f'id="record-version" form="record-form" value="{approved.version}" data-hx-swap-oob="true"' in (
        accepted.content.decode()
    )


def test_a_cancelled_meeting_has_nothing_to_record(client, world, meeting):
    services.meeting_cancel(meeting=meeting, reason="Bão")
    assert login(client, world.secretary_user).get(url("record", meeting)).status_code == 404


# --- Access ----------------------------------------------------------------------------------------------------------


def _routes(meeting: Meeting, world) -> list[tuple[str, str]]:
    services.attendance_prepare(meeting=meeting)
    visitor = services.visitor_add(meeting=meeting, name="Khách")
    speech = services.speech_add(meeting=meeting, visitor=visitor, summary="Ý kiến")
    return [
        ("get", url("record", meeting)),
        ("post", url("record", meeting)),
        ("get", url("figures", meeting)),
        ("post", url("attendance", meeting, world.member.pk)),
        ("post", url("attendance_all_present", meeting)),
        ("post", url("visitor_add", meeting)),
        ("post", url("visitor_remove", meeting, visitor.pk)),
        ("post", url("speech_add", meeting)),
        ("post", url("speech_remove", meeting, speech.pk)),
    ]


def test_it_hides_other_cells(client, world, meeting):
    login(client, world.outsider_user)
    for method, target in _routes(meeting, world):
        assert getattr(client, method)(target).status_code == 404, target


def test_it_requires_write_access(client, world, meeting):
    login(client, world.board_user)
    before = None
    for method, target in _routes(meeting, world):
        before = before or state(meeting)
        assert getattr(client, method)(target, {"status": "present"}).status_code == 403, target
    assert state(meeting) == before


def test_a_member_of_the_cell_cannot_record(client, world, meeting):
    login(client, world.member_user)
    assert client.get(url("record", meeting)).status_code == 403


def test_it_requires_login(client, meeting):
    response = client.get(url("record", meeting))
    assert response.status_code == 302 and "/dang-nhap/" in response.url


def test_mutations_are_post_only(client, world, meeting):
    login(client, world.secretary_user)
    assert client.get(url("attendance_all_present", meeting)).status_code == 405
    assert client.get(url("speech_add", meeting)).status_code == 405


# --- Query count ----------------------------------------------------------------------------------------------------


def _grow(meeting: Meeting, world, extra_members: int) -> None:
    for n in range(extra_members):
        make_member(world.cell_a, full_name=f"Phạm Văn Thêm {n}")
    roll_call(meeting)
    for row in Attendance.objects.filter(meeting=meeting).select_related("member"):
        services.speech_add(meeting=meeting, member=row.member, summary="Ý kiến")
        services.visitor_add(meeting=meeting, name=f"Khách {row.pk}")


def test_the_record_page_makes_the_same_queries_whatever_the_roster_size(client, world, django_assert_num_queries):
    small = make_meeting(world.cell_a, planned_date=DAY)
    _grow(small, world, 0)
    login(client, world.secretary_user)
    # 18 queries: session and user (2); the access gate: the meeting with organization, chair and recorder (1), the
    # user's scope: grants, positions, committee seats, assignments, memberships, member id (6); the roll call as
    # shown (written by nothing here): the saved rows with their members, absence notices, roster on the day (3);
    # agenda (1); visitors (1); committee seats that may visit (1); figures: the policy in force, distinct member
    # speakers (2); speeches with member, visitor and item (1).
    with django_assert_num_queries(18):
        client.get(url("record", small))

    big = make_meeting(world.cell_a, kind="extraordinary", planned_date=DAY)
    _grow(big, world, 12)
    assert Attendance.objects.filter(meeting=big).count() == 15
    with django_assert_num_queries(18):
        client.get(url("record", big))


# --- Limits on free text (issue 11, point 5: a 2.35 MB resolution made the minutes' PDF time out; an agenda of
# 32,800 lines overflowed a small integer) ------------------------------------------------------------------------


def test_a_resolution_longer_than_its_limit_is_refused_on_its_field(client, world, meeting):
    roll_call(meeting)
    saved = state(meeting)
    limit = Meeting._meta.get_field("resolution_text").max_length

    response = login(client, world.secretary_user).post(
        url("record", meeting), form_data(meeting, world, resolution_text="x" * (limit + 1))
    )

    assert response.status_code == 200
    assert response.context["form"].errors["resolution_text"] == [
        "Nội dung dài 30.001 ký tự, quá giới hạn 30.000 ký tự: hãy rút gọn rồi lưu lại."
    ]
    assert state(meeting) == saved
    assert f'maxlength="{limit}"' in response.content.decode()  # the browser stops the typing there


def test_a_conclusion_too_long_is_refused_on_its_item(world, meeting):
    roll_call(meeting)
    item = meeting.agenda.first()

    with pytest.raises(ValidationError) as refused:
        services.meeting_record(
            meeting=meeting, version=None, started_at=None, ended_at=None, conclusions={item.pk: "y" * 10_001}
        )

    assert list(refused.value.message_dict) == [f"conclusion_{item.pk}"]
    assert not AgendaItem.objects.filter(conclusion__startswith="yyy").exists()


def test_a_speech_too_long_is_refused(world, meeting):
    roll_call(meeting)

    with pytest.raises(ValidationError) as refused:
        services.speech_add(meeting=meeting, member=world.member, summary="z" * 5_001)

    assert "quá giới hạn 5.000 ký tự" in refused.value.message_dict["summary"][0]
    assert not Speech.objects.exists()


def test_an_agenda_of_thousands_of_lines_is_refused_with_a_message_not_a_500(client, world):
    agenda = "\n".join(f"Mục {n}" for n in range(32_800))

    response = login(client, world.secretary_user).post(
        reverse("meetings:plan", args=[world.cell_a.pk]),
        {
            "kind": "regular",
            "planned_date": "2026-12-10",
            "planned_time": "19:00",
            "venue": "Hội trường",
            "agenda": agenda,
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors["agenda"] == ["Chương trình có 32.800 mục, quá 40 mục: hãy gộp các mục nhỏ."]
    assert not Meeting.objects.exists()


def test_an_edited_agenda_is_bounded_too(world):
    planned = make_meeting(world.cell_a, planned_date=datetime.date(2026, 12, 10))
    before = list(planned.agenda.values_list("title", flat=True))

    with pytest.raises(ValidationError):
        services.agenda_set(meeting=planned, items=[(f"Mục {n}", "") for n in range(41)])
    with pytest.raises(ValidationError):
        services.agenda_set(meeting=planned, items=[("Mục 1", "d" * 2_001)])

    assert list(planned.agenda.values_list("title", flat=True)) == before


def test_an_absence_notice_too_long_is_refused_not_cut(world):
    planned = make_meeting(world.cell_a, planned_date=datetime.date(2026, 12, 10))

    with pytest.raises(ValidationError) as refused:
        services.absence_notice_submit(meeting=planned, member=world.member, reason="Đi công tác " + "x" * 200)

    assert "quá giới hạn 200 ký tự" in refused.value.message_dict["reason"][0]
    assert not AbsenceNotice.objects.exists()
