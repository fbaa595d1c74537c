"""Pages for planning and reading meetings. Every meeting comes through ``meetings.access``."""

import datetime
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cells.forms import apply_errors
from cells.periods import add_months, local_date, month_end, month_start, months_between, next_month
from cells.policies import policy_history, resolve
from cells.text import vi_date
from meetings import services
from meetings.access import get_meeting_for_user
from meetings.forms import MATERIAL_TYPES, AbsenceForm, CancelForm, MaterialForm, MeetingPlanForm, MonthForm
from meetings.minutes import minutes_context
from meetings.models import AbsenceNotice, Attendance, Meeting, Speech
from meetings.preference_views import own_member, preferences_context
from meetings.rules import for_kind, length_check, min_minutes, speaker_counts, speakers_check
from meetings.visit_views import visits_panel
from meetings.wording import meeting_title, vi_when
from members.access import get_organization_for_user, scope_for
from members.models import Member

# The meeting list shows this many months: by default the current month, the 2 after it and the 9 before it.
LIST_MONTHS = 12
LIST_MONTHS_AHEAD = 2


def _month_window(request: HttpRequest, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first days of the first and last months listed: ``LIST_MONTHS`` months ending with the chosen month
    (``?thang=YYYY-MM``), or the chosen year's January to December (``?nam=YYYY``), by default ending
    ``LIST_MONTHS_AHEAD`` months after the current one. A value that is not a month or a year lists the default."""
    form = MonthForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    if data.get("nam"):
        end = datetime.date(data["nam"], 12, 1)
    elif data.get("thang"):
        end = month_start(data["thang"])
    else:
        end = add_months(month_start(today), LIST_MONTHS_AHEAD)
    return add_months(end, 1 - LIST_MONTHS), end


def _active_in(organization, month: datetime.date) -> bool:
    """The organization existed on some day of ``month`` (formed, and not yet merged or dissolved)."""
    return organization.valid_from <= month_end(month) and (
        organization.valid_to is None or organization.valid_to > month
    )


@login_required
@require_GET
def meeting_list(request: HttpRequest, org_pk: int) -> HttpResponse:
    """An organization's meetings by month with status and figures: constant queries whatever the number of meetings.
    A cell's months without a regular meeting are flagged; a committee's or party group's meetings are their own
    kinds (``Meeting.kinds_for``), which no cell rule measures, so nothing is flagged there."""
    organization = get_organization_for_user(request, org_pk)
    scope = scope_for(request.user)
    today = timezone.localdate()
    start, end = _month_window(request, today)
    meetings = list(
        Meeting.objects.filter(organization=organization, month__gte=start, month__lte=end)
        .annotate(
            present=Count("attendances", filter=Q(attendances__status="present"), distinct=True),
            roster=Count("attendances", distinct=True),
        )
        .order_by("-planned_date", "-id")
    )
    speakers = speaker_counts(
        Speech.objects.filter(meeting__organization=organization, meeting__month__gte=start, meeting__month__lte=end)
    )
    # Each meeting is measured by the rules in force on its own date: one query for the policy history.
    history = policy_history(organization)
    policy = resolve(organization, today, history)
    for meeting in meetings:
        meeting.speakers = speakers.get(meeting.pk, 0)
        in_force = resolve(organization, meeting.planned_date, history)
        meeting.length_check = for_kind(meeting.kind, length_check(meeting.kind, meeting.length_minutes, in_force))
        meeting.speakers_check = for_kind(meeting.kind, speakers_check(meeting.speakers, in_force))
    months = []
    for month in reversed(months_between(start, end)):
        month_meetings = [m for m in meetings if m.month == month]
        has_regular = any(
            m.kind in Meeting.REGULAR_KINDS and m.status != Meeting.Status.CANCELLED for m in month_meetings
        )
        missing = organization.is_cell and not has_regular and month <= today and _active_in(organization, month)
        months.append({"month": month, "meetings": month_meetings, "missing_regular": missing})
    # Every year the organization has meetings in, to go to it in one step (older ones had no link), with this year and
    # the years on the page.
    years = {day.year for day in Meeting.objects.filter(organization=organization).dates("month", "year")}
    years = sorted(years | {today.year, start.year, end.year}, reverse=True)
    return render(
        request,
        "meetings/meeting_list.html",
        {
            "organization": organization,
            "months": months,
            "can_write": scope.can_write(organization),
            "rules": policy,
            "min_regular": min_minutes(policy, Meeting.Kind.REGULAR),
            "min_thematic": min_minutes(policy, Meeting.Kind.THEMATIC),
            "start": start,
            "end": end,
            "years": years,
            "previous_end": add_months(start, -1),
            "next_end": add_months(end, LIST_MONTHS),
            "is_default_window": end == add_months(month_start(today), LIST_MONTHS_AHEAD),
        },
    )


# When a cell has set no meeting time: the usual afternoon start of a cell meeting.
DEFAULT_MEETING_TIME = datetime.time(14, 0)


def _fixed_day(organization, month: datetime.date) -> datetime.date:
    """The cell's meeting day in ``month``: its fixed day, the month's last day (0), or the 4th when it has none."""
    if organization.meeting_day == organization.LAST_DAY_OF_MONTH:
        return month_end(month)
    return month.replace(day=organization.meeting_day or 4)


def _monthly_kinds(organization) -> tuple[str, ...]:
    """The kinds that make an organization's monthly meeting: a cell's regular meeting (or a combined session), a
    committee's executive-committee conference, a party group's meeting."""
    return Meeting.REGULAR_KINDS if organization.is_cell else Meeting.kinds_for(organization)[:1]


def _next_meeting_date(organization, now: datetime.datetime) -> datetime.date:
    """The cell's meeting day in the first month, from this one, that has no regular meeting yet and whose day and
    meeting time are still ahead of ``now`` in local time: on the 4th at 18:33, for a cell meeting on the 4th at
    14:00, that is next month's 4th, not a meeting that has already begun. (A committee: the same with its
    executive-committee conferences.)"""
    tz = timezone.get_default_timezone()
    at = organization.meeting_time or DEFAULT_MEETING_TIME
    month = month_start(local_date(now))
    planned = set(
        Meeting.objects.filter(organization=organization, kind__in=_monthly_kinds(organization), month__gte=month)
        .exclude(status=Meeting.Status.CANCELLED)
        .values_list("month", flat=True)
    )
    for _step in range(24):
        if month not in planned:
            candidate = _fixed_day(organization, month)
            if datetime.datetime.combine(candidate, at, tzinfo=tz) > now:
                return candidate
        month = next_month(month)
    return local_date(now)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_plan_view(request: HttpRequest, org_pk: int) -> HttpResponse:
    organization = get_organization_for_user(request, org_pk, write=True)
    now = timezone.now()
    kinds = Meeting.kinds_for(organization)
    initial = {
        "kind": request.GET.get("loai") if request.GET.get("loai") in kinds else kinds[0],
        "planned_date": _next_meeting_date(organization, now),
        "planned_time": organization.meeting_time or DEFAULT_MEETING_TIME,
        "venue": organization.venue,
    }
    # A date and time already past asks the secretary to confirm that the meeting took place (see the form).
    form = MeetingPlanForm(request.POST or None, initial=initial, kinds=kinds, now=now)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.meeting_plan(
                organization=organization,
                kind=data["kind"],
                planned_date=data["planned_date"],
                planned_time=data["planned_time"],
                venue=data["venue"],
                topic=data["topic"],
                agenda=form.agenda_items(),
                by=request.user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            if meeting.planned_start <= now:  # confirmed: a meeting held before it was entered here
                messages.success(request, _("Đã lập kế hoạch cho buổi họp đã diễn ra. Ghi biên bản buổi họp."))
            else:
                messages.success(request, _("Đã lập kế hoạch. Xem lại chương trình rồi gửi thông báo cho đảng viên."))
            return redirect("meetings:detail", pk=meeting.pk)
    title = _("Lập kế hoạch sinh hoạt") if organization.is_cell else _("Lập kế hoạch hội nghị, cuộc họp")
    return render(request, "meetings/meeting_form.html", {"form": form, "organization": organization, "title": title})


def _agenda_text(meeting: Meeting) -> str:
    return "\n".join(f"{item.title} — {item.details}" if item.details else item.title for item in meeting.agenda.all())


@login_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request, pk, write=True)
    if meeting.status not in (Meeting.Status.PLANNED, Meeting.Status.PUBLISHED):
        messages.error(request, _("Chỉ sửa được kế hoạch trước khi họp."))
        return redirect("meetings:detail", pk=meeting.pk)
    initial = {
        "kind": meeting.kind,
        "topic": meeting.topic,
        "planned_date": meeting.planned_date,
        "planned_time": meeting.planned_time,
        "venue": meeting.venue,
        "agenda": _agenda_text(meeting),
        "version": meeting.version,
    }
    # The kinds its organization holds, and its own (a meeting entered before committees had kinds of their own).
    kinds = Meeting.kinds_for(meeting.organization)
    kinds = kinds if meeting.kind in kinds else (meeting.kind, *kinds)
    # Moving the start to a past instant asks to confirm, as a new plan does (see the form).
    form = MeetingPlanForm(
        request.POST or None, initial=initial, kinds=kinds, now=timezone.now(), current_start=meeting.planned_start
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.meeting_update_plan(
                meeting=meeting,
                version=data["version"],
                kind=data["kind"],
                planned_date=data["planned_date"],
                planned_time=data["planned_time"],
                venue=data["venue"],
                topic=data["topic"],
                agenda=form.agenda_items(),
                by=request.user,
            )
        except services.StaleEdit as error:
            form.add_error(None, error)
            form.data = form.data.copy()
            form.data["version"] = Meeting.objects.get(pk=meeting.pk).version
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Đã lưu kế hoạch."))
            return redirect("meetings:detail", pk=meeting.pk)
    return render(
        request,
        "meetings/meeting_form.html",
        {"form": form, "organization": meeting.organization, "meeting": meeting, "title": _("Sửa kế hoạch")},
    )


@login_required
@require_GET
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Before the meeting is held, its notice and agenda (time, venue, the order of business); once held, the meeting
    as it reads in the minutes: header, attendance, agenda with speeches and conclusions, the vote."""
    meeting = get_meeting_for_user(request, pk)
    scope = scope_for(request.user)
    can_write = scope.can_write(meeting.organization)
    # Past its start a notice is news to nobody (not sent), and an absence is told to the secretary in person.
    start_passed = meeting.planned_start <= timezone.now()
    my_notice, absence = None, None
    if scope.member_id and not can_write:  # a secretary records absences in the roll call, not as notices
        viewer = Member.objects.get(pk=scope.member_id)
        absence = services.absence_notice_check(meeting=meeting, member=viewer)
        my_notice = AbsenceNotice.objects.filter(meeting=meeting, member=viewer).first() if absence.on_roster else None
    notices = list(meeting.absence_notices.select_related("member").order_by("member__sort_key")) if can_write else []
    chair_user_id = meeting.chair.user_id if meeting.chair else None
    minutes = minutes_context(meeting)
    return render(
        request,
        "meetings/meeting_detail.html",
        {
            **minutes,
            "materials": list(meeting.materials.all()),
            # The documents issued (stored at the approval and each correction), the newest first.
            "documents": list(meeting.documents.order_by("kind", "-version"))
            if meeting.status == Meeting.Status.APPROVED
            else [],
            "can_write": can_write,
            # The attendance sheet prints the roster: for those who read it, not for a plain member.
            "can_read_roster": scope.can_read(meeting.organization),
            "can_approve": meeting.status == Meeting.Status.HELD
            and can_write
            and (chair_user_id in (None, request.user.pk) or request.user.is_superuser),
            "absence": absence,
            "held": meeting.status in (Meeting.Status.HELD, Meeting.Status.APPROVED),
            "title": meeting_title(meeting),
            "when": vi_when(meeting.planned_date, meeting.planned_time),
            "start_passed": start_passed,
            "my_notice": my_notice,
            "notices": notices,
            "absence_form": AbsenceForm(),
            "cancel_form": CancelForm(),
            "material_form": MaterialForm(),
            "history": list(meeting.history.exclude(history_change_reason=None).order_by("-history_date")[:20])
            if meeting.correction_count
            else [],
            **visits_panel(request, meeting, any_visitor=bool(minutes["visitors"])),
        },
    )


def _post_action(request, pk, action, success_message):
    meeting = get_meeting_for_user(request, pk, write=True)
    try:
        result = action(meeting)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("meetings:detail", pk=meeting.pk), None
    messages.success(request, success_message)
    return redirect("meetings:detail", pk=meeting.pk), result


def _publish(meeting: Meeting, by) -> list[Member]:
    """Send the notice, unless the meeting's start has passed (a page opened before it, the button pressed after): the
    notice would tell members of a meeting already under way or over. The page offers no button then."""
    if meeting.status == Meeting.Status.PLANNED and meeting.planned_start <= timezone.now():
        raise ValidationError(
            _(
                "Giờ họp {time} ngày {day} đã qua: không gửi thông báo cho buổi họp đã diễn ra; ghi biên bản buổi họp."
            ).format(time=meeting.planned_time.strftime("%H:%M"), day=vi_date(meeting.planned_date))
        )
    return services.meeting_publish(meeting=meeting, by=by)


@login_required
@require_POST
def meeting_publish_view(request: HttpRequest, pk: int) -> HttpResponse:
    response, without_email = _post_action(
        request,
        pk,
        lambda meeting: _publish(meeting, request.user),
        _(
            "Thông báo và chương trình sinh hoạt đã vào hàng gửi thư điện tử cho đảng viên; thư đi trong ít phút, "
            "tình trạng từng thư ở trang “Thư đã gửi” của buổi họp."
        ),
    )
    if without_email:
        messages.warning(
            request,
            _("Các đồng chí chưa có thư điện tử, cần báo trên giấy: {names}.").format(
                names=", ".join(member.full_name for member in without_email)
            ),
        )
    return response


@login_required
@require_POST
def meeting_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    form = CancelForm(request.POST)
    if not form.is_valid():
        get_meeting_for_user(request, pk, write=True)
        messages.error(request, _("Ghi lý do hủy."))
        return redirect("meetings:detail", pk=pk)
    response, _meeting = _post_action(
        request,
        pk,
        lambda meeting: services.meeting_cancel(meeting=meeting, reason=form.cleaned_data["reason"], by=request.user),
        _("Đã hủy buổi sinh hoạt."),
    )
    return response


@login_required
@require_POST
def minutes_approve_view(request: HttpRequest, pk: int) -> HttpResponse:
    response, _meeting = _post_action(
        request,
        pk,
        lambda meeting: services.minutes_approve(meeting=meeting, by=request.user),
        _("Đã duyệt biên bản. Biên bản đã khóa; muốn sửa phải ghi lý do đính chính."),
    )
    return response


@login_required
@require_POST
def material_add(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = get_meeting_for_user(request, pk, write=True)
    form = MaterialForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            services.material_add(
                meeting=meeting,
                upload=upload,
                name=form.cleaned_data["name"],
                content_type=MATERIAL_TYPES[Path(upload.name).suffix.lower()],
                correction_reason=form.cleaned_data["correction_reason"],
                by=request.user,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Đã thêm tài liệu."))
    else:
        messages.error(request, " ".join(error for errors in form.errors.values() for error in errors))
    return redirect("meetings:detail", pk=meeting.pk)


@login_required
@require_GET
def material_download(request: HttpRequest, pk: int, material_pk: int) -> FileResponse:
    """Served through the access gate only, never as a public media URL."""
    meeting = get_meeting_for_user(request, pk)
    material = meeting.materials.filter(pk=material_pk).first()
    if material is None:
        raise Http404
    suffix = Path(material.file.name).suffix.lower()
    response = FileResponse(
        material.file.open("rb"),
        content_type=material.content_type,
        as_attachment=suffix not in {".pdf", ".png", ".jpg", ".jpeg"},
        filename=f"{material.name}{'' if material.name.lower().endswith(suffix) else suffix}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _viewer_member(request: HttpRequest) -> Member:
    member_id = scope_for(request.user).member_id
    if member_id is None:
        raise PermissionDenied
    return Member.objects.get(pk=member_id)


@login_required
@require_POST
def absence_notice_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A member says ahead that they will be absent (or withdraws it with ``rut=1``)."""
    meeting = get_meeting_for_user(request, pk)
    member = _viewer_member(request)
    try:
        if request.POST.get("rut"):
            services.absence_notice_withdraw(meeting=meeting, member=member)
            messages.success(request, _("Đã rút báo vắng."))
        else:
            form = AbsenceForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Ghi lý do vắng."))
            services.absence_notice_submit(meeting=meeting, member=member, reason=form.cleaned_data["reason"])
            messages.success(request, _("Đã báo vắng. Bí thư chi bộ sẽ thấy lý do của đồng chí."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("meetings:detail", pk=meeting.pk)


@login_required
@require_GET
def my_meetings(request: HttpRequest) -> HttpResponse:
    """A member's upcoming meetings (of the cells they belong to today) and their own attendance history."""
    scope = scope_for(request.user)
    today = timezone.localdate()
    upcoming, history = [], []
    if scope.member_id:
        cell_ids = list(
            Member.objects.get(pk=scope.member_id)
            .memberships.active_on(today)
            .values_list("organization_id", flat=True)
        )
        upcoming = list(
            Meeting.objects.filter(
                organization_id__in=cell_ids,
                planned_date__gte=today,
                status__in=[Meeting.Status.PUBLISHED, Meeting.Status.PLANNED],
            )
            .select_related("organization")
            .prefetch_related("agenda", "materials")
            .order_by("planned_date")
        )
        notices = set(
            AbsenceNotice.objects.filter(member_id=scope.member_id, meeting__in=upcoming).values_list(
                "meeting_id", flat=True
            )
        )
        for meeting in upcoming:
            meeting.my_notice = meeting.pk in notices
        history = list(
            # Only what a roll call recorded: a row begun but not answered yet is not a meeting attended or missed.
            Attendance.objects.filter(member_id=scope.member_id)
            .exclude(status="")
            .exclude(meeting__status=Meeting.Status.CANCELLED)
            .select_related("meeting", "meeting__organization")
            .order_by("-meeting__planned_date")[:24]
        )
    return render(
        request,
        "meetings/my_meetings.html",
        {"upcoming": upcoming, "history": history, **preferences_context(own_member(request))},
    )
