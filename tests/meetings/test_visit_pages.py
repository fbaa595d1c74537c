"""The committee member's side of visits: "my cells", recording "I attended", the visit report (draft, submission,
lock, correction), who may read a report, and the query counts.

The clock is the suite's (4 December 2026, 18:33 in Hà Nội): quarter IV of 2026, the world's cells meet on the 4th."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from meetings import services
from meetings.models import Meeting, OutboxMessage, Visitor, VisitReport
from members.models import Assignment
from tests.factories import make_cell, make_held_meeting, make_meeting, make_member, seat

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 4)
MY_CELLS = reverse("meetings:my_cells")


def _as(client, user):
    client.force_login(user)
    return client


def _record_url(meeting: Meeting) -> str:
    return reverse("meetings:visit_record", args=[meeting.pk])


def _report_url(visitor: Visitor) -> str:
    return reverse("meetings:visit_report", kwargs={"visitor_pk": visitor.pk})


def _messages(response) -> list[str]:
    return [str(message) for message in response.wsgi_request._messages]


def _report_data(version: int, **values) -> dict:
    data = {
        "version": version,
        "attendance_observed": "Có mặt đủ.",
        "followed_guidance": "followed",
        "guidance_note": "",
        "speakers": 3,
        "discussion_note": "Thảo luận sôi nổi.",
        "resolution_adopted": "yes",
        "contribution": "Nhắc chi bộ bám sát nghị quyết.",
        "recommendations": "",
        "score": "",
        "grade": "good",
        "follow_ups": "",
    }
    data.update(values)
    return data


@pytest.fixture
def held(world):
    """Cell A's meeting of 4 November 2026, held: everyone present, the resolution passed (3 for)."""
    return make_held_meeting(world.cell_a, planned_date=datetime.date(2026, 11, 4), votes_for=3)


@pytest.fixture
def visit(held, follower):
    return services.visit_record(meeting=held, seat=follower.seat, by=follower.user)


# --- My cells ---------------------------------------------------------------------------------------------------


def test_my_cells_shows_the_followed_cell_upcoming_meetings_and_whether_the_notice_came(client, world, follower):
    published = make_meeting(
        world.cell_a, planned_date=datetime.date(2026, 12, 10), kind="thematic", topic="Chuyển đổi số"
    )
    services.meeting_publish(meeting=published)
    OutboxMessage.objects.filter(meeting=published, member=follower.member).update(
        status=OutboxMessage.Status.SENT, sent_at=datetime.datetime(2026, 12, 1, 3, 0, tzinfo=datetime.UTC)
    )
    planned = make_meeting(world.cell_a, planned_date=datetime.date(2027, 1, 4))

    body = _as(client, follower.user).get(MY_CELLS).content.decode()

    assert world.cell_a.name in body
    assert "Quý IV năm 2026" in body
    assert body.index("10/12/2026") < body.index("04/01/2027")
    assert "Đã được thông báo ngày 01/12/2026" in body
    assert "Chưa nhận thông báo" in body
    assert reverse("meetings:detail", args=[planned.pk]) in body
    assert 'href="' + reverse("meetings:my_cells") + '"' in body  # the navigation's link, for a seat holder


def test_my_cells_counts_the_visits_of_the_quarter_against_the_quota_in_words(client, world, follower, visit):
    body = _as(client, follower.user).get(MY_CELLS).content.decode()

    assert "Quý IV/2026" in body
    assert "1 / 2" in body
    assert "Còn thiếu, kỳ chưa hết" in body  # the status in words, not only a colour
    assert "04/11/2026" in body
    assert "Chưa viết báo cáo, quá hạn nộp ngày 11/11/2026" in body  # 7 days (the policy's default)
    assert "Quá hạn" in body
    assert "Lần dự gần nhất: 04/11/2026" in body


def test_a_past_quarter_is_judged_behind(client, world, follower):
    body = _as(client, follower.user).get(MY_CELLS + "?ky=quy-2026-3").content.decode()

    assert "Quý III năm 2026" in body
    assert "0 / 2" in body and "Chưa đạt" in body


def test_a_user_with_no_seat_gets_a_page_that_says_what_it_is_for(client, world):
    response = _as(client, world.member_user).get(MY_CELLS)

    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="no-seat"' in body
    assert "không giữ chức vụ nào trong cấp ủy" in body
    assert 'data-testid="nav-my-cells"' not in body


def test_the_page_needs_a_login(client):
    response = client.get(MY_CELLS)

    assert response.status_code == 302


def _my_cells_queries(client, user) -> list[dict]:
    client.get(MY_CELLS)  # warm the session
    with CaptureQueriesContext(connection) as queries:
        assert client.get(MY_CELLS).status_code == 200
    return queries.captured_queries


def test_my_cells_queries_do_not_grow_with_assignments_visits_and_meetings(client, world, follower, visit):
    _as(client, follower.user)
    make_meeting(world.cell_a, planned_date=datetime.date(2026, 12, 10))
    few = _my_cells_queries(client, follower.user)
    for n in range(3):
        cell = make_cell(world.commune, name=f"Chi bộ ấp {n + 2}")
        make_member(cell)
        Assignment.objects.create(seat=follower.seat, organization=cell, valid_from=datetime.date(2020, 1, 1))
        make_meeting(cell, planned_date=datetime.date(2026, 12, 20))
        meeting = make_held_meeting(cell, planned_date=datetime.date(2026, 10, 4))
        services.visit_record(meeting=meeting, seat=follower.seat, by=follower.user)
    second_seat = seat(follower.member, world.province)
    Assignment.objects.create(seat=second_seat, organization=world.commune, valid_from=datetime.date(2020, 1, 1))

    many = _my_cells_queries(client, follower.user)

    # session, user; seats, assignments, the last visit to each followed organization, upcoming meetings, the
    # notices sent to this member; quota_progress (quota sets, their lines, visits, assignments, memberships); the
    # visits with their reports, their committees' policies; the navigation's "holds a seat".
    assert len(many) == len(few) == 15, [q["sql"][:100] for q in many]


# --- Recording "I attended" -----------------------------------------------------------------------------------


def test_the_follower_records_their_visit_of_a_held_meeting_with_their_seat(client, world, follower, held):
    response = _as(client, follower.user).post(_record_url(held))

    visitor = Visitor.objects.get(meeting=held)
    assert response.status_code == 302 and response["Location"] == _report_url(visitor)
    assert (visitor.seat, visitor.rank, visitor.committee_kind) == (follower.seat, "committee", "commune")
    assert visitor.recorded_by == follower.user


def test_a_meeting_on_its_day_may_be_recorded_before_it_is_closed(client, world, follower):
    meeting = make_meeting(world.cell_a, planned_date=TODAY, kind="extraordinary")

    _as(client, follower.user).post(_record_url(meeting))

    assert Visitor.objects.filter(meeting=meeting, seat=follower.seat).exists()


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (datetime.date(2026, 12, 10), "Buổi họp ngày 10/12/2026 chưa diễn ra: ghi nhận dự sinh hoạt từ ngày họp."),
        (datetime.date(2026, 11, 4), "Buổi họp ngày 04/11/2026 chưa được chốt biên bản"),
    ],
)
def test_it_refuses_a_meeting_not_held_yet(client, world, follower, day, message):
    meeting = make_meeting(world.cell_a, planned_date=day)

    response = _as(client, follower.user).post(_record_url(meeting))

    assert any(message in text for text in _messages(response))
    assert not Visitor.objects.filter(meeting=meeting).exists()


def test_it_refuses_a_visit_already_listed(client, world, follower, visit):
    response = _as(client, follower.user).post(_record_url(visit.meeting))

    assert "Đồng chí Lê Văn Cấp đã có trong danh sách đại biểu." in _messages(response)
    assert Visitor.objects.filter(meeting=visit.meeting).count() == 1


def test_of_several_seats_the_one_that_follows_the_cell_is_taken(client, world, follower, held):
    seat(follower.member, world.province)

    _as(client, follower.user).post(_record_url(held))

    assert Visitor.objects.get(meeting=held).seat == follower.seat


def test_with_several_seats_following_the_cell_the_visitor_picks_one(client, world, follower, held):
    other = seat(follower.member, world.province, rank="standing")
    Assignment.objects.create(seat=other, organization=world.commune, valid_from=datetime.date(2020, 1, 1))
    _as(client, follower.user)
    assert 'name="seat"' in client.get(reverse("meetings:detail", args=[held.pk])).content.decode()

    refused = client.post(_record_url(held))
    assert "Đồng chí giữ nhiều chức vụ trong cấp ủy: chọn chức vụ dự buổi sinh hoạt này." in _messages(refused)
    client.post(_record_url(held), {"seat": other.pk})

    visitor = Visitor.objects.get(meeting=held)
    assert (visitor.seat, visitor.rank, visitor.committee_kind) == (other, "standing", "provincial")


def test_it_refuses_a_seat_not_held_on_the_meetings_day(client, world, follower, held):
    follower.seat.valid_from = datetime.date(2026, 11, 20)
    follower.seat.save(update_fields=["valid_from"])

    response = _as(client, follower.user).post(_record_url(held))

    assert any("không giữ chức vụ nào trong cấp ủy cấp trên" in text for text in _messages(response))
    assert not Visitor.objects.filter(meeting=held).exists()


def test_a_member_with_no_seat_records_nothing(client, world, held):
    response = _as(client, world.member_user).post(_record_url(held))

    assert response.status_code == 302
    assert not Visitor.objects.filter(meeting=held).exists()


def test_it_hides_other_cells(client, world, follower, held):
    response = _as(client, world.outsider_user).post(_record_url(held))

    assert response.status_code == 404


def test_approved_minutes_send_the_visitor_to_the_secretary(client, world, follower, held):
    services.minutes_approve(meeting=held, by=None)

    response = _as(client, follower.user).post(_record_url(held))

    assert any("đề nghị đồng chí bí thư đính chính biên bản" in text for text in _messages(response))


def test_the_meeting_page_offers_the_button_then_lists_the_visitor_with_rank_and_report(client, world, follower, held):
    page = reverse("meetings:detail", args=[held.pk])
    _as(client, follower.user)
    assert 'data-testid="visit-record"' in client.get(page).content.decode()

    visitor = services.visit_record(meeting=held, seat=follower.seat, by=follower.user)
    body = client.get(page).content.decode()

    assert 'data-testid="visit-record"' not in body
    assert "Lê Văn Cấp" in body and "Cấp ủy viên, cấp ủy đảng bộ xã" in body
    assert _report_url(visitor) in body  # the author's link to write it
    secretary_body = _as(client, world.secretary_user).get(page).content.decode()
    assert "Chưa viết báo cáo" in secretary_body and _report_url(visitor) not in secretary_body


# --- The visit report -----------------------------------------------------------------------------------------


def test_a_new_report_starts_from_the_recorded_meeting(client, world, follower, visit):
    body = _as(client, follower.user).get(_report_url(visit)).content.decode()

    assert "Có mặt 3/3 đảng viên; vắng có lý do 0, vắng không lý do 0." in body
    assert 'name="speakers" value="0"' in body
    assert '<option value="yes" selected>' in body


def test_draft_then_submit_then_locked_then_corrected_with_a_reason(client, world, follower, visit):
    _as(client, follower.user)
    client.post(_report_url(visit), _report_data(1, save="1"))
    report = VisitReport.objects.get(visitor=visit)
    assert not report.is_submitted and report.speakers == 3

    response = client.post(_report_url(visit), _report_data(report.version, submit="1", speakers=4))
    report.refresh_from_db()
    assert response.status_code == 302 and report.is_submitted and report.speakers == 4

    body = client.get(_report_url(visit)).content.decode()
    assert 'data-testid="report-read"' in body and 'data-testid="report-form"' not in body
    assert "Đã nộp báo cáo ngày 04/12/2026" in body

    refused = client.post(_report_url(visit), _report_data(report.version, speakers=5))
    assert "Ghi lý do đính chính." in refused.content.decode()
    report.refresh_from_db()
    assert report.speakers == 4

    client.post(_report_url(visit), _report_data(report.version, speakers=5, correction_reason="Đếm lại"))
    report.refresh_from_db()
    assert (report.speakers, report.correction_count) == (5, 1)
    assert "Đính chính: Đếm lại" in client.get(_report_url(visit)).content.decode()


def test_a_submission_needs_its_main_answers(client, world, follower, visit):
    response = _as(client, follower.user).post(
        _report_url(visit), _report_data(1, submit="1", followed_guidance="", grade="")
    )

    body = response.content.decode()
    assert "Cho biết nội dung sinh hoạt có theo hướng dẫn của cấp trên." in body
    assert "Xếp loại buổi sinh hoạt trước khi nộp." in body
    assert not VisitReport.objects.filter(visitor=visit, submitted_at__isnull=False).exists()


@pytest.mark.parametrize(
    ("score", "grade"), [(95, "excellent"), (90, "excellent"), (85, "good"), (50, "average"), (49, "poor")]
)
def test_the_grade_follows_from_the_score_by_the_meetings_rule(client, world, follower, visit, score, grade):
    _as(client, follower.user).post(_report_url(visit), _report_data(1, submit="1", score=score, grade=""))

    report = VisitReport.objects.get(visitor=visit)
    assert (report.score, report.grade, report.is_submitted) == (score, grade, True)


def test_a_grade_that_contradicts_the_score_is_refused(client, world, follower, visit):
    response = _as(client, follower.user).post(_report_url(visit), _report_data(1, submit="1", score=95, grade="poor"))

    assert "95 điểm là xếp loại Tốt: sửa điểm hoặc xếp loại cho khớp." in response.content.decode()
    assert not VisitReport.objects.filter(visitor=visit, submitted_at__isnull=False).exists()


def test_a_draft_is_its_authors_alone(client, world, follower, visit):
    services.visit_report_save(visitor=visit, values={"speakers": 2}, by=follower.user)

    for user in (world.board_user, world.secretary_user, world.outsider_user, world.member_user):
        assert _as(client, user).get(_report_url(visit)).status_code == 404, user.username


def test_a_submitted_report_reaches_the_board_of_the_visitors_committee_read_only(client, world, follower, visit):
    services.visit_report_save(
        visitor=visit,
        values={"followed_guidance": "followed", "speakers": 3, "resolution_adopted": True, "score": 80},
        submit=True,
        by=follower.user,
    )

    board = _as(client, world.board_user)
    body = board.get(_report_url(visit)).content.decode()
    assert "80 điểm, Khá" in body and 'data-testid="correct-report"' not in body
    assert board.post(_report_url(visit), _report_data(2, correction_reason="x")).status_code == 403
    for user in (world.secretary_user, world.outsider_user):
        assert _as(client, user).get(_report_url(visit)).status_code == 404, user.username


def test_it_requires_write_access(client, world, follower, visit):
    services.visit_report_save(
        visitor=visit,
        values={"followed_guidance": "followed", "speakers": 3, "resolution_adopted": True, "grade": "good"},
        submit=True,
        by=follower.user,
    )

    response = _as(client, world.board_writer).post(_report_url(visit), _report_data(2, correction_reason="x"))

    assert response.status_code == 403


def test_a_guest_by_name_has_no_report(client, world, follower, held):
    guest = services.visitor_add(meeting=held, name="Nguyễn Văn Khách", title="Mặt trận")

    assert _as(client, world.admin).get(_report_url(guest)).status_code == 404


def test_the_meeting_pages_visits_part_runs_in_a_constant_number_of_queries(client, world, follower, visit):
    page = reverse("meetings:detail", args=[visit.meeting.pk])
    _as(client, follower.user).get(page)  # warm the content-type cache
    with CaptureQueriesContext(connection) as one:
        client.get(page)
    for n in range(3):
        member = make_member(world.cell_b, full_name=f"Phạm Văn Dự {n}")
        services.visitor_add(meeting=visit.meeting, seat=seat(member, world.commune), by=world.secretary_user)
        services.visitor_add(meeting=visit.meeting, name=f"Khách mời {n}", title="Mặt trận Tổ quốc xã")
    services.visit_report_save(visitor=visit, values={"speakers": 2}, by=follower.user)

    with CaptureQueriesContext(connection) as many:
        body = client.get(page).content.decode()

    # The meeting page's own queries, then the visitors with their seats and reports, their committees' policies,
    # and this user's seats that may visit (the scope says they hold one).
    assert len(many) == len(one)
    assert body.count("Chưa viết báo cáo") == 3 and "Đang soạn báo cáo" in body
