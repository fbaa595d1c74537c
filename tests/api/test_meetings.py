"""Meetings through the API: the list (access, filters, ordering, queries a page), one meeting's minutes, planning
one and recording a held one in one request, refused whole with the form's messages."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from meetings import services
from meetings.models import Attendance, Meeting, Speech, Visitor
from tests.factories import HANOI, make_cell, make_held_meeting, make_meeting, make_member, seat

pytestmark = pytest.mark.django_db

URL = "/api/v1/meetings/"
DAY = datetime.date(2026, 12, 4)  # the frozen day: the world's cells meet on the 4th at 14:00


def at(hour: int, minute: int = 0, day: datetime.date = DAY) -> str:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=HANOI).isoformat()


def test_the_list_is_the_meetings_of_the_subtree_newest_first(client, world):
    older = make_held_meeting(world.cell_a, planned_date=datetime.date(2026, 10, 5))
    newer = make_meeting(world.cell_a, planned_date=DAY)
    make_meeting(world.cell_b, planned_date=DAY)  # another commune's cell
    client.force_login(world.board_user)

    body = client.get(URL).json()

    assert [row["id"] for row in body["results"]] == [newer.pk, older.pk]
    assert body["results"][1]["status"] == "held"
    assert client.get(URL, {"ordering": "planned_date"}).json()["results"][0]["id"] == older.pk


def test_filters_by_period_kind_status_and_organization(client, world):
    october = make_held_meeting(world.cell_a, planned_date=datetime.date(2026, 10, 5))
    december = make_meeting(world.cell_a, planned_date=DAY)
    client.force_login(world.admin)

    def ids(**query):
        return [row["id"] for row in client.get(URL, query).json()["results"]]

    assert ids(period="2026-10") == [october.pk]
    assert ids(period="2026-Q4") == [december.pk, october.pk]
    assert ids(period="quy-2026-4") == [december.pk, october.pk]  # the dashboard's own slug
    assert ids(period="2025") == []
    assert ids(status="held") == [october.pk]
    assert ids(organization=world.other_commune.pk) == []
    assert ids(organization=world.commune.pk, kind="regular") == [december.pk, october.pk]


def test_a_bad_filter_is_a_400_in_vietnamese_and_an_unseen_organization_a_404(client, world):
    client.force_login(world.board_user)

    bad = client.get(URL, {"period": "tháng 13"})

    assert bad.status_code == 400
    assert bad.json() == {"period": ["Kỳ không hợp lệ: viết 2026-11 (tháng), 2026-Q4 (quý) hoặc 2026 (năm)."]}
    assert client.get(URL, {"organization": "abc"}).json() == {"organization": ["Phải là một số nguyên dương."]}
    missing = client.get(URL, {"organization": world.other_commune.pk})
    assert missing.status_code == 404
    assert missing.json()["detail"] == "Không tìm thấy, hoặc nằm ngoài phạm vi tổ chức đồng chí được xem."


def test_one_meeting_outside_the_subtree_is_a_404_and_a_member_reads_their_cells(client, world):
    meeting = make_held_meeting(world.cell_a, planned_date=datetime.date(2026, 11, 4), votes_for=3)
    client.force_login(world.outsider_user)
    assert client.get(f"{URL}{meeting.pk}/").status_code == 404

    client.force_login(world.member_user)
    body = client.get(f"{URL}{meeting.pk}/").json()
    client.force_login(world.board_user)
    board = client.get(f"{URL}{meeting.pk}/").json()

    assert body["votes_for"] == 3 and body["agenda"][0]["order"] == 1  # the minutes, as on the page
    assert body["attendance"] == []  # everybody came: the minutes name only the absent
    assert body["attendance_counts"] == {"roster": 3, "present": 3, "excused": 0, "absent": 0, "unmarked": 0}
    names = [row["full_name"] for row in board["attendance"]]
    assert names == ["Đỗ Thanh Hài", "Nguyễn Thị Hiền", "Quách Thị Hương"]  # by given name
    assert {row["member_status"] for row in board["attendance"]} == {"official"}


def test_a_page_of_meetings_costs_the_same_queries_whatever_their_number(client, world):
    client.force_login(world.board_user)
    make_meeting(world.cell_a, planned_date=DAY)
    client.get(URL)  # the session and the user's scope, once
    with CaptureQueriesContext(connection) as few:
        assert client.get(URL).json()["count"] == 1
    for month in range(1, 12):
        make_meeting(world.cell_a, planned_date=datetime.date(2026, month, 4))
    with CaptureQueriesContext(connection) as many:
        assert client.get(URL).json()["count"] == 12

    assert len(many) == len(few)


def test_one_meeting_costs_the_same_queries_whatever_its_size(client, world):
    small = make_held_meeting(world.cell_a, planned_date=datetime.date(2026, 10, 5))
    for n in range(8):
        make_member(world.cell_a, full_name=f"Đảng viên {n}")
    large = make_held_meeting(world.cell_a, planned_date=datetime.date(2026, 11, 4))
    client.force_login(world.board_user)
    client.get(f"{URL}{small.pk}/")
    with CaptureQueriesContext(connection) as few:
        client.get(f"{URL}{small.pk}/")
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(f"{URL}{large.pk}/").json()["attendance"]) == 11

    assert len(many) == len(few)


# --- Planning -------------------------------------------------------------------------------------------------------


def test_a_secretary_plans_a_meeting_with_the_cells_venue_and_the_default_agenda(client, world):
    world.cell_a.venue, world.cell_a.meeting_time = "Hội trường UBND xã", datetime.time(14, 0)
    world.cell_a.save()
    client.force_login(world.secretary_user)

    response = client.post(
        URL, {"organization": world.cell_a.pk, "planned_date": "2027-01-04"}, content_type="application/json"
    )

    assert response.status_code == 201, response.json()
    meeting = Meeting.objects.get(pk=response.json()["id"])
    assert (meeting.venue, meeting.planned_time, meeting.status) == ("Hội trường UBND xã", datetime.time(14), "planned")
    assert len(response.json()["agenda"]) == meeting.agenda.count() > 0
    assert meeting.history.latest().history_user == world.secretary_user  # audited as from the page


def test_planning_refusals_are_the_forms_messages_and_write_nothing(client, world):
    make_meeting(world.cell_a, planned_date=datetime.date(2027, 1, 4))
    client.force_login(world.secretary_user)

    response = client.post(
        URL,
        {"organization": world.cell_a.pk, "planned_date": "2027-01-20", "planned_time": "14:00", "venue": "Nhà VH"},
        content_type="application/json",
    )
    thematic = client.post(
        URL,
        {
            "organization": world.cell_a.pk,
            "kind": "thematic",
            "planned_date": "2027-01-20",
            "planned_time": "14:00",
            "venue": "Nhà văn hóa",
        },
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json()["planned_date"][0].startswith("Tháng 01/2027 đã có buổi sinh hoạt định kỳ (ngày")
    assert thematic.json() == {"topic": ["Sinh hoạt chuyên đề phải có tên chuyên đề."]}
    assert Meeting.objects.count() == 1


def test_planning_needs_write_access(client, world):
    body = {"organization": world.cell_a.pk, "planned_date": "2027-01-04", "planned_time": "14:00", "venue": "X"}
    client.force_login(world.board_user)  # reads the commune
    forbidden = client.post(URL, body, content_type="application/json")
    client.force_login(world.outsider_user)  # another commune's secretary
    hidden = client.post(URL, body, content_type="application/json")

    assert forbidden.status_code == 403
    assert forbidden.json()["detail"] == "Đồng chí không có quyền thực hiện thao tác này."
    assert hidden.status_code == 404
    assert Meeting.objects.count() == 0


# --- Recording a held meeting in one request ------------------------------------------------------------------------


@pytest.fixture
def today_meeting(world):
    return make_meeting(world.cell_a, planned_date=DAY)


def record_body(world, meeting, **changes) -> dict:
    items = list(meeting.agenda.order_by("order"))
    body = {
        "version": meeting.version,
        "started_at": at(14),
        "ended_at": at(16),
        "attendance": [
            {"member": world.secretary.pk, "status": "present"},
            {"member": world.member.pk, "status": "present"},
            {"member": world.plain_member.pk, "status": "excused", "reason": "Ốm", "absence_accepted": True},
        ],
        "speeches": [
            {"member": world.secretary.pk, "agenda_item": items[0].pk, "summary": "Báo cáo tình hình tháng."},
            {"member": world.member.pk, "agenda_item": items[0].pk, "summary": "Đề nghị sửa đường liên ấp."},
        ],
        "chair": world.secretary.pk,
        "recorder": world.member.pk,
        "conclusions": [{"agenda_item": items[0].pk, "conclusion": "Thống nhất kế hoạch tháng 12."}],
        "resolution_title": "Nghị quyết tháng 12/2026",
        "resolution_text": "Chi bộ thống nhất …",
        "votes_for": 2,
        "votes_against": 0,
        "votes_abstain": 0,
    }
    body.update(changes)
    return body


def record(client, meeting, body):
    return client.post(f"{URL}{meeting.pk}/record/", body, content_type="application/json")


def test_a_secretary_records_a_held_meeting_in_one_request(client, world, today_meeting):
    client.force_login(world.secretary_user)

    response = record(client, today_meeting, record_body(world, today_meeting))

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "held"
    assert body["chair"] == world.secretary.pk and body["votes_for"] == 2
    assert [row["summary"] for row in body["speeches"]] == ["Báo cáo tình hình tháng.", "Đề nghị sửa đường liên ấp."]
    assert body["agenda"][0]["conclusion"] == "Thống nhất kế hoạch tháng 12."
    excused = Attendance.objects.get(meeting=today_meeting, member=world.plain_member)
    assert (excused.status, excused.reason, excused.absence_accepted) == ("excused", "Ốm", True)
    today_meeting.refresh_from_db()
    assert today_meeting.history.latest().history_user == world.secretary_user
    assert record(client, today_meeting, record_body(world, today_meeting)).status_code == 400  # once only


def test_a_visitor_by_seat_and_their_speech(client, world, today_meeting):
    deputy = make_member(world.cell_b, full_name="Lê Văn Cấp")
    visiting = seat(deputy, world.commune)
    client.force_login(world.secretary_user)
    body = record_body(world, today_meeting, visitors=[{"seat": visiting.pk}, {"name": "Ông Khách", "title": "MTTQ"}])
    body["speeches"].append({"seat": visiting.pk, "summary": "Ghi nhận cố gắng của chi bộ."})

    response = record(client, today_meeting, body)

    assert response.status_code == 200, response.json()
    visitor = Visitor.objects.get(meeting=today_meeting, seat=visiting)
    assert visitor.name == "Lê Văn Cấp" and visitor.recorded_by == world.secretary_user
    assert Speech.objects.get(meeting=today_meeting, visitor=visitor).summary == "Ghi nhận cố gắng của chi bộ."
    assert Visitor.objects.filter(meeting=today_meeting).count() == 2


def assert_nothing_written(meeting):
    meeting.refresh_from_db()
    assert meeting.status == "planned" and meeting.started_at is None and meeting.version == 1
    assert meeting.history.count() == 1  # the plan only
    assert not Attendance.objects.filter(meeting=meeting).exists()  # not even the roll call's empty rows
    assert not Speech.objects.filter(meeting=meeting).exists()
    assert not Visitor.objects.filter(meeting=meeting).exists()
    assert not meeting.agenda.exclude(conclusion="").exists()


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            {"ended_at": at(13)},
            {"ended_at": ["Giờ kết thúc phải sau giờ bắt đầu."]},
        ),
        (
            {"started_at": at(18, 40), "ended_at": at(18, 50)},
            {
                "started_at": ["Giờ bắt đầu không được ở tương lai."],
                "ended_at": ["Giờ kết thúc không được ở tương lai."],
            },
        ),
        (
            {"started_at": None, "ended_at": None},
            {"started_at": ["Nhập giờ bắt đầu và kết thúc trước khi chốt buổi họp."]},
        ),
        (
            {"started_at": at(8), "ended_at": at(14, 30)},  # over the policy's six hours: to be confirmed
            {"confirm_long": ["Buổi họp dài 6,5 giờ (trên 6 giờ): đánh dấu xác nhận nếu đúng như vậy."]},
        ),
        (
            {"chair": None, "recorder": None},
            {"chair": ["Chọn đồng chí chủ trì."], "recorder": ["Chọn đồng chí thư ký."]},
        ),
        (
            {"quality_score": 120},
            {"quality_score": ["Điểm tự đánh giá từ 0 đến 100."]},
        ),
        (
            {"votes_for": 5},
            "votes_for",
        ),
        (
            {"votes_for": 1},  # fewer ballots than members present who may vote
            "confirm_votes",
        ),
    ],
)
def test_each_refusal_of_the_record_is_the_forms_message_and_nothing_is_written(
    client, world, today_meeting, changes, expected
):
    client.force_login(world.secretary_user)

    response = record(client, today_meeting, record_body(world, today_meeting, **changes))

    assert response.status_code == 400
    if isinstance(expected, dict):
        assert response.json() == expected
    else:
        assert list(response.json()) == [expected] and response.json()[expected][0]
    assert_nothing_written(today_meeting)


def test_refusals_are_given_at_the_row_that_caused_them_all_at_once(client, world, today_meeting):
    stranger = make_member(world.cell_b, full_name="Người Ngoài")
    client.force_login(world.secretary_user)
    body = record_body(world, today_meeting)
    body["attendance"][1] = {"member": world.member.pk, "status": "late"}
    body["attendance"][2] = {"member": world.plain_member.pk, "status": "excused"}  # no reason
    body["attendance"].append({"member": stranger.pk, "status": "present"})
    body["speeches"][1]["summary"] = "  "
    body["conclusions"][0]["agenda_item"] = 999_999

    response = record(client, today_meeting, body)

    assert response.status_code == 400
    errors = response.json()
    assert errors["attendance"] == [
        {},
        {"status": ["Chọn có mặt, vắng có lý do hoặc vắng không lý do."]},
        {},  # an excused absence may wait for its reason while recording: closing asks for it (below)
        {"non_field_errors": ["Đảng viên không có trong danh sách điểm danh của buổi này."]},
    ]
    assert errors["speeches"] == [{}, {"speaker": ["Người phát biểu phải có mặt (điểm danh “Có mặt”)."]}]
    assert errors["conclusions"] == [{"agenda_item": ["Mục chương trình không thuộc buổi này."]}]
    assert errors["attendance"] and "recorder" in errors  # the recorder was not marked present
    assert_nothing_written(today_meeting)


def test_closing_asks_for_every_member_and_every_reason(client, world, today_meeting):
    client.force_login(world.secretary_user)
    body = record_body(world, today_meeting)
    body["attendance"] = body["attendance"][:2]

    response = record(client, today_meeting, body)

    assert response.json() == {
        "attendance": [
            "Còn 1 đảng viên chưa điểm danh: mỗi đảng viên phải có mặt, vắng có lý do hoặc vắng không lý do."
        ]
    }
    body["attendance"].append({"member": world.plain_member.pk, "status": "excused", "reason": ""})
    assert record(client, today_meeting, body).json() == {
        "attendance": ["Vắng có lý do nhưng chưa ghi lý do: Quách Thị Hương."]
    }
    assert_nothing_written(today_meeting)


def test_a_seat_that_may_not_visit_and_a_speech_by_a_stranger_are_refused(client, world, today_meeting):
    far = seat(make_member(world.cell_b, full_name="Cấp Ủy Xã Khác"), world.other_commune)
    client.force_login(world.secretary_user)
    body = record_body(world, today_meeting, visitors=[{"seat": far.pk}])
    body["speeches"].append({"seat": far.pk, "summary": "…"})

    errors = record(client, today_meeting, body).json()

    assert errors["visitors"][0]["seat"][0].startswith("Cấp ủy viên này không dự được buổi họp này")
    assert errors["speeches"][2] == {"speaker": ["Đại biểu không dự buổi này."]}
    assert_nothing_written(today_meeting)


def test_a_meeting_whose_day_has_not_come_and_a_stale_version(client, world):
    future = make_meeting(world.cell_a, planned_date=datetime.date(2027, 1, 4))
    today = make_meeting(world.cell_a, planned_date=DAY, kind="extraordinary")
    client.force_login(world.secretary_user)

    early = record(client, future, record_body(world, future))
    stale = record(client, today, record_body(world, today, version=0))

    assert early.status_code == 400
    assert early.json()["non_field_errors"][0].startswith("Buổi họp ngày 04/01/2027 chưa diễn ra")
    assert stale.status_code == 409
    assert_nothing_written(today)


def test_recording_needs_write_access(client, world, today_meeting):
    client.force_login(world.board_user)
    assert record(client, today_meeting, record_body(world, today_meeting)).status_code == 403
    client.force_login(world.member_user)
    assert record(client, today_meeting, record_body(world, today_meeting)).status_code == 403
    client.force_login(world.outsider_user)
    assert record(client, today_meeting, record_body(world, today_meeting)).status_code == 404
    assert_nothing_written(today_meeting)


def test_reading_is_not_writing(client, world, today_meeting):
    client.force_login(world.board_user)

    assert client.delete(f"{URL}{today_meeting.pk}/").status_code == 405
    assert client.put(f"{URL}{today_meeting.pk}/", {}, content_type="application/json").status_code == 405


def test_five_thousand_meetings_page_at_the_cost_of_a_few(client, world):
    """The list of a large organization: 5,000 meetings (written in bulk: the services would take minutes) cost the
    queries of one meeting, on the first page and on the last."""
    make_meeting(world.cell_a, planned_date=DAY)
    client.force_login(world.board_user)
    client.get(URL)
    with CaptureQueriesContext(connection) as one:
        client.get(URL)
    cells = [make_cell(world.commune, name=f"Chi bộ {n}", code=f"K{n}") for n in range(50)]
    Meeting.objects.bulk_create(
        Meeting(
            organization=cell,
            kind="extraordinary",
            planned_date=DAY - datetime.timedelta(days=day),
            month=(DAY - datetime.timedelta(days=day)).replace(day=1),
            planned_time=datetime.time(14),
            venue="Hội trường",
        )
        for cell in cells
        for day in range(100)
    )
    with CaptureQueriesContext(connection) as first:
        body = client.get(URL, {"page_size": 500}).json()
    with CaptureQueriesContext(connection) as last:
        tail = client.get(URL, {"page_size": 500, "page": 11}).json()

    assert body["count"] == 5_001 and len(body["results"]) == 500 and len(tail["results"]) == 1
    assert len(first) == len(last) == len(one)


def test_a_plain_member_reads_the_notice_until_the_meeting_is_held_then_the_minutes(client, world, today_meeting):
    services.attendance_set(meeting=today_meeting, member=world.plain_member, status="excused", reason="Bệnh")
    client.force_login(world.member_user)
    during = client.get(f"{URL}{today_meeting.pk}/").json()
    client.force_login(world.secretary_user)
    record(client, today_meeting, record_body(world, today_meeting))
    client.force_login(world.member_user)
    after = client.get(f"{URL}{today_meeting.pk}/").json()
    listed = client.get(URL).json()["results"][0]

    assert during["attendance"] == [] and during["attendance_counts"]["roster"] == 0
    assert during["speeches"] == [] and during["chair"] is None
    assert [item["title"] for item in during["agenda"]]  # the agenda, as the notice gives it
    assert after["attendance"] == [
        {
            "member": world.plain_member.pk,
            "full_name": "Quách Thị Hương",
            "status": "excused",
            "reason": "Ốm",
            "absence_accepted": None,
            "member_status": None,
            "is_guest": None,
        }
    ]
    assert after["attendance_counts"] == {"roster": 3, "present": 2, "excused": 1, "absent": 0, "unmarked": 0}
    assert after["chair"] == world.secretary.pk and listed["votes_for"] == 2


def test_planning_checks_the_date_as_the_form_does(client, world):
    client.force_login(world.secretary_user)
    plan = {"organization": world.cell_a.pk, "planned_time": "14:00", "venue": "Hội trường", "kind": "extraordinary"}

    far = client.post(URL, {**plan, "planned_date": "2099-01-04"}, content_type="application/json")
    past = client.post(URL, {**plan, "planned_date": "2026-12-03"}, content_type="application/json")
    confirmed = client.post(
        URL, {**plan, "planned_date": "2026-12-03", "confirm_past": True}, content_type="application/json"
    )

    assert far.json() == {"planned_date": ["Ngày họp quá xa trong tương lai: chỉ lập kế hoạch trong vòng một năm tới."]}
    assert past.json() == {
        "confirm_past": [
            "Giờ họp 14:00 ngày 03/12/2026 đã qua. Nếu buổi họp đã diễn ra và đồng chí lập kế hoạch để ghi lại biên "
            "bản, gửi “confirm_past”: true; nếu chưa họp, chọn ngày sắp tới."
        ]
    }
    assert confirmed.status_code == 201
    assert Meeting.objects.count() == 1


def test_ids_that_are_no_ids_are_refused_not_a_500(client, world, today_meeting):
    client.force_login(world.secretary_user)
    huge = 2**70

    assert client.post(f"{URL}abc/record/", {}, content_type="application/json").status_code == 404
    assert client.get(f"{URL}{'9' * 30}/").status_code == 404
    assert client.get(URL, {"organization": "²"}).json() == {"organization": ["Phải là một số nguyên dương."]}
    assert client.get("/api/v1/visits/", {"seat": str(huge)}).status_code == 400
    body = record_body(world, today_meeting, chair=huge)
    body["attendance"][0]["member"] = huge
    refused = record(client, today_meeting, body)
    assert refused.status_code == 400 and set(refused.json()) == {"chair", "attendance"}
    assert_nothing_written(today_meeting)


def test_a_list_of_the_wrong_shape_is_refused_by_row_as_the_description_says(client, world):
    client.force_login(world.secretary_user)

    response = client.post(
        URL,
        {"organization": world.cell_a.pk, "planned_date": "2027-01-04", "agenda": [{"title": ""}, {"title": "Ok"}]},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json() == {"agenda": {"0": {"title": ["Trường này không được bỏ trống."]}}}
    assert Meeting.objects.count() == 0
