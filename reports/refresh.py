"""When the findings are computed again: after a meeting or a policy changed, and nightly.

Every change asks with a row (``cells.PendingRefresh``) written in the same transaction as the change itself: a
meeting's services (``meetings.services.findings_changed``) and a policy's save (``policy_changed``) both do. A task
right after the commit does the request (``refresh_pending`` with its id); a sweep every few minutes and the nightly
one do whatever is left, so a broker or a worker that was down delays a refresh and never loses it.
"""

import datetime
from collections import defaultdict

from django.db import transaction
from django.db.models import Q

from cells.models import Organization, PendingRefresh
from cells.periods import add_months, local_today, month_start, months_between, previous_month, quarter_start
from cells.services import refresh_request
from reports import rollups
from reports.compliance import NA, compute_month, refresh_cell_month
from reports.models import CellMonth

Cause = PendingRefresh.Cause


def refresh_after_change(organization_id: int, month: datetime.date, last_month: datetime.date | None = None) -> int:
    """What a change to a meeting of ``organization_id`` in ``month`` needs: that month again, and the later months
    up to ``last_month`` (by default the end of its quarter: their thematic count includes this month), of those
    that have begun (a meeting planned for next month changes no finding yet). Only cells have findings: a
    committee's own meeting changes none (recomputing its whole subtree on every roll-call tap would cost a province
    thousands of rows; the nightly sweep covers subtrees). Returns the number of rows written."""
    organization = Organization.objects.filter(pk=organization_id).only("id", "path", "kind").first()
    if organization is None or not organization.is_cell:
        return 0
    months = months_between(month, min(last_month or add_months(quarter_start(month), 2), local_today()))
    return sum(refresh_cell_month(organization.pk, each) is not None for each in months)


def refresh_recent_months(today: datetime.date | None = None) -> dict[str, int]:
    """The nightly sweep, for every cell: the month that closed (the one before the current month, whatever night it
    is, so that a missed run is caught up by the next one) and the current month. Older rows still waiting on
    something (a month computed while it ran, minutes whose approval time was still running) are computed again for
    their cells, so nothing stays "not applicable" for good when the sweep was down for longer, or a policy gives
    more than a month to approve the minutes. Returns the rows written per month."""
    current = month_start(today or local_today())
    previous = previous_month(current)
    written = {month.isoformat(): compute_month(month) for month in (previous, current)}
    pending = defaultdict(list)
    for month, cell_id in (
        CellMonth.objects.filter(month__lt=previous)
        .filter(Q(regular_held=NA) | Q(minutes_on_time=NA, meeting__isnull=False))
        .order_by("month")
        .values_list("month", "cell_id")
    ):
        pending[month].append(cell_id)
    for month, cell_ids in pending.items():
        written[month.isoformat()] = compute_month(month, cells=cell_ids)
    rollups.repair()  # nodes moved by the admin's tree editor
    return written


def _refresh_policies(requests: list[PendingRefresh], current: datetime.date) -> int:
    """The stored cell-months of each subtree from its first month to ``current`` (a subtree is done once, from the
    earliest month asked for it; one inside another pending subtree from no later month is covered by it). One query
    per subtree for its stored months, then ``compute_month`` per month."""
    first: dict[int, tuple[Organization, datetime.date]] = {}
    for row in requests:
        if row.organization_id not in first:
            first[row.organization_id] = (row.organization, row.first_month)
    chosen = [
        (organization, month)
        for organization, month in first.values()
        if not any(
            other.pk != organization.pk and organization.path.startswith(other.path) and other_month <= month
            for other, other_month in first.values()
        )
    ]
    written = 0
    for organization, month in chosen:
        # Only the cell-months already computed: an administrator's policy dated years back sets up history, it
        # must not fill the months before the app was used with "no meeting held" (the nightly sweep and meeting
        # changes compute the new ones).
        stored = (
            CellMonth.objects.filter(path__startswith=organization.path, month__gte=month, month__lte=current)
            .order_by("month")
            .values_list("month", "cell_id")
        )
        by_month: dict[datetime.date, list[int]] = defaultdict(list)
        for stored_month, cell_id in stored:
            by_month[stored_month].append(cell_id)
        for stored_month, cell_ids in by_month.items():
            written += compute_month(stored_month, cells=cell_ids)
    return written


def _refresh_meetings(requests: list[PendingRefresh], current: datetime.date) -> int:
    """Each organization's months asked for, once, however many changes asked for them (a request without a last
    month runs to the current one)."""
    spans: dict[int, tuple[datetime.date, datetime.date]] = {}
    for row in requests:
        last = row.last_month or current
        first_before, last_before = spans.get(row.organization_id, (row.first_month, last))
        spans[row.organization_id] = (min(first_before, row.first_month), max(last_before, last))
    return sum(refresh_after_change(organization_id, first, last) for organization_id, (first, last) in spans.items())


def refresh_pending(ids: list[int] | None = None, today: datetime.date | None = None) -> int:
    """Do the refresh requests ``ids`` (all of them when ``None``: the sweep), then delete them. The rows are locked
    while they are done (``SKIP LOCKED`` on PostgreSQL: a request another worker is doing is left to it), in one
    transaction with the findings they write: a worker that dies leaves its requests for the next sweep. Safe to run
    twice or concurrently: findings are upserted. Returns the number of findings rows written."""
    current = month_start(today or local_today())
    with transaction.atomic():
        requests = PendingRefresh.objects.select_for_update(skip_locked=True, of=("self",)).select_related(
            "organization"
        )
        if ids is not None:
            requests = requests.filter(pk__in=ids)
        requests = list(requests.order_by("first_month", "pk"))
        if not requests:
            return 0
        written = _refresh_policies([row for row in requests if row.cause == Cause.POLICY], current)
        written += _refresh_meetings([row for row in requests if row.cause == Cause.MEETING], current)
        PendingRefresh.objects.filter(pk__in=[row.pk for row in requests]).delete()
    return written


def policy_changed(organization_id: int, valid_from: datetime.date) -> bool:
    """A policy of ``organization_id`` from ``valid_from`` was added, changed or deleted: the findings of its
    subtree from that month on are computed again, by a task after the commit, or by the sweep if the broker is down
    (the request is a row, written with the policy). Nothing to do for a month that has not begun. Returns whether a
    refresh was asked for."""
    first = month_start(valid_from)
    if first > month_start(local_today()):
        return False
    refresh_request(organization_id=organization_id, cause=Cause.POLICY, first_month=first)
    return True
