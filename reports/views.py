"""Reports of one meeting: the official minutes and resolution as PDF, the cell's resolution book, and the month's
findings judged on the meeting."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from cells.periods import month_end
from meetings.access import get_meeting_for_user
from meetings.minutes import resolution_number_suffix
from meetings.models import Meeting, OfficialDocument
from members.access import get_organization_for_user
from reports import documents
from reports.findings import finding_rows
from reports.models import CellMonth
from reports.visits import visits_received


def _pdf_response(pdf: bytes, filename: str, sha256: str = "") -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, filename)
    if sha256:  # the stored file's hash, as the meeting page shows it
        response["X-Content-SHA256"] = sha256
    return response


def _serve(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """Approved: the stored file of the latest version, never rendered again. Otherwise the draft, rendered now and
    marked "DỰ THẢO"."""
    meeting = get_meeting_for_user(request, pk)
    if meeting.status == Meeting.Status.APPROVED:
        document = documents.issued(meeting, kind)
        if document is None:
            raise Http404
        return _pdf_response(
            documents.read_stored(document),
            documents.document_filename(meeting, kind, document.version),
            document.sha256,
        )
    if kind == OfficialDocument.Kind.RESOLUTION and not (meeting.resolution_title or meeting.resolution_text):
        raise Http404
    return _pdf_response(documents.render_document(meeting, kind), documents.document_filename(meeting, kind))


@login_required
@require_GET
def minutes_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The biên bản in the Party's layout (Hướng dẫn 36-HD/VPTW): marked "DỰ THẢO" until the chair approves it, then
    the file stored at the approval (or at the latest correction)."""
    return _serve(request, pk, OfficialDocument.Kind.MINUTES)


@login_required
@require_GET
def resolution_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The nghị quyết the meeting adopted, its own document: a draft while the minutes are not approved, then the
    stored file. 404 when the meeting has none (or, approved, did not adopt it)."""
    return _serve(request, pk, OfficialDocument.Kind.RESOLUTION)


@login_required
@require_GET
def document_version(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    """One stored version of a meeting's document (the meeting page lists them all, corrections keep the old)."""
    meeting = get_meeting_for_user(request, pk)
    document = OfficialDocument.objects.filter(pk=document_pk, meeting=meeting).first()
    if document is None:
        raise Http404
    if not document.is_stored:
        document = documents.store(document.pk)
    return _pdf_response(
        documents.read_stored(document),
        documents.document_filename(meeting, document.kind, document.version),
        document.sha256,
    )


@login_required
@require_GET
def resolution_book(request: HttpRequest, org_pk: int, year: int) -> HttpResponse:
    """The cell's resolution book (sổ nghị quyết) of one year: each resolution adopted, by number, with its date, its
    title and its stored file. For those who see the organization."""
    organization = get_organization_for_user(request, org_pk)
    if not 1900 <= year <= 9999:
        raise Http404
    meetings = list(
        Meeting.objects.filter(
            organization=organization,
            status=Meeting.Status.APPROVED,
            resolution_number__isnull=False,
            planned_date__year=year,
        ).order_by("planned_date", "resolution_number")
    )
    years = sorted(
        {
            day.year
            for day in Meeting.objects.filter(organization=organization, resolution_number__isnull=False).values_list(
                "planned_date", flat=True
            )
        }
        | {year}
    )
    return render(
        request,
        "reports/resolution_book.html",
        {
            "organization": organization,
            "year": year,
            "years": years,
            "meetings": meetings,
            "suffix": resolution_number_suffix(organization),
        },
    )


@login_required
@require_GET
def meeting_findings(request: HttpRequest, pk: int) -> HttpResponse:
    """The stored findings of the month judged on this meeting (its cell's regular meeting of the month, or a thematic
    meeting of that month, whose length is one of them): each rule's result (advice for a recommendation not met),
    measured and required values, and the policy and legal source behind them, with its kind. The meeting page loads it
    in place (htmx: the panel alone, nothing when the month has no findings); without JavaScript it is a page."""
    meeting = get_meeting_for_user(request, pk)
    if meeting.kind == Meeting.Kind.THEMATIC:  # its length is a finding of its month ("thematic_length")
        rows = CellMonth.objects.filter(cell_id=meeting.organization_id, month=meeting.month)
    else:
        rows = CellMonth.objects.filter(meeting=meeting)
    finding = rows.only("month", "rules", "all_ok", *CellMonth.RULE_FIELDS).first()
    shown = finding_rows(finding) if finding else []
    # The superior-committee visits the cell received that month (one query), beside what the rules say of it.
    visits = visits_received(meeting.organization, [finding.month], by="month") if finding else {}
    context = {
        "visits_received": sum(visits.values()),
        "meeting": meeting,
        "finding": finding,
        "finding_rows": shown,
        "advice_count": sum(row.finding.advice for row in shown),
        "finding_day": month_end(finding.month) if finding else None,
    }
    template = "reports/includes/_meeting_findings.html" if request.htmx else "reports/meeting_findings.html"
    return render(request, template, context)
