"""The board's page on superior-committee visits (dự sinh hoạt) over a subtree and a period, and its workbook.

The organization comes through ``members.access`` (read access to its subtree; a plain member gets a 404, as on the
dashboard). The reads are in ``reports.visits``; the view only chooses the period and the months, and adds links.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from cells.models import Organization
from meetings.quotas import Status
from reports import exports_visits
from reports.dashboard_views import _readable_organization
from reports.forms_dashboard import VisitsFilterForm
from reports.periods import Period
from reports.printouts import report_file_name
from reports.visits import DEFAULT_MONTHS, BoardVisits, board_visits, line_text, status_label

STATUS_CLASSES = {
    Status.MET: "text-bg-success",
    Status.BEHIND: "text-bg-danger",
    Status.OPEN: "text-bg-warning",
    Status.NOT_JUDGED: "text-bg-secondary",
}


def _selection(request: HttpRequest, *, notify: bool) -> tuple[VisitsFilterForm, Period, int]:
    """The period (the running quarter when missing: most quotas count by the quarter or the month) and the months."""
    today = timezone.localdate()
    default = Period("quarter", today.year, (today.month - 1) // 3 + 1)
    data = request.GET.copy()
    data.setdefault("ky", default.slug)  # the select shows the quarter the page shows, not the dashboard's year
    form = VisitsFilterForm(data, today=today)
    period, months, errors = form.visits_selection(default)
    if notify:
        for error in errors:
            messages.warning(request, error)
    return form, period, months


def _query(period: Period, months: int) -> str:
    return urlencode({"ky": period.slug, **({"thang": months} if months != DEFAULT_MONTHS else {})})


def _decorate(data: BoardVisits) -> None:
    """Each line's status as words and a badge class, computed once here rather than in the template."""
    for row in data.seats:
        row.status_label = status_label(row.status) if row.progress.has_quota else ""
        row.status_class = STATUS_CLASSES[row.status]
        for line in row.progress.lines:
            line.status_label = status_label(line.status)
            line.status_class = STATUS_CLASSES[line.status]
            line.text = line_text(line)


@login_required
@require_GET
def visits_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Each committee seat of the subtree against its visit quotas, the cells not visited for some months, the visit
    reports overdue and those received. Queries: see ``reports.visits`` and tests/reports/test_visits_board.py."""
    organization = _readable_organization(request, pk)
    form, period, months = _selection(request, notify=True)
    data = board_visits(organization, period, months=months, today=timezone.localdate())
    _decorate(data)
    ancestors = list(Organization.objects.get_ancestors(organization).only("id", "path", "name"))
    context = {
        "organization": organization,
        "ancestors": ancestors,
        "form": form,
        "data": data,
        "period": period,
        "months": months,
        "query": _query(period, months),
        "dashboard_query": urlencode({"ky": period.slug}),
    }
    return render(request, "reports/visits.html", context)


@login_required
@require_GET
def visits_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    organization = _readable_organization(request, pk)
    _form, period, months = _selection(request, notify=False)
    data = board_visits(organization, period, months=months, today=timezone.localdate(), unvisited_limit=None)
    response = HttpResponse(exports_visits.visits_xlsx(data), content_type=exports_visits.XLSX_CONTENT_TYPE)
    name = report_file_name(organization, period, "", "xlsx").replace("bao-cao-", "du-sinh-hoat-")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name)
    response["Cache-Control"] = "private, no-store"
    return response
