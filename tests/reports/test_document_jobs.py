"""Long documents (reports/jobs.py): a board's month of minutes as one PDF, made by a task with its progress on
a page; safe to deliver twice, rescued when its worker dies, nothing lost with the broker down; and who may see it."""

import datetime
import logging
import re
import subprocess
import unicodedata

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from config.celery import app
from meetings import services
from reports import jobs
from reports.models import DocumentJob
from reports.tasks import run_document_job, sweep_document_jobs
from tests.factories import make_cell, make_held_meeting, make_meeting, make_member

pytestmark = pytest.mark.django_db

Status = DocumentJob.Status
NOVEMBER = datetime.date(2026, 11, 1)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def enqueued(monkeypatch):
    """The jobs handed to the broker, recorded instead of published (the tests run them with ``task.apply``)."""
    calls: list[int] = []

    def send_task(name, args=(), **options):
        assert options.get("retry") is False  # one try: a broker down must not hold the page for seconds
        if name == jobs.RUN_TASK:
            calls.extend(args)

    monkeypatch.setattr(app, "send_task", send_task)
    return calls


def held_cell(parent, name: str, code: str, *, day: int = 4, approve: bool = False, members=("Lê Văn Tám",)):
    cell = make_cell(parent, name=name, code=code)
    for full_name in members:
        make_member(cell, full_name=full_name)
    meeting = make_held_meeting(cell, planned_date=datetime.date(2026, 11, day), votes_for=1)
    if approve:
        services.minutes_approve(meeting=meeting, by=None)
    return cell, meeting


@pytest.fixture
def month(world):
    """November 2026 in the commune: cell A held its meeting (not approved), two more cells held theirs (the first
    approved). Not printed: a meeting planned but not held, October's meeting, and a cell of another commune."""
    w = world
    w.meeting_a = make_held_meeting(w.cell_a, planned_date=datetime.date(2026, 11, 4), votes_for=2)
    w.cell_c, w.meeting_c = held_cell(w.commune, "Chi bộ ấp Bàu Sen", "C", day=6, approve=True, members=["Lê Văn Tám"])
    w.cell_d, w.meeting_d = held_cell(w.commune, "Chi bộ ấp Đồng Tâm", "D", day=9, members=["Phạm Thị Ngọc Ánh"])
    w.not_held = make_meeting(
        w.cell_a, kind="thematic", topic="Học tập nghị quyết", planned_date=datetime.date(2026, 11, 20)
    )
    make_held_meeting(w.cell_c, planned_date=datetime.date(2026, 10, 6))
    make_held_meeting(w.cell_b, planned_date=datetime.date(2026, 11, 4))
    return w


def request_job(w, *, drafts: bool = True, user=None, organization=None) -> DocumentJob:
    return jobs.document_job_request(
        user=user or w.board_user,
        organization=organization or w.commune,
        kind=jobs.MonthMinutes.code,
        params={"month": NOVEMBER.isoformat(), "drafts": drafts},
    )


def pdf_pages(content: bytes, tmp_path) -> list[str]:
    """The text of each page, whitespace collapsed."""
    path = tmp_path / "out.pdf"
    path.write_bytes(content)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    pages = unicodedata.normalize("NFC", out).split("\f")
    return [" ".join(page.split()) for page in pages if page.strip()]


@pytest.fixture
def renders(monkeypatch):
    """Every document laid out, by its template name."""
    seen: list[str] = []
    real = jobs.render_document

    def spy(template_name, context):
        seen.append(template_name)
        return real(template_name, context)

    monkeypatch.setattr(jobs, "render_document", spy)
    return seen


# --- The document ----------------------------------------------------------------------------------------------------


def test_the_task_prints_every_held_minutes_of_the_month_in_one_pdf_each_from_a_new_page(month, enqueued, tmp_path):
    w = month
    job = request_job(w)

    assert run_document_job.apply(args=[job.pk]).get() == "done"

    job.refresh_from_db()
    assert (job.status, job.done, job.total, job.attempts, job.error) == (Status.DONE, 3, 3, 1, "")
    assert job.file_name == "bien-ban-C01-2026-11.pdf"
    assert job.finished_at == timezone.now()
    pages = pdf_pages(job.file.read(), tmp_path)
    cover = pages[0]
    assert "DANH MỤC BIÊN BẢN SINH HOẠT THÁNG 11 NĂM 2026 ĐẢNG BỘ XÃ XUÂN HIỆP" in cover
    assert "Gồm 3 biên bản, trong đó 2 bản dự thảo chưa được duyệt" in cover
    # Each minutes begins on the page the list gives, with its own header and its own page numbers.
    starts = {}
    for cell, meeting in ((w.cell_a, w.meeting_a), (w.cell_c, w.meeting_c), (w.cell_d, w.meeting_d)):
        first = next(i for i, page in enumerate(pages) if f"CHI BỘ {cell.name.upper().removeprefix('CHI BỘ ')}" in page)
        starts[cell.code] = first
        assert "BIÊN BẢN SINH HOẠT CHI BỘ ĐỊNH KỲ THÁNG 11 NĂM 2026" in pages[first]
        assert f"ngày {meeting.planned_date.day:02d} tháng 11 năm 2026" in pages[first]
        assert f"{cell.name} {meeting.planned_date:%d/%m/%Y} Sinh hoạt định kỳ" in cover
        assert f"1/{pages_of(pages, first)}" in pages[first]
    # In the tree's order: cell A, then C, then D; the page numbers in the list are the pages of the file.
    assert starts["A"] < starts["C"] < starts["D"]
    listed = {
        name: int(page)
        for name, page in re.findall(
            r"(Chi bộ [^\d]+?) \d\d/11/2026 Sinh hoạt định kỳ (?:\d+ )?(?:Đã duyệt|Dự thảo) (\d+)", cover
        )
    }
    assert listed == {w.cell_a.name: starts["A"] + 1, w.cell_c.name: starts["C"] + 1, w.cell_d.name: starts["D"] + 1}
    # The approved minutes carry no draft mark; the others do.
    draft = "Bản dự thảo, chưa được chủ trì duyệt."
    assert draft not in " ".join(pages[starts["C"] : starts["D"]])
    assert draft in pages[starts["A"]] and draft in pages[starts["D"]]
    assert "Phạm Thị Ngọc Ánh" in " ".join(pages[starts["D"] :])
    # Nothing else: not October's, not the planned meeting, not the other commune's.
    text = " ".join(pages)
    assert "Học tập nghị quyết" not in text and "CHI BỘ ẤP 1" not in text and "THÁNG 10" not in text


def pages_of(pages: list[str], first: int) -> int:
    """How many pages the minutes beginning at ``first`` has: up to the next page numbered "1/…"."""
    count = 1
    while first + count < len(pages) and f" {count + 1}/" in f" {pages[first + count]}":
        count += 1
    return count


def test_without_drafts_only_the_approved_minutes_are_printed(month, enqueued, tmp_path):
    w = month
    job = request_job(w, drafts=False)

    run_document_job.apply(args=[job.pk])

    job.refresh_from_db()
    assert (job.status, job.total) == (Status.DONE, 1)
    text = " ".join(pdf_pages(job.file.read(), tmp_path))
    assert "Gồm 1 biên bản, tất cả đã được duyệt" in text
    assert "CHI BỘ ẤP BÀU SEN" in text
    assert "CƠ QUAN UBND XÃ" not in text and "dự thảo" not in text


def test_a_cell_prints_its_own_month(month, enqueued):
    job = request_job(month, user=month.secretary_user, organization=month.cell_a)

    run_document_job.apply(args=[job.pk])

    job.refresh_from_db()
    assert (job.status, job.total) == (Status.DONE, 1)
    assert job.file_name == "bien-ban-A-2026-11.pdf"


@pytest.mark.django_db(transaction=True)
def test_progress_is_committed_after_each_minutes(month, enqueued, monkeypatch):
    """What the job's page would read while the task runs: the row as committed, before each minutes is laid out."""
    job = request_job(month)
    seen = []
    real = jobs.render_document

    def watch(template_name, context):
        row = DocumentJob.objects.get(pk=job.pk)
        seen.append((template_name, row.status, row.done, row.total, connection.in_atomic_block))
        return real(template_name, context)

    monkeypatch.setattr(jobs, "render_document", watch)

    run_document_job.apply(args=[job.pk])

    minutes = [
        (status, done, total, atomic) for name, status, done, total, atomic in seen if name == "pdf/minutes.html"
    ]
    assert minutes == [("running", 0, 3, False), ("running", 1, 3, False), ("running", 2, 3, False)]
    assert DocumentJob.objects.get(pk=job.pk).done == 3


def test_the_page_shows_progress_then_the_download(client, month, enqueued, monkeypatch):
    w = month
    job = request_job(w)
    url = reverse("reports:document_job", args=[job.pk])
    client.force_login(w.board_user)
    shown = []
    real = jobs.render_document

    def watch(template_name, context):
        if template_name == "pdf/minutes.html":
            shown.append(client.get(url, headers={"HX-Request": "true"}).content.decode())
        return real(template_name, context)

    queued = client.get(url).content.decode()
    monkeypatch.setattr(jobs, "render_document", watch)
    run_document_job.apply(args=[job.pk])
    done = client.get(url, headers={"HX-Request": "true"}).content.decode()

    assert "Đang chờ chuẩn bị bản in" in queued and 'data-hx-trigger="every 2s"' in queued
    assert ["Đã in 0/3 biên bản" in shown[0], "Đã in 1/3 biên bản" in shown[1], "Đã in 2/3 biên bản" in shown[2]] == [
        True
    ] * 3
    assert all('data-hx-trigger="every 2s"' in fragment and "<html" not in fragment for fragment in shown)
    assert "Đã in 3/3 biên bản" in done and "data-hx-trigger" not in done
    assert reverse("reports:document_job_file", args=[job.pk]) in done
    response = client.get(reverse("reports:document_job_file", args=[job.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert 'attachment; filename="bien-ban-C01-2026-11.pdf"' == response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_a_failing_render_fails_the_job_with_the_error_class_only(month, enqueued, monkeypatch, caplog):
    job = request_job(month)

    def broken(template_name, context):
        raise ValueError("Lê Văn Tám")  # a message quoting a name must not reach the row nor the log

    monkeypatch.setattr(jobs, "render_document", broken)
    with caplog.at_level(logging.ERROR, logger="reports.jobs"):
        assert run_document_job.apply(args=[job.pk]).get() == "failed"

    job.refresh_from_db()
    assert (job.status, job.error, bool(job.file)) == (Status.FAILED, "ValueError", False)
    assert "Tám" not in caplog.text and "ValueError" in caplog.text


# --- Delivered twice, workers that die, the broker down ---------------------------------------------------------------


def test_a_redelivered_task_does_no_double_work(month, enqueued, renders):
    job = request_job(month)
    assert run_document_job.apply(args=[job.pk]).get() == "done"
    job.refresh_from_db()
    made = (len(renders), job.file.name, job.finished_at, job.attempts)

    assert run_document_job.apply(args=[job.pk]).get() == "skipped"

    job.refresh_from_db()
    assert (len(renders), job.file.name, job.finished_at, job.attempts) == made
    assert len(job.file.storage.listdir("documents/2026/12")[1]) == 1  # one file written


def test_a_job_running_elsewhere_is_not_started_again(month, enqueued, renders):
    job = request_job(month)
    DocumentJob.objects.filter(pk=job.pk).update(status=Status.RUNNING, attempts=1, heartbeat_at=timezone.now())

    assert run_document_job.apply(args=[job.pk]).get() == "skipped"
    assert jobs.document_jobs_sweep() == 0  # its worker reported lately: alive

    assert renders == []
    assert DocumentJob.objects.get(pk=job.pk).status == Status.RUNNING


def test_a_stuck_job_is_requeued_by_the_sweeper_and_made(month, enqueued, time_machine, caplog):
    job = request_job(month)
    enqueued.clear()
    DocumentJob.objects.filter(pk=job.pk).update(
        status=Status.RUNNING, attempts=1, done=1, total=3, heartbeat_at=timezone.now()
    )
    time_machine.move_to(timezone.now() + jobs.RUNNING_LEASE - datetime.timedelta(seconds=1), tick=False)
    assert sweep_document_jobs.apply().get() == 0

    time_machine.move_to(timezone.now() + datetime.timedelta(seconds=1), tick=False)
    with caplog.at_level(logging.WARNING, logger="reports.jobs"):
        assert sweep_document_jobs.apply().get() == 1

    assert enqueued == [job.pk]
    job.refresh_from_db()
    assert (job.status, job.error) == (Status.QUEUED, "Timeout")
    assert "stuck in running" in caplog.text
    assert run_document_job.apply(args=[job.pk]).get() == "done"
    job.refresh_from_db()
    assert (job.status, job.done, job.total, job.attempts, job.error) == (Status.DONE, 3, 3, 2, "")


def test_a_job_that_killed_its_worker_too_often_fails(month, enqueued, time_machine):
    job = request_job(month)
    long_ago = timezone.now() - jobs.RUNNING_LEASE
    DocumentJob.objects.filter(pk=job.pk).update(
        status=Status.RUNNING, attempts=jobs.MAX_ATTEMPTS, heartbeat_at=long_ago
    )
    enqueued.clear()

    jobs.document_jobs_sweep()

    job.refresh_from_db()
    assert (job.status, job.error, job.finished_at) == (Status.FAILED, "Timeout", timezone.now())
    assert enqueued == []


def test_a_worker_thought_dead_writes_nothing_once_its_job_was_given_to_another(month, enqueued, monkeypatch):
    job = request_job(month)
    real = jobs.render_document
    calls = []

    def slow(template_name, context):
        calls.append(template_name)
        if len(calls) == 1:  # meanwhile: the sweeper requeued the job and another worker claimed it
            DocumentJob.objects.filter(pk=job.pk).update(attempts=2, done=0, total=None)
        return real(template_name, context)

    monkeypatch.setattr(jobs, "render_document", slow)

    assert jobs.document_job_run(job_id=job.pk) == "taken-over"

    job.refresh_from_db()
    assert (job.status, job.attempts, job.done, job.total, bool(job.file)) == (Status.RUNNING, 2, 0, None, False)
    assert len(calls) == 1


def test_the_request_hands_the_job_over_once_committed(client, month, enqueued, django_capture_on_commit_callbacks):
    client.force_login(month.board_user)
    url = reverse("reports:month_minutes_request", args=[month.commune.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"thang": "2026-11-01", "du_thao": "on"})

    job = DocumentJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("reports:document_job", args=[job.pk])
    assert enqueued == [job.pk]
    assert (job.requested_by, job.organization, job.kind) == (month.board_user, month.commune, "month_minutes")
    assert job.params == {"month": "2026-11-01", "drafts": True}
    assert job.status == Status.QUEUED


def test_a_second_click_gives_the_job_already_waiting(client, month, enqueued, django_capture_on_commit_callbacks):
    client.force_login(month.board_user)
    url = reverse("reports:month_minutes_request", args=[month.commune.pk])
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url, {"thang": "2026-11-01"})
        second = client.post(url, {"thang": "2026-11-01"})
        other = client.post(url, {"thang": "2026-11-01", "du_thao": "on"})

    assert first["Location"] == second["Location"] != other["Location"]
    assert DocumentJob.objects.count() == 2


def test_the_broker_down_at_request_time_loses_nothing(
    client, month, monkeypatch, django_capture_on_commit_callbacks, time_machine, caplog
):
    def broker_down(name, args=(), **options):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(app, "send_task", broker_down)
    client.force_login(month.board_user)
    with caplog.at_level(logging.WARNING, logger="reports.jobs"), django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:month_minutes_request", args=[month.commune.pk]), {"thang": "2026-11-01"}
        )

    job = DocumentJob.objects.get()
    assert response.status_code == 302
    assert "OperationalError" in caplog.text
    page = client.get(response["Location"]).content.decode()
    assert "Đang chờ chuẩn bị bản in" in page

    handed = []
    monkeypatch.setattr(app, "send_task", lambda name, args=(), **options: handed.extend(args))
    assert jobs.document_jobs_sweep() == 0  # handed over at the request a moment ago: not yet
    time_machine.move_to(timezone.now() + jobs.HANDOVER_GRACE, tick=False)
    assert jobs.document_jobs_sweep() == 1
    assert jobs.document_jobs_sweep() == 0  # just handed over: not again at once

    assert handed == [job.pk]
    assert run_document_job.apply(args=[job.pk]).get() == "done"
    assert DocumentJob.objects.get(pk=job.pk).status == Status.DONE


# --- The form ---------------------------------------------------------------------------------------------------------


def test_the_dashboard_offers_last_months_minutes(client, month):
    client.force_login(month.board_user)

    page = client.get(reverse("reports:dashboard", args=[month.commune.pk])).content.decode()

    assert reverse("reports:month_minutes_request", args=[month.commune.pk]) in page
    assert '<option value="2026-11-01" selected>Tháng 11/2026</option>' in page
    assert "Gồm cả biên bản chưa duyệt (in dấu DỰ THẢO)" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"thang": "2026-13-01"}, "không có trong danh sách"),
        ({"thang": ""}, "Hãy chọn tháng."),
        ({"thang": "2026-12-01", "du_thao": "on"}, "Tháng 12/2026 không có buổi sinh hoạt nào đã họp trong Đảng bộ xã"),
        ({"thang": "2026-09-01"}, "Tháng 09/2026 chưa có biên bản nào đã duyệt trong Đảng bộ xã Xuân Hiệp."),
    ],
)
def test_bad_input_says_why_and_writes_nothing(client, month, enqueued, data, message):
    client.force_login(month.board_user)

    response = client.post(reverse("reports:month_minutes_request", args=[month.commune.pk]), data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not DocumentJob.objects.exists() and enqueued == []


def test_too_many_minutes_for_one_print_are_refused(client, month, monkeypatch, enqueued):
    monkeypatch.setattr(jobs.MonthMinutes, "MAX_MEETINGS", 2)
    client.force_login(month.board_user)

    response = client.post(
        reverse("reports:month_minutes_request", args=[month.commune.pk]), {"thang": "2026-11-01", "du_thao": "on"}
    )

    assert "có 3 biên bản trong tháng 11/2026, quá 2 biên bản một lần in" in response.content.decode()
    assert not DocumentJob.objects.exists()


# --- Access -----------------------------------------------------------------------------------------------------------


@pytest.fixture
def done_job(month, enqueued):
    job = request_job(month)
    run_document_job.apply(args=[job.pk])
    job.refresh_from_db()
    return job


def job_urls(job) -> list[str]:
    return [
        reverse("reports:document_job", args=[job.pk]),
        reverse("reports:document_job_file", args=[job.pk]),
    ]


def test_it_requires_login(client, done_job):
    for url in [
        *job_urls(done_job),
        reverse("reports:document_jobs"),
        reverse("reports:month_minutes_request", args=[done_job.organization_id]),
    ]:
        response = client.get(url)
        assert response.status_code == 302 and reverse("login") in response["Location"], url


def test_it_hides_other_cells(client, month, done_job):
    """Outside the subtree, or a member who sees the cell's meetings but does not read the organization: 404."""
    for user in (month.outsider_user, month.member_user):
        client.force_login(user)
        for url in job_urls(done_job):
            assert client.get(url).status_code == 404, (user, url)
        assert client.get(reverse("reports:month_minutes_request", args=[month.commune.pk])).status_code == 404
        assert (
            client.post(
                reverse("reports:month_minutes_request", args=[month.commune.pk]), {"thang": "2026-11-01"}
            ).status_code
            == 404
        )
    client.force_login(month.member_user)
    assert client.get(reverse("reports:month_minutes_request", args=[month.cell_a.pk])).status_code == 404
    assert DocumentJob.objects.count() == 1


def test_every_reader_of_the_organization_gets_the_file_and_a_read_only_user_may_ask(client, month, done_job):
    """Printing is reading: the read-only board user asked for this one; the writer of the commune reads it too. A
    member reading only cell A asks there, never above (there is no write step here, hence no 403)."""
    client.force_login(month.board_writer)
    for url in job_urls(done_job):
        assert client.get(url).status_code == 200, url
    client.force_login(month.secretary_user)
    for url in job_urls(done_job):
        assert client.get(url).status_code == 404, url


def test_an_unfinished_job_has_no_file_yet(client, month, enqueued):
    job = request_job(month)
    client.force_login(month.board_user)

    assert client.get(reverse("reports:document_job_file", args=[job.pk])).status_code == 404


def test_the_list_shows_the_users_own_jobs_in_one_query_whatever_their_number(
    client, month, enqueued, django_assert_num_queries
):
    w = month
    mine = [request_job(w), request_job(w, drafts=False)]
    request_job(w, user=w.board_writer)
    run_document_job.apply(args=[mine[0].pk])
    client.force_login(w.board_user)
    client.get("/")  # the session and the user loaded once

    # session, user, the jobs with their organizations, the navigation's "holds a seat"
    with django_assert_num_queries(4):
        page = client.get(reverse("reports:document_jobs")).content.decode()

    assert page.count('href="/ban-in/') == 3  # two jobs, one of them with its download
    assert "Biên bản sinh hoạt tháng 11/2026, Đảng bộ xã Xuân Hiệp (gồm bản dự thảo)" in page
    assert reverse("reports:document_job_file", args=[mine[0].pk]) in page
    assert "Đang chờ" in page


# --- Queries ----------------------------------------------------------------------------------------------------------

# The task's queries: a constant part (the claim, the job, the meetings, progress at 0, the final write: 5) and a
# budget per minutes (what one minutes prints, ``meetings.minutes.minutes_context``: 9; the progress write after it: 1).
TASK_CONSTANT = 5
PER_MINUTES = 10


def task_queries(job) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert jobs.document_job_run(job_id=job.pk) == "done"
    return len(queries)


def test_the_tasks_queries_grow_by_a_small_budget_per_minutes(world, enqueued):
    w = world
    for n in range(2):
        held_cell(w.commune, f"Chi bộ khu phố {n}", f"K{n}", members=[f"Trần Văn An {n}", f"Ngô Thị Bé {n}"])
    two = task_queries(request_job(w))
    for n in range(2, 6):
        held_cell(w.commune, f"Chi bộ khu phố {n}", f"K{n}", members=[f"Trần Văn An {n}", f"Ngô Thị Bé {n}"])
    six = task_queries(request_job(w))

    per_minutes = (six - two) / 4
    assert per_minutes == int(per_minutes) and per_minutes <= PER_MINUTES, (two, six)
    assert two - 2 * per_minutes <= TASK_CONSTANT, (two, six)


# --- The compliance report as a job -----------------------------------------------------------------------------------


def test_a_large_organizations_report_is_a_button_that_queues_it_and_a_small_ones_a_link(client, month, monkeypatch):
    client.force_login(month.board_user)
    url = reverse("reports:dashboard", args=[month.commune.pk])

    small = client.get(url, {"ky": "nam-2026"}).content.decode()
    monkeypatch.setattr(jobs.ComplianceReport, "INLINE_CELLS", -1)  # any organization is "large", even without findings
    large = client.get(url, {"ky": "nam-2026"}).content.decode()

    pdf_link = reverse("reports:dashboard_pdf", args=[month.commune.pk])
    request_url = reverse("reports:compliance_report_request", args=[month.commune.pk])
    assert pdf_link in small and request_url not in small
    assert request_url in large and pdf_link not in large
    assert '<input type="hidden" name="ky" value="nam-2026">' in large


def test_the_report_job_makes_the_same_report_as_the_link(client, month, enqueued, tmp_path):
    w = month
    client.force_login(w.board_user)

    response = client.post(reverse("reports:compliance_report_request", args=[w.commune.pk]), {"ky": "quy-2026-4"})

    job = DocumentJob.objects.get()
    assert response.url == reverse("reports:document_job", args=[job.pk])
    assert (job.kind, job.params, job.requested_by) == (
        "compliance_report",
        {"period": "quy-2026-4", "cell_type": ""},
        w.board_user,
    )
    assert run_document_job.apply(args=[job.pk]).get() == "done"
    job.refresh_from_db()
    assert (job.status, job.done, job.total, job.file_name) == (Status.DONE, 1, 1, "bao-cao-C01-quy-2026-4.pdf")
    text = " ".join(pdf_pages(job.file.read(), tmp_path))
    assert "BÁO CÁO" in text and "QUÝ IV NĂM 2026" in text and w.commune.name.upper() in text
    page = client.get(reverse("reports:document_job", args=[job.pk])).content.decode()
    assert "Báo cáo tình hình sinh hoạt chi bộ quý IV năm 2026, Đảng bộ xã Xuân Hiệp" in page
    assert reverse("reports:document_job_file", args=[job.pk]) in page


@pytest.mark.parametrize(
    ("data", "message"),
    [({"ky": "quy-2026-9"}, "Kỳ báo cáo không hợp lệ."), ({"ky": "nam-2026", "loai": "x"}, "Loại hình chi bộ")],
)
def test_a_bad_report_request_says_why_on_the_dashboard_and_writes_nothing(client, month, enqueued, data, message):
    client.force_login(month.board_user)

    response = client.post(reverse("reports:compliance_report_request", args=[month.commune.pk]), data, follow=True)

    assert message in response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("reports:dashboard", args=[month.commune.pk])
    assert not DocumentJob.objects.exists() and enqueued == []


def test_a_report_of_an_organization_not_read_is_a_404_and_writes_nothing(client, month, enqueued):
    client.force_login(month.outsider_user)

    response = client.post(reverse("reports:compliance_report_request", args=[month.commune.pk]), {"ky": "nam-2026"})

    assert response.status_code == 404
    assert not DocumentJob.objects.exists()
