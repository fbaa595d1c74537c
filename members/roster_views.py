"""Roster import (upload → checked preview → confirm) and export, and the downloadable template files."""

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cells.models import Organization
from members.access import get_organization_for_user, scope_for
from members.forms_roster import RosterConfirmForm, RosterExportForm, RosterUploadForm
from members.roster_import import (
    XLSX_CONTENT_TYPE,
    RosterReport,
    RosterTable,
    column_help,
    general_notes,
    roster_check,
    roster_import,
    roster_xlsx,
    template_csv,
    template_xlsx,
)


def _file_response(content: bytes, content_type: str, file_name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=file_name)
    # Rosters are personal data: no shared or browser cache keeps a copy.
    response["Cache-Control"] = "private, no-store"
    return response


def _session_key(organization: Organization) -> str:
    return f"roster_import:{organization.pk}"


def _render_form(request: HttpRequest, organization: Organization, form: RosterUploadForm):
    context = {"organization": organization, "form": form, "columns": column_help(), "notes": general_notes()}
    return render(request, "members/roster_import.html", context)


def _render_preview(
    request: HttpRequest, organization: Organization, report: RosterReport, *, token: str = "", file_name: str = ""
):
    context = {
        "organization": organization,
        "report": report,
        "confirm_form": RosterConfirmForm(initial={"token": token}) if token else None,
        "form": RosterUploadForm(organization=organization),
        "file_name": file_name,
        "columns": column_help(),
        "notes": general_notes(),
    }
    return render(request, "members/roster_import_preview.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def roster_import_view(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the upload form. POST a file: the dry run's preview. POST a token: the import, all or nothing."""
    organization = get_organization_for_user(request, pk, write=True)
    if request.method == "POST" and "token" in request.POST:
        return _confirm(request, organization)
    if request.method == "POST":
        form = RosterUploadForm(request.POST, request.FILES, organization=organization)
        if not form.is_valid():
            return _render_form(request, organization, form)
        table: RosterTable = form.cleaned_data["file"]
        report = roster_check(organization=organization, table=table, by=request.user)
        file_name = request.FILES["file"].name
        token = ""
        if report.is_clean and report.has_changes:
            # The checked rows wait in the session (server side) for the confirmation: no re-upload, and the
            # browser cannot alter what was checked.
            token = secrets.token_urlsafe(16)
            request.session[_session_key(organization)] = {
                "token": token,
                "table": table.to_json(),
                "file_name": file_name,
            }
        else:
            request.session.pop(_session_key(organization), None)
        return _render_preview(request, organization, report, token=token, file_name=file_name)
    return _render_form(request, organization, RosterUploadForm(organization=organization))


def _confirm(request: HttpRequest, organization: Organization) -> HttpResponse:
    form = RosterConfirmForm(request.POST)
    pending = request.session.get(_session_key(organization))
    if not form.is_valid() or not pending or not secrets.compare_digest(pending["token"], form.cleaned_data["token"]):
        messages.warning(request, _("Phiên nhập danh sách đã hết hạn hoặc đã được xác nhận. Hãy tải tệp lên lại."))
        return redirect("members:roster_import", pk=organization.pk)
    table = RosterTable.from_json(pending["table"])
    report = roster_import(organization=organization, table=table, by=request.user)
    del request.session[_session_key(organization)]
    if not report.applied:
        # Something changed since the preview (another import, an edit): nothing was written; show why.
        messages.error(request, _("Chưa nhập được: dữ liệu đã thay đổi từ lúc kiểm tra. Không có gì được ghi."))
        return _render_preview(request, organization, report, file_name=pending.get("file_name", ""))
    messages.success(
        request,
        _("Đã nhập danh sách: {created} đảng viên mới, {updated} cập nhật, {unchanged} không đổi.").format(
            created=report.created, updated=report.updated, unchanged=report.unchanged
        ),
    )
    return redirect("members:organization", pk=organization.pk)


@login_required
@require_GET
def roster_export_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The roster as XLSX, in the import layout. Needs full read of the organization (members of a cell: 404)."""
    organization = get_organization_for_user(request, pk)
    if not scope_for(request.user).can_read(organization):
        raise Http404
    form = RosterExportForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest(" ".join(form.errors["ngay"]), content_type="text/plain; charset=utf-8")
    day = form.day(timezone.localdate())
    code = slugify(organization.code) or str(organization.pk)
    return _file_response(roster_xlsx(organization, day), XLSX_CONTENT_TYPE, f"danh-sach-{code}-{day:%Y%m%d}.xlsx")


@login_required
@require_GET
def roster_template_view(request: HttpRequest) -> HttpResponse:
    return _file_response(template_xlsx(), XLSX_CONTENT_TYPE, "mau-danh-sach-dang-vien.xlsx")


@login_required
@require_GET
def roster_template_csv_view(request: HttpRequest) -> HttpResponse:
    return _file_response(template_csv(), "text/csv; charset=utf-8", "mau-danh-sach-dang-vien.csv")
