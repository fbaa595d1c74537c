"""Browser journey: a commune board officer asks from the dashboard for last month's minutes of every cell, watches
the job's page count them as a real Celery worker prints them, and downloads the one PDF when it is done."""

import datetime
import subprocess
import threading
import time
import unicodedata

import pytest
from celery.contrib.testing.worker import start_worker
from playwright.sync_api import Page, expect

from config.celery import app
from meetings import services
from reports import jobs
from reports.models import DocumentJob
from tests.e2e.conftest import assert_accessible, login, screenshot
from tests.factories import make_cell, make_held_meeting, make_member

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def november(world, settings, tmp_path):
    """Four cells of the commune held November's meeting; the second one's minutes are approved."""
    settings.MEDIA_ROOT = tmp_path / "media"
    w = world
    make_held_meeting(w.cell_a, planned_date=datetime.date(2026, 11, 4), votes_for=2)
    w.cells = [w.cell_a]
    for n, name in enumerate(["Chi bộ ấp Bàu Sen", "Chi bộ ấp Đồng Tâm", "Chi bộ khu phố Ngô Quyền"], start=1):
        cell = make_cell(w.commune, name=name, code=f"K{n}")
        make_member(cell, full_name=f"Phạm Thị Ngọc Ánh {n}")
        meeting = make_held_meeting(cell, planned_date=datetime.date(2026, 11, 4 + n), votes_for=1)
        if n == 1:
            services.minutes_approve(meeting=meeting, by=None)
        w.cells.append(cell)
    return w


class Gate:
    """The worker's steps the test waits for: ``reached`` once two minutes are printed (the worker then waits for
    ``go_on``), ``finished`` when the job's task has returned."""

    def __init__(self):
        self.reached, self.go_on, self.finished = threading.Event(), threading.Event(), threading.Event()


@pytest.fixture
def gate(monkeypatch):
    """The worker stops after its second minutes until the test lets it go on.

    The test database is SQLite in memory, shared by the live server's thread and the worker's: a read meeting a
    write there is an error ("database table is locked"), not a wait. So the two never overlap: the browser's timers
    are paused (no htmx poll) while the worker writes, and advanced only while the worker waits here or is done."""
    steps = Gate()
    render, run = jobs.render_document, jobs.document_job_run
    count = 0

    def paused_render(template_name, context):
        nonlocal count
        if template_name == "pdf/minutes.html":
            count += 1
            if count == 3:
                steps.reached.set()
                steps.go_on.wait(timeout=20)  # a failed test still lets the worker stop
        return render(template_name, context)

    def observed_run(*, job_id):
        try:
            return run(job_id=job_id)
        finally:
            steps.finished.set()

    monkeypatch.setattr(jobs, "render_document", paused_render)
    monkeypatch.setattr(jobs, "document_job_run", observed_run)
    return steps


def test_a_board_prints_a_months_minutes_and_downloads_them(live_server, page: Page, november, gate, tmp_path):
    w = november
    login(page, live_server, "bantochuc.xa")
    page.goto(f"{live_server.url}/to-chuc/{w.commune.pk}/bao-cao/")
    section = page.get_by_test_id("print-minutes")
    expect(section.get_by_label("Tháng", exact=True)).to_have_value("2026-11-01")  # last month by default
    section.get_by_label("Gồm cả biên bản chưa duyệt (in dấu DỰ THẢO)").check()
    page.clock.pause_at(time.time())
    section.get_by_role("button", name="In biên bản cả tháng").click()

    expect(page.get_by_test_id("job-title")).to_have_text(
        "Biên bản sinh hoạt tháng 11/2026, Đảng bộ xã Xuân Hiệp (gồm bản dự thảo)"
    )
    expect(page.get_by_test_id("job-progress")).to_contain_text("Đang chờ chuẩn bị bản in.")
    # A real worker on the tests' own broker (VAR_DIR=var/test) takes the job the page handed over.
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        assert gate.reached.wait(timeout=60)
        page.clock.run_for(2_000)  # the page polls (htmx, every 2 s) and shows how far the worker got
        expect(page.get_by_test_id("job-progress")).to_have_text("Đã in 2/4 biên bản")
        expect(page.get_by_role("progressbar", name="Tiến độ in")).to_have_attribute("value", "2")
        screenshot(page, "document_job_progress")
        # axe-core needs the page's timers; the worker waits, so the polls they fire meanwhile are safe. Then paused
        # again, with no request left in flight, before the worker goes on.
        in_flight = set()
        page.on("request", lambda request: in_flight.add(request))
        page.on("requestfinished", lambda request: in_flight.discard(request))
        page.on("requestfailed", lambda request: in_flight.discard(request))
        page.clock.resume()
        assert_accessible(page, "document job, running")
        page.clock.pause_at(time.time() + 3600)
        while in_flight:
            page.wait_for_timeout(50)

        gate.go_on.set()
        assert gate.finished.wait(timeout=60)
    page.clock.resume()  # the worker is done: the page's polls may run on their own again
    download_link = page.get_by_test_id("job-download")
    expect(download_link).to_be_visible()
    expect(page.get_by_test_id("job-progress")).to_contain_text("Đã in 4/4 biên bản. In xong lúc 18:33 04/12/2026.")
    screenshot(page, "document_job_done")
    assert_accessible(page, "document job, done")
    with page.expect_download() as download_info:
        download_link.click()
    download = download_info.value
    assert download.suggested_filename == "bien-ban-C01-2026-11.pdf"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    text = " ".join(unicodedata.normalize("NFC", text).split())
    assert "DANH MỤC BIÊN BẢN SINH HOẠT THÁNG 11 NĂM 2026" in text
    for cell in w.cells:
        assert cell.name.upper() in text
    assert "Phạm Thị Ngọc Ánh 3" in text
    job = DocumentJob.objects.get()
    assert (job.status, job.done, job.total, job.attempts) == ("done", 4, 4, 1)

    page.get_by_role("link", name="Bản in", exact=True).click()
    expect(page.get_by_test_id("job-list")).to_contain_text("Biên bản sinh hoạt tháng 11/2026, Đảng bộ xã Xuân Hiệp")
    expect(page.get_by_test_id("job-list").get_by_role("link", name="Tải tệp PDF")).to_be_visible()
    screenshot(page, "document_jobs")
    assert_accessible(page, "document jobs")
