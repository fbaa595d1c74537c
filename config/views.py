"""Project-wide views: the home page and the health check."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from cells.models import Organization
from config.health import broker_ok, database_ok
from members.access import scope_for


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Who you are and what you can reach: the roots of your subtrees, your cell, your own record."""
    scope = scope_for(request.user)
    reach = []
    if scope.is_admin:
        reach.append({"url": reverse("members:browser"), "label": _("Toàn bộ cây tổ chức (quản trị)")})
    else:
        roots = Organization.objects.filter(path__in=scope.visible_paths).order_by("path")
        for node in roots:
            if scope.can_write(node):
                label = _("{name}: xem và cập nhật").format(name=node.name)
            elif scope.can_read(node):
                label = _("{name}: xem toàn bộ").format(name=node.name)
            else:
                label = _("{name}: chi bộ của đồng chí").format(name=node.name)
            reach.append({"url": reverse("members:organization", args=[node.pk]), "label": label})
    if scope.member_id:
        reach.append({"url": reverse("members:detail", args=[scope.member_id]), "label": _("Hồ sơ đảng viên của tôi")})
    return render(request, "home.html", {"reach": reach})


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    db_up, db_detail = database_ok()
    broker_up, broker_detail = broker_ok()
    healthy = db_up and broker_up
    body = {
        "status": "ok" if healthy else "error",
        "database": {"ok": db_up, "detail": db_detail},
        "broker": {"ok": broker_up, "detail": broker_detail},
    }
    return JsonResponse(body, status=200 if healthy else 503)
