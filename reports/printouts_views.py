"""The official documents of one meeting besides its minutes: the attendance sheet to print before it, and a
committee member's report on it. Each comes through the access gate of the page it is linked from."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import translation
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from meetings.access import get_meeting_for_user, get_visit_for_user
from members.access import scope_for
from reports.pdf import render_pdf
from reports.printouts import attendance_sheet_context, visit_report_context


def pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    """A PDF shown in the browser (inline), never kept by a shared cache: it holds members' names."""
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, filename)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def attendance_sheet_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The roster expected at the meeting with an empty signature column, for cells that still sign on paper. It is
    the cell's roster: for those who read the organization (its secretaries, the boards above), not for a plain
    member, who sees the meeting but not the roster (404, as the roster pages)."""
    meeting = get_meeting_for_user(request, pk)
    if not scope_for(request.user).can_read(meeting.organization):
        raise Http404
    with translation.override("vi"):  # an official document: Vietnamese whatever the reader's language
        pdf = render_pdf("pdf/attendance_sheet.html", attendance_sheet_context(meeting))
    filename = f"danh-sach-ky-{meeting.organization.code}-{meeting.planned_date:%Y%m%d}-{meeting.pk}.pdf"
    return pdf_response(pdf, filename)


@login_required
@require_GET
def visit_report_pdf(request: HttpRequest, visitor_pk: int) -> HttpResponse:
    """The visit report as a document: for whoever may read the report page (a draft: its author only, marked
    "DỰ THẢO"); 404 while nothing is written."""
    visitor = get_visit_for_user(request, visitor_pk)
    report = visitor.report_or_none
    if report is None:
        raise Http404
    with translation.override("vi"):
        pdf = render_pdf("pdf/visit_report.html", visit_report_context(visitor, report))
    meeting = visitor.meeting
    filename = f"bao-cao-du-sinh-hoat-{meeting.organization.code}-{meeting.planned_date:%Y%m%d}-{visitor.pk}.pdf"
    return pdf_response(pdf, filename)
