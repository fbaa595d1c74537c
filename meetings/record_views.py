"""The meeting recording page: what the cell secretary fills in on a phone during the meeting.

One page (``record``) holds the main form (times, chair and recorder, conclusions, resolution, vote, score; saved
with the meeting's ``version`` for optimistic locking) and small forms that save one thing each (a roll-call row, a
visitor, a speech). With htmx those small forms swap their part of the page and, out of band, the live figures and
the selects that list the present members; without JavaScript every form posts and comes back to the page.
All writes go through ``meetings.services``.
"""

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cells.forms import apply_errors
from meetings import services
from meetings.access import get_meeting_for_user
from meetings.forms_record import AttendanceForm, RecordForm, SpeechForm, VisitorForm
from meetings.models import Attendance, Meeting
from meetings.rules import for_kind, grade_for, length_check, minutes_between
from meetings.visits import seats_that_may_visit
from members.models import StatusChange

PAGE = "meetings/record.html"
# The page's parts, in the order of the meeting, for the jump links under the figures.
SECTIONS = [
    ("thoi-gian", gettext_lazy("Thời gian")),
    ("diem-danh", gettext_lazy("Điểm danh")),
    ("dai-bieu", gettext_lazy("Đại biểu")),
    ("record-people", gettext_lazy("Chủ trì, thư ký")),
    ("phat-bieu", gettext_lazy("Phát biểu")),
    ("ket-luan", gettext_lazy("Kết luận")),
    ("bieu-quyet", gettext_lazy("Biểu quyết")),
    ("danh-gia", gettext_lazy("Tự đánh giá")),
]


# --- Loading -----------------------------------------------------------------------------------------------------


def _meeting(request: HttpRequest, pk: int) -> Meeting:
    """The meeting through the access gate, for writing; a cancelled meeting has nothing to record."""
    meeting = get_meeting_for_user(request, pk, write=True)
    if meeting.status == Meeting.Status.CANCELLED:
        raise Http404
    return meeting


class Parts:
    """What the parts of the page show, loaded once (a constant number of queries whatever the roster size)."""

    def __init__(self, meeting: Meeting, *, seats: bool = False):
        self.meeting = meeting
        # The roll call as shown: opening the page writes nothing; the first save writes the rows.
        self.attendances = services.roll_call(meeting)
        self.agenda = list(meeting.agenda.all())
        self.visitors = list(meeting.visitors.order_by("id"))
        self.seats = seats_that_may_visit(meeting) if seats else []

    def speeches(self):
        return list(self.meeting.speeches.select_related("member", "visitor", "agenda_item"))

    def speech_form(self, data=None, initial=None) -> SpeechForm:
        return SpeechForm(
            data,
            initial=initial,
            attendances=self.attendances,
            visitors=self.visitors,
            agenda=self.agenda,
            auto_id="speech_%s",
        )

    def visitor_form(self, data=None) -> VisitorForm:
        return VisitorForm(data, seats=self.seats, auto_id="visitor_%s")

    def record_form(self, data=None, initial=None) -> RecordForm:
        return RecordForm(data, initial=initial, meeting=self.meeting, attendances=self.attendances, agenda=self.agenda)


def _figures(meeting: Meeting, preview: dict | None = None, roll: list[Attendance] | None = None) -> dict:
    """``services.figures`` of the meeting as the page shows it (``roll``: the roll call with its unsaved rows);
    ``preview`` (times, votes, score typed but not saved yet) updates the length, the vote and the grade shown, so
    the secretary sees them while typing. The server judges both by the same rules (``meetings.rules``): a vote it
    would refuse never reads "thông qua" here."""
    votes = None
    if preview is not None:
        votes = tuple(preview.get(name) for name in ("votes_for", "votes_against", "votes_abstain"))
    figures = services.figures(meeting, roll=roll, votes=votes)
    score = meeting.quality_score
    if preview is not None:
        policy = figures["rules"].policy
        length = minutes_between(preview.get("started_at"), preview.get("ended_at"))
        check = length_check(meeting.kind, length if length is None or length > 0 else None, policy)
        figures["length"] = for_kind(meeting.kind, check)
        score = preview.get("quality_score")
    figures["score"] = score
    figures["grade"] = dict(Meeting.Grade.choices).get(grade_for(score), "")
    figures["marked"] = figures["roster"] - figures["unmarked"]
    return figures


def _current_version(meeting: Meeting) -> int:
    return Meeting.objects.filter(pk=meeting.pk).values_list("version", flat=True).get()


def _correction_reason(request: HttpRequest) -> str:
    return request.POST.get("correction_reason", "")


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def _page_url(meeting: Meeting, anchor: str = "", **params) -> str:
    query = f"?{urlencode(params)}" if params else ""
    return f"{reverse('meetings:record', args=[meeting.pk])}{query}{f'#{anchor}' if anchor else ''}"


# --- htmx answers: the part that changed, plus out-of-band swaps of what depends on it ------------------------


def _oob(request: HttpRequest, parts: Parts, *, writes: int = 0, people=False, speaker=False, speech_list=False):
    """Out-of-band parts: the figures always; the chair/recorder selects and the speaker select when the present
    members or the visitors changed (keeping what the user had picked, sent along with ``hx-include``); the list of
    speeches; and on approved minutes the main form's version, when this user's own corrections bumped it."""
    meeting = parts.meeting
    context = {"meeting": meeting, "figures": _figures(meeting, _typed(request.POST), parts.attendances), "oob": True}
    if people:
        context["form"] = parts.record_form(
            initial={"chair": request.POST.get("chair", ""), "recorder": request.POST.get("recorder", "")}
        )
    if speaker:
        context["speech_form"] = parts.speech_form(initial={"speaker": request.POST.get("speaker", "")})
    if speech_list:
        context["speech_list"] = True
        context["speeches"] = parts.speeches()
    if meeting.is_locked and writes:
        # Each correction bumps the version; the main form follows if nobody else saved in between (else its
        # next save is refused as stale, as it should be).
        version = _current_version(meeting)
        posted = request.POST.get("version", "")
        if posted.isdigit() and int(posted) + writes == version:
            context["version"] = version
    return render_to_string("meetings/includes/_record_oob.html", context, request=request)


def _answer(request: HttpRequest, template: str, context: dict, oob: str) -> HttpResponse:
    return HttpResponse(render_to_string(template, context, request=request) + oob)


# --- The page and the main form ------------------------------------------------------------------------------


def _initial(meeting: Meeting) -> dict:
    return {
        "version": meeting.version,
        "started_at": meeting.started_at or meeting.planned_start,
        "ended_at": meeting.ended_at,
        "confirm_long": meeting.long_meeting_confirmed,
        "chair": meeting.chair_id or "",
        "recorder": meeting.recorder_id or "",
        "resolution_title": meeting.resolution_title,
        "resolution_text": meeting.resolution_text,
        "votes_for": meeting.votes_for,
        "votes_against": meeting.votes_against,
        "votes_abstain": meeting.votes_abstain,
        "quality_score": meeting.quality_score,
    }


def _stale_differences(form: RecordForm, saved: Meeting, agenda: list) -> list[dict]:
    """What the other person saved that differs from this user's input: shown to review before saving again."""
    data = form.cleaned_data

    def when(value):
        return timezone.localtime(value).strftime("%H:%M %d/%m/%Y") if value else "—"

    def person(member):
        return member.full_name if member else "—"

    rows = [
        (_("Bắt đầu lúc"), when(saved.started_at), when(data.get("started_at"))),
        (_("Kết thúc lúc"), when(saved.ended_at), when(data.get("ended_at"))),
        (_("Chủ trì"), person(saved.chair), person(data.get("chair"))),
        (_("Thư ký"), person(saved.recorder), person(data.get("recorder"))),
        (_("Tên nghị quyết / kết luận"), saved.resolution_title, (data.get("resolution_title") or "").strip()),
        (_("Nội dung nghị quyết / kết luận"), saved.resolution_text, (data.get("resolution_text") or "").strip()),
        (_("Tán thành"), saved.votes_for, data.get("votes_for")),
        (_("Không tán thành"), saved.votes_against, data.get("votes_against")),
        (_("Không biểu quyết"), saved.votes_abstain, data.get("votes_abstain")),
        (_("Điểm tự đánh giá"), saved.quality_score, data.get("quality_score")),
    ]
    conclusions = form.conclusions()
    for item in agenda:
        rows.append((f"{item.order}. {item.title}", item.conclusion, conclusions.get(item.pk, "").strip()))
    return [
        {
            "label": label,
            "theirs": "—" if theirs in (None, "") else theirs,
            "yours": "—" if yours in (None, "") else yours,
        }
        for label, theirs, yours in rows
        if (theirs or None) != (yours or None)
    ]


@login_required
@require_http_methods(["GET", "POST"])
def record(request: HttpRequest, pk: int) -> HttpResponse:
    """The recording page (GET), and the main form (POST: "Lưu", or "Lưu và chốt buổi họp" with ``mark_held``).

    With htmx the main form saves in place (the page stays where the secretary is: the figures, the messages, the
    version and the confirmations are swapped out of band); without JavaScript it posts and comes back."""
    meeting = _meeting(request, pk)
    if meeting.planned_date > timezone.localdate():
        # Nothing is recorded before the meeting's day; the page says so and offers nothing to fill.
        return render(request, PAGE, {"meeting": meeting, "not_yet": True})
    parts = Parts(meeting, seats=True)
    form = parts.record_form(request.POST or None, initial=_initial(meeting))
    stale = []
    saved = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        mark_held = "mark_held" in request.POST
        try:
            services.meeting_record(
                meeting=meeting,
                version=data["version"],
                started_at=data["started_at"],
                ended_at=data["ended_at"],
                confirm_long=data["confirm_long"],
                chair=data["chair"],
                recorder=data["recorder"],
                conclusions=form.conclusions(),
                resolution_title=data["resolution_title"],
                resolution_text=data["resolution_text"],
                votes_for=data["votes_for"],
                votes_against=data["votes_against"],
                votes_abstain=data["votes_abstain"],
                confirm_votes=data["confirm_votes"],
                quality_score=data["quality_score"],
                mark_held=mark_held,
                correction_reason=data.get("correction_reason"),
                by=request.user,
            )
        except services.StaleEdit as error:
            # Keep everything the user typed; show what changed; the next save carries the new version.
            fresh = Meeting.objects.select_related("chair", "recorder").get(pk=meeting.pk)
            form.add_error(None, error)
            form.data = form.data.copy()
            form.data["version"] = fresh.version
            stale = _stale_differences(form, fresh, list(fresh.agenda.all()))
        except ValidationError as error:
            apply_errors(form, error)
        else:
            if meeting.is_locked:
                saved = _("Đã lưu đính chính. Lý do được ghi vào lịch sử biên bản.")
            elif mark_held:
                saved = _("Đã chốt buổi họp. Đồng chí chủ trì xem lại và duyệt biên bản trên trang buổi họp.")
            else:
                saved = _("Đã lưu biên bản.")
            if not request.htmx or mark_held or meeting.is_locked:
                # Closing the meeting or correcting approved minutes changes the whole page (status, buttons, the
                # corrections' history): it is loaded again.
                messages.success(request, saved)
                if request.htmx:
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = _page_url(meeting)
                    return response
                return redirect("meetings:record", pk=meeting.pk)
    # The figures judge what was typed, saved or refused (a refused field leaves the form's cleaned data).
    preview = _typed(request.POST) if request.method == "POST" else None
    open_reason = request.GET.get("ly-do", "")
    for row in parts.attendances:
        row.open_reason = str(row.member_id) == open_reason
    if saved:
        meeting.refresh_from_db()  # the new version, the saved votes for the figures
    page_figures = _figures(meeting, preview, parts.attendances)
    history = []
    if meeting.correction_count:
        history = list(
            meeting.history.filter(history_change_reason__isnull=False)
            .select_related("history_user")
            .order_by("-history_date")[:10]
        )
    context = {
        "meeting": meeting,
        "form": form,
        "stale": stale,
        "saved": saved,
        "figures": page_figures,
        "attendances": parts.attendances,
        "unmarked": page_figures["unmarked"],
        "agenda": parts.agenda,
        "history": history,
        "status_labels": dict(StatusChange.Status.choices),
        "sections": SECTIONS,
    }
    if request.htmx and request.method == "POST":
        context["version"] = meeting.version if saved else form.data.get("version", "")
        # Saved in place or refused: only the parts that changed, out of band; what was typed stays as it is.
        return render(request, "meetings/includes/_record_saved.html", context)
    context.update(
        visitors=parts.visitors,
        visitor_form=parts.visitor_form(),
        speech_form=parts.speech_form(),
        speeches=parts.speeches(),
    )
    return render(request, PAGE, context)


class PreviewForm(forms.Form):
    """The main form's fields that change the figures, typed but not saved yet."""

    started_at = RecordForm.base_fields["started_at"]
    ended_at = RecordForm.base_fields["ended_at"]
    votes_for = RecordForm.base_fields["votes_for"]
    votes_against = RecordForm.base_fields["votes_against"]
    votes_abstain = RecordForm.base_fields["votes_abstain"]
    quality_score = RecordForm.base_fields["quality_score"]


def _typed(data) -> dict | None:
    """What the main form holds now (sent along with every small form, ``hx-include``), for the figures; ``None``
    when nothing of it was sent (a plain post: the saved values are shown). A field that does not parse reads as
    not typed."""
    if not any(name in data for name in PreviewForm.base_fields):
        return None
    preview = PreviewForm(data)
    preview.is_valid()
    return preview.cleaned_data


@login_required
@require_GET
def figures(request: HttpRequest, pk: int) -> HttpResponse:
    """The figures panel; with the main form's times, votes and score (not saved yet) it shows what they give."""
    meeting = _meeting(request, pk)
    figures = _figures(meeting, _typed(request.GET), services.roll_call(meeting))
    return render(request, "meetings/includes/_record_figures.html", {"meeting": meeting, "figures": figures})


# --- Attendance --------------------------------------------------------------------------------------------------


def _row_context(meeting: Meeting, row: Attendance) -> dict:
    return {"meeting": meeting, "row": row, "status_labels": dict(StatusChange.Status.choices)}


@login_required
@require_POST
def attendance(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    """One roll-call row: present, excused (with a reason, accepted by the committee or not) or absent."""
    meeting = _meeting(request, pk)
    row = next((row for row in services.roll_call(meeting) if row.member_id == member_pk), None)
    if row is None:
        raise Http404
    form = AttendanceForm(request.POST)
    error = None
    missing_reason = False
    if form.is_valid():
        try:
            services.attendance_set(
                meeting=meeting,
                member=row.member,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
                absence_accepted=form.absence_accepted(),
                correction_reason=_correction_reason(request),
                by=request.user,
            )
        except ValidationError as exc:
            error = _error_text(exc)
            missing_reason = "reason" in getattr(exc, "error_dict", {})
    else:
        error = " ".join(message for messages_ in form.errors.values() for message in messages_)
    wanted = form.cleaned_data.get("status") if hasattr(form, "cleaned_data") else None
    # An excused absence refused, or saved without its reason yet, opens the reason field; a missing reason (on
    # closed minutes) is a prompt rather than an error.
    typed_reason = (form.cleaned_data.get("reason") or "").strip() if hasattr(form, "cleaned_data") else ""
    open_reason = wanted == Attendance.Status.EXCUSED and (error is not None or not typed_reason)
    hint = None
    if missing_reason:
        hint, error = _("Ghi lý do vắng rồi bấm “Lưu lý do”."), None
    if not request.htmx:
        if error or hint:
            (messages.error if error else messages.warning)(request, f"{row.member.full_name}: {error or hint}")
        params = {"ly-do": row.member_id} if open_reason else {}
        return redirect(_page_url(meeting, f"att-{row.member_id}", **params))
    parts = Parts(meeting)
    row = next(fresh for fresh in parts.attendances if fresh.member_id == row.member_id)
    row.open_reason, row.error, row.hint = open_reason, error, hint
    row.reason_value = form.data.get("reason") if error else None
    written = error is None and hint is None
    oob = _oob(request, parts, writes=int(written), people=True, speaker=True)
    return _answer(request, "meetings/includes/_record_attendance_row.html", _row_context(meeting, row), oob)


@login_required
@require_POST
def attendance_all_present(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark every member not yet marked as present (the usual case, one tap); marked rows are left as they are."""
    meeting = _meeting(request, pk)
    error = None
    writes = 0
    try:
        writes = services.attendance_all_present(
            meeting=meeting, correction_reason=_correction_reason(request), by=request.user
        )
    except ValidationError as exc:
        error = _error_text(exc)
    if not request.htmx:
        if error:
            messages.error(request, error)
        else:
            messages.success(
                request,
                ngettext("Đã điểm danh có mặt {n} đồng chí.", "Đã điểm danh có mặt {n} đồng chí.", writes).format(
                    n=writes
                ),
            )
        return redirect(_page_url(meeting, "diem-danh"))
    parts = Parts(meeting)
    context = {
        "meeting": meeting,
        "attendances": parts.attendances,
        "unmarked": sum(1 for row in parts.attendances if not row.status),
        "attendance_error": error,
        "status_labels": dict(StatusChange.Status.choices),
    }
    # One correction for the whole roll call on approved minutes: the version moved by one.
    oob = _oob(request, parts, writes=int(writes > 0), people=True, speaker=True)
    return _answer(request, "meetings/includes/_record_attendance.html", context, oob)


# --- Visitors ----------------------------------------------------------------------------------------------------


def _visitors_answer(request: HttpRequest, parts: Parts, form: VisitorForm, *, writes: int) -> HttpResponse:
    context = {"meeting": parts.meeting, "visitors": parts.visitors, "visitor_form": form}
    oob = _oob(request, parts, writes=writes, speaker=True, speech_list=True)
    return _answer(request, "meetings/includes/_record_visitors.html", context, oob)


@login_required
@require_POST
def visitor_add(request: HttpRequest, pk: int) -> HttpResponse:
    """A superior-committee member (by their seat) or a guest (by name and title) attends."""
    meeting = _meeting(request, pk)
    parts = Parts(meeting, seats=True)
    form = parts.visitor_form(request.POST)
    written = False
    if form.is_valid():
        data = form.cleaned_data
        try:
            visitor = services.visitor_add(
                meeting=meeting,
                seat=data["seat_obj"],
                name=data["name"],
                title=data["title"],
                is_superior=data["seat_obj"] is not None or data["is_superior"],
                correction_reason=_correction_reason(request),
                by=request.user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            written = True
            parts.visitors.append(visitor)
            form = parts.visitor_form()
    if not request.htmx:
        if written:
            messages.success(request, _("Đã thêm đại biểu {name}.").format(name=visitor.name))
        else:
            messages.error(request, " ".join(form.errors.get("__all__", []) + _field_errors(form)))
        return redirect(_page_url(meeting, "dai-bieu"))
    return _visitors_answer(request, parts, form, writes=int(written))


def _field_errors(form: forms.Form) -> list[str]:
    return [str(message) for name, errors in form.errors.items() if name != "__all__" for message in errors]


@login_required
@require_POST
def visitor_remove(request: HttpRequest, pk: int, visitor_pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    visitor = meeting.visitors.filter(pk=visitor_pk).first()
    if visitor is None:
        raise Http404
    error = None
    try:
        services.visitor_remove(visitor=visitor, correction_reason=_correction_reason(request), by=request.user)
    except ValidationError as exc:
        error = _error_text(exc)
    if not request.htmx:
        if error:
            messages.error(request, error)
        else:
            messages.success(request, _("Đã bỏ đại biểu {name}.").format(name=visitor.name))
        return redirect(_page_url(meeting, "dai-bieu"))
    parts = Parts(meeting, seats=True)
    form = parts.visitor_form()
    if error:
        form.add_error(None, error)
    return _visitors_answer(request, parts, form, writes=0 if error else 1)


# --- Speeches ----------------------------------------------------------------------------------------------------


def _speeches_answer(request: HttpRequest, parts: Parts, form: SpeechForm, *, writes: int) -> HttpResponse:
    context = {"meeting": parts.meeting, "speech_form": form, "speeches": parts.speeches()}
    return _answer(request, "meetings/includes/_record_speeches.html", context, _oob(request, parts, writes=writes))


@login_required
@require_POST
def speech_add(request: HttpRequest, pk: int) -> HttpResponse:
    """A speech by a present member or a visitor, on an agenda item, in a sentence or two."""
    meeting = _meeting(request, pk)
    parts = Parts(meeting)
    form = parts.speech_form(request.POST)
    written = False
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.speech_add(
                meeting=meeting,
                summary=data["summary"],
                member=data["member"],
                visitor=data["visitor"],
                agenda_item=data["item"],
                correction_reason=_correction_reason(request),
                by=request.user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            written = True
            # The next speaker most often speaks on the same item.
            form = parts.speech_form(initial={"agenda_item": data["agenda_item"]})
    if not request.htmx:
        if written:
            messages.success(request, _("Đã ghi ý kiến phát biểu."))
        else:
            messages.error(request, " ".join(form.errors.get("__all__", []) + _field_errors(form)))
        return redirect(_page_url(meeting, "phat-bieu"))
    return _speeches_answer(request, parts, form, writes=int(written))


@login_required
@require_POST
def speech_remove(request: HttpRequest, pk: int, speech_pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    speech = meeting.speeches.filter(pk=speech_pk).first()
    if speech is None:
        raise Http404
    error = None
    try:
        services.speech_remove(speech=speech, correction_reason=_correction_reason(request), by=request.user)
    except ValidationError as exc:
        error = _error_text(exc)
    if not request.htmx:
        if error:
            messages.error(request, error)
        else:
            messages.success(request, _("Đã xóa ý kiến phát biểu."))
        return redirect(_page_url(meeting, "phat-bieu"))
    parts = Parts(meeting)
    form = parts.speech_form()
    if error:
        form.add_error(None, error)
    return _speeches_answer(request, parts, form, writes=0 if error else 1)
