"""The committee member's side of superior-committee visits: "my cells" (the organizations they follow, upcoming
meetings, quota progress, visits and reports due), recording their own visit of a meeting, and the visit report.

Reads come from ``meetings.visits``, writes go through ``meetings.services``; visits and reports come through
``meetings.access``."""

import datetime
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cells.forms import apply_errors
from cells.periods import ROMAN_QUARTERS, add_months, local_today, quarter_of, quarter_start
from meetings import services
from meetings.access import get_meeting_for_user, get_visit_for_user, is_visit_author, may_read_visit_report
from meetings.forms_visit import VisitReportForm
from meetings.rules import record_refusal
from meetings.visits import (
    committee_overview,
    meeting_visit_rows,
    report_prefill,
    seat_refusal,
    seats_that_may_visit,
    visit_rows,
)
from members.access import scope_for

# The period of "my cells" in the URL, as on the dashboards: ``?ky=quy-2026-4``.
QUARTER = re.compile(r"^quy-(\d{4})-([1-4])$")


def _quarter_slug(start: datetime.date) -> str:
    return f"quy-{start.year}-{quarter_of(start)}"


def _quarter_label(start: datetime.date) -> str:
    return _("Quý {quarter} năm {year}").format(quarter=ROMAN_QUARTERS[quarter_of(start)], year=start.year)


def _chosen_quarter(request: HttpRequest, today: datetime.date) -> datetime.date:
    """The first day of the quarter asked for (``?ky=quy-YYYY-N``), by default the current one."""
    match = QUARTER.match(request.GET.get("ky", ""))
    if match and 2000 <= int(match.group(1)) <= 2100:
        return datetime.date(int(match.group(1)), 3 * int(match.group(2)) - 2, 1)
    return quarter_start(today)


@login_required
@require_GET
def my_cells(request: HttpRequest) -> HttpResponse:
    """A committee member's page: what they follow, what is coming, how far their visits go towards their quota, and
    the reports they owe. A user with no seat today gets a page that says what it is for."""
    today = local_today()
    start = _chosen_quarter(request, today)
    end = add_months(start, 3)
    overview = committee_overview(request.user, start=start, end=end, today=today)
    previous, following = add_months(start, -3), end
    return render(
        request,
        "meetings/my_cells.html",
        {
            "overview": overview,
            "today": today,
            "period_label": _quarter_label(start),
            "is_current": start == quarter_start(today),
            "previous": {"slug": _quarter_slug(previous), "label": _quarter_label(previous)},
            "next": {"slug": _quarter_slug(following), "label": _quarter_label(following)}
            if following <= today
            else None,
            "current_slug": _quarter_slug(quarter_start(today)),
        },
    )


@login_required
@require_POST
def visit_record(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Tôi đã dự buổi sinh hoạt này": the committee member records their own visit, with the seat they held on the
    meeting's day (the one that follows the meeting's organization, or the one they pick)."""
    meeting = get_meeting_for_user(request, pk)
    seats = seats_that_may_visit(meeting, user=request.user)
    if not seats:
        messages.error(request, seat_refusal(several=False))
        return redirect("meetings:detail", pk=meeting.pk)
    chosen = _chosen_seat(request, seats)
    if chosen is None:
        messages.error(request, seat_refusal(several=True))
        return redirect(f"{reverse('meetings:detail', args=[meeting.pk])}#du-sinh-hoat")
    try:
        visitor = services.visit_record(meeting=meeting, seat=chosen, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(f"{reverse('meetings:detail', args=[meeting.pk])}#du-sinh-hoat")
    messages.success(
        request,
        _("Đã ghi nhận đồng chí dự buổi sinh hoạt. Viết báo cáo dự sinh hoạt và nộp trước hạn."),
    )
    return redirect("meetings:visit_report", visitor_pk=visitor.pk)


def _chosen_seat(request: HttpRequest, seats: list):
    """The seat picked in the form, else the only one that follows the meeting's organization, else the only one."""
    posted = request.POST.get("seat", "")
    if posted:
        return next((seat for seat in seats if str(seat.pk) == posted), None)
    return _chosen_seat_default(seats)


@login_required
@require_http_methods(["GET", "POST"])
def visit_report(request: HttpRequest, visitor_pk: int) -> HttpResponse:
    """The report of a visit: its author writes a draft, saves it or submits it; a submitted report is read-only,
    and its author may correct it with a reason (``?dinh-chinh=1``). Others who may read it read it."""
    visitor = get_visit_for_user(request, visitor_pk, write=request.method == "POST")
    report = visitor.report_or_none
    meeting = visitor.meeting
    submitted = report is not None and report.is_submitted
    author = is_visit_author(request.user, visitor)
    correcting = submitted and author and (request.method == "POST" or request.GET.get("dinh-chinh") == "1")
    form = None
    if author and (not submitted or correcting):
        if request.method == "POST":
            form = VisitReportForm(request.POST, correcting=correcting)
            if form.is_valid():
                submit = "submit" in request.POST
                try:
                    services.visit_report_save(
                        visitor=visitor,
                        values=form.values(),
                        submit=submit,
                        version=form.cleaned_data["version"],
                        correction_reason=form.cleaned_data.get("correction_reason"),
                        by=request.user,
                    )
                except ValidationError as error:
                    apply_errors(form, error)
                else:
                    if correcting:
                        messages.success(request, _("Đã lưu đính chính. Lý do được ghi vào lịch sử báo cáo."))
                    elif submit:
                        messages.success(request, _("Đã nộp báo cáo dự sinh hoạt. Báo cáo đã khóa."))
                    else:
                        messages.success(request, _("Đã lưu bản nháp báo cáo."))
                    return redirect("meetings:visit_report", visitor_pk=visitor.pk)
        elif report is not None:
            form = VisitReportForm(initial=VisitReportForm.initial_from(report), correcting=correcting)
        else:
            form = VisitReportForm(initial={"version": 1, **report_prefill(meeting)})
    [row] = visit_rows([visitor], local_today())
    history = []
    if submitted:
        history = list(
            report.history.filter(history_change_reason__isnull=False)
            .select_related("history_user")
            .order_by("-history_date")[:20]
        )
    return render(
        request,
        "meetings/visit_report.html",
        {
            "visitor": visitor,
            "meeting": meeting,
            "report": report,
            "row": row,
            "form": form,
            "author": author,
            "correcting": correcting,
            "submitted": submitted,
            "history": history,
        },
    )


def visits_panel(request: HttpRequest, meeting, *, any_visitor: bool = True) -> dict:
    """The meeting page's visitors part (``templates/meetings/includes/_meeting_visits.html``): the visitors with the
    rank and committee they held that day and their report's state (a link for those who may read it), and for a
    committee member who may visit, the "Tôi đã dự" button or why not. No query for a meeting without visitors seen
    by someone with no seat (``any_visitor``: the page already knows), up to four otherwise."""
    today = local_today()
    scope = scope_for(request.user)
    rows = meeting_visit_rows(meeting, today, any_visitor=any_visitor)
    for row in rows:
        row.readable = may_read_visit_report(request.user, scope, row.visitor, row.report)
        row.mine = is_visit_author(request.user, row.visitor)
    offer = None
    if scope.holds_seat or scope.is_admin:
        seats = seats_that_may_visit(meeting, user=request.user)
        listed = {row.visitor.seat_id for row in rows}
        open_seats = [seat for seat in seats if seat.pk not in listed]
        if open_seats:
            offer = {
                "seats": open_seats,
                "pick": _chosen_seat_default(open_seats) is None,
                "refusal": record_refusal(meeting, today),
            }
    return {"visit_rows": rows, "visit_offer": offer}


def _chosen_seat_default(seats: list):
    following = [seat for seat in seats if seat.follows]
    if len(following) == 1:
        return following[0]
    return seats[0] if len(seats) == 1 else None
