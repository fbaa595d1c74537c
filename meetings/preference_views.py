"""A member's own mail and calendar: the language of their mail, and their private calendar subscription (the
meetings of their cells, by a signed link that a new one revokes)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from meetings.calendar import feed_ics, feed_token, member_for_feed
from meetings.wording import absolute
from members.models import Member
from members.services import calendar_link_renew, member_preferences_set


def own_member(request: HttpRequest) -> Member | None:
    """The member record of the logged-in user (``None`` for board staff without one)."""
    return Member.objects.filter(user=request.user).first() if request.user.is_authenticated else None


def preferences_context(member: Member | None) -> dict:
    """What the "my meetings" page shows of the member's mail and calendar."""
    if member is None:
        return {}
    return {
        "me": member,
        "feed_url": absolute(reverse("meetings:feed", args=[feed_token(member)])),
        "languages": Member.Language.choices,
    }


@require_GET
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The private calendar feed (no login: a calendar application fetches it); 404 for a revoked or forged link."""
    member = member_for_feed(token)
    if member is None:
        raise Http404
    response = HttpResponse(feed_ics(member, today=timezone.localdate()), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="sinh-hoat.ics"'
    response["Cache-Control"] = "private, max-age=900"
    response["X-Robots-Tag"] = "noindex"
    return response


@login_required
@require_POST
def feed_renew(request: HttpRequest) -> HttpResponse:
    member = own_member(request)
    if member is None:
        raise Http404
    calendar_link_renew(member=member, by=request.user)
    messages.success(request, _("Đã tạo liên kết lịch mới. Liên kết cũ không còn dùng được."))
    return redirect(reverse("meetings:mine") + "#lich-cua-toi")


@login_required
@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    member = own_member(request)
    if member is None:
        raise Http404
    try:
        member_preferences_set(member=member, language=request.POST.get("language", ""), by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Đã lưu ngôn ngữ thư."))
    return redirect(reverse("meetings:mine") + "#lich-cua-toi")
