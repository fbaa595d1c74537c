"""Browser journeys through the official documents: the secretary finds the stored minutes and resolution of an
approved meeting with their SHA-256 (and the download is that very file), the cell's resolution book, the attendance
sheet of the next meeting; a board whose report is made by a worker asks for it and downloads it."""

import datetime
import hashlib
import subprocess
import unicodedata

import pytest
from playwright.sync_api import Page, expect

from meetings import services
from reports import documents, jobs
from reports.models import DocumentJob
from reports.tasks import run_document_job
from tests.e2e.conftest import assert_accessible, login, screenshot
from tests.factories import make_held_meeting, make_meeting

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def approved(world, settings, tmp_path):
    """Cell A's November meeting held, its resolution adopted, the minutes approved and both documents stored; its
    December meeting planned."""
    settings.MEDIA_ROOT = tmp_path / "media"
    w = world
    w.meeting = make_held_meeting(w.cell_a, planned_date=datetime.date(2026, 11, 4), votes_for=2)
    services.minutes_approve(meeting=w.meeting, by=None)
    documents.store_pending()
    w.next_meeting = make_meeting(w.cell_a, planned_date=datetime.date(2026, 12, 9))
    return w


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(content)
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(unicodedata.normalize("NFC", out).split())


def test_the_secretary_finds_the_stored_documents_their_hash_and_the_resolution_book(
    live_server, page: Page, approved, tmp_path
):
    w = approved
    login(page, live_server, "bithu.a")
    page.goto(f"{live_server.url}/sinh-hoat/{w.meeting.pk}/")

    table = page.get_by_test_id("documents")
    expect(table.get_by_role("row")).to_have_count(3)  # the heading and two documents
    expect(table).to_contain_text("Biên bản 01-BB/CB")
    expect(table).to_contain_text("Nghị quyết 01-NQ/CB")
    shown = page.get_by_test_id("sha256").first.inner_text()
    href = table.get_by_role("link", name="Tải về").first.get_attribute("href")
    served = page.request.get(live_server.url + href)
    assert served.headers["content-type"] == "application/pdf"
    assert hashlib.sha256(served.body()).hexdigest() == shown  # the download is the stored file, byte for byte
    assert "BIÊN BẢN" in pdf_text(served.body(), tmp_path)
    assert_accessible(page, "meeting page with its documents")
    screenshot(page, "documents-meeting")

    page.get_by_role("link", name="Sổ nghị quyết năm 2026").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sổ nghị quyết")
    expect(page.get_by_role("cell", name="01-NQ/CB", exact=False).first).to_be_visible()
    assert_accessible(page, "resolution book")
    screenshot(page, "documents-resolution-book")
    book_link = page.get_by_role("link", name="Tải về (PDF)").first.get_attribute("href")
    resolution = page.request.get(live_server.url + book_link)
    text = pdf_text(resolution.body(), tmp_path)
    assert "NGHỊ QUYẾT" in text and "Số: 01-NQ/CB" in text and "T/M CHI BỘ" in text

    page.goto(f"{live_server.url}/sinh-hoat/{w.next_meeting.pk}/")
    sheet = page.get_by_test_id("attendance-sheet-pdf").get_attribute("href")
    text = pdf_text(page.request.get(live_server.url + sheet).body(), tmp_path)
    assert "DANH SÁCH" in text and w.member.full_name in text


def test_a_board_asks_for_a_large_report_and_downloads_it_when_the_worker_is_done(
    live_server, page: Page, approved, monkeypatch, tmp_path
):
    w = approved
    monkeypatch.setattr(jobs.ComplianceReport, "INLINE_CELLS", -1)  # the commune stands for a province here
    monkeypatch.setattr(jobs, "enqueue_jobs", lambda ids: len(ids))  # no broker: the test runs the task below
    login(page, live_server, "bantochuc.xa")
    page.goto(f"{live_server.url}/to-chuc/{w.commune.pk}/bao-cao/?ky=quy-2026-4")

    page.get_by_test_id("request-pdf").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator("main")).to_contain_text("Báo cáo tình hình sinh hoạt chi bộ quý IV năm 2026")
    job_url = page.url
    page.goto("about:blank")  # no poll of the job's page while the task writes (one in-memory SQLite database)
    job = DocumentJob.objects.get()
    assert run_document_job.apply(args=[job.pk]).get() == "done"

    page.goto(job_url)
    link = page.get_by_test_id("job-download")
    expect(link).to_be_visible()
    assert_accessible(page, "report job done")
    screenshot(page, "documents-report-job")
    content = page.request.get(live_server.url + link.get_attribute("href")).body()
    assert "QUÝ IV NĂM 2026" in pdf_text(content, tmp_path)
