"""Record a held meeting in one request: the roll call, the visitors, the speeches, then the times, chair and
recorder, conclusions, resolution and vote, closed as held, through the same services as the recording page, in
one transaction. Every part is checked and every refusal answered at once (by the services' messages, at the item
that caused it); one refusal and nothing is written."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework import exceptions

from api.errors import messages_of
from meetings import services
from meetings.models import AgendaItem, Meeting, Visitor
from meetings.visits import seats_that_may_visit
from members.models import Member

Status = Meeting.Status


class Conflict(exceptions.APIException):
    """Someone saved the meeting since the client read it (``version``): read it again."""

    status_code = 409
    default_code = "conflict"


def _collect(errors: list, index: int, error: ValidationError) -> None:
    errors[index] = messages_of(error)


def _rows(errors: list) -> list | None:
    return errors if any(errors) else None


def record_held(*, meeting: Meeting, data: dict, by) -> Meeting:
    """Write the request ``data`` (``api.inputs.MeetingRecordInput``'s) as the meeting's record and close it as held;
    raise a DRF ``ValidationError`` with every refusal (nothing written), or ``Conflict``."""
    if meeting.status in (Status.HELD, Status.APPROVED):
        raise exceptions.ValidationError(
            {
                "non_field_errors": [
                    _(
                        "Buổi họp đã được ghi biên bản: sửa trên trang ghi biên bản (biên bản đã duyệt thì ghi lý do "
                        "đính chính)."
                    )
                ]
            }
        )
    try:
        services.check_recordable(meeting)
    except ValidationError as error:
        raise exceptions.ValidationError(messages_of(error)) from None
    errors: dict = {}
    with transaction.atomic():
        _attendance(meeting, data["attendance"], errors, by)
        _visitors(meeting, data["visitors"], errors, by)
        _speeches(meeting, data["speeches"], errors, by)
        _record(meeting, data, errors, by)
        if errors:
            raise exceptions.ValidationError(errors)  # leaves the block: everything above is rolled back
    return meeting


def _members(ids) -> dict[int, Member]:
    """The members named, by id; an unknown id gets an unsaved member, which the services refuse as not on the
    roll call, with their message."""
    ids = [pk for pk in ids if pk is not None]
    known = Member.objects.in_bulk(ids)
    return {pk: known.get(pk) or Member(pk=pk) for pk in ids}


def _attendance(meeting: Meeting, rows: list[dict], errors: dict, by) -> None:
    members = _members(row["member"] for row in rows)
    problems: list = [{} for _row in rows]
    for index, row in enumerate(rows):
        try:
            services.attendance_set(
                meeting=meeting,
                member=members[row["member"]],
                status=row["status"],
                reason=row["reason"],
                absence_accepted=row["absence_accepted"],
                by=by,
            )
        except ValidationError as error:
            _collect(problems, index, error)
    if _rows(problems):
        errors["attendance"] = problems


def _visitors(meeting: Meeting, rows: list[dict], errors: dict, by) -> None:
    """Superior-committee members by seat (those who may visit the meeting, as the page lists them) and guests by
    name; a seat already listed (the member recorded their own visit) is kept as it is."""
    seats = {seat.pk: seat for seat in seats_that_may_visit(meeting)} if any(row["seat"] for row in rows) else {}
    listed = set(meeting.visitors.exclude(seat=None).values_list("seat_id", flat=True))
    problems: list = [{} for _row in rows]
    for index, row in enumerate(rows):
        seat = None
        if row["seat"] is not None:
            seat = seats.get(row["seat"])
            if seat is None:
                problems[index] = {
                    "seat": [
                        _(
                            "Cấp ủy viên này không dự được buổi họp này: không giữ chức vụ ở cấp ủy cấp trên của tổ "
                            "chức vào ngày họp."
                        )
                    ]
                }
                continue
            if seat.pk in listed:
                continue
        try:
            services.visitor_add(
                meeting=meeting,
                seat=seat,
                name=row["name"],
                title=row["title"],
                is_superior=seat is not None or row["is_superior"],
                by=by,
            )
        except ValidationError as error:
            _collect(problems, index, error)
    if _rows(problems):
        errors["visitors"] = problems


def _speeches(meeting: Meeting, rows: list[dict], errors: dict, by) -> None:
    members = _members(row["member"] for row in rows)
    visitors = list(meeting.visitors.all())
    by_seat = {visitor.seat_id: visitor for visitor in visitors if visitor.seat_id}
    by_name = {visitor.name: visitor for visitor in visitors}
    items = {item.pk: item for item in meeting.agenda.all()}
    problems: list = [{} for _row in rows]
    for index, row in enumerate(rows):
        visitor = None
        if row["seat"] is not None:
            visitor = by_seat.get(row["seat"]) or Visitor()  # not a visitor of this meeting: refused as such
        elif row["visitor_name"].strip():
            visitor = by_name.get(row["visitor_name"].strip()) or Visitor()
        item = None
        if row["agenda_item"] is not None:
            item = items.get(row["agenda_item"]) or AgendaItem(pk=row["agenda_item"])
        try:
            services.speech_add(
                meeting=meeting,
                summary=row["summary"],
                member=members.get(row["member"]),
                visitor=visitor,
                agenda_item=item,
                by=by,
            )
        except ValidationError as error:
            _collect(problems, index, error)
    if _rows(problems):
        errors["speeches"] = problems


def _record(meeting: Meeting, data: dict, errors: dict, by) -> None:
    members = _members([data["chair"], data["recorder"]])
    items = {item.pk: item for item in meeting.agenda.all()}
    conclusions = {}
    problems: list = [{} for _row in data["conclusions"]]
    for index, row in enumerate(data["conclusions"]):
        item = items.get(row["agenda_item"]) or AgendaItem(pk=row["agenda_item"])
        try:
            services.check_agenda_item(meeting, item)
        except ValidationError as error:
            _collect(problems, index, error)
            continue
        conclusions[item.pk] = row["conclusion"]
    try:
        services.meeting_record(
            meeting=meeting,
            version=data["version"],
            started_at=data["started_at"],
            ended_at=data["ended_at"],
            confirm_long=data["confirm_long"],
            chair=members.get(data["chair"]),
            recorder=members.get(data["recorder"]),
            conclusions=conclusions,
            resolution_title=data["resolution_title"],
            resolution_text=data["resolution_text"],
            votes_for=data["votes_for"],
            votes_against=data["votes_against"],
            votes_abstain=data["votes_abstain"],
            quality_score=data["quality_score"],
            confirm_votes=data["confirm_votes"],
            mark_held=True,
            by=by,
        )
    except services.StaleEdit as error:
        raise Conflict(" ".join(error.messages)) from None
    except ValidationError as error:
        for field, messages in messages_of(error).items():
            if field.startswith("conclusion_"):  # the service names a conclusion by its item: here by its row
                pk = int(field.removeprefix("conclusion_"))
                index = next(i for i, row in enumerate(data["conclusions"]) if row["agenda_item"] == pk)
                problems[index] = {"conclusion": messages}
            elif field not in errors:  # the roll call's rows already say why it is incomplete
                errors[field] = messages
    if _rows(problems):
        errors["conclusions"] = problems
