"""Reports of one meeting: the official minutes as a PDF, and the month's findings judged on it."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from cells.periods import month_end
from meetings.access import get_meeting_for_user
from meetings.minutes import minutes_context
from meetings.models import Meeting
from reports.findings import finding_rows
from reports.models import CellMonth
from reports.pdf import render_pdf
from reports.visits import visits_received


@login_required
@require_GET
def minutes_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The biên bản in the Party's layout (Hướng dẫn 36-HD/VPTW); marked "DỰ THẢO" until the chair approves it."""
    meeting = get_meeting_for_user(request, pk)
    pdf = render_pdf("pdf/minutes.html", minutes_context(meeting))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, minutes_filename(meeting))
    return response


def minutes_filename(meeting: Meeting) -> str:
    """One name per meeting, readable in a downloads folder: the organization, the day, the time and the kind in
    Vietnamese without accents, then the meeting's number in the app, so that two meetings of one cell on one day
    (a regular and an extraordinary one, even at the same hour) never share a name:
    ``bien-ban-A-20261104-1400-sinh-hoat-dinh-ky-57.pdf``."""
    with translation.override("vi"):
        kind = slugify(str(meeting.get_kind_display()).replace("đ", "d").replace("Đ", "D"))
    return (
        f"bien-ban-{meeting.organization.code}-{meeting.planned_date:%Y%m%d}-{meeting.planned_time:%H%M}-{kind}"
        f"-{meeting.pk}.pdf"
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
