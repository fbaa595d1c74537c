"""Cells, members, visits and their reports, policies in force and compliance through the API, each through the
pages' access gate; the rate limit of token calls."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.models import ApiToken
from api.throttling import TokenRateThrottle
from cells.policies import RULE_FIELDS, policy_create, policy_for
from meetings.models import VisitReport
from meetings.services import visit_record
from members.services import member_status_change
from reports.compliance import compute_month
from reports.dashboard import dashboard
from reports.periods import Period
from tests.factories import UserFactory, make_cell, make_held_meeting, make_meeting, make_member, seat

pytestmark = pytest.mark.django_db


# --- Cells and members ----------------------------------------------------------------------------------------------


def test_cells_are_the_cells_of_the_subtree(client, world):
    client.force_login(world.board_user)

    rows = client.get("/api/v1/cells/").json()["results"]

    assert [row["code"] for row in rows] == ["A"]
    assert rows[0]["cell_type"] == "agency" and rows[0]["parent"] == world.commune.pk
    assert client.get(f"/api/v1/cells/{world.cell_b.pk}/").status_code == 404
    assert client.get(f"/api/v1/cells/{world.commune.pk}/").status_code == 404  # not a cell


PERSONAL = {"birth_date", "gender", "email", "phone", "card_number", "party_history_number", "register_number"}


def test_personal_fields_only_for_those_who_write_the_cell(client, world):
    world.member.birth_date, world.member.card_number = datetime.date(1980, 5, 2), "123456"
    world.member.save()

    def member_as(user):
        client.force_login(user)
        return client.get(f"/api/v1/members/{world.member.pk}/").json()

    secretary, board, writer, themselves = (
        member_as(world.secretary_user),
        member_as(world.board_user),
        member_as(world.board_writer),
        member_as(world.member_user),
    )

    assert secretary["birth_date"] == "1980-05-02" and secretary["card_number"] == "123456"
    assert secretary["personal"] is True and writer["card_number"] == "123456"
    assert board["personal"] is False and not PERSONAL & set(board)
    assert themselves["personal"] is False and not PERSONAL & set(themselves)
    assert board["full_name"] == "Đỗ Thanh Hài" and board["cell"] == world.cell_a.pk


def test_members_outside_the_subtree_are_a_404_and_a_member_lists_only_themselves(client, world):
    client.force_login(world.outsider_user)
    assert client.get(f"/api/v1/members/{world.member.pk}/").status_code == 404

    client.force_login(world.member_user)
    assert [row["id"] for row in client.get("/api/v1/members/").json()["results"]] == [world.member.pk]

    client.force_login(world.board_user)
    names = [row["full_name"] for row in client.get("/api/v1/members/").json()["results"]]
    assert names == ["Đỗ Thanh Hài", "Nguyễn Thị Hiền", "Quách Thị Hương"]


def test_a_member_comes_with_their_status_history_and_the_roster_filter(client, world):
    member_status_change(member=world.plain_member, status="exempted", effective_from=datetime.date(2026, 10, 1))
    member_status_change(member=world.plain_member, status="struck_off", effective_from=datetime.date(2026, 11, 1))
    client.force_login(world.secretary_user)

    body = client.get(f"/api/v1/members/{world.plain_member.pk}/").json()
    roster = client.get("/api/v1/members/", {"cell": world.cell_a.pk}).json()["results"]

    assert body["status"] == "struck_off"
    history = [(row["status"], row["effective_from"]) for row in body["status_history"]]
    assert history[-2:] == [("exempted", "2026-10-01"), ("struck_off", "2026-11-01")]  # in date order
    assert [row["full_name"] for row in roster] == ["Đỗ Thanh Hài", "Nguyễn Thị Hiền"]  # struck off: not on it
    assert client.get("/api/v1/members/", {"cell": world.cell_b.pk}).status_code == 404


def test_a_page_of_members_costs_the_same_queries_whatever_their_number(client, world):
    client.force_login(world.board_writer)
    client.get("/api/v1/members/")
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/members/")
    for n in range(20):
        make_member(world.cell_a, full_name=f"Đảng viên {n}")
    with CaptureQueriesContext(connection) as many:
        assert client.get("/api/v1/members/").json()["count"] == 23

    assert len(many) == len(few)


# --- Visits ---------------------------------------------------------------------------------------------------------


@pytest.fixture
def visit(world):
    """A commune committee member, with an account, who attended cell A's meeting of the frozen day."""
    user = UserFactory(username="capuy.xa")
    member = make_member(world.cell_b, full_name="Lê Văn Cấp", user=user)
    held = seat(member, world.commune)
    meeting = make_held_meeting(world.cell_a, planned_date=datetime.date(2026, 12, 4))
    return user, held, meeting


def test_a_committee_member_records_their_visit_and_submits_its_report(client, world, visit):
    user, held, meeting = visit
    client.force_login(user)

    made = client.post("/api/v1/visits/", {"meeting": meeting.pk}, content_type="application/json")
    visitor_id = made.json()["id"]
    draft = client.put(
        f"/api/v1/visits/{visitor_id}/report/", {"guidance_note": "Đúng hướng dẫn."}, content_type="application/json"
    )
    refused = client.put(f"/api/v1/visits/{visitor_id}/report/", {"submit": True}, content_type="application/json")
    submitted = client.put(
        f"/api/v1/visits/{visitor_id}/report/",
        {"submit": True, "followed_guidance": "followed", "speakers": 3, "resolution_adopted": True, "score": 85},
        content_type="application/json",
    )

    assert made.status_code == 201 and made.json()["seat"] == held.pk and made.json()["meeting"] == meeting.pk
    assert draft.status_code == 200 and draft.json()["report"]["guidance_note"] == "Đúng hướng dẫn."
    assert refused.status_code == 400
    assert refused.json()["followed_guidance"] == ["Cho biết nội dung sinh hoạt có theo hướng dẫn của cấp trên."]
    assert submitted.status_code == 200, submitted.json()
    report = VisitReport.objects.get(visitor_id=visitor_id)
    assert report.is_submitted and report.grade == "good"
    assert report.history.latest().history_user == user


def test_a_draft_report_is_its_authors_and_a_submitted_one_reaches_the_committees_readers(client, world, visit):
    user, _held, meeting = visit
    client.force_login(user)
    visitor_id = client.post("/api/v1/visits/", {"meeting": meeting.pk}, content_type="application/json").json()["id"]
    client.put(f"/api/v1/visits/{visitor_id}/report/", {"guidance_note": "Nháp"}, content_type="application/json")

    client.force_login(world.board_user)  # reads the commune, whose committee made the visit
    before = client.get(f"/api/v1/visits/{visitor_id}/").json()
    writing = client.put(f"/api/v1/visits/{visitor_id}/report/", {"submit": True}, content_type="application/json")
    client.force_login(user)
    client.put(
        f"/api/v1/visits/{visitor_id}/report/",
        {"submit": True, "followed_guidance": "followed", "speakers": 3, "resolution_adopted": True, "grade": "good"},
        content_type="application/json",
    )
    client.force_login(world.board_user)
    after = client.get("/api/v1/visits/", {"period": "2026-12"}).json()["results"]
    client.force_login(world.outsider_user)
    outside = client.get("/api/v1/visits/").json()

    assert before["report"] is None and before["name"] == "Lê Văn Cấp"
    assert writing.status_code == 404  # a draft is its author's alone: not even seen
    assert after[0]["report"]["grade"] == "good"
    assert outside["count"] == 0


def test_a_user_without_a_seat_records_no_visit(client, world, visit):
    _user, _held, meeting = visit
    client.force_login(world.member_user)

    response = client.post("/api/v1/visits/", {"meeting": meeting.pk}, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["seat"][0].startswith("Ngày họp đồng chí không giữ chức vụ nào trong cấp ủy cấp trên")


# --- Policies and compliance ----------------------------------------------------------------------------------------


def test_the_policy_in_force_gives_each_rule_with_its_source(client, world):
    policy_create(
        organization=world.commune,
        valid_from=datetime.date(2026, 7, 1),
        source="Quyết định 12-QĐ/ĐU",
        values={"min_member_speakers": 5},
    )
    client.force_login(world.secretary_user)

    body = client.get("/api/v1/policies/in-force/", {"organization": world.cell_a.pk, "date": "2026-12-04"}).json()
    before = client.get("/api/v1/policies/in-force/", {"organization": world.cell_a.pk, "date": "2026-06-30"}).json()

    rules = {rule["name"]: rule for rule in body["rules"]}
    assert list(rules) == list(RULE_FIELDS)
    assert rules["min_member_speakers"]["value"] == 5
    assert rules["min_member_speakers"]["source"]["organization"] == world.commune.pk
    assert rules["min_member_speakers"]["source"]["citation"] == "Quyết định 12-QĐ/ĐU"
    assert rules["confirm_over_minutes"]["source"]["policy"] is None  # the built-in default
    expected = policy_for(world.cell_a, datetime.date(2026, 6, 30)).values["min_member_speakers"]
    assert {r["name"]: r["value"] for r in before["rules"]}["min_member_speakers"] == expected != 5


def test_policy_and_compliance_parameters_are_checked(client, world):
    client.force_login(world.board_user)

    assert client.get("/api/v1/policies/in-force/").json() == {"organization": ["Chọn tổ chức (mã số của tổ chức)."]}
    bad_day = client.get("/api/v1/policies/in-force/", {"organization": world.cell_a.pk, "date": "04/12/2026"})
    assert bad_day.json() == {"date": ["Ngày không hợp lệ: viết theo dạng 2026-12-04."]}
    no_period = client.get("/api/v1/compliance/", {"organization": world.commune.pk})
    assert no_period.json() == {"period": ["Chọn kỳ: 2026-11 (tháng), 2026-Q4 (quý) hoặc 2026 (năm)."]}
    assert client.get("/api/v1/compliance/", {"organization": world.cell_b.pk, "period": "2026"}).status_code == 404


def test_compliance_gives_the_dashboards_figures(client, world):
    make_held_meeting(world.cell_a, planned_date=datetime.date(2026, 11, 4))
    compute_month(datetime.date(2026, 11, 1), organization=world.commune)
    client.force_login(world.board_user)

    body = client.get("/api/v1/compliance/", {"organization": world.commune.pk, "period": "2026-11"}).json()

    headline = body["headline"]
    assert (headline["cells"], headline["held"], headline["due"]) == (1, 1, 1)
    assert (headline["present"], headline["expected"], headline["attendance_rate"]) == (3, 3, 1.0)
    assert body["children"][0]["organization"] == world.cell_a.pk
    page = dashboard(world.commune, Period("month", 2026, 11)).headline
    assert (headline["passed"], headline["failed"], headline["months_rate"]) == (
        page.passed,
        page.failed,
        page.months_rate,
    )
    client.force_login(world.member_user)  # a member sees their cell, not its figures
    assert client.get("/api/v1/compliance/", {"organization": world.cell_a.pk, "period": "2026-11"}).status_code == 404


def test_findings_are_listed_cell_by_cell_rule_by_rule(client, world):
    make_held_meeting(world.cell_a, planned_date=datetime.date(2026, 11, 4))
    other = make_cell(world.commune, name="Chi bộ ấp 2", code="A2")
    make_member(other, full_name="Phan Văn Một")
    compute_month(datetime.date(2026, 11, 1), organization=world.commune)
    client.force_login(world.board_user)

    rows = client.get("/api/v1/findings/", {"organization": world.commune.pk, "period": "2026-11"}).json()["results"]
    failing = client.get(
        "/api/v1/findings/", {"organization": world.commune.pk, "period": "2026-11", "failing": "true"}
    ).json()["results"]

    by_cell = {row["cell"]: row for row in rows}
    assert set(by_cell) == {world.cell_a.pk, other.pk}
    held = {finding["rule"]: finding for finding in by_cell[world.cell_a.pk]["findings"]}
    missed = {finding["rule"]: finding for finding in by_cell[other.pk]["findings"]}
    assert held["regular_held"]["result"] == "pass"
    # Nobody spoke (make_held_meeting records no speech): the default's speakers rule is advice, not a failure.
    assert (held["speakers"]["result"], held["speakers"]["binding"]) == ("adv", False)
    # The agenda was never sent before the meeting: cell A's only failure.
    assert [rule for rule, finding in held.items() if finding["result"] == "fail"] == ["agenda_on_time"]
    assert missed["regular_held"]["result"] == "fail"  # November is over: the meeting was missed
    assert sorted(row["cell"] for row in failing) == sorted([world.cell_a.pk, other.pk])
    assert held["speakers"]["required"] == policy_for(world.cell_a, datetime.date(2026, 11, 4)).min_member_speakers


# --- Rate limit -----------------------------------------------------------------------------------------------------


def test_token_calls_are_rate_limited_in_vietnamese(client, world, monkeypatch):
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"token": "2/minute"})
    _token, key = ApiToken.issue(user=world.board_user, name="Kịch bản")
    auth = {"HTTP_AUTHORIZATION": f"Token {key}"}

    answers = [client.get("/api/v1/cells/", **auth) for _n in range(3)]
    client.force_login(world.board_user)
    by_session = client.get("/api/v1/cells/")

    assert [answer.status_code for answer in answers] == [200, 200, 429]
    assert answers[2].json()["detail"] == "Khóa API đã gọi quá nhiều lần: hãy chờ 60 giây rồi gọi lại."
    assert answers[2]["Retry-After"] == "60"
    assert by_session.status_code == 200  # people on the pages are not limited


def test_the_meeting_list_of_a_large_organization_pages_at_constant_cost(client, world):
    for month in range(1, 13):
        make_meeting(world.cell_a, planned_date=datetime.date(2025, month, 4))
    client.force_login(world.board_user)
    client.get("/api/v1/meetings/", {"page_size": 5})
    with CaptureQueriesContext(connection) as first:
        page1 = client.get("/api/v1/meetings/", {"page_size": 5}).json()
    with CaptureQueriesContext(connection) as last:
        page3 = client.get("/api/v1/meetings/", {"page_size": 5, "page": 3}).json()

    assert page1["count"] == 12 and len(page3["results"]) == 2 and page3["next"] is None
    assert len(first) == len(last)


def test_pages_of_visits_and_findings_cost_the_same_queries_whatever_their_number(client, world, visit):
    user, held, meeting = visit
    visit_record(meeting=meeting, seat=held, by=user)
    compute_month(datetime.date(2026, 11, 1), organization=world.commune)
    client.force_login(world.board_user)
    findings = {"organization": world.commune.pk, "period": "2026-11"}

    def cost(url, query=None):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, query or {}).status_code == 200
        return len(queries)

    cost("/api/v1/visits/")
    few = cost("/api/v1/visits/"), cost("/api/v1/findings/", findings)
    for n in range(6):
        cell = make_cell(world.commune, name=f"Chi bộ ấp {n}", code=f"V{n}")
        make_member(cell, full_name=f"Đảng viên {n}")
        visit_record(meeting=make_held_meeting(cell, planned_date=datetime.date(2026, 11, 4)), seat=held, by=user)
    compute_month(datetime.date(2026, 11, 1), organization=world.commune)
    many = cost("/api/v1/visits/"), cost("/api/v1/findings/", findings)

    assert client.get("/api/v1/visits/").json()["count"] == 7
    assert client.get("/api/v1/findings/", findings).json()["count"] == 7
    assert many == few


def test_the_author_of_a_visit_keeps_their_report_after_their_seat_ends(client, world, visit):
    user, held, meeting = visit
    visitor = visit_record(meeting=meeting, seat=held, by=user)
    held.valid_to = datetime.date(2026, 12, 4)  # the seat ended that day: the cells are no longer theirs to see
    held.save()
    client.force_login(user)

    read = client.get(f"/api/v1/visits/{visitor.pk}/")
    saved = client.put(
        f"/api/v1/visits/{visitor.pk}/report/", {"guidance_note": "Tốt"}, content_type="application/json"
    )

    assert client.get(f"/api/v1/meetings/{meeting.pk}/").status_code == 404
    assert read.status_code == 200 and saved.status_code == 200
    assert saved.json()["report"]["guidance_note"] == "Tốt"


@pytest.mark.parametrize(
    ("username", "policies", "findings"),
    [
        ("bithu.b", 404, 404),  # another commune's secretary
        ("dangvien.a", 200, 404),  # a member reads the rules of their cell, not the figures
        ("bantochuc.xa", 200, 200),  # the commune's board reads both
    ],
)
def test_policies_and_findings_go_through_the_access_gate(client, world, username, policies, findings):
    client.force_login(get_user_model().objects.get(username=username))

    assert client.get("/api/v1/policies/in-force/", {"organization": world.cell_a.pk}).status_code == policies
    assert client.get("/api/v1/findings/", {"organization": world.cell_a.pk, "period": "2026"}).status_code == findings
