"""Reports: the official minutes as a PDF."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from meetings.access import get_meeting_for_user
from meetings.minutes import minutes_context
from reports.pdf import render_pdf


@login_required
@require_GET
def minutes_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The biên bản in the Party's layout (Hướng dẫn 36-HD/VPTW); marked "DỰ THẢO" until the chair approves it."""
    meeting = get_meeting_for_user(request, pk)
    pdf = render_pdf("pdf/minutes.html", minutes_context(meeting))
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"bien-ban-{meeting.organization.code}-{meeting.planned_date:%Y%m%d}.pdf"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
