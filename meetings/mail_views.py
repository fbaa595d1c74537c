"""Pages of a meeting's mail: the outbox (secretary), one message and its invite, and the meeting's .ics file.

Every meeting comes through ``meetings.access``: 404 outside the user's subtree, 403 for a read-only user on the
outbox pages. The .ics of the meeting is for anyone who may see the meeting.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from meetings.access import get_meeting_for_user
from meetings.calendar import meeting_ics
from meetings.models import Meeting, OutboxMessage
from meetings.outbox import LEASE_EXPIRED, messages_within
from meetings.recipients import meeting_recipients
from meetings.wording import meeting_title, vi_when
from members.access import get_organization_for_user, scope_for
from members.models import Member


def error_hint(message: OutboxMessage) -> str:
    """What a message's technical last error ("SMTPResponseException 451") means, for the secretary."""
    if not message.last_error:
        return ""
    name, _sep, code = message.last_error.partition(" ")
    if name == LEASE_EXPIRED:
        # The sender's lease ran out (a worker died while sending): whether the mail server had the message by then
        # cannot be known, so a message sent after that may have arrived twice (README, "Mail").
        if message.status == OutboxMessage.Status.SENT:
            return _("Đã gửi lại sau khi quá thời gian gửi: người nhận có thể đã nhận thư này hai lần")
        if message.status == OutboxMessage.Status.FAILED:
            return _("Quá thời gian gửi ở lần thử cuối, không gửi lại")
        return _("Quá thời gian gửi, sẽ gửi lại")
    if name == "SMTPRecipientsRefused":
        return _("Máy chủ thư từ chối địa chỉ người nhận")
    if name == "SMTPAuthenticationError":
        return _("Máy chủ thư từ chối đăng nhập (cần kiểm tra cấu hình)")
    if code[:1] == "4":
        return _("Máy chủ thư tạm thời chưa nhận")
    if code[:1] == "5":
        return _("Máy chủ thư từ chối thư")
    return _("Không kết nối được máy chủ thư")


def _calendar_response(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def outbox(request: HttpRequest, pk: int) -> HttpResponse:
    """The meeting's outbox rows (recipient, kind, status, attempts, last error) and who must be told on paper."""
    meeting = get_meeting_for_user(request, pk, write=True)
    rows = list(meeting.outbox.select_related("member").order_by("created_at", "member__sort_key", "pk"))
    for row in rows:
        row.hint = error_hint(row)
    counts = dict(meeting.outbox.order_by().values_list("status").annotate(n=Count("pk")))
    recipients = meeting_recipients(meeting)
    return render(
        request,
        "meetings/outbox.html",
        {
            "meeting": meeting,
            "title": meeting_title(meeting),
            "when": vi_when(meeting.planned_date, meeting.planned_time),
            "rows": rows,
            "counts": [(status, label, counts.get(status, 0)) for status, label in OutboxMessage.Status.choices],
            "roster_without_email": recipients.roster_without_email,
            "committee_without_email": recipients.committee_without_email,
            "is_published": meeting.status != Meeting.Status.PLANNED,
        },
    )


def _message_for(request: HttpRequest, pk: int, message_pk: int) -> tuple[Meeting, OutboxMessage]:
    meeting = get_meeting_for_user(request, pk, write=True)
    message = meeting.outbox.select_related("member").filter(pk=message_pk).first()
    if message is None:
        raise Http404
    return meeting, message


@login_required
@require_GET
def outbox_message(request: HttpRequest, pk: int, message_pk: int) -> HttpResponse:
    """One message as it was (or will be) sent: subject, text, and a link to its invite."""
    meeting, message = _message_for(request, pk, message_pk)
    message.hint = error_hint(message)
    return render(
        request,
        "meetings/outbox.html",
        {"meeting": meeting, "title": meeting_title(meeting), "message": message},
    )


@login_required
@require_GET
def outbox_ics(request: HttpRequest, pk: int, message_pk: int) -> HttpResponse:
    _meeting, message = _message_for(request, pk, message_pk)
    if not message.ics:
        raise Http404
    return _calendar_response(message.ics, "invite.ics")


@login_required
@require_GET
def meeting_ics_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The meeting as a calendar file ("Thêm vào lịch"), for anyone who may see the meeting: a PUBLISH with no attendee
    (a file to import, not an invitation to answer), with the same UID and SEQUENCE as the mailed invites, so that
    importing it again after a change, or after the cancellation (STATUS:CANCELLED), updates the same event."""
    meeting = get_meeting_for_user(request, pk)
    return _calendar_response(meeting_ics(meeting, method="PUBLISH"), f"sinh-hoat-{meeting.pk}.ics")


# --- An organization's outbox: every mail about its subtree (meetings' mail and reminders) --------------------------

ORG_OUTBOX_PAGE = 50


def _read_organization(request: HttpRequest, pk: int):
    """The organization of an outbox page: 404 outside the user's subtree, 403 for one who only sees it (a member
    sees their cell, not the mail sent to others)."""
    organization = get_organization_for_user(request, pk)
    if not scope_for(request.user).can_read(organization):
        raise PermissionDenied
    return organization


@login_required
@require_GET
def organization_outbox(request: HttpRequest, pk: int) -> HttpResponse:
    """What was sent in the subtree, to whom, and what failed or was not sent (dropped, missed), newest first;
    filtered by status and kind."""
    organization = _read_organization(request, pk)
    messages = messages_within(organization)
    counts = dict(messages.order_by().values_list("status").annotate(n=Count("pk")))
    status = request.GET.get("trang-thai", "")
    kind = request.GET.get("loai", "")
    rows = messages
    if status in OutboxMessage.Status.values:
        rows = rows.filter(status=status)
    if kind in OutboxMessage.Kind.values:
        rows = rows.filter(kind=kind)
    page = Paginator(
        rows.select_related("member", "meeting__organization", "organization").order_by("-created_at", "-pk"),
        ORG_OUTBOX_PAGE,
    ).get_page(request.GET.get("trang"))
    for row in page:
        row.hint = error_hint(row)
    without_email = []
    if organization.is_cell:
        without_email = list(
            Member.objects.roster_of(organization, timezone.localdate()).filter(email="").order_by("sort_key", "pk")
        )
    return render(
        request,
        "meetings/organization_outbox.html",
        {
            "organization": organization,
            "without_email": without_email,
            "page": page,
            "status": status,
            "kind": kind,
            "statuses": [(value, label, counts.get(value, 0)) for value, label in OutboxMessage.Status.choices],
            "kinds": OutboxMessage.Kind.choices,
        },
    )


@login_required
@require_GET
def organization_outbox_message(request: HttpRequest, pk: int, message_pk: int) -> HttpResponse:
    organization = _read_organization(request, pk)
    message = messages_within(organization).select_related("member", "meeting").filter(pk=message_pk).first()
    if message is None:
        raise Http404
    message.hint = error_hint(message)
    return render(request, "meetings/organization_outbox.html", {"organization": organization, "message": message})
