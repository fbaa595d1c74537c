"""Compliance dashboards over a subtree and a period, their exports, and the members flagged for review.

Every organization comes through ``members.access``: outside the user's subtree it is a 404, and a plain member
(who sees their cell's meetings but does not read its roster) gets a 404 too. The reads are in
``reports.dashboard``; the views only choose the period and the cell type, and add links.
"""

import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cells.models import Organization
from cells.periods import add_months
from cells.text import format_number
from meetings.models import OutboxMessage
from meetings.outbox import messages_within
from meetings.reminders import at_local
from members.access import get_organization_for_user, scope_for
from reports import exports
from reports.absences import member_absences
from reports.charts import children_body, heatmap_body, percent, trend_chart
from reports.dashboard import Dashboard, Figures, dashboard
from reports.forms_dashboard import AbsencesFilterForm, DashboardFilterForm
from reports.forms_documents import MonthMinutesForm
from reports.jobs import ComplianceReport
from reports.models import Result
from reports.pdf import render_pdf
from reports.periods import Period, month_label
from reports.printouts import compliance_report_context, report_file_name
from reports.printouts_views import pdf_response
from reports.visits import visits_received


def _readable_organization(request: HttpRequest, pk: int) -> Organization:
    organization = get_organization_for_user(request, pk)
    if not scope_for(request.user).can_read(organization):
        raise Http404
    return organization


def _selection(request: HttpRequest, *, notify: bool) -> tuple[DashboardFilterForm, Period, str]:
    """The period and cell type asked for in the query string; a bad one falls back to its default, with a message
    on the page (not on a download)."""
    today = timezone.localdate()
    form = DashboardFilterForm(request.GET, today=today)
    period, cell_type, errors = form.selection(Period.default(today))
    if notify:
        for error in errors:
            messages.warning(request, error)
    return form, period, cell_type


def _query(period: Period, cell_type: str) -> str:
    return urlencode({"ky": period.slug, **({"loai": cell_type} if cell_type else {})})


def _page(request: HttpRequest, name: str) -> int:
    """A page number from the query string: 1 when missing or not a whole number above zero."""
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() and 0 < int(value) < 100_000 else 1


def _url_maker(name: str, query: str = ""):
    """A fast ``pk -> url`` for the hundreds of links of a heatmap: one ``reverse()``, then string formatting."""
    marker = 987654321
    template = reverse(name, args=[marker]).replace(str(marker), "{pk}") + (f"?{query}" if query else "")
    return lambda pk: template.format(pk=pk)


def _texts(figures: Figures) -> dict[str, str]:
    """A children row's figures as text, formatted here once (template filters cost a hundred rows dearly)."""
    minutes = _("{n} phút").format(n=format_number(figures.median_length)) if figures.median_length is not None else "—"
    return {
        "months_ok": f"{figures.passed}/{figures.months_decided}",
        "months_rate": percent(figures.months_rate),
        "held": f"{figures.held}/{figures.due}",
        "attendance": percent(figures.attendance_rate),
        "length": minutes,
        "speakers": format_number(figures.median_speakers),
        "thematic": percent(figures.thematic_rate),
    }


def _add_links(data: Dashboard, query: str) -> None:
    dashboard_url = _url_maker("reports:dashboard", query)
    meeting_url = _url_maker("meetings:detail", query)  # the meeting page links back with the same period
    for row in data.heatmap.rows:
        row.href = dashboard_url(row.organization_id)
        for square in row.squares:
            if square.meeting_id:
                square.href = meeting_url(square.meeting_id)
            elif square.status:
                square.href = dashboard_url(square.organization_id)
            else:
                square.href = ""
    for child in data.children:
        child.href = dashboard_url(child.organization.pk)
        child.texts = _texts(child.figures)
    for item in data.shortfalls:
        item.href = dashboard_url(item.organization_id)
        item.month_links = [
            (month_label(month), meeting_url(meeting_id) if meeting_id else "", reasons)
            for month, meeting_id, reasons in item.months
        ]
    for row in data.months:
        row.href = meeting_url(row.meeting_id) if row.meeting_id else ""
    for row in data.ranking:
        row.href = dashboard_url(row.organization_id)


def _add_visits_received(data: Dashboard, organization: Organization, period: Period) -> int:
    """The superior-committee visits to held meetings, per child organization (or per month of a cell), and their
    total over the subtree and the period: one query (``reports.visits.visits_received``). The cell type filter does
    not apply: a visit is to an organization, whatever its cells."""
    if organization.is_cell:
        counts = visits_received(organization, period.months, by="month")
        for row in data.months:
            row.visits = counts.get(row.month, 0)
    else:
        counts = visits_received(organization, period.months, by="child")
        for child in data.children:
            child.texts["visits"] = format_number(counts.get(child.organization.path, 0))
    return sum(counts.values())


def _pager(query: str, page: int, count: int, name: str, others: dict[str, int], anchor: str) -> dict | None:
    """Links to the previous and next pages of a list, keeping the period, the cell type and the other list's page;
    ``None`` when the list fits one page."""
    if count <= 1 and page <= 1:
        return None

    def link(number: int) -> str:
        kept = {key: value for key, value in {**others, name: number}.items() if value > 1}
        return f"?{query}" + (f"&{urlencode(kept)}" if kept else "") + f"#{anchor}"

    return {
        "page": page,
        "count": count,
        "previous": link(page - 1) if page > 1 else "",
        "next": link(page + 1) if page < count else "",
    }


def _rule_rows(data: Dashboard) -> list[dict]:
    """Each rule's share of cell-months passing it over the period, then month by month over the trend's months:
    first "every rule" (a cell-month passing all of them), then each rule decided in the period."""
    figures = data.headline
    rows = [
        {
            "label": _("Đạt mọi quy định"),
            "every": True,
            "passed": figures.passed,
            "decided": figures.months_decided,
            "rate": percent(figures.months_rate),
            "months": [percent(point.months_rate) for point in data.trend],
        }
    ]
    for share in figures.rule_shares:
        rows.append(
            {
                "label": share.label,
                "every": False,
                "passed": share.passed,
                "decided": share.decided,
                "rate": percent(share.rate),
                "months": [percent(point.rule_rate(share.rule)) for point in data.trend],
            }
        )
    return rows


@login_required
@require_GET
def dashboard_home(request: HttpRequest) -> HttpResponse:
    """The dashboard of the user's top organization: the first subtree they read (a secretary: their cell)."""
    scope = scope_for(request.user)
    if scope.is_admin:
        root = Organization.objects.filter(depth=1).first()
    else:
        root = Organization.objects.filter(path=scope.read_paths[0]).first() if scope.read_paths else None
    if root is None:
        messages.info(request, _("Đồng chí chưa được giao theo dõi tổ chức nào, nên chưa có báo cáo để xem."))
        return redirect("home")
    url = reverse("reports:dashboard", args=[root.pk])
    return redirect(f"{url}?{request.GET.urlencode()}" if request.GET else url)


@login_required
@require_GET
def dashboard_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Headline figures, the children (to drill down) or a cell's months, the heatmap, the trend and the cells that
    fell short, over the subtree and the period. Queries: see ``tests/reports/test_dashboard.py``."""
    organization = _readable_organization(request, pk)
    form, period, cell_type = _selection(request, notify=True)
    data = dashboard(
        organization, period, cell_type, short_page=_page(request, "trang"), rank_page=_page(request, "hang")
    )
    query = _query(period, cell_type)
    _add_links(data, query)
    received = _add_visits_received(data, organization, period)
    scope = scope_for(request.user)
    ancestors = list(Organization.objects.get_ancestors(organization).only("id", "path", "name"))
    for node in ancestors:
        node.readable = scope.can_read(node)
    context = {
        "organization": organization,
        "ancestors": ancestors,
        "form": form,
        "data": data,
        "figures": data.headline,
        "period": period,
        "cell_type": cell_type,
        "cell_type_label": dict(Organization.CellType.choices).get(cell_type, ""),
        "query": query,
        "short_pager": _pager(query, data.short_page, data.short_pages, "trang", {"hang": data.rank_page}, "short"),
        "rank_pager": _pager(query, data.rank_page, data.rank_pages, "hang", {"trang": data.short_page}, "ranking"),
        "rule_rows": _rule_rows(data),
        "chart": trend_chart(data.trend),
        "heatmap_body": heatmap_body(data.heatmap.rows),
        "children_body": children_body(data.children, no_data=_("chưa có số liệu")),
        "failing_months": sum(1 for row in data.months if row.status == Result.FAIL),
        "visits_received": received,
        "visits_query": urlencode({"ky": period.slug}),
        "failed_mail": _failed_mail(organization, period),
        "print_form": MonthMinutesForm(today=timezone.localdate()),
        # A large subtree's report is laid out by a worker (a button that queues it); a small one is a plain link.
        "report_by_job": data.headline.cells > ComplianceReport.INLINE_CELLS,
    }
    return render(request, "reports/dashboard.html", context)


def _failed_mail(organization: Organization, period: Period) -> int:
    """The e-mails of the subtree written in the period that could not be delivered (one query): the dashboard says
    how many and links to them, so that a board knows whom the notices and reminders did not reach."""
    first = at_local(period.first_month, datetime.time.min)
    end = at_local(add_months(period.last_month, 1), datetime.time.min)
    return (
        messages_within(organization)
        .filter(status=OutboxMessage.Status.FAILED, created_at__gte=first, created_at__lt=end)
        .count()
    )


@login_required
@require_GET
def dashboard_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    organization = _readable_organization(request, pk)
    _form, period, cell_type = _selection(request, notify=False)
    content = exports.dashboard_xlsx(organization, period, cell_type)
    response = HttpResponse(content, content_type=exports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=report_file_name(organization, period, cell_type, "xlsx")
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def dashboard_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The compliance report (báo cáo tình hình sinh hoạt chi bộ) of the organization over the period, as a Party
    document: the dashboard's figures (``reports.printouts.compliance_report_context``), in a constant number of
    queries whatever the number of cells."""
    organization = _readable_organization(request, pk)
    _form, period, cell_type = _selection(request, notify=False)
    with translation.override("vi"):  # an official document: Vietnamese whatever the reader's language
        pdf = render_pdf("pdf/compliance_report.html", compliance_report_context(organization, period, cell_type))
    return pdf_response(pdf, report_file_name(organization, period, cell_type, "pdf"))


@login_required
@require_GET
def dashboard_csv(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    organization = _readable_organization(request, pk)
    _form, period, cell_type = _selection(request, notify=False)
    response = StreamingHttpResponse(
        exports.dashboard_csv(organization, period, cell_type), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=report_file_name(organization, period, cell_type, "csv")
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _absences_selection(request: HttpRequest, *, notify: bool) -> tuple[AbsencesFilterForm, int, str]:
    """The calendar year (a month or quarter asked for stands for its year) and the cell type of the absences list."""
    today = timezone.localdate()
    form = AbsencesFilterForm(request.GET, today=today)
    period, cell_type, errors = form.selection(Period.default(today))
    if notify:
        for error in errors:
            messages.warning(request, error)
    return form, period.year, cell_type


def _flagged(organization: Organization, year: int, cell_type: str) -> list:
    return [item for item in member_absences(organization, year, cell_type) if item.flagged]


@login_required
@require_GET
def dashboard_absences(request: HttpRequest, pk: int) -> HttpResponse:
    """Members of the subtree absent without reason in as many months of a calendar year as the policy's
    strike-off review threshold (Quy định 294-QĐ/TW 8.1). Loaded apart from the dashboard (htmx), because it reads
    attendance rows rather than the stored findings; on its own it is a page with a year picker and exports."""
    organization = _readable_organization(request, pk)
    form, year, cell_type = _absences_selection(request, notify=not request.htmx)
    query = urlencode({"ky": Period("year", year).slug, **({"loai": cell_type} if cell_type else {})})
    context = {
        "organization": organization,
        "year": year,
        "flagged": _flagged(organization, year, cell_type),
        "form": form,
        "cell_type": cell_type,
        # The dashboard and its drill-downs keep the period the board chose (a month or a quarter stays one).
        "query": _query(_selection(request, notify=False)[1], cell_type),
        "absences_query": query,
    }
    if request.htmx:
        return render(request, "reports/includes/_dashboard_absences.html", context)
    return render(request, "reports/dashboard_absences.html", context)


def _absences_file_name(organization: Organization, year: int, cell_type: str, extension: str) -> str:
    name = report_file_name(organization, Period("year", year), cell_type, extension)
    return name.replace("bao-cao-", "vang-khong-ly-do-")


@login_required
@require_GET
def dashboard_absences_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    organization = _readable_organization(request, pk)
    _form, year, cell_type = _absences_selection(request, notify=False)
    content = exports.absences_xlsx(organization, year, _flagged(organization, year, cell_type), cell_type)
    response = HttpResponse(content, content_type=exports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=_absences_file_name(organization, year, cell_type, "xlsx")
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def dashboard_absences_csv(request: HttpRequest, pk: int) -> HttpResponse:
    organization = _readable_organization(request, pk)
    _form, year, cell_type = _absences_selection(request, notify=False)
    response = HttpResponse(
        exports.absences_csv(_flagged(organization, year, cell_type)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=_absences_file_name(organization, year, cell_type, "csv")
    )
    response["Cache-Control"] = "private, no-store"
    return response
