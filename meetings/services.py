"""Writes about meetings: plan, agenda, publish, change, cancel, absence notices, recording, approval, correction.

Each function validates (Vietnamese messages keyed by form field), writes in one transaction, and writes nothing
when it refuses. Mail is queued as outbox rows in the same transaction and sent after the commit.
"""

import contextlib
import contextvars
import datetime
import logging
from dataclasses import dataclass

from celery import current_app
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cells.history import records_actor
from cells.models import Organization, PendingRefresh
from cells.numbering import numbering_period
from cells.periods import add_months, local_date, local_today, month_start, quarter_start
from cells.services import refresh_request
from cells.text import format_number, vi_date
from meetings import outbox
from meetings.agenda import default_agenda
from meetings.models import (
    AbsenceNotice,
    AgendaItem,
    Attendance,
    Material,
    Meeting,
    OfficialDocument,
    Speech,
    Visitor,
    VisitQuota,
    VisitQuotaSet,
    VisitReport,
)
from meetings.quota_presets import PRESETS as QUOTA_PRESETS
from meetings.rules import (
    MeetingFacts,
    assess,
    grade_for,
    minutes_between,
    record_refusal,
    resolution_check,
    rules_for,
    speaker_counts,
    vote_basis,
    vote_tally,
)
from members.models import CommitteeSeat, Member

Status = Meeting.Status
logger = logging.getLogger(__name__)
# The task of ``reports`` that renders and stores the documents issued (named, never imported: reports sits above).
DOCUMENTS_TASK = "reports.store_documents"

# How many days a recorded start may lie from the planned date. A monthly meeting is moved by a few days for a
# holiday, a storm or the secretary's absence, within the week; a start further off is nearly always a slip of the
# date picker (another month, last year), and a meeting really moved further should have its plan changed first,
# which tells the members the new date.
MAX_START_DRIFT_DAYS = 7
# A cell meeting lasts hours, never days: a longer span is a wrong date (a start moved back within the week above, an
# end on another day), refused rather than confirmed. The policy's ``confirm_over_minutes`` (at most 24 hours too)
# asks to confirm an unusually long meeting below this.
MAX_MEETING_HOURS = 24


class StaleEdit(ValidationError):
    """Somebody else saved the meeting since this form was opened (optimistic locking)."""


# An order of business has some 10 to 16 items; its numbers are small integers in the database.
MAX_AGENDA_ITEMS = 40


def check_lengths(model, values: dict[str, str], *, keys: dict[str, str] | None = None) -> None:
    """Refuse texts longer than ``model``'s field allows (its ``max_length``, the one place each limit is written),
    each error on its form field (``keys`` maps a model field to another form field's name)."""
    errors = {}
    for name, value in values.items():
        limit = model._meta.get_field(name).max_length
        if value and len(value) > limit:
            errors[(keys or {}).get(name, name)] = _(
                "Nội dung dài {n} ký tự, quá giới hạn {limit} ký tự: hãy rút gọn rồi lưu lại."
            ).format(n=format_number(len(value)), limit=format_number(limit))
    if errors:
        raise ValidationError(errors)


def check_agenda(items: list[tuple[str, str]]) -> None:
    """An agenda's items: not more than ``MAX_AGENDA_ITEMS``, each title and detail within its field's length."""
    if len(items) > MAX_AGENDA_ITEMS:
        raise ValidationError(
            {
                "agenda": _("Chương trình có {n} mục, quá {limit} mục: hãy gộp các mục nhỏ.").format(
                    n=format_number(len(items)), limit=MAX_AGENDA_ITEMS
                )
            }
        )
    for title, details in items:
        check_lengths(AgendaItem, {"title": title, "details": details}, keys={"title": "agenda", "details": "agenda"})


def _check_version(meeting: Meeting, version: int | None) -> None:
    if version is not None and version != meeting.version:
        raise StaleEdit(
            _(
                "Biên bản vừa được người khác lưu (phiên bản {theirs}, đồng chí đang sửa phiên bản {yours}). "
                "Nội dung đồng chí nhập vẫn còn bên dưới: hãy xem lại bản mới rồi lưu lại."
            ).format(theirs=meeting.version, yours=version)
        )


def _bump(meeting: Meeting, fields: list[str]) -> None:
    """Save ``fields`` and the next version. Callers hold the row lock (``_lock``), so the increment is safe."""
    meeting.version += 1
    meeting.save(update_fields=[*fields, "version", "updated_at"])
    findings_changed(meeting)


_findings_deferred: contextvars.ContextVar[bool] = contextvars.ContextVar("findings_deferred", default=False)


@contextlib.contextmanager
def findings_deferred():
    """For bulk loads that compute the findings themselves afterwards (the demo): no refresh task per write."""
    token = _findings_deferred.set(True)
    try:
        yield
    finally:
        _findings_deferred.reset(token)


def findings_changed(meeting: Meeting, *, month: datetime.date | None = None) -> None:
    """Ask, in this transaction, for the findings of the meeting's organization and month to be computed again (with
    the later months of its quarter): a ``cells.PendingRefresh`` row, done by a task of ``reports`` after the commit,
    or by its sweep if the broker is down. This app sits below ``reports``: it asks by a row, never by an import."""
    if _findings_deferred.get():
        return
    month = month_start(month or meeting.planned_date)
    refresh_request(
        organization_id=meeting.organization_id,
        cause=PendingRefresh.Cause.MEETING,
        first_month=month,
        last_month=add_months(quarter_start(month), 2),
    )


def _lock(meeting: Meeting) -> Meeting:
    """Re-read the meeting under a row lock: concurrent writers queue here, and see each other's version."""
    return Meeting.objects.select_for_update().get(pk=meeting.pk)


def _check_plan(
    organization: Organization,
    kind: str,
    planned_date: datetime.date,
    topic: str,
    exclude_pk=None,
    kept_kind: str | None = None,
):
    """Why a plan cannot be saved, keyed by form field. ``kept_kind``: the kind an edited meeting has, kept even when
    its organization no longer holds that kind (a committee's meeting entered as a cell's before kinds of their own)."""
    errors = {}
    kinds = Meeting.kinds_for(organization)
    if kind not in kinds and kind != kept_kind:
        labels = dict(Meeting.Kind.choices)
        errors["kind"] = _("{organization} không tổ chức “{kind}”. Chọn một trong: {choices}.").format(
            organization=organization.name,
            kind=labels.get(kind, kind),
            choices=", ".join(str(labels[choice]) for choice in kinds),
        )
    if kind == Meeting.Kind.THEMATIC and not topic.strip():
        errors["topic"] = _("Sinh hoạt chuyên đề phải có tên chuyên đề.")
    if kind == Meeting.Kind.CONFERENCE and not topic.strip():
        errors["topic"] = _("Hội nghị đảng bộ phải có nội dung (tên hội nghị).")
    if kind in Meeting.REGULAR_KINDS:
        clash = (
            Meeting.objects.filter(
                organization=organization, month=planned_date.replace(day=1), kind__in=Meeting.REGULAR_KINDS
            )
            .exclude(status=Status.CANCELLED)
            .exclude(pk=exclude_pk)
            .first()
        )
        if clash:
            errors["planned_date"] = _(
                "Tháng {month} đã có buổi sinh hoạt định kỳ (ngày {day}). Buổi họp thêm trong tháng là sinh hoạt "
                "bất thường hoặc chuyên đề."
            ).format(month=planned_date.strftime("%m/%Y"), day=vi_date(clash.planned_date))
    if not organization.is_active_on(planned_date):
        errors["planned_date"] = _("Tổ chức không còn hoạt động vào ngày {day}.").format(day=vi_date(planned_date))
    if errors:
        raise ValidationError(errors)


# A plan lies within a year of today, either way: further is nearly always a slip of the date picker.
PLAN_HORIZON_DAYS = 366


def check_plan_date(day: datetime.date) -> None:
    """Refuse a meeting's date more than ``PLAN_HORIZON_DAYS`` from today (the plan form and the API)."""
    today = local_today()
    if day < today - datetime.timedelta(days=PLAN_HORIZON_DAYS):
        raise ValidationError({"planned_date": _("Ngày họp quá xa trong quá khứ.")})
    if day > today + datetime.timedelta(days=PLAN_HORIZON_DAYS):
        raise ValidationError(
            {"planned_date": _("Ngày họp quá xa trong tương lai: chỉ lập kế hoạch trong vòng một năm tới.")}
        )


def past_start_warning(
    day: datetime.date, at: datetime.time, *, confirm: str, now: datetime.datetime | None = None
) -> str | None:
    """A new plan whose start has passed is a meeting held before it was entered here: allowed once the secretary
    confirms it (``confirm``: how, in the form or the API), so that it can be recorded. ``None`` when the start is
    still to come."""
    start = datetime.datetime.combine(day, at, tzinfo=timezone.get_default_timezone())
    if start > (now or timezone.now()):
        return None
    return _(
        "Giờ họp {time} ngày {day} đã qua. Nếu buổi họp đã diễn ra và đồng chí lập kế hoạch để ghi lại biên bản, "
        "{confirm}; nếu chưa họp, chọn ngày sắp tới."
    ).format(time=at.strftime("%H:%M"), day=vi_date(day), confirm=confirm)


@records_actor
@transaction.atomic
def meeting_plan(
    *,
    organization: Organization,
    kind: str,
    planned_date: datetime.date,
    planned_time: datetime.time,
    venue: str,
    topic: str = "",
    agenda: list[tuple[str, str]] | None = None,
    by=None,
) -> Meeting:
    """Plan a meeting; the agenda defaults to the order of business for its kind."""
    _check_plan(organization, kind, planned_date, topic)
    if agenda is not None:
        check_agenda(agenda)
    meeting = Meeting(
        organization=organization,
        kind=kind,
        planned_date=planned_date,
        planned_time=planned_time,
        venue=venue.strip(),
        topic=topic.strip(),
    )
    meeting.month = planned_date.replace(day=1)
    meeting.full_clean(exclude=["month"], validate_constraints=False)
    try:
        with transaction.atomic():
            meeting.save()
    except IntegrityError:  # a concurrent plan for the same month won the race
        raise ValidationError({"planned_date": _("Chi bộ đã có buổi sinh hoạt định kỳ trong tháng này.")}) from None
    items = agenda if agenda is not None else default_agenda(kind, topic)
    AgendaItem.objects.bulk_create(
        AgendaItem(meeting=meeting, order=i, title=title, details=details)
        for i, (title, details) in enumerate(items, 1)
    )
    return meeting


def _check_editable(meeting: Meeting) -> None:
    if meeting.status == Status.CANCELLED:
        raise ValidationError(_("Buổi sinh hoạt đã hủy."))
    if meeting.status == Status.APPROVED:
        raise ValidationError(_("Biên bản đã duyệt: muốn sửa phải ghi lý do đính chính."))


@records_actor
@transaction.atomic
def meeting_update_plan(
    *,
    meeting: Meeting,
    version: int | None,
    kind: str,
    planned_date: datetime.date,
    planned_time: datetime.time,
    venue: str,
    topic: str = "",
    agenda: list[tuple[str, str]] | None = None,
    by=None,
) -> Meeting:
    """Change the plan and, when ``agenda`` is given, the agenda with it, in one transaction. After publishing, a new
    time or venue sends an "updated" e-mail (same UID, higher SEQUENCE), written once everything changed, so it
    carries the new agenda."""
    meeting = _lock(meeting)
    _check_version(meeting, version)
    if meeting.status not in (Status.PLANNED, Status.PUBLISHED):
        raise ValidationError(_("Chỉ sửa được kế hoạch trước khi họp."))
    _check_plan(meeting.organization, kind, planned_date, topic, exclude_pk=meeting.pk, kept_kind=meeting.kind)
    moved = (planned_date, planned_time, venue.strip()) != (meeting.planned_date, meeting.planned_time, meeting.venue)
    if month_start(planned_date) != meeting.month:
        findings_changed(meeting, month=meeting.month)  # the month it leaves is measured again too
    meeting.kind, meeting.planned_date, meeting.planned_time = kind, planned_date, planned_time
    meeting.venue, meeting.topic = venue.strip(), topic.strip()
    fields = ["kind", "planned_date", "month", "planned_time", "venue", "topic"]
    if moved and meeting.status == Status.PUBLISHED:
        meeting.sequence += 1
        fields.append("sequence")
    _bump(meeting, fields)
    if agenda is not None:
        _replace_agenda(meeting, agenda)
    if moved and meeting.status == Status.PUBLISHED:
        outbox.queue_meeting_mail(meeting, kind="update")
    return meeting


def _replace_agenda(meeting: Meeting, items: list[tuple[str, str]]) -> list[AgendaItem]:
    """Replace the agenda of a locked meeting with ``items`` (title, details), keeping conclusions and speeches of
    kept titles."""
    cleaned = [(title.strip(), details.strip()) for title, details in items if title.strip()]
    check_agenda(cleaned)
    if not cleaned:
        raise ValidationError({"agenda": _("Chương trình phải có ít nhất một nội dung.")})
    existing = {item.title: item for item in meeting.agenda.all()}
    keep = []
    AgendaItem.objects.filter(meeting=meeting).update(order=F("order") + 1000)  # free the order numbers
    for order, (title, details) in enumerate(cleaned, 1):
        item = existing.pop(title, None)
        if item:
            item.order, item.details = order, details
            item.save(update_fields=["order", "details"])
        else:
            item = AgendaItem.objects.create(meeting=meeting, order=order, title=title, details=details)
        keep.append(item)
    AgendaItem.objects.filter(pk__in=[item.pk for item in existing.values()]).delete()
    return keep


@records_actor
@transaction.atomic
def agenda_set(*, meeting: Meeting, items: list[tuple[str, str]], by=None) -> list[AgendaItem]:
    """Replace the agenda with ``items`` (title, details), keeping conclusions and speeches of kept titles."""
    meeting = _lock(meeting)
    _check_editable(meeting)
    return _replace_agenda(meeting, items)


@records_actor
@transaction.atomic
def meeting_publish(*, meeting: Meeting, by=None) -> list[Member]:
    """Publish: every member on the roster and every superior-committee member following the organization gets the
    agenda e-mail with an .ics invite. Returns the members without an e-mail address, to be told on paper."""
    meeting = _lock(meeting)
    if meeting.status != Status.PLANNED:
        raise ValidationError(_("Buổi sinh hoạt này đã được gửi thông báo hoặc đã họp."))
    if not meeting.agenda.exists():
        raise ValidationError(_("Chưa có chương trình sinh hoạt."))
    meeting.status = Status.PUBLISHED
    meeting.published_at = timezone.now()
    _bump(meeting, ["status", "published_at"])
    return outbox.queue_meeting_mail(meeting, kind="agenda")


@records_actor
@transaction.atomic
def meeting_cancel(*, meeting: Meeting, reason: str, by=None) -> Meeting:
    meeting = _lock(meeting)
    if meeting.status not in (Status.PLANNED, Status.PUBLISHED):
        raise ValidationError(_("Chỉ hủy được buổi sinh hoạt chưa họp."))
    if not reason.strip():
        raise ValidationError({"reason": _("Ghi lý do hủy.")})
    check_lengths(Meeting, {"cancel_reason": reason.strip()}, keys={"cancel_reason": "reason"})
    was_published = meeting.status == Status.PUBLISHED
    meeting.status = Status.CANCELLED
    meeting.cancel_reason = reason.strip()
    fields = ["status", "cancel_reason"]
    if was_published:
        meeting.sequence += 1
        fields.append("sequence")
    _bump(meeting, fields)
    if was_published:
        outbox.queue_meeting_mail(meeting, kind="cancel")
    return meeting


def roster_for(meeting: Meeting):
    return Member.objects.roster_of(meeting.organization, meeting.planned_date)


@dataclass(frozen=True)
class AbsenceNoticeCheck:
    """Whether a member may say ahead that they will miss a meeting: ``refusal`` says why not (``None``: they may);
    ``on_roster`` whether the meeting is theirs at all (a committee member following the cell is not on its roster)."""

    on_roster: bool
    refusal: str | None


def absence_notice_check(*, meeting: Meeting, member: Member | None) -> AbsenceNoticeCheck:
    """The one decision on an absence notice: the meeting page offers the form when it allows one, and
    ``absence_notice_submit`` accepts one on the same terms."""
    if member is None or not roster_for(meeting).filter(pk=member.pk).exists():
        return AbsenceNoticeCheck(False, _("Đồng chí không có trong danh sách đảng viên của buổi sinh hoạt này."))
    if meeting.status not in (Status.PLANNED, Status.PUBLISHED):
        return AbsenceNoticeCheck(True, _("Buổi sinh hoạt đã diễn ra hoặc đã hủy."))
    if timezone.now() >= meeting.planned_start:
        return AbsenceNoticeCheck(True, _("Đã đến giờ họp; hãy báo trực tiếp với bí thư chi bộ."))
    return AbsenceNoticeCheck(True, None)


@transaction.atomic
def absence_notice_submit(*, meeting: Meeting, member: Member, reason: str) -> AbsenceNotice:
    """A member says ahead that they will be absent; the secretary sees it as a proposed excused absence."""
    if refusal := absence_notice_check(meeting=meeting, member=member).refusal:
        raise ValidationError(refusal)
    if not reason.strip():
        raise ValidationError({"reason": _("Ghi lý do vắng.")})
    check_lengths(AbsenceNotice, {"reason": reason.strip()})
    notice, _created = AbsenceNotice.objects.update_or_create(
        meeting=meeting, member=member, defaults={"reason": reason.strip()}
    )
    # A roll call already begun (on the meeting's day, before the start) shows it as a proposed excused absence; the
    # member's own word is never the committee's acceptance of the reason.
    Attendance.objects.filter(meeting=meeting, member=member, status="").update(
        status="excused", reason=notice.reason, absence_accepted=False
    )
    return notice


@transaction.atomic
def absence_notice_withdraw(*, meeting: Meeting, member: Member) -> None:
    if meeting.status not in (Status.PLANNED, Status.PUBLISHED):
        raise ValidationError(_("Buổi sinh hoạt đã diễn ra hoặc đã hủy."))
    AbsenceNotice.objects.filter(meeting=meeting, member=member).delete()


def roll_call(meeting: Meeting) -> list[Attendance]:
    """The roll call in name order, read only: the saved rows, and for each member of the roster on the meeting's
    date without one yet, an unsaved row freezing their status that day (a member's absence notice proposes an
    excused absence with their reason, never accepted: acceptance is the committee's decision). Approved minutes
    show their saved rows only. Three queries."""
    saved = list(meeting.attendances.select_related("member").order_by("member__sort_key"))
    if meeting.is_locked:
        return saved
    existing = {row.member_id for row in saved}
    notices = dict(AbsenceNotice.objects.filter(meeting=meeting).values_list("member_id", "reason"))
    new = []
    for member in roster_for(meeting):
        if member.pk in existing:
            continue
        notice = notices.get(member.pk)
        new.append(
            Attendance(
                meeting=meeting,
                member=member,
                member_status=member.status,
                is_guest=member.membership_kind == "temporary",
                status=Attendance.Status.EXCUSED if notice else "",
                reason=notice or "",
                absence_accepted=False,
            )
        )
    if not new:
        return saved
    return sorted([*saved, *new], key=lambda row: (row.member.sort_key, row.member_id))


@transaction.atomic
def attendance_prepare(*, meeting: Meeting) -> list[Attendance]:
    """Write the roll-call rows ``roll_call`` shows but has not saved yet: done by the first roll-call save, never
    by opening a page. Safe to call again: adds members who joined the roster."""
    rows = roll_call(meeting)
    Attendance.objects.bulk_create([row for row in rows if row.pk is None])
    return list(meeting.attendances.select_related("member").order_by("member__sort_key"))


def _check_day(meeting: Meeting) -> None:
    """Nothing is recorded before the meeting's day (roll call, visitors, speeches, times, vote)."""
    if meeting.planned_date > local_today():
        raise ValidationError(
            _("Buổi họp ngày {day} chưa diễn ra: chưa thể điểm danh hay ghi biên bản trước ngày họp.").format(
                day=vi_date(meeting.planned_date)
            )
        )


def check_recordable(meeting: Meeting, correction_reason: str | None = None) -> None:
    """Raise why nothing of the meeting's record can be written now (see ``_check_not_locked``): for a caller that
    writes several parts of the record in one go, before the first."""
    _check_not_locked(meeting, correction_reason)


def check_agenda_item(meeting: Meeting, agenda_item: AgendaItem | None) -> None:
    if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
        raise ValidationError({"agenda_item": _("Mục chương trình không thuộc buổi này.")})


def _check_not_locked(meeting: Meeting, correction_reason: str | None) -> None:
    """Why nothing of the record can be written now: a cancelled meeting, a meeting whose day has not come, approved
    minutes without a reason for the correction."""
    _check_open(meeting, correction_reason)
    _check_day(meeting)


def _check_open(meeting: Meeting, correction_reason: str | None) -> None:
    """Why nothing can be added to the meeting's file (its record, its documents): cancelled, or approved minutes
    without a reason for the correction. Documents may come before the meeting's day; the record may not."""
    if meeting.status == Status.CANCELLED:
        raise ValidationError(_("Buổi sinh hoạt đã hủy."))
    if meeting.status == Status.APPROVED and not (correction_reason or "").strip():
        raise ValidationError({"correction_reason": _("Biên bản đã duyệt: ghi lý do đính chính để sửa.")})


def _after_change(meeting: Meeting, correction_reason: str | None, by) -> None:
    if meeting.status == Status.APPROVED:
        meeting.correction_count += 1
        meeting._change_reason = _("Đính chính: {reason}").format(reason=correction_reason.strip())
        _bump(meeting, ["correction_count", *_assign_numbers(meeting)])
        documents_issue(meeting=meeting, reason=meeting._change_reason)


def _check_attendance(meeting: Meeting, row: Attendance | None, status: str, reason: str, spoke: set[int]) -> None:
    """Why one roll-call answer cannot be saved (the same check for one row and for many): a ValidationError."""
    if row is None:
        raise ValidationError(_("Đảng viên không có trong danh sách điểm danh của buổi này."))
    if status not in Attendance.Status.values:
        raise ValidationError({"status": _("Chọn có mặt, vắng có lý do hoặc vắng không lý do.")})
    if status == Attendance.Status.EXCUSED and not reason.strip() and meeting.status in (Status.HELD, Status.APPROVED):
        # While recording, the tap is saved at once and the reason follows (closing the meeting asks for it).
        raise ValidationError({"reason": _("Vắng có lý do thì phải ghi lý do.")})
    if status != Attendance.Status.PRESENT and row.member_id in (meeting.chair_id, meeting.recorder_id):
        raise ValidationError({"status": _("Chủ trì và thư ký phải có mặt.")})
    if status != Attendance.Status.PRESENT and row.member_id in spoke:
        raise ValidationError({"status": _("Đảng viên này đã phát biểu nên phải có mặt.")})


def _speakers(meeting: Meeting) -> set[int]:
    return set(meeting.speeches.filter(member__isnull=False).values_list("member_id", flat=True))


@records_actor
@transaction.atomic
def attendance_set(
    *,
    meeting: Meeting,
    member: Member,
    status: str,
    reason: str = "",
    absence_accepted: bool = False,
    correction_reason: str | None = None,
    by=None,
) -> Attendance:
    """Mark one member present, excused (with a reason) or absent. Each row is its own write (htmx toggles); the
    first one writes the whole roll call's rows (``attendance_prepare``). An excused absence counts as accepted by the
    committee (out of the vote's denominator) only when ``absence_accepted`` says so: the secretary's explicit tick.
    While the meeting is recorded, an excused absence may wait for its reason (the tap is kept, "Tất cả có mặt" leaves
    it alone); closing the meeting asks for every reason."""
    meeting = _lock(meeting)
    _check_not_locked(meeting, correction_reason)
    row = Attendance.objects.filter(meeting=meeting, member=member).first()
    if row is None:
        attendance_prepare(meeting=meeting)
        row = Attendance.objects.filter(meeting=meeting, member=member).first()
    _check_attendance(meeting, row, status, reason, _speakers(meeting))
    check_lengths(Attendance, {"reason": reason.strip()})
    row.status = status
    row.reason = reason.strip() if status == Attendance.Status.EXCUSED else ""
    row.absence_accepted = bool(absence_accepted) and status == Attendance.Status.EXCUSED
    row.save(update_fields=["status", "reason", "absence_accepted"])
    _after_change(meeting, correction_reason, by)
    findings_changed(meeting)
    return row


@records_actor
@transaction.atomic
def attendance_all_present(
    *,
    meeting: Meeting,
    members: list[Member] | None = None,
    correction_reason: str | None = None,
    by=None,
) -> int:
    """Mark present, in one go, the roll-call rows not marked yet (of ``members`` only, when given: the rows the
    secretary saw unmarked). All or nothing: every row is checked as ``attendance_set`` checks one, and a row that
    cannot be saved refuses the whole, naming its member. A row already marked is never overwritten. One request
    for the findings, one correction when the minutes are approved. Returns the number of rows marked."""
    meeting = _lock(meeting)
    _check_not_locked(meeting, correction_reason)
    rows = {row.member_id: row for row in attendance_prepare(meeting=meeting)}
    wanted = [member.pk for member in members] if members is not None else list(rows)
    problems = []
    marked = []
    for member_id in wanted:
        row = rows.get(member_id)
        if row is not None and row.status:
            continue  # the secretary (or someone else) already answered for this member
        try:
            _check_attendance(meeting, row, Attendance.Status.PRESENT, "", set())
        except ValidationError as error:
            name = row.member.full_name if row else next((m.full_name for m in members if m.pk == member_id), "?")
            problems.append(_("{name}: {error}").format(name=name, error=" ".join(error.messages)))
            continue
        marked.append(row)
    if problems:
        raise ValidationError(_("Chưa điểm danh ai: {problems}").format(problems="; ".join(problems)))
    for row in marked:
        row.status, row.reason, row.absence_accepted = Attendance.Status.PRESENT, "", False
        row.save(update_fields=["status", "reason", "absence_accepted"])
    if marked:
        _after_change(meeting, correction_reason, by)
        findings_changed(meeting)
    return len(marked)


def vote_rows(meeting: Meeting, roll: list[Attendance] | None = None) -> list[tuple]:
    """The roll call as ``meetings.rules.vote_basis`` reads it: status frozen on the day, attendance, absence
    accepted, guest, and whether the member was an official member on the meeting's day (for guests who may vote).
    From the saved rows (one query), or from ``roll`` (``roll_call``: with the rows not saved yet)."""
    if roll is not None:
        return [
            (
                row.member_status,
                row.status,
                row.absence_accepted,
                row.is_guest,
                row.member.official_date is not None and row.member.official_date <= meeting.planned_date,
            )
            for row in roll
        ]
    return [
        (status, attendance, accepted, guest, official_date is not None and official_date <= meeting.planned_date)
        for status, attendance, accepted, guest, official_date in meeting.attendances.values_list(
            "member_status", "status", "absence_accepted", "is_guest", "member__official_date"
        )
    ]


def meeting_facts(meeting: Meeting, *, guests_may_vote: bool = False, rows: list | None = None) -> MeetingFacts:
    """The facts the rules read, counted in Python from this meeting's rows (``meetings.rules`` counts the same in
    SQL for the monthly findings): two queries, one when the roll call's ``rows`` (``vote_rows``) are given."""
    rows = vote_rows(meeting) if rows is None else rows
    return MeetingFacts(
        kind=meeting.kind,
        planned_date=meeting.planned_date,
        length=minutes_between(meeting.started_at, meeting.ended_at),
        speakers=speaker_counts(Speech.objects.filter(meeting=meeting)).get(meeting.pk, 0),
        basis=vote_basis(rows, guests_may_vote=guests_may_vote),
        votes_for=meeting.votes_for,
        published_on=local_date(meeting.published_at),
        approved_on=local_date(meeting.approved_at),
    )


def figures(meeting: Meeting, *, roll: list[Attendance] | None = None, votes: tuple | None = None) -> dict:
    """The live figures beside the recording form and on the meeting page: every meeting-level rule judged by the
    policy in force on the meeting's day (``meetings.rules.assess``), and the roll call's progress. ``roll``: the
    roll call as the recording page shows it (``roll_call``); ``votes``: (for, against, abstaining) typed but not
    saved yet, judged by the same rule (``meetings.rules.resolution_check`` with the ``VoteTally``)."""
    rules = rules_for(meeting.organization, meeting.planned_date)
    rows = vote_rows(meeting, roll)
    facts = meeting_facts(meeting, guests_may_vote=rules.guests_may_vote, rows=rows)
    checks = assess(facts, rules.policy, local_today())
    statuses = [row[1] for row in rows]
    if votes is None:
        votes = (meeting.votes_for, meeting.votes_against, meeting.votes_abstain)
    tally = vote_tally(facts.basis, *votes)
    return {
        "rules": rules,
        "checks": checks,
        "length": checks["length"],
        "speakers": checks["speakers"],
        "basis": facts.basis,
        "votes_for": votes[0],
        "tally": tally,
        "passes": resolution_check(facts.basis, votes[0], tally).ok,
        "quorum_ok": checks["attendance"].ok,
        "present": statuses.count("present"),
        "excused": statuses.count("excused"),
        "absent": statuses.count("absent"),
        "unmarked": statuses.count(""),
        "roster": len(statuses),
    }


@records_actor
@transaction.atomic
def meeting_record(
    *,
    meeting: Meeting,
    version: int | None,
    started_at: datetime.datetime | None,
    ended_at: datetime.datetime | None,
    confirm_long: bool = False,
    chair: Member | None = None,
    recorder: Member | None = None,
    conclusions: dict[int, str] | None = None,
    resolution_title: str = "",
    resolution_text: str = "",
    votes_for: int | None = None,
    votes_against: int | None = None,
    votes_abstain: int | None = None,
    quality_score: int | None = None,
    confirm_votes: bool = False,
    mark_held: bool = False,
    correction_reason: str | None = None,
    by=None,
) -> Meeting:
    """Save what happened: times, chair and recorder, conclusions per item, the resolution and its vote, the
    self-assessment. ``mark_held`` closes the recording (every roster member must have an attendance state, every
    excused absence its reason). Ballots must not exceed the members present who may vote; fewer (someone left the
    room) are saved when ``confirm_votes`` confirms the difference (asked again only when the numbers change)."""
    meeting = _lock(meeting)
    _check_version(meeting, version)
    _check_not_locked(meeting, correction_reason)
    check_lengths(Meeting, {"resolution_title": resolution_title, "resolution_text": resolution_text})
    for pk, text in (conclusions or {}).items():
        check_lengths(AgendaItem, {"conclusion": text}, keys={"conclusion": f"conclusion_{pk}"})
    errors: dict[str, str] = {}
    now = timezone.now()
    if started_at and started_at > now:
        errors["started_at"] = _("Giờ bắt đầu không được ở tương lai.")
    elif started_at and started_at != meeting.started_at:  # a start kept from before this rule is not questioned
        drift = abs((local_date(started_at) - meeting.planned_date).days)
        if drift > MAX_START_DRIFT_DAYS:
            errors["started_at"] = _(
                "Giờ bắt đầu ({start}) cách ngày họp dự kiến ({planned}) {days} ngày, quá {limit} ngày: kiểm tra lại "
                "ngày, hoặc sửa ngày họp trong kế hoạch."
            ).format(
                start=timezone.localtime(started_at, timezone.get_default_timezone()).strftime("%H:%M %d/%m/%Y"),
                planned=vi_date(meeting.planned_date),
                days=drift,
                limit=MAX_START_DRIFT_DAYS,
            )
    if ended_at and ended_at > now:
        errors["ended_at"] = _("Giờ kết thúc không được ở tương lai.")
    if started_at and ended_at and ended_at <= started_at:
        errors["ended_at"] = _("Giờ kết thúc phải sau giờ bắt đầu.")
    elif (
        started_at
        and ended_at
        and "ended_at" not in errors
        and ended_at - started_at > datetime.timedelta(hours=MAX_MEETING_HOURS)
    ):
        errors["ended_at"] = _(
            "Từ giờ bắt đầu đến giờ kết thúc là {days} ngày: một buổi sinh hoạt không kéo dài quá {limit} giờ. "
            "Kiểm tra lại ngày bắt đầu và ngày kết thúc."
        ).format(days=(ended_at - started_at).days, limit=MAX_MEETING_HOURS)
    rules = rules_for(meeting.organization, meeting.planned_date)
    if started_at and ended_at and "ended_at" not in errors:
        minutes = (ended_at - started_at).total_seconds() / 60
        if minutes > rules.confirm_over_minutes and not confirm_long:
            errors["confirm_long"] = _(
                "Buổi họp dài {hours} giờ (trên {limit} giờ): đánh dấu xác nhận nếu đúng như vậy."
            ).format(hours=format_number(minutes / 60), limit=format_number(rules.confirm_over_minutes / 60))
    present = set(meeting.attendances.filter(status=Attendance.Status.PRESENT).values_list("member_id", flat=True))
    if chair and chair.pk not in present:
        errors["chair"] = _("Chủ trì phải có mặt (điểm danh “Có mặt”).")
    if recorder and recorder.pk not in present:
        errors["recorder"] = _("Thư ký phải có mặt (điểm danh “Có mặt”).")
    if quality_score is not None and not 0 <= quality_score <= 100:
        errors["quality_score"] = _("Điểm tự đánh giá từ 0 đến 100.")
    rows = vote_rows(meeting)
    basis = vote_basis(rows, guests_may_vote=rules.guests_may_vote)
    tally = vote_tally(basis, votes_for, votes_against, votes_abstain)
    saved_votes = (meeting.votes_for, meeting.votes_against, meeting.votes_abstain)
    if tally.over:
        errors["votes_for"] = tally.refusal()
    elif tally.short and (votes_for, votes_against, votes_abstain) != saved_votes and not confirm_votes:
        errors["confirm_votes"] = _("{difference} Đánh dấu xác nhận nếu đúng như vậy.").format(
            difference=tally.difference()
        )
    if mark_held:
        if not (started_at and ended_at):
            errors.setdefault("started_at", _("Nhập giờ bắt đầu và kết thúc trước khi chốt buổi họp."))
        roll = roll_call(meeting)
        unmarked = sum(1 for row in roll if not row.status)
        if unmarked or not roll:
            errors["attendance"] = _(
                "Còn {n} đảng viên chưa điểm danh: mỗi đảng viên phải có mặt, vắng có lý do hoặc vắng không lý do."
            ).format(n=unmarked)
        else:
            no_reason = [row.member.full_name for row in roll if row.status == "excused" and not row.reason.strip()]
            if no_reason:
                errors["attendance"] = _("Vắng có lý do nhưng chưa ghi lý do: {names}.").format(
                    names=", ".join(no_reason)
                )
        if not chair:
            errors.setdefault("chair", _("Chọn đồng chí chủ trì."))
        if not recorder:
            errors.setdefault("recorder", _("Chọn đồng chí thư ký."))
    if errors:
        raise ValidationError(errors)

    meeting.started_at, meeting.ended_at = started_at, ended_at
    meeting.long_meeting_confirmed = bool(confirm_long)
    meeting.chair, meeting.recorder = chair, recorder
    meeting.resolution_title, meeting.resolution_text = resolution_title.strip(), resolution_text.strip()
    meeting.votes_for, meeting.votes_against, meeting.votes_abstain = votes_for, votes_against, votes_abstain
    meeting.quality_score = quality_score
    meeting.quality_grade = grade_for(quality_score)
    fields = [
        "started_at",
        "ended_at",
        "long_meeting_confirmed",
        "chair",
        "recorder",
        "resolution_title",
        "resolution_text",
        "votes_for",
        "votes_against",
        "votes_abstain",
        "quality_score",
        "quality_grade",
    ]
    if mark_held and meeting.status in (Status.PLANNED, Status.PUBLISHED):
        meeting.status = Status.HELD
        fields.append("status")
    correcting = meeting.status == Status.APPROVED
    if correcting:
        meeting.correction_count += 1
        meeting._change_reason = _("Đính chính: {reason}").format(reason=correction_reason.strip())
        fields.append("correction_count")
    _bump(meeting, fields)
    for item in meeting.agenda.all():
        if conclusions is not None and item.pk in conclusions and conclusions[item.pk].strip() != item.conclusion:
            item.conclusion = conclusions[item.pk].strip()
            item.save(update_fields=["conclusion"])
    if correcting:  # a resolution adopted by the correction gets its number; both documents a new version
        numbered = _assign_numbers(meeting)
        if numbered:
            meeting.save(update_fields=numbered)
        documents_issue(meeting=meeting, reason=meeting._change_reason)
    return meeting


@records_actor
@transaction.atomic
def visitor_add(
    *,
    meeting: Meeting,
    seat: CommitteeSeat | None = None,
    name: str = "",
    title: str = "",
    is_superior=True,
    correction_reason: str | None = None,
    by=None,
) -> Visitor:
    meeting = _lock(meeting)
    _check_not_locked(meeting, correction_reason)
    rank = committee_kind = ""
    if seat is not None:
        seat = CommitteeSeat.objects.select_related("organization", "member").get(pk=seat.pk)
        day = meeting.planned_date
        if not (seat.valid_from <= day and (seat.valid_to is None or day < seat.valid_to)):
            raise ValidationError(
                {
                    "seat": _("Ngày {day} đồng chí {name} không giữ chức vụ này trong cấp ủy.").format(
                        day=vi_date(day), name=seat.holder
                    )
                }
            )
        if meeting.visitors.filter(seat=seat).exists():
            raise ValidationError(
                {"seat": _("Đồng chí {name} đã có trong danh sách đại biểu.").format(name=seat.holder)}
            )
        name = name or seat.holder
        title = title or seat.title or seat.get_rank_display()
        # The seat's rank and committee on the meeting's day go with the visit (a seat is dated: a new rank is a new
        # seat), so the visit is judged by what the visitor held then.
        rank, committee_kind, is_superior = seat.rank, seat.organization.kind, True
    if not name.strip():
        raise ValidationError({"name": _("Nhập họ tên đại biểu hoặc chọn cấp ủy viên.")})
    check_lengths(Visitor, {"name": name.strip(), "title": title.strip()})
    visitor = Visitor.objects.create(
        meeting=meeting,
        seat=seat,
        name=name.strip(),
        title=title.strip(),
        is_superior=is_superior,
        rank=rank,
        committee_kind=committee_kind,
        recorded_by=by if getattr(by, "is_authenticated", False) else None,
    )
    _after_change(meeting, correction_reason, by)
    return visitor


@records_actor
@transaction.atomic
def visitor_remove(*, visitor: Visitor, correction_reason: str | None = None, by=None) -> None:
    meeting = _lock(visitor.meeting)
    _check_not_locked(meeting, correction_reason)
    report = VisitReport.objects.filter(visitor=visitor).first()
    if report is not None and report.is_submitted:
        raise ValidationError(
            _("Đồng chí {name} đã nộp báo cáo dự buổi họp này: không bỏ khỏi danh sách đại biểu được.").format(
                name=visitor.name
            )
        )
    if report is not None:
        report.delete()
    visitor.delete()
    _after_change(meeting, correction_reason, by)


@records_actor
@transaction.atomic
def speech_add(
    *,
    meeting: Meeting,
    summary: str,
    member: Member | None = None,
    visitor: Visitor | None = None,
    agenda_item: AgendaItem | None = None,
    correction_reason: str | None = None,
    by=None,
) -> Speech:
    """A speech by a present member (or a visitor of this meeting), on an agenda item."""
    meeting = _lock(meeting)
    _check_not_locked(meeting, correction_reason)
    if (member is None) == (visitor is None):
        raise ValidationError({"speaker": _("Chọn người phát biểu.")})
    if member is not None and not meeting.attendances.filter(member=member, status=Attendance.Status.PRESENT).exists():
        raise ValidationError({"speaker": _("Người phát biểu phải có mặt (điểm danh “Có mặt”).")})
    if visitor is not None and visitor.meeting_id != meeting.pk:
        raise ValidationError({"speaker": _("Đại biểu không dự buổi này.")})
    check_agenda_item(meeting, agenda_item)
    if not summary.strip():
        raise ValidationError({"summary": _("Ghi tóm tắt ý kiến phát biểu.")})
    check_lengths(Speech, {"summary": summary.strip()})
    order = (meeting.speeches.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    speech = Speech.objects.create(
        meeting=meeting, member=member, visitor=visitor, agenda_item=agenda_item, summary=summary.strip(), order=order
    )
    _after_change(meeting, correction_reason, by)
    findings_changed(meeting)
    return speech


@records_actor
@transaction.atomic
def speech_remove(*, speech: Speech, correction_reason: str | None = None, by=None) -> None:
    meeting = _lock(speech.meeting)
    _check_not_locked(meeting, correction_reason)
    speech.delete()
    _after_change(meeting, correction_reason, by)
    findings_changed(meeting)


@records_actor
@transaction.atomic
def minutes_approve(*, meeting: Meeting, by) -> Meeting:
    """The chair approves the minutes: the meeting is locked; later changes need a reason and are kept in history."""
    meeting = _lock(meeting)
    if meeting.status != Status.HELD:
        raise ValidationError(_("Chỉ duyệt được biên bản của buổi đã chốt (đã họp)."))
    chair_user_id = Member.objects.filter(pk=meeting.chair_id).values_list("user_id", flat=True).first()
    if chair_user_id is not None and by is not None and chair_user_id != by.pk and not by.is_superuser:
        raise ValidationError(_("Chỉ đồng chí chủ trì buổi họp duyệt được biên bản."))
    meeting.status = Status.APPROVED
    meeting.approved_at = timezone.now()
    meeting.approved_by = by
    meeting._change_reason = _("Chủ trì duyệt biên bản")
    _bump(meeting, ["status", "approved_at", "approved_by", *_assign_numbers(meeting)])
    documents_issue(meeting=meeting, reason=meeting._change_reason)
    return meeting


def resolution_adopted(meeting: Meeting) -> bool:
    """The meeting adopted a resolution: it has one (a title or a text) and the vote passed it (the Statute's rule,
    ``meetings.rules.resolution_check``)."""
    if not (meeting.resolution_title or meeting.resolution_text) or meeting.votes_for is None:
        return False
    rules = rules_for(meeting.organization, meeting.planned_date)
    basis = vote_basis(vote_rows(meeting), guests_may_vote=rules.guests_may_vote)
    tally = vote_tally(basis, meeting.votes_for, meeting.votes_against, meeting.votes_abstain)
    return resolution_check(basis, meeting.votes_for, tally).ok


def _next_number(meeting: Meeting, field: str, start: datetime.date, end: datetime.date | None) -> int:
    """The next number of ``field`` in the organization's period: numbered in it (``numbered_from``), or dated in it
    (numbers given under an earlier choice of period count too: one number is never printed twice in a period)."""
    dated = Q(planned_date__gte=start) & (Q(planned_date__lt=end) if end else Q())
    last = Meeting.objects.filter(Q(numbered_from=start) | dated, organization_id=meeting.organization_id).aggregate(
        last=Max(field)
    )["last"]
    return (last or 0) + 1


def _assign_numbers(meeting: Meeting) -> list[str]:
    """Give the approved minutes their number, and an adopted resolution its own, from 01 in the organization's
    numbering period (``cells.numbering``: the committee's term unless it chose the year), each kept once given.
    The organization's row is locked first: two approvals in one cell at once take their numbers one after the other
    (the unique constraints on Meeting catch any other writer). Returns the fields changed, not saved."""
    adopted = meeting.resolution_number is None and resolution_adopted(meeting)
    if meeting.number is not None and not adopted:
        return []
    Organization.objects.select_for_update().filter(pk=meeting.organization_id).values_list("pk").first()
    period = numbering_period(meeting.organization, meeting.planned_date)
    start = meeting.numbered_from or period.start
    end = period.end if start == period.start else None
    fields = []
    if meeting.numbered_from is None:
        meeting.numbered_from = start
        fields.append("numbered_from")
    if meeting.number is None:
        meeting.number = _next_number(meeting, "number", start, end)
        fields.append("number")
    if adopted:
        meeting.resolution_number = _next_number(meeting, "resolution_number", start, end)
        fields.append("resolution_number")
    return fields


def documents_issue(*, meeting: Meeting, reason: str) -> list[OfficialDocument]:
    """The approved minutes (and the resolution adopted, once numbered) issued as they stand now: a new version of
    each, in the caller's transaction, whose file ``reports`` renders and stores right after the commit (the task
    ``DOCUMENTS_TASK``; a download or the nightly sweep stores one still pending). A version still pending is not
    doubled: it is rendered from the meeting as it stands then, with this reason. Earlier versions are kept."""
    kinds = [OfficialDocument.Kind.MINUTES]
    if meeting.resolution_number is not None:
        kinds.append(OfficialDocument.Kind.RESOLUTION)
    issued = []
    for kind in kinds:
        last = OfficialDocument.objects.filter(meeting=meeting, kind=kind).order_by("-version").first()
        if last is not None and not last.is_stored:
            last.reason = reason[:400]
            last.save(update_fields=["reason"])
            issued.append(last)
            continue
        issued.append(
            OfficialDocument.objects.create(
                meeting=meeting, kind=kind, version=(last.version + 1) if last else 1, reason=reason[:400]
            )
        )
    ids = [document.pk for document in issued]

    def enqueue() -> None:
        try:
            current_app.send_task(DOCUMENTS_TASK, args=[ids], ignore_result=True, retry=False)
        except Exception:  # the broker is down: a download or the nightly sweep stores them
            logger.warning("could not enqueue %s for documents %s", DOCUMENTS_TASK, ids)

    transaction.on_commit(enqueue)
    return issued


@records_actor
@transaction.atomic
def material_add(
    *, meeting: Meeting, upload, name: str = "", content_type: str, correction_reason: str | None = None, by=None
):
    """Attach a document to the meeting (checked by the form: type, size, magic bytes). Once the minutes are approved
    the documents are part of the record: adding one is a correction, with its reason, in the meeting's history."""
    _check_open(meeting, correction_reason)
    material = Material(
        meeting=meeting,
        name=(name or upload.name).strip()[:200],
        content_type=content_type,
        size=upload.size,
        uploaded_by=by,
    )
    material.file.save(upload.name, upload, save=False)
    material.save()
    if correction_reason:
        correction_reason = _("{reason} (thêm tài liệu “{name}”)").format(
            reason=correction_reason.strip(), name=material.name
        )
    _after_change(meeting, correction_reason, by)
    return material


# ---------------------------------------------------------------------------------------------------------------------
# Superior-committee visits (dự sinh hoạt): the visitor's own record of a visit, the visit report, the quota sets.


@records_actor
@transaction.atomic
def visit_record(*, meeting: Meeting, seat: CommitteeSeat, correction_reason: str | None = None, by=None) -> Visitor:
    """A committee member records that they attended ``meeting`` (the secretary may do it too, while recording):
    the visit goes into the meeting's list of visitors, with the seat held that day. Only a meeting held, or on its
    day (``meetings.rules.record_refusal``)."""
    refusal = record_refusal(meeting, local_today(), correcting=bool((correction_reason or "").strip()))
    if refusal:
        raise ValidationError(refusal)
    return visitor_add(meeting=meeting, seat=seat, correction_reason=correction_reason, by=by)


REPORT_FIELDS = (
    "attendance_observed",
    "followed_guidance",
    "guidance_note",
    "speakers",
    "discussion_note",
    "resolution_adopted",
    "contribution",
    "recommendations",
    "score",
    "grade",
    "follow_ups",
)
MAX_REPORTED_SPEAKERS = 1_000


def _check_report(values: dict, *, submit: bool) -> None:
    errors = {}
    if values.get("followed_guidance") and values["followed_guidance"] not in VisitReport.Guidance.values:
        errors["followed_guidance"] = _("Chọn một đánh giá về nội dung trong danh sách.")
    if values.get("grade") and values["grade"] not in Meeting.Grade.values:
        errors["grade"] = _("Chọn xếp loại Tốt, Khá, Trung bình hoặc Kém.")
    score = values.get("score")
    if score is not None and not 0 <= score <= 100:
        errors["score"] = _("Điểm đánh giá từ 0 đến 100.")
    elif score is not None and values.get("grade") and values["grade"] != grade_for(score):
        # One rule for the cell's self-grade and the visitor's: the score gives the grade.
        errors["grade"] = _("{score} điểm là xếp loại {grade}: sửa điểm hoặc xếp loại cho khớp.").format(
            score=score, grade=Meeting.Grade(grade_for(score)).label
        )
    speakers = values.get("speakers")
    if speakers is not None and not 0 <= speakers <= MAX_REPORTED_SPEAKERS:
        errors["speakers"] = _("Số đảng viên phát biểu từ 0 đến {limit}.").format(
            limit=format_number(MAX_REPORTED_SPEAKERS)
        )
    if submit:
        if not values.get("followed_guidance"):
            errors.setdefault("followed_guidance", _("Cho biết nội dung sinh hoạt có theo hướng dẫn của cấp trên."))
        if speakers is None:
            errors.setdefault("speakers", _("Ghi số đảng viên phát biểu."))
        if values.get("resolution_adopted") is None:
            errors["resolution_adopted"] = _("Cho biết buổi họp có ra được nghị quyết, kết luận không.")
        if not values.get("grade"):
            errors.setdefault("grade", _("Xếp loại buổi sinh hoạt trước khi nộp."))
    if errors:
        raise ValidationError(errors)
    check_lengths(VisitReport, {name: values.get(name) or "" for name in REPORT_FIELDS if _is_text(name)})


def _is_text(name: str) -> bool:
    return VisitReport._meta.get_field(name).get_internal_type() == "TextField"


@records_actor
@transaction.atomic
def visit_report_save(
    *,
    visitor: Visitor,
    values: dict,
    submit: bool = False,
    version: int | None = None,
    correction_reason: str | None = None,
    by=None,
) -> VisitReport:
    """Save the report of a visit as a draft, or submit it to the committee that assigned the visitor. A submitted
    report is locked: a later change is a correction with its reason, counted and kept in the history."""
    if visitor.seat_id is None:
        raise ValidationError(_("Đại biểu không phải cấp ủy viên cấp trên: không có báo cáo dự sinh hoạt."))
    report, _created = VisitReport.objects.select_for_update().get_or_create(visitor=visitor)
    if version is not None and version != report.version:
        raise StaleEdit(_("Báo cáo vừa được sửa ở nơi khác: hãy tải lại trang rồi sửa tiếp."))
    values = {name: values[name] for name in REPORT_FIELDS if name in values}
    for name, value in values.items():
        if isinstance(value, str):
            values[name] = value.strip()
    merged = {name: getattr(report, name) for name in REPORT_FIELDS} | values
    if merged.get("score") is not None and not merged.get("grade") and 0 <= merged["score"] <= 100:
        # A score without a grade: the grade follows from it, by the meeting's rule.
        values["grade"] = merged["grade"] = grade_for(merged["score"])
    correcting = report.is_submitted
    if correcting and not (correction_reason or "").strip():
        raise ValidationError({"correction_reason": _("Báo cáo đã nộp: ghi lý do đính chính để sửa.")})
    _check_report(merged, submit=submit or correcting)
    for name, value in values.items():
        setattr(report, name, value)
    if correcting:
        report.correction_count += 1
        report._change_reason = _("Đính chính: {reason}").format(reason=correction_reason.strip())
    elif submit:
        report.submitted_at = timezone.now()
        report.submitted_by = by if getattr(by, "is_authenticated", False) else None
        report._change_reason = _("Nộp báo cáo")
    report.version += 1
    report.save()
    return report


@records_actor
@transaction.atomic
def quota_set_create(
    *,
    organization: Organization,
    name: str,
    source: str,
    valid_from: datetime.date,
    lines: list[dict],
    source_url: str = "",
    note: str = "",
    preset: str = "",
    by=None,
) -> VisitQuotaSet:
    """A set of visit quotas on ``organization`` from ``valid_from`` (it replaces the set in force there from that
    day, whole). A day already past is allowed (a regulation is often entered after it took effect): the windows
    starting from it are judged by the new set; none is stored, so nothing is rewritten."""
    errors = {}
    if not name.strip():
        errors["name"] = _("Đặt tên cho định mức.")
    if not source.strip():
        errors["source"] = _("Ghi căn cứ: số, ngày và cơ quan ban hành văn bản.")
    if VisitQuotaSet.objects.filter(organization=organization, valid_from=valid_from).exists():
        errors["valid_from"] = _("Tổ chức này đã có định mức dự sinh hoạt áp dụng từ ngày này.")
    if not lines:
        errors["lines"] = _("Định mức cần ít nhất một dòng.")
    if errors:
        raise ValidationError(errors)
    quota_set = VisitQuotaSet.objects.create(
        organization=organization,
        name=name.strip(),
        source=source.strip(),
        source_url=source_url.strip(),
        valid_from=valid_from,
        note=note.strip(),
        preset=preset,
        created_by=by if getattr(by, "is_authenticated", False) else None,
    )
    quotas = []
    for line in lines:
        quota = VisitQuota(quota_set=quota_set, **line)
        quota.full_clean(exclude=["quota_set"])
        quotas.append(quota)
    VisitQuota.objects.bulk_create(quotas)
    return quota_set


def quota_set_from_preset(*, organization: Organization, key: str, valid_from: datetime.date, by=None) -> VisitQuotaSet:
    """Load a regulation's quotas (``meetings.quota_presets``) on ``organization`` from ``valid_from``."""
    preset = QUOTA_PRESETS.get(key)
    if preset is None:
        raise ValidationError({"preset": _("Không có mẫu định mức này.")})
    return quota_set_create(
        organization=organization,
        name=preset.name,
        source=preset.source,
        source_url=preset.source_url,
        valid_from=valid_from,
        lines=[dict(line) for line in preset.lines],
        preset=preset.key,
        by=by,
    )
