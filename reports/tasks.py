"""Celery tasks of reports. Each takes ids, calls one function of ``reports.refresh`` and is safe to run twice:
findings are upserted per cell and month, so a second run writes the same rows."""

import datetime

from celery import shared_task

from reports import documents, jobs, refresh


@shared_task(name="reports.refresh_closed_month", ignore_result=True)
def refresh_closed_month() -> dict[str, int]:
    """Nightly (beat): the month that closed and the current one, for every cell. Recomputing the two most recent
    months every night means a missed run is caught up by the next one. Then every refresh request left (its own
    task never ran: the broker was down)."""
    written = refresh.refresh_recent_months()
    written["requests"] = refresh.refresh_pending()
    written["documents"] = documents.store_pending()  # documents whose task never ran (the broker was down)
    return written


@shared_task(name="reports.refresh_pending", ignore_result=True)
def refresh_pending(ids: list[int] | None = None) -> int:
    """The refresh requests ``ids`` (``cells.PendingRefresh``: a meeting or a policy changed), right after their
    commit; every request left when called without ids (beat, every few minutes: the sweep)."""
    return refresh.refresh_pending(ids)


@shared_task(name="reports.refresh_findings", ignore_result=True)
def refresh_findings(organization_id: int, month_iso: str) -> int:
    """The task the previous release enqueued after a meeting changed, with no request row behind it: messages still
    in the broker, or sent by a web process not restarted yet, are done as a meeting's request would be. Kept for one
    release after the requests became rows (cells.PendingRefresh)."""
    return refresh.refresh_after_change(organization_id, datetime.date.fromisoformat(month_iso))


@shared_task(name="reports.store_documents", ignore_result=True)
def store_documents(ids: list[int] | None = None) -> int:
    """Render and store the documents ``ids`` just issued (``meetings.services.documents_issue``: an approval or a
    correction); every one still pending when called without ids. Safe to run twice: a stored file is never
    written again."""
    return documents.store_pending(ids)


@shared_task(name=jobs.RUN_TASK, ignore_result=True)
def run_document_job(job_id: int) -> str:
    """Make one requested document (``reports.jobs``), if this delivery wins the claim: a task delivered twice
    makes it once."""
    return jobs.document_job_run(job_id=job_id)


@shared_task(name="reports.sweep_document_jobs", ignore_result=True)
def sweep_document_jobs() -> int:
    """Every few minutes (beat): requeue the jobs whose worker died, hand over those whose hand-over was lost."""
    return jobs.document_jobs_sweep()
