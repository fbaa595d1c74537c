"""The vote rule (Điều lệ art. 9; Quy định 294-QĐ/TW 9.3.2): only official members vote; a resolution passes with
approvals above half of the counted official members: the official members on the roster minus those attached
elsewhere, minus exempted members who are absent (present ones count), minus suspended members, minus absences the
committee accepted. Checked on ``meetings.rules.vote_basis`` and on the figures of a real meeting, whose attendance
rows freeze each member's status on the day."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from meetings import services
from meetings.models import Attendance
from meetings.rules import vote_basis
from members.services import member_status_change, member_transfer
from tests.factories import make_meeting, make_member

NOW = datetime.datetime(2026, 11, 22, 9, 0, tzinfo=datetime.UTC)
DAY = datetime.date(2026, 11, 4)
BEFORE = datetime.date(2025, 1, 1)


def row(member_status="official", attendance="present", accepted=True, guest=False):
    return (member_status, attendance, accepted, guest)


# --- vote_basis ------------------------------------------------------------------------------------------------------


def test_every_official_member_present_counts_and_votes():
    basis = vote_basis([row()] * 5)
    assert (basis.counted, basis.eligible_present, basis.official_on_roster) == (5, 5, 5)


def test_members_attached_elsewhere_are_not_counted_even_when_present():
    basis = vote_basis([row()] * 4 + [row("attached_elsewhere", "present"), row("attached_elsewhere", "absent")])
    assert (basis.counted, basis.eligible_present, basis.excluded_attached) == (4, 4, 2)
    assert basis.official_on_roster == 6


def test_exempted_members_count_only_when_present():
    basis = vote_basis(
        [row()] * 4 + [row("exempted", "present"), row("exempted", "excused"), row("exempted", "absent")]
    )
    assert (basis.counted, basis.eligible_present, basis.excluded_exempted_absent) == (5, 5, 2)


def test_suspended_members_are_not_counted_and_do_not_vote():
    basis = vote_basis([row()] * 4 + [row("suspended", "present")])
    assert (basis.counted, basis.eligible_present, basis.excluded_suspended) == (4, 4, 1)


def test_an_accepted_absence_is_not_counted_but_one_the_committee_did_not_accept_is():
    basis = vote_basis(
        [row()] * 4 + [row(attendance="excused", accepted=True), row(attendance="excused", accepted=False)]
    )
    assert (basis.counted, basis.eligible_present, basis.excluded_accepted_absence) == (5, 4, 1)


def test_an_absence_without_reason_is_counted():
    basis = vote_basis([row()] * 4 + [row(attendance="absent")])
    assert (basis.counted, basis.eligible_present) == (5, 4)


def test_probationary_members_present_neither_vote_nor_count():
    basis = vote_basis([row()] * 4 + [row("probationary")] * 2)
    assert (basis.counted, basis.eligible_present, basis.official_on_roster) == (4, 4, 4)


def test_guests_attached_here_are_not_counted():
    basis = vote_basis([row()] * 4 + [row("official", guest=True), row("attached_elsewhere", guest=True)])
    assert (basis.counted, basis.eligible_present, basis.official_on_roster) == (4, 4, 4)


def test_exactly_half_does_not_pass_and_half_plus_one_does():
    basis = vote_basis([row()] * 10)
    assert not basis.passes(5)
    assert basis.passes(6)


def test_with_an_odd_count_a_majority_is_more_than_half():
    basis = vote_basis([row()] * 7)
    assert not basis.passes(3)
    assert basis.passes(4)


def test_the_denominator_is_the_counted_members_not_those_present():
    # 10 counted, 6 present: 4 approvals are a majority of those present but not of the counted members.
    basis = vote_basis([row()] * 6 + [row(attendance="absent")] * 4)
    assert (basis.counted, basis.eligible_present) == (10, 6)
    assert not basis.passes(5)
    assert basis.passes(6)


def test_no_votes_or_nobody_counted_never_passes():
    assert not vote_basis([row()] * 3).passes(None)
    assert not vote_basis([row("probationary")] * 3).passes(2)


def test_the_quorum_needs_more_than_half_of_the_counted_members_present():
    assert not vote_basis([row()] * 5 + [row(attendance="absent")] * 5).quorum_ok
    assert vote_basis([row()] * 6 + [row(attendance="absent")] * 4).quorum_ok
    # Accepted absences leave the denominator: 3 present of 5 counted.
    assert vote_basis([row()] * 3 + [row(attendance="absent")] * 2 + [row(attendance="excused")] * 5).quorum_ok


def test_the_explanation_names_each_exclusion():
    basis = vote_basis(
        [row()] * 3
        + [row("attached_elsewhere"), row("exempted", "absent"), row("suspended"), row(attendance="excused")]
    )
    assert basis.explain() == (
        "7 đảng viên chính thức trong danh sách; trừ 1 đi sinh hoạt tạm thời nơi khác, 1 miễn sinh hoạt vắng mặt, "
        "1 bị đình chỉ, 1 vắng có lý do được chấp nhận: tính 3."
    )


# --- On a real meeting: the figures and the page ------------------------------------------------------------------


@pytest.fixture
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def cell(world, _now):
    """Cell A with every kind of member: 3 official (world), 2 more official, 2 probationary, one each exempted,
    suspended and attached elsewhere, and a guest from cell B attached here."""
    w = world
    w.official_4 = make_member(w.cell_a, full_name="Lê Văn Bốn")
    w.official_5 = make_member(w.cell_a, full_name="Lê Văn Năm")
    admitted = {
        "official": False,
        "admission_date": datetime.date(2026, 3, 1),
        "joined_cell_on": datetime.date(2026, 3, 1),
    }
    w.probationary_1 = make_member(w.cell_a, full_name="Vũ Thị Dự", **admitted)
    w.probationary_2 = make_member(w.cell_a, full_name="Vũ Văn Bị", **admitted)
    w.exempted = make_member(w.cell_a, full_name="Hoàng Văn Miễn")
    member_status_change(member=w.exempted, status="exempted", effective_from=BEFORE)
    w.suspended = make_member(w.cell_a, full_name="Hoàng Văn Đình")
    member_status_change(member=w.suspended, status="suspended", effective_from=BEFORE)
    w.attached = make_member(w.cell_a, full_name="Hoàng Văn Tạm")
    member_status_change(
        member=w.attached, status="attached_elsewhere", effective_from=BEFORE, attached_to_name="Chi bộ Trường học"
    )
    w.guest = make_member(w.cell_b, full_name="Đinh Văn Khách")
    member_status_change(member=w.guest, status="attached_elsewhere", effective_from=BEFORE, attached_to=w.cell_a)
    return w


@pytest.fixture
def meeting(cell):
    meeting = make_meeting(cell.cell_a, planned_date=DAY)
    services.attendance_prepare(meeting=meeting)
    return meeting


def mark(meeting, member, status, reason="", accepted=True):
    services.attendance_set(
        meeting=meeting,
        member=member,
        status=status,
        reason=reason or ("Ốm" if status == "excused" else ""),
        absence_accepted=accepted,
    )


def mark_everyone_present(meeting):
    for row_ in Attendance.objects.filter(meeting=meeting).select_related("member"):
        mark(meeting, row_.member, "present")


@pytest.mark.django_db
def test_the_roll_call_freezes_each_members_status_on_the_day(cell, meeting):
    frozen = dict(Attendance.objects.filter(meeting=meeting).values_list("member__full_name", "member_status"))
    guest = Attendance.objects.get(meeting=meeting, member=cell.guest)
    assert len(frozen) == 11
    assert frozen["Vũ Thị Dự"] == "probationary"
    assert frozen["Hoàng Văn Miễn"] == "exempted"
    assert frozen["Hoàng Văn Đình"] == "suspended"
    assert frozen["Hoàng Văn Tạm"] == "attached_elsewhere"
    assert guest.is_guest


@pytest.mark.django_db
def test_the_figures_of_a_meeting_apply_every_exclusion(cell, meeting):
    mark_everyone_present(meeting)
    mark(meeting, cell.exempted, "excused")  # exempted and absent: not counted
    mark(meeting, cell.official_4, "excused", accepted=True)  # accepted absence: not counted
    mark(meeting, cell.official_5, "excused", accepted=False)  # not accepted: counted, not present

    figures = services.figures(meeting)

    basis = figures["basis"]
    # 8 official on the roster (5 official, the exempted, suspended and attached members; not the guest);
    # counted: the 3 official members present plus the one whose absence was not accepted.
    assert basis.official_on_roster == 8
    assert (basis.counted, basis.eligible_present) == (4, 3)
    assert (basis.excluded_attached, basis.excluded_exempted_absent) == (1, 1)
    assert (basis.excluded_suspended, basis.excluded_accepted_absence) == (1, 1)
    assert figures["quorum_ok"]


@pytest.mark.django_db
def test_an_exempted_member_who_comes_counts_and_votes(cell, meeting):
    mark_everyone_present(meeting)
    basis = services.figures(meeting)["basis"]
    # world's 3 + 2 official + the exempted member, present.
    assert (basis.counted, basis.eligible_present) == (6, 6)


@pytest.mark.django_db
def test_the_page_shows_pass_at_half_plus_one_and_not_at_exactly_half(client, cell, meeting):
    mark_everyone_present(meeting)  # 6 counted
    client.force_login(cell.secretary_user)
    figures_url = reverse("meetings:figures", args=[meeting.pk])

    half = client.get(figures_url, {"votes_for": "3"}).content.decode()
    majority = client.get(figures_url, {"votes_for": "4"}).content.decode()

    assert "Đảng viên chính thức được tính: <strong>6</strong>" in half
    assert "không thông qua" in half and "3/6 tán thành, cần quá nửa" in half
    assert "không thông qua" not in majority and "thông qua" in majority and "4/6 tán thành" in majority


@pytest.mark.django_db
def test_probationary_members_cannot_vote_so_votes_above_the_official_members_present_are_refused(
    client, cell, meeting
):
    mark_everyone_present(meeting)  # 11 present, of whom 6 may vote
    client.force_login(cell.secretary_user)
    meeting.refresh_from_db()

    response = client.post(
        reverse("meetings:record", args=[meeting.pk]),
        {"version": meeting.version, "votes_for": "7", "votes_against": "0"},
    )

    assert "Tổng số phiếu (7) vượt số đảng viên có mặt được biểu quyết (6)." in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.votes_for is None


@pytest.mark.django_db
def test_the_quorum_warning_shows_when_no_more_than_half_are_present(client, cell, meeting):
    mark_everyone_present(meeting)  # probationary, suspended, attached and guest members: present, not counted
    for member in (cell.official_4, cell.official_5, cell.exempted):
        mark(meeting, member, "absent")
    client.force_login(cell.secretary_user)
    record_url = reverse("meetings:record", args=[meeting.pk])

    # 3 present of 5 counted (the absent exempted member leaves the denominator): a quorum.
    assert 'data-testid="fig-quorum"' not in client.get(record_url).content.decode()

    mark(meeting, cell.plain_member, "absent")
    body = client.get(record_url).content.decode()

    assert 'data-testid="fig-quorum"' in body
    assert "Chỉ 2/5 đảng viên chính thức được tính có mặt, không quá nửa: nghị quyết không thể thông qua." in body


@pytest.mark.django_db
def test_the_quorum_warning_waits_for_the_end_of_the_roll_call(client, cell, meeting):
    mark(meeting, cell.official_4, "absent")  # nobody present yet: the roll call has only begun
    client.force_login(cell.secretary_user)
    body = client.get(reverse("meetings:record", args=[meeting.pk])).content.decode()
    assert 'data-testid="fig-quorum"' not in body
    assert "10 chưa điểm danh" in body


@pytest.mark.django_db
def test_a_status_change_after_the_meeting_changes_neither_its_roll_call_nor_its_figures(client, cell, meeting):
    mark_everyone_present(meeting)
    rows_before = sorted(Attendance.objects.filter(meeting=meeting).values_list("member_id", "member_status", "status"))
    figures_before = services.figures(meeting)

    # Recorded later, effective before the meeting: the roster on that day now reads differently...
    member_status_change(member=cell.official_4, status="suspended", effective_from=datetime.date(2026, 10, 1))
    # ...and after it: one member is suspended, another leaves the cell.
    member_status_change(member=cell.official_5, status="exempted", effective_from=datetime.date(2026, 11, 10))
    member_transfer(member=cell.plain_member, to_cell=cell.cell_b, on=datetime.date(2026, 11, 15))
    client.force_login(cell.secretary_user)
    assert client.get(reverse("meetings:record", args=[meeting.pk])).status_code == 200  # prepares again

    rows_after = sorted(Attendance.objects.filter(meeting=meeting).values_list("member_id", "member_status", "status"))
    figures_after = services.figures(meeting)
    assert rows_after == rows_before
    assert figures_after["basis"] == figures_before["basis"]
    assert figures_after["basis"].counted == 6


# --- guests who may vote (a policy's ``guests_may_vote``) ------------------------------------------------------------


def test_guests_vote_only_where_the_policy_allows_and_never_enter_the_denominator():
    rows = [row()] * 4 + [
        row("attached_elsewhere", guest=True) + (True,),  # an official member attached here, present
        row("attached_elsewhere", guest=True) + (False,),  # a probationary one: never votes
        row("attached_elsewhere", "absent", guest=True) + (True,),
    ]

    default, allowed = vote_basis(rows), vote_basis(rows, guests_may_vote=True)

    assert (default.counted, default.voters_present) == (4, 4)
    assert (allowed.counted, allowed.eligible_present, allowed.guest_voters, allowed.voters_present) == (4, 4, 1, 5)
    assert allowed.quorum_ok == default.quorum_ok
    assert "1 đảng viên sinh hoạt tạm thời có mặt cũng được biểu quyết" in allowed.explain()
    assert "sinh hoạt tạm thời có mặt cũng" not in default.explain()


@pytest.mark.django_db
def test_a_guests_vote_is_accepted_when_the_policy_in_force_lets_guests_vote(client, cell, meeting):
    from cells.models import Policy

    mark_everyone_present(meeting)  # 6 may vote, and the guest from cell B
    client.force_login(cell.secretary_user)
    record_url = reverse("meetings:record", args=[meeting.pk])
    meeting.refresh_from_db()
    seven = {"version": meeting.version, "votes_for": "7", "votes_against": "0"}

    refused = client.post(record_url, seven).content.decode()
    assert "Tổng số phiếu (7) vượt số đảng viên có mặt được biểu quyết (6)." in refused

    Policy.objects.create(
        organization=cell.commune,
        name="Đảng viên sinh hoạt tạm thời được biểu quyết",
        source="Quy định 05-QĐ/ĐU (thử)",
        valid_from=datetime.date(2026, 1, 1),
        guests_may_vote=True,
    )
    client.post(record_url, seven)

    meeting.refresh_from_db()
    assert meeting.votes_for == 7
    basis = services.figures(meeting)["basis"]
    assert (basis.counted, basis.guest_voters) == (6, 1)
