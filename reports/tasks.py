"""Celery tasks of reports. Each takes ids, calls one function of ``reports.compliance`` and is safe to run twice:
findings are upserted per cell and month, so a second run writes the same rows."""

import datetime

from celery import shared_task

from reports import compliance


@shared_task(name="reports.refresh_findings", ignore_result=True)
def refresh_findings(organization_id: int, month_iso: str) -> int:
    """After a meeting changed (``meetings.services.findings_changed``, on commit): the findings of its organization
    for that month and the later months of the quarter already begun (cells only: committees have no findings)."""
    return compliance.refresh_after_change(organization_id, datetime.date.fromisoformat(month_iso))


@shared_task(name="reports.refresh_closed_month", ignore_result=True)
def refresh_closed_month() -> dict[str, int]:
    """Nightly (beat): the month that closed and the current one, for every cell. Recomputing the two most recent
    months every night means a missed run is caught up by the next one. Then what policy changes asked for, in case
    their own task never ran (the broker was down)."""
    written = compliance.refresh_recent_months()
    written["policies"] = compliance.refresh_pending()
    return written


@shared_task(name="reports.refresh_pending", ignore_result=True)
def refresh_pending() -> int:
    """After a policy changed (``reports.compliance.policy_changed``, on commit): the findings of its subtree from
    its first month on. The requests are rows: a run that never happened is done by the next one, or nightly."""
    return compliance.refresh_pending()
