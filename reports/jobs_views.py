"""Long documents: the request of a month's minutes, the job's page (its progress, then the download) and the
user's recent jobs. The documents are made by a worker (``reports.jobs``).

A job is read by whoever reads its organization (``members.access``, as the dashboards): its page and its file are a
404 to anyone else, the requester included once they no longer read it. Asking for a print is a read: a read-only
board user may."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from members.access import scope_for
from reports import jobs
from reports.dashboard_views import _readable_organization as readable_organization
from reports.forms_documents import MonthMinutesForm
from reports.models import DocumentJob

RECENT_JOBS = 20


def get_job_for_user(request: HttpRequest, pk: int) -> DocumentJob:
    """The job if the user reads its organization, else 404."""
    job = DocumentJob.objects.select_related("organization", "requested_by").filter(pk=pk).first()
    if job is None or not scope_for(request.user).can_read(job.organization):
        raise Http404
    jobs.describe(job)
    return job


@login_required
@require_http_methods(["GET", "POST"])
def month_minutes_request(request: HttpRequest, pk: int) -> HttpResponse:
    """A month's minutes over the organization's subtree, as one PDF made by a worker: the form, then the job."""
    organization = readable_organization(request, pk)
    form = MonthMinutesForm(request.POST or None, today=timezone.localdate())
    if request.method == "POST" and form.is_valid():
        try:
            job = jobs.document_job_request(
                user=request.user, organization=organization, kind=jobs.MonthMinutes.code, params=form.params()
            )
        except ValidationError as error:
            for message in error.message_dict.get("month", error.messages):
                form.add_error("thang", message)
        else:
            return redirect("reports:document_job", job.pk)
    return render(request, "reports/document_request.html", {"organization": organization, "form": form})


@login_required
@require_POST
def compliance_report_request(request: HttpRequest, pk: int) -> HttpResponse:
    """The compliance report of a large organization (the dashboard's button, with its period and cell type), made by
    a worker: the job's page follows it. A bad period is said on the dashboard, and nothing is written."""
    organization = readable_organization(request, pk)
    params = {"period": request.POST.get("ky", ""), "cell_type": request.POST.get("loai", "")}
    try:
        job = jobs.document_job_request(
            user=request.user, organization=organization, kind=jobs.ComplianceReport.code, params=params
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("reports:dashboard", organization.pk)
    return redirect("reports:document_job", job.pk)


@login_required
@require_GET
def document_job(request: HttpRequest, pk: int) -> HttpResponse:
    """The job's progress ("Đã in 12/40 biên bản"), polled in place (htmx) until it is done, then the download."""
    job = get_job_for_user(request, pk)
    template = "reports/document_job.html#status" if request.htmx else "reports/document_job.html"
    return render(request, template, {"job": job})


@login_required
@require_GET
def document_job_file(request: HttpRequest, pk: int) -> FileResponse:
    job = get_job_for_user(request, pk)
    if job.status != DocumentJob.Status.DONE or not job.file:
        raise Http404
    try:
        handle = job.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=job.file_name, content_type="application/pdf")
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def document_jobs(request: HttpRequest) -> HttpResponse:
    """The user's recent jobs, newest first. Queries: the jobs with their organizations, one."""
    recent = list(
        DocumentJob.objects.filter(requested_by=request.user)
        .select_related("organization")
        .order_by("-created_at", "-pk")[:RECENT_JOBS]
    )
    for job in recent:
        jobs.describe(job)
    return render(request, "reports/document_jobs.html", {"jobs": recent})
