"""Long documents made by a Celery worker, with their progress on a page and a download when done.

A request is a row first (``DocumentJob``), then a hand-over to the broker once the row is committed, as the outbox
does for mail (``meetings.outbox``):

- ``document_job_request`` checks what is asked (``DocumentKind.check``), writes the row and enqueues the task on
  commit. The broker down costs nothing: the row stays "queued" and the sweeper hands it over later.
- ``document_job_run`` (the task ``reports.run_document_job``) claims the row with a conditional UPDATE, so a task
  delivered twice makes the document once; it writes its progress in its own short transactions (autocommit: the
  page reads them while the job runs), each write fenced by the claim's number (``attempts``), so a worker the
  sweeper thought dead, once its job is handed to another, writes nothing more.
- ``document_jobs_sweep`` (the task ``reports.sweep_document_jobs``, beat) gives back to the queue a job whose worker
  has sent no progress for ``RUNNING_LEASE`` (it died), fails one that died ``MAX_ATTEMPTS`` times, and hands over the
  queued jobs whose hand-over was lost.

Kinds of document are registered in ``KINDS`` (``register``): a kind checks its parameters, describes itself, and
makes its file, telling its progress. A new kind (a province's compliance report) is a subclass and a ``register``.
"""

import abc
import datetime
import logging
from collections.abc import Callable
from functools import partial

from celery import current_app
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from weasyprint import HTML, Document

from cells.models import Organization
from meetings.minutes import minutes_context
from meetings.models import Meeting
from reports.models import DocumentJob
from reports.pdf import PDF_BASE_URL, StaticOnlyFetcher, render_pdf
from reports.periods import Period, month_label
from reports.printouts import ascii_code, compliance_report_context, report_file_name

logger = logging.getLogger(__name__)

Status = DocumentJob.Status

# The Celery task that makes one job (``reports.tasks``): enqueued by name, so this module needs no task object.
RUN_TASK = "reports.run_document_job"
# A worker reports progress after each part (a minutes renders in about a second): one silent this long has died.
RUNNING_LEASE = datetime.timedelta(minutes=10)
# A job whose worker died this many times is given up (a document that kills its worker would kill every one).
MAX_ATTEMPTS = 3
# A queued job is handed over on commit; the sweeper hands it over again when it is still queued this long after.
HANDOVER_GRACE = datetime.timedelta(minutes=2)
SWEEP_BATCH = 200

Progress = Callable[[int, int], None]


class DocumentKind(abc.ABC):
    """A kind of long document. ``code`` is stored on the job; ``label`` names the kind on the pages."""

    code: str
    label: str

    @abc.abstractmethod
    def check(self, organization: Organization, params: dict) -> dict:
        """The parameters cleaned, or a ``ValidationError`` in Vietnamese saying what is wrong (nothing is written)."""

    @abc.abstractmethod
    def describe(self, job: DocumentJob) -> str:
        """What the job makes, for its page and the list ("Biên bản tháng 11/2026, Đảng bộ xã …")."""

    @abc.abstractmethod
    def make(self, job: DocumentJob, progress: Progress) -> tuple[bytes, str]:
        """The file's content and its download name. Calls ``progress(done, total)`` first with ``done`` 0 once the
        total is known, then after each part."""

    def progress_text(self, done: int, total: int) -> str:
        return _("Đã xong {done}/{total} phần").format(done=done, total=total)


KINDS: dict[str, DocumentKind] = {}


def register(kind: DocumentKind) -> DocumentKind:
    KINDS[kind.code] = kind
    return kind


def render_document(template_name: str, context: dict) -> Document:
    """``template_name`` laid out by WeasyPrint (``reports.pdf``'s fetcher: our static files only), not yet written:
    documents laid out apart keep their own page numbers when their pages are put together (``combine``)."""
    html = render_to_string(template_name, context)
    return HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=StaticOnlyFetcher()).render()


def combine(documents: list[Document]) -> bytes:
    """One PDF of every page of ``documents``, in order (WeasyPrint's own way of joining documents)."""
    pages = [page for document in documents for page in document.pages]
    return documents[0].copy(pages).write_pdf()


class MonthMinutes(DocumentKind):
    """Every minutes of one month in an organization's subtree, as one PDF to print: a list of the minutes with the
    page each begins on, then each minutes from a new page, with its own page numbers ("Trang 1/3"). Ordered by
    organization (the tree's order) and meeting date.

    Only meetings held: the approved minutes, and, when asked, those held but not approved yet, each marked "DỰ THẢO"
    by the minutes' template. A single PDF rather than a ZIP of files: a board prints it in one go, and the list on
    its first page is the checklist of what it holds."""

    code = "month_minutes"
    label = gettext_lazy("Biên bản sinh hoạt cả tháng")
    # One combined PDF is laid out in memory before it is written: a subtree with more minutes than this in a month
    # (a province) prints one committee below at a time.
    MAX_MEETINGS = 300

    def meetings(self, organization: Organization, month: datetime.date, drafts: bool):
        statuses = [Meeting.Status.APPROVED, Meeting.Status.HELD] if drafts else [Meeting.Status.APPROVED]
        return Meeting.objects.filter(
            organization__path__startswith=organization.path, month=month, status__in=statuses
        ).order_by("organization__path", "planned_date", "planned_time", "pk")

    def check(self, organization: Organization, params: dict) -> dict:
        try:
            month = datetime.date.fromisoformat(str(params.get("month", ""))).replace(day=1)
        except ValueError:
            raise ValidationError({"month": _("Tháng không hợp lệ.")}) from None
        drafts = bool(params.get("drafts"))
        count = self.meetings(organization, month, drafts).count()
        if count == 0:
            if drafts:
                message = _("{month} không có buổi sinh hoạt nào đã họp trong {organization}: chưa có biên bản để in.")
            else:
                message = _(
                    "{month} chưa có biên bản nào đã duyệt trong {organization}. Chọn “gồm cả biên bản chưa duyệt” "
                    "để in bản dự thảo."
                )
            raise ValidationError(
                {"month": message.format(month=month_label(month).capitalize(), organization=organization.name)}
            )
        if count > self.MAX_MEETINGS:
            raise ValidationError(
                {
                    "month": _(
                        "{organization} có {count} biên bản trong {month}, quá {limit} biên bản một lần in: hãy in "
                        "từng tổ chức cấp dưới."
                    ).format(
                        organization=organization.name, count=count, month=month_label(month), limit=self.MAX_MEETINGS
                    )
                }
            )
        return {"month": month.isoformat(), "drafts": drafts}

    def progress_text(self, done: int, total: int) -> str:
        return _("Đã in {done}/{total} biên bản").format(done=done, total=total)

    def describe(self, job: DocumentJob) -> str:
        month = datetime.date.fromisoformat(job.params["month"])
        text = _("Biên bản sinh hoạt {month}, {organization}").format(
            month=month_label(month), organization=job.organization.name
        )
        if job.params.get("drafts"):
            text += _(" (gồm bản dự thảo)")
        return text

    def make(self, job: DocumentJob, progress: Progress) -> tuple[bytes, str]:
        month = datetime.date.fromisoformat(job.params["month"])
        meetings = list(
            self.meetings(job.organization, month, job.params.get("drafts", False)).select_related(
                "organization", "chair", "recorder"
            )
        )
        progress(0, len(meetings))
        documents = []
        with translation.override("vi"):  # official documents: Vietnamese whatever the requester's language
            for done, meeting in enumerate(meetings, start=1):
                documents.append(render_document("pdf/minutes.html", minutes_context(meeting)))
                progress(done, len(meetings))
            cover = self.cover(job, month, meetings, documents)
        name = f"bien-ban-{ascii_code(job.organization)}-{month:%Y-%m}.pdf"
        return combine([cover, *documents]), name

    def cover(self, job: DocumentJob, month: datetime.date, meetings: list, documents: list) -> Document:
        """The list of the minutes with the page each begins on in the combined file; laid out again if the list
        itself takes more pages than supposed."""
        cover_pages = 1
        while True:
            start = cover_pages + 1
            rows = []
            for meeting, document in zip(meetings, documents, strict=True):
                rows.append({"meeting": meeting, "page": start})
                start += len(document.pages)
            context = {
                "organization": job.organization,
                "month": month,
                "rows": rows,
                "drafts": sum(1 for m in meetings if m.status != Meeting.Status.APPROVED),
                "made_at": timezone.localtime(),
            }
            cover = render_document("pdf/minutes_month_cover.html", context)
            if len(cover.pages) <= cover_pages:
                return cover
            cover_pages = len(cover.pages)


register(MonthMinutes())


class ComplianceReport(DocumentKind):
    """The compliance report of an organization over a period (``reports.printouts``), made by a worker: a province's
    takes seconds to lay out, longer than a page should wait. One part: its progress is "being made", then done.
    The dashboard asks for it this way above ``INLINE_CELLS`` cells and links the PDF directly below."""

    code = "compliance_report"
    label = gettext_lazy("Báo cáo tình hình sinh hoạt chi bộ")
    # Up to this many cells with findings in the period, the report is laid out in about a second: downloaded at once.
    INLINE_CELLS = 200

    def check(self, organization: Organization, params: dict) -> dict:
        period = Period.parse(str(params.get("period", "")))
        if period is None:
            raise ValidationError({"period": _("Kỳ báo cáo không hợp lệ.")})
        cell_type = str(params.get("cell_type", ""))
        if cell_type and cell_type not in Organization.CellType.values:
            raise ValidationError({"period": _("Loại hình chi bộ không hợp lệ.")})
        return {"period": period.slug, "cell_type": cell_type}

    def describe(self, job: DocumentJob) -> str:
        period = Period.parse(job.params["period"])
        text = _("Báo cáo tình hình sinh hoạt chi bộ {period}, {organization}").format(
            period=period.label[:1].lower() + period.label[1:] if period else job.params["period"],
            organization=job.organization.name,
        )
        if job.params.get("cell_type"):
            text += f" ({Organization.CellType(job.params['cell_type']).label})"
        return text

    def progress_text(self, done: int, total: int) -> str:
        return "" if done >= total else _("Đang tổng hợp số liệu và dàn trang")

    def make(self, job: DocumentJob, progress: Progress) -> tuple[bytes, str]:
        period = Period.parse(job.params["period"])
        cell_type = job.params.get("cell_type", "")
        progress(0, 1)
        with translation.override("vi"):  # an official document: Vietnamese whatever the requester's language
            context = compliance_report_context(job.organization, period, cell_type)
            pdf = render_pdf("pdf/compliance_report.html", context)
        progress(1, 1)
        return pdf, report_file_name(job.organization, period, cell_type, "pdf")


register(ComplianceReport())


# --- Requests ---------------------------------------------------------------------------------------------------------


@transaction.atomic
def document_job_request(*, user, organization: Organization, kind: str, params: dict) -> DocumentJob:
    """Write the job (after its kind checked ``params``) and hand it to a worker once committed. The same request
    still waiting or running (a second click) is answered with that job, not a second one."""
    if kind not in KINDS:
        raise ValidationError(_("Loại tài liệu không có."))
    params = KINDS[kind].check(organization, params)
    pending = (
        DocumentJob.objects.filter(
            requested_by=user,
            organization=organization,
            kind=kind,
            params=params,
            status__in=[Status.QUEUED, Status.RUNNING],
        )
        .order_by("-created_at")
        .first()
    )
    if pending is not None:
        return pending
    job = DocumentJob(
        requested_by=user, organization=organization, kind=kind, params=params, handed_over_at=timezone.now()
    )
    job.full_clean()
    job.save()
    transaction.on_commit(partial(enqueue_jobs, [job.pk]))
    return job


def enqueue_jobs(job_ids: list[int]) -> int:
    """Hand the jobs to the broker; returns how many were handed over. The broker down: logged and swallowed (the
    rows are committed and the sweeper hands them over later); each hand-over tried once, the first failure stops."""
    for done, job_id in enumerate(job_ids):
        try:
            current_app.send_task(RUN_TASK, args=[job_id], ignore_result=True, retry=False)
        except Exception as error:  # kombu.OperationalError, redis.ConnectionError, OSError …: any broker failure
            logger.warning(
                "documents: could not enqueue %s job(s) from %s on (%s); the sweeper will retry",
                len(job_ids) - done,
                job_id,
                type(error).__name__,
            )
            return done
    return len(job_ids)


# --- The worker -------------------------------------------------------------------------------------------------------


class TakenOver(Exception):
    """The job is no longer this worker's: the sweeper gave it back to the queue (and maybe to another worker)."""


def document_job_run(*, job_id: int) -> str:
    """Make one job if this call wins the claim. Returns "done", "failed", "skipped" (not queued: done, failed, or
    running elsewhere) or "taken-over" (the sweeper gave it to another worker meanwhile)."""
    now = timezone.now()
    claimed = DocumentJob.objects.filter(pk=job_id, status=Status.QUEUED).update(
        status=Status.RUNNING,
        attempts=F("attempts") + 1,
        started_at=now,
        heartbeat_at=now,
        done=0,
        total=None,
        error="",
    )
    if not claimed:
        return "skipped"
    job = DocumentJob.objects.select_related("organization").get(pk=job_id)
    mine = DocumentJob.objects.filter(pk=job.pk, attempts=job.attempts, status=Status.RUNNING)

    def progress(done: int, total: int) -> None:
        # Autocommit: each write is its own transaction, which the job's page reads at once.
        if not mine.update(done=done, total=total, heartbeat_at=timezone.now()):
            raise TakenOver

    try:
        content, name = KINDS[job.kind].make(job, progress)
    except TakenOver:
        logger.warning("document job %s: taken over by another worker, attempt %s stops", job.pk, job.attempts)
        return "taken-over"
    except Exception as error:
        # The class only: a message may quote names from the documents.
        logger.error("document job %s: %s on attempt %s", job.pk, type(error).__name__, job.attempts)
        mine.update(status=Status.FAILED, error=type(error).__name__[:500], finished_at=timezone.now())
        return "failed"
    field = DocumentJob._meta.get_field("file")
    stored = field.storage.save(field.generate_filename(job, f"{job.pk}-{name}"), ContentFile(content))
    finished = timezone.now()
    if not mine.update(status=Status.DONE, file=stored, file_name=name, finished_at=finished, heartbeat_at=finished):
        field.storage.delete(stored)
        return "taken-over"
    return "done"


def document_jobs_sweep(*, now: datetime.datetime | None = None) -> int:
    """Give back to the queue the running jobs whose worker went silent (failing those that used their attempts),
    then hand over the queued jobs not handed over lately. Returns the number handed over."""
    now = now or timezone.now()
    stuck = DocumentJob.objects.filter(status=Status.RUNNING, heartbeat_at__lte=now - RUNNING_LEASE)
    stuck.filter(attempts__gte=MAX_ATTEMPTS).update(status=Status.FAILED, error="Timeout", finished_at=now)
    requeued = stuck.update(status=Status.QUEUED, error="Timeout", handed_over_at=None)
    if requeued:
        logger.warning("documents: %s job(s) stuck in running put back in the queue", requeued)
    due = DocumentJob.objects.filter(status=Status.QUEUED).filter(
        Q(handed_over_at__isnull=True) | Q(handed_over_at__lte=now - HANDOVER_GRACE)
    )
    ids = list(due.order_by("created_at", "pk").values_list("pk", flat=True)[:SWEEP_BATCH])
    DocumentJob.objects.filter(pk__in=ids, status=Status.QUEUED).update(handed_over_at=now)
    return enqueue_jobs(ids)


def describe(job: DocumentJob) -> None:
    """Set ``job.description`` and ``job.progress_text`` for its pages (its kind's wording; ``organization`` loaded)."""
    kind = KINDS.get(job.kind)
    job.description = kind.describe(job) if kind else job.kind
    job.progress_text = kind.progress_text(job.done, job.total or 0) if kind and job.total is not None else ""
