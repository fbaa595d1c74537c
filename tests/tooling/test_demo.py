"""`manage.py load_demo`: a believable province, loaded once, safe to load again, every demo login works."""

import datetime
import email
import io
import re
import zoneinfo

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Q
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from cells.models import Organization, OrganizationName, Policy
from cells.periods import add_months, quarter_start
from cells.policies import policy_for
from meetings import rules
from meetings.models import Meeting, OutboxMessage, Visitor, VisitQuotaSet
from meetings.quotas import Status, quota_progress
from members.access import scope_for
from members.models import Assignment, CommitteeSeat, Member, Membership, Position, StatusChange
from reports.models import CellMonth
from tooling.demo import AGENCY_CELL, CAPUY_LOGIN, DEMO_PASSWORD, HD42_DATE, PROVINCE_CODE, WARD, load_demo

pytestmark = pytest.mark.django_db

FAST_HASHING = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The demo counts its dates back from the day it is loaded: the module loads it, and tests it, on a fixed day. The
# 25th: the commune committee member's cells met on the 10th and the 12th, so their latest visit's report is overdue
# and the demo holds the hamlet meeting of yesterday that gives them a report due.
NOW = datetime.datetime(2026, 11, 25, 14, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh"))


@pytest.fixture(scope="module")
def mail_folder(tmp_path_factory):
    """Where the demo's mail goes while it loads: a file mailer, as under ``make run`` (``var/mail/``)."""
    return tmp_path_factory.mktemp("mail")


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, mail_folder):
    """One load for the whole module (it takes seconds), in a transaction rolled back after the last test; the time
    stands still at ``NOW`` for the module."""
    file_mailer = {"BACKEND": "django.core.mail.backends.filebased.EmailBackend", "OPTIONS": {"file_path": mail_folder}}
    with (
        time_machine.travel(NOW, tick=False),
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHING, MAILERS={"default": file_mailer}),
        transaction.atomic(),
    ):
        logins = load_demo()
        yield logins
        transaction.set_rollback(True)


@pytest.fixture
def today():
    return timezone.localdate()


def _counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def _org(code: str) -> Organization:
    return Organization.objects.get(code=code)


def _cells_under(code: str):
    return Organization.objects.cells().filter(path__startswith=_org(code).path)


def test_a_second_load_changes_nothing_and_is_quick(demo, django_assert_max_num_queries):
    before = _counts()

    with django_assert_max_num_queries(20):
        logins = load_demo()

    assert _counts() == before
    assert logins == demo


def test_the_command_prints_the_logins_admin_first(demo):
    out = io.StringIO()

    call_command("load_demo", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0] == f"Demo data is loaded. Logins (password for all: {DEMO_PASSWORD}):"
    assert re.match(r"^  admin {17} \S", lines[1])
    assert all(re.match(r"^  [a-z0-9._-]+ +\S", line) for line in lines[1:])
    assert len(lines) == 1 + len(demo)


def test_the_agency_cell_of_seed_000(demo, today):
    cell = _org(AGENCY_CELL)

    assert cell.name == "Chi bộ cơ quan Ủy ban nhân dân xã Xuân Hiệp"
    assert cell.cell_type == Organization.CellType.AGENCY
    assert Member.objects.roster_of(cell, today).count() == 19
    assert cell.meeting_day == 4
    assert cell.meeting_time.strftime("%H:%M") == "14:00"
    assert cell.meeting_day_label() == "ngày 4 hằng tháng"
    assert Organization.objects.get_parent(cell).name == "Đảng bộ xã Xuân Hiệp"


def test_the_ward_of_seed_001(demo, today):
    ward = _org(WARD)
    cells = list(Organization.objects.get_children(ward))

    assert len(cells) == 20 and all(cell.is_cell for cell in cells)
    assert sum(cell.cell_type == Organization.CellType.RESIDENTIAL for cell in cells) == 13
    assert {cell.cell_type for cell in cells} >= {
        "residential",
        "agency",
        "public_service",
        "enterprise",
        "armed_forces",
    }
    assert 550 <= Member.objects.in_paths([ward.path]).count() <= 650


def test_the_tree_has_no_district_level_and_shows_depth(demo):
    province = _org(PROVINCE_CODE)
    communes = Organization.objects.get_children(province).filter(kind=Organization.Kind.COMMUNE)
    sub_committee = Organization.objects.get(kind=Organization.Kind.SUB_COMMITTEE)
    cells = Organization.objects.cells()

    assert province.kind == Organization.Kind.PROVINCIAL and province.place_name == "Đồng Nai"
    assert communes.count() == 3
    assert Organization.objects.filter(name__startswith="Chi bộ thôn").count() >= 3
    assert Organization.objects.filter(name__startswith="Chi bộ ấp").count() >= 3
    assert Organization.objects.get_parent(sub_committee).kind == Organization.Kind.GRASSROOTS_COMMITTEE
    assert Organization.objects.get_children(sub_committee).filter(kind=Organization.Kind.SUBORDINATE_CELL).count() >= 2
    assert set(cells.values_list("cell_type", flat=True)) == set(Organization.CellType.values)
    assert set(cells.values_list("kind", flat=True)) == set(Organization.CELL_KINDS)
    # organization_create made the name records: every organization prints its name and parent.
    assert OrganizationName.objects.count() == Organization.objects.count()


def test_members_are_consistent_and_look_real(demo, today):
    members = list(Member.objects.all())
    cards = [m.card_number for m in members if m.card_number]
    probationary = Member.objects.with_status_on(today).filter(status=StatusChange.Status.PROBATIONARY)

    assert 900 <= len(members) <= 1200
    assert len(cards) == len(set(cards))
    assert not Member.objects.filter(memberships__isnull=True).exists()
    assert not Member.objects.filter(status_changes__isnull=True).exists()
    assert all(m.birth_date + relativedelta(years=18) <= m.admission_date for m in members)
    assert all(m.official_date >= m.admission_date + relativedelta(months=12) for m in members if m.official_date)
    assert probationary.exists()
    assert all(m.admission_date > today - relativedelta(months=12) and not m.card_number for m in probationary)
    assert 0.6 < sum(bool(m.email) for m in members) / len(members) < 1
    assert all(m.email.endswith(".example") for m in members if m.email)  # demo mail never reaches anyone
    family_names = {m.full_name.split()[0] for m in members}
    assert {"Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ"} <= family_names


def test_every_status_occurs_today(demo, today):
    statuses = set(Member.objects.with_status_on(today).values_list("status", flat=True))
    attached = StatusChange.objects.filter(status=StatusChange.Status.ATTACHED_ELSEWHERE)

    assert statuses == set(StatusChange.Status.values)
    assert attached.filter(attached_to__isnull=False).exists()
    assert attached.filter(attached_to__isnull=True).exclude(attached_to_name="").exists()
    # Gone members have left their cell; transferred members have two home cells over time.
    gone = Member.objects.with_status_on(today).filter(status__in=StatusChange.GONE)
    assert not Membership.objects.filter(member__in=gone, valid_to__isnull=True, kind="home").exists()
    moved = Member.objects.annotate(homes=Count("memberships", filter=Q(memberships__kind="home"))).filter(homes=2)
    assert moved.count() >= 2


def test_every_cell_has_one_secretary_and_most_a_deputy(demo, today):
    cells = Organization.objects.cells()
    current = Position.objects.active_on(today)
    secretaries = dict(
        current.filter(role=Position.Role.SECRETARY)
        .values_list("organization")
        .annotate(n=Count("id"))
        .values_list("organization", "n")
    )
    with_deputy = set(current.filter(role=Position.Role.DEPUTY_SECRETARY).values_list("organization", flat=True))

    assert all(secretaries.get(cell.pk) == 1 for cell in cells)
    assert len(with_deputy) >= 0.8 * cells.count()
    assert current.filter(role=Position.Role.COMMITTEE_MEMBER).count() >= cells.count()
    assert Position.objects.filter(role=Position.Role.SECRETARY, valid_to__isnull=False).exists()  # a handover


def test_committee_seats_and_follow_up(demo, today):
    province_seats = CommitteeSeat.objects.filter(organization__code=PROVINCE_CODE)
    followed = set(Assignment.objects.active_on(today).values_list("organization__code", flat=True))

    assert province_seats.filter(rank=CommitteeSeat.Rank.STANDING, member__isnull=False).count() >= 3
    assert province_seats.filter(rank=CommitteeSeat.Rank.COMMITTEE).exists()
    outsider = province_seats.get(member__isnull=True)
    assert outsider.holder_name and outsider.title
    for commune in ("DN-XH", WARD, "DN-BD"):
        assert CommitteeSeat.objects.filter(organization__code=commune, rank=CommitteeSeat.Rank.COMMITTEE).exists()
        assert set(_cells_under(commune).values_list("code", flat=True)) <= followed


def _login(client, username):
    return client.post("/dang-nhap/", {"username": username, "password": DEMO_PASSWORD}, REMOTE_ADDR="10.9.9.9")


def test_every_demo_login_logs_in(demo, client):
    assert demo[0].username == "admin"
    users = get_user_model().objects.in_bulk([login.username for login in demo], field_name="username")
    for login in demo:
        user = users[login.username]
        client.logout()

        assert _login(client, login.username).status_code == 302, login.username
        assert "Xin chào" in client.get("/").content.decode()
        assert scope_for(user).is_anything
        if login.username != "admin":  # linked to their member, named the Vietnamese way
            assert f"{user.last_name} {user.first_name}" == user.member.full_name
    assert users["admin"].is_superuser


def _scope(username):
    return scope_for(get_user_model().objects.get(username=username))


def test_what_each_login_reaches(demo):
    agency, other_agency = _org(AGENCY_CELL), _org("DN-TH-UBND")
    all_cells = list(Organization.objects.cells())

    secretary = _scope("bithu.xuanhiep")
    assert secretary.can_write(agency) and not secretary.can_read(_org("DN-XH-A01"))
    assert _scope("phobithu.khupho1").can_write(_org("DN-TH-KP01"))
    member = _scope("dangvien.xuanhiep")
    assert member.can_see(agency) and not member.can_read(agency) and not member.can_write(agency)
    committee = _scope("capuy.xuanhiep")
    assert all(committee.can_read(cell) for cell in _cells_under("DN-XH"))
    assert not committee.can_read(other_agency) and not committee.can_write(agency)
    province_board = _scope("bantochuc.tinh")
    assert all(province_board.can_read(cell) for cell in all_cells)
    assert not any(province_board.can_write(cell) for cell in all_cells)
    ward_board = _scope("bantochuc.phuong")
    assert all(ward_board.can_write(cell) for cell in _cells_under(WARD))
    assert not ward_board.can_read(agency)


# --- Meetings ---------------------------------------------------------------------------------------------------------


def _complete_months(today):
    current = today.replace(day=1)
    return [current - relativedelta(months=n) for n in range(12, 0, -1)]


def test_the_agency_cell_met_every_month_and_has_the_next_meeting_published(demo, today):
    months = _complete_months(today)
    meetings = Meeting.objects.filter(organization__code=AGENCY_CELL)
    regular = meetings.filter(kind=Meeting.Kind.REGULAR, month__gte=months[0], month__lte=months[-1])

    assert sorted(regular.values_list("month", flat=True)) == months
    assert all(m.status == Meeting.Status.APPROVED and m.planned_date.day == 4 for m in regular)
    assert all(m.approved_by.username == "bithu.xuanhiep" for m in regular if m.chair.user_id)
    assert {m.resolution_title for m in regular} == {f"Nghị quyết chi bộ tháng {m.month}/{m.year}" for m in months}
    assert all(m.votes_for > m.votes_against and 85 <= m.quality_score <= 95 for m in regular)
    assert 3 <= meetings.filter(kind=Meeting.Kind.THEMATIC).count() <= 4
    assert meetings.filter(visitors__seat__isnull=False).exists()
    upcoming = meetings.get(status=Meeting.Status.PUBLISHED)
    # Not yet begun: on the 4th before the meeting's time, that is today's meeting.
    assert upcoming.planned_start > timezone.now() and upcoming.planned_date.day == 4 and upcoming.agenda.count() >= 5
    member = get_user_model().objects.get(username="dangvien.xuanhiep").member
    assert upcoming.attendances.count() == 0 and member in Member.objects.roster_of(upcoming.organization, today)


def test_the_dashboards_have_findings_for_every_cell(demo, today):
    last = _complete_months(today)[-1]
    agency = CellMonth.objects.filter(cell__code=AGENCY_CELL, month__lt=today.replace(day=1))

    assert set(CellMonth.objects.filter(month=last).values_list("cell", flat=True)) == set(
        Organization.objects.cells().values_list("pk", flat=True)
    )
    assert CellMonth.objects.filter(all_ok=False).exists()
    assert CellMonth.objects.filter(all_ok=True).count() > CellMonth.objects.count() / 3
    assert agency.count() == 12
    # The 4-speaker minimum is not in the province's policy (Hướng dẫn 42 sets none): a month short of it is advice.
    assert agency.filter(length="fail").count() == 1 and agency.filter(speakers="adv").count() == 1
    assert agency.filter(all_ok=True).count() >= 8
    assert not agency.filter(resolution="fail").exists() and not agency.filter(minutes_on_time="fail").exists()


def test_the_province_policy_of_hd42_is_in_force_and_cited_by_the_findings(demo, client, today):
    province = _org(PROVINCE_CODE)
    (policy,) = Policy.objects.filter(organization=province)
    assert (policy.name, policy.valid_from) == ("Hướng dẫn 42-HD/BTCTW (2025)", HD42_DATE)

    resolved = policy_for(_org(AGENCY_CELL), today)
    assert resolved.sources["min_minutes_regular"].policy_id == policy.pk  # set by the province's policy
    assert resolved.sources["min_member_speakers"].is_default  # not set there: the built-in default
    last = CellMonth.objects.filter(cell__code=AGENCY_CELL, month__lt=today.replace(day=1)).latest("month")
    assert last.rules["length"]["policy_id"] == policy.pk
    assert last.rules["speakers"].get("policy_id") is None

    client.force_login(get_user_model().objects.get(username="admin"))
    html = client.get(reverse("reports:organization_policy", args=[_org(AGENCY_CELL).pk])).content.decode()
    assert "Hướng dẫn 42-HD/BTCTW (2025)" in html and province.name in html


def test_the_other_cells_have_a_year_of_meetings_shaped_like_the_services_make_them(demo):
    meetings = Meeting.objects.exclude(organization__code=AGENCY_CELL).exclude(status=Meeting.Status.PUBLISHED)

    assert meetings.values("organization").distinct().count() == Organization.objects.cells().count() - 1
    assert not meetings.filter(Q(started_at__isnull=True) | Q(published_at__isnull=True) | Q(chair__isnull=True))
    assert all(m.month == m.planned_date.replace(day=1) for m in meetings)
    assert not meetings.filter(status=Meeting.Status.APPROVED, number__isnull=True).exists()
    assert meetings.filter(kind=Meeting.Kind.THEMATIC).exists()
    assert not meetings.filter(attendances__isnull=True).exists()


def test_the_minutes_pdf_of_a_demo_meeting_renders(demo, client):
    meeting = Meeting.objects.filter(organization__code=AGENCY_CELL, status=Meeting.Status.APPROVED).first()
    client.force_login(get_user_model().objects.get(username="bithu.xuanhiep"))

    response = client.get(reverse("reports:minutes_pdf", args=[meeting.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"


# --- Superior-committee visits ----------------------------------------------------------------------------------------


def _login_seat() -> CommitteeSeat:
    return CommitteeSeat.objects.select_related("organization").get(member__user__username=CAPUY_LOGIN)


def _quarter(day):
    start = quarter_start(day)
    return start, add_months(start, 3)


def test_the_province_has_the_yen_bai_quotas_in_force(demo, today):
    (quota_set,) = VisitQuotaSet.objects.filter(organization__code=PROVINCE_CODE)

    assert quota_set.preset == "yen-bai-18-2019" and quota_set.name == "Yên Bái 18-QĐ/TU (2019)"
    assert quota_set.valid_from <= add_months(quarter_start(today), -3)  # a quarter already over is judged
    assert quota_set.quotas.filter(committee_kind=Organization.Kind.COMMUNE).exists()


def test_the_commune_committee_member_follows_two_hamlets_and_the_cooperative(demo, today):
    seat = _login_seat()
    followed = Organization.objects.filter(assignments__seat=seat, assignments__valid_to__isnull=True)

    assert seat.organization.code == "DN-XH"
    assert sorted(followed.values_list("cell_type", flat=True)) == ["other", "residential", "residential"]
    assert followed.get(cell_type="other").name == "Chi bộ Hợp tác xã Nông nghiệp Xuân Hiệp"


def test_the_commune_committee_member_has_visits_this_quarter_and_exactly_one_report_due(demo, today):
    seat = _login_seat()
    start, end = _quarter(today)
    visits = list(Visitor.objects.filter(seat=seat).select_related("meeting", "seat__organization", "report"))
    unreported = [v for v in visits if not (hasattr(v, "report") and v.report.is_submitted)]
    due = [v for v in unreported if rules.visit_report_due(v) >= today]

    assert len([v for v in visits if start <= v.meeting.planned_date < end]) >= 2
    assert len(due) == 1 and len(unreported) == 1  # one due, none overdue
    assert due[0].meeting.planned_date == today - datetime.timedelta(days=1)  # the hamlet's meeting of yesterday
    assert due[0].meeting.organization.cell_type == Organization.CellType.RESIDENTIAL
    assert due[0].recorded_by is None and (due[0].rank, due[0].committee_kind) == ("committee", "commune")
    submitted = [v.report for v in visits if v not in unreported]
    assert submitted and all(r.submitted_by.username == CAPUY_LOGIN for r in submitted)
    assert all(r.submitted_at.date() <= r.visitor.meeting.planned_date + datetime.timedelta(days=7) for r in submitted)


def test_the_commune_committee_member_has_quota_progress_and_a_month_behind(demo, today):
    seat = _login_seat()
    start, end = _quarter(today)

    [current] = quota_progress([seat], start, end, today=today)
    [previous] = quota_progress([seat], add_months(start, -3), start, today=today)

    assert [(line.window.start, line.status) for line in current.lines] == [
        (start, Status.MET),
        (add_months(start, 1), Status.MET),
        (add_months(start, 2), Status.OPEN),
    ]
    assert all(line.quota.target == "residential" and line.required == 1 for line in current.lines)
    assert [line.window.start for line in previous.behind] == [add_months(start, -2)]
    assert previous.quota_sets[0].preset == "yen-bai-18-2019"


def test_the_board_sees_seats_on_track_and_seats_behind(demo, today):
    seats = CommitteeSeat.objects.filter(valid_to__isnull=True).select_related("organization")
    start, _end = _quarter(today)

    progress = quota_progress(seats, add_months(start, -3), start, today=today)

    statuses = {p.seat.organization.code: set() for p in progress}
    for p in progress:
        statuses[p.seat.organization.code].add(p.status)
    assert {Status.MET, Status.BEHIND} <= statuses["DN-XH"]
    assert {Status.MET, Status.BEHIND} <= statuses[WARD]
    assert {Status.MET, Status.BEHIND} <= {p.status for p in progress}
    # Reports: most submitted, a few overdue, the recent ones due.
    reports = Visitor.objects.filter(seat__isnull=False, meeting__planned_date__lt=start)
    assert reports.filter(report__submitted_at__isnull=False).count() > 10 * reports.filter(report__isnull=True).count()
    assert reports.filter(report__isnull=True).exists()
    # The demo holds no commune committee meeting: every visit is to a cell's.
    assert not Visitor.objects.exclude(meeting__organization__kind__in=Organization.CELL_KINDS).exists()


# --- Reminders --------------------------------------------------------------------------------------------------------

Outbox = OutboxMessage.Status
MEETING_MAIL = {OutboxMessage.Kind.AGENDA, OutboxMessage.Kind.UPDATE, OutboxMessage.Kind.CANCEL}
REMINDER_KINDS = set(OutboxMessage.Kind.values) - MEETING_MAIL - {OutboxMessage.Kind.REMINDER}
HCM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def _reminders():
    province = _org(PROVINCE_CODE)
    return OutboxMessage.objects.filter(kind__in=REMINDER_KINDS, organization__path__startswith=province.path)


def test_every_kind_of_reminder_went_out_in_the_demo_province_at_its_time(demo):
    reminders = _reminders()
    sent = list(reminders.filter(status=Outbox.SENT))

    assert len(REMINDER_KINDS) == 10
    assert {row.kind for row in sent} == REMINDER_KINDS
    assert OutboxMessage.objects.filter(kind=OutboxMessage.Kind.AGENDA, status=Outbox.SENT).exists()
    # Sent by the sweeper's run that wrote them, a morning of the past (07:00), not at the load.
    assert all(row.sent_at == row.created_at < timezone.now() for row in sent)
    assert all(row.sent_at.astimezone(HCM).time() == datetime.time(7) for row in sent)
    # Every reminder is settled: the worker of `make run` sends only what falls due from then on.
    assert not reminders.filter(status__in=[Outbox.QUEUED, Outbox.SENDING]).exists()
    assert reminders.count() == OutboxMessage.objects.filter(kind__in=REMINDER_KINDS).count()


def test_the_agency_cell_got_its_last_meetings_agenda_again_and_the_day_before_reminder(demo, today):
    meeting = (
        Meeting.objects.filter(organization__code=AGENCY_CELL, kind=Meeting.Kind.REGULAR)
        .filter(status=Meeting.Status.APPROVED)
        .select_related("organization")
        .latest("planned_date")
    )
    rows = meeting.outbox.filter(status=Outbox.SENT)
    agenda = set(rows.filter(kind=OutboxMessage.Kind.AGENDA).values_list("to_email", flat=True))
    again = rows.filter(kind=OutboxMessage.Kind.AGENDA_REMINDER)
    tomorrow = rows.filter(kind=OutboxMessage.Kind.MEETING_TOMORROW)
    sent_on = {kind: {row.sent_at.astimezone(HCM).date() for row in rows.filter(kind=kind)} for kind in REMINDER_KINDS}

    assert meeting.planned_date < today
    assert meeting.published_at.astimezone(HCM).date() == meeting.planned_date - datetime.timedelta(days=7)
    assert sent_on[OutboxMessage.Kind.AGENDA_REMINDER] == {meeting.planned_date - datetime.timedelta(days=3)}
    assert sent_on[OutboxMessage.Kind.MEETING_TOMORROW] == {meeting.planned_date - datetime.timedelta(days=1)}
    assert len(agenda) >= 19  # the roster, and the committee member following the cell
    assert set(again.values_list("to_email", flat=True)) == agenda == set(tomorrow.values_list("to_email", flat=True))
    uids = {re.search(r"^UID:(.+)$", row.ics, re.M).group(1).strip() for row in rows.exclude(kind="meeting_tomorrow")}
    assert len(uids) == 1  # the agenda again carries the same invite


def test_a_reminder_to_a_closed_mailbox_failed_and_a_worker_down_for_a_day_left_some_unsent(demo):
    reminders = _reminders().select_related("organization", "member")
    failed = list(reminders.filter(status=Outbox.FAILED))
    missed = list(reminders.filter(status=Outbox.MISSED))
    dropped = list(reminders.filter(status=Outbox.DROPPED))

    # The secretary of khu phố 2: the mail server refused their address (550 5.1.1), once, and it was not retried.
    assert {row.kind for row in failed} >= {OutboxMessage.Kind.NOT_RECORDED}
    assert {(row.organization.name, row.to_email, row.member.full_name) for row in failed} == {
        (failed[0].organization.name, failed[0].to_email, failed[0].member.full_name)
    }
    assert failed[0].organization.name == "Chi bộ khu phố 2"
    assert all((r.last_error, r.attempts, r.sent_at) == ("SMTPRecipientsRefused 550", 1, None) for r in failed)
    # The day the worker was down: the health station's day-before reminders came too late, and the reminder of a
    # meeting not recorded had lost its reason (recorded meanwhile).
    assert missed and {(row.kind, row.organization.code) for row in missed} == {("meeting_tomorrow", "DN-TH-YT")}
    assert all(row.expires_at <= row.created_at + datetime.timedelta(days=2) and row.sent_at is None for row in missed)
    assert [row.kind for row in dropped] == [OutboxMessage.Kind.NOT_RECORDED]
    assert Meeting.objects.get(pk=dropped[0].meeting_id).status in (Meeting.Status.HELD, Meeting.Status.APPROVED)
    # The meetings put back as they were at their reminders' instant are as they were built.
    assert not Meeting.objects.filter(status=Meeting.Status.PUBLISHED).exclude(organization__code=AGENCY_CELL).exists()


def test_what_was_sent_is_in_the_mail_folder_once_and_nothing_else(demo, mail_folder):
    messages = []
    for path in mail_folder.iterdir():
        text = path.read_bytes()
        messages += [email.message_from_bytes(part) for part in text.split(b"\n" + b"-" * 79 + b"\n") if part.strip()]
    delivered = [int(message["X-Chibo-Outbox"]) for message in messages]
    sent = set(_reminders().filter(status=Outbox.SENT).values_list("pk", flat=True))

    assert sent <= set(delivered)
    assert len(delivered) == len(set(delivered))
    assert not set(delivered) & set(_reminders().exclude(status=Outbox.SENT).values_list("pk", flat=True))
    digest = OutboxMessage.objects.filter(kind=OutboxMessage.Kind.DIGEST, status=Outbox.SENT).first()
    (message,) = [m for m in messages if m["X-Chibo-Outbox"] == str(digest.pk)]
    assert message["To"] == digest.to_email


def test_the_board_sees_what_was_sent_to_whom_and_what_failed(demo, client):
    ward = _org(WARD)
    url = reverse("meetings:organization_outbox", args=[ward.pk])
    failed = OutboxMessage.objects.select_related("member").get(status=Outbox.FAILED, kind="not_recorded")
    client.force_login(get_user_model().objects.get(username="bantochuc.phuong"))

    page = client.get(url).content.decode()
    only_failed = client.get(url, {"trang-thai": "failed"}).content.decode()
    message = client.get(reverse("meetings:organization_outbox_message", args=[ward.pk, failed.pk])).content.decode()

    assert "Đã gửi: <strong>" in page and "Gửi lỗi: <strong>" in page and "Không gửi: quá muộn: <strong>" in page
    in_ward = OutboxMessage.objects.filter(organization__path__startswith=ward.path).count()
    assert page.count('data-testid="outbox-row"') == min(50, in_ward) > 10
    assert failed.member.full_name in only_failed and failed.to_email in only_failed
    assert "Máy chủ thư từ chối địa chỉ người nhận" in only_failed and "SMTPRecipientsRefused 550" in only_failed
    assert failed.subject in message and "Chi bộ khu phố 2" in message
    # The province's board finds every kind of reminder by the page's filter, with whom it went to.
    client.force_login(get_user_model().objects.get(username="bantochuc.tinh"))
    province = reverse("meetings:organization_outbox", args=[_org(PROVINCE_CODE).pk])
    for kind in sorted(REMINDER_KINDS):
        row = _reminders().filter(kind=kind, status=Outbox.SENT).order_by("-created_at", "-pk").first()
        html = client.get(province, {"loai": kind, "trang-thai": "sent"}).content.decode()
        assert row.subject in html and row.to_email in html, kind
