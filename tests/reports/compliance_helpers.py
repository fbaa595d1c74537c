"""Builders for the compliance tests: a small tree, cells with members, and meetings held through the services."""

import datetime
from zoneinfo import ZoneInfo

import time_machine

from meetings import services
from meetings.models import Attendance
from tests.factories import make_cell, make_meeting, make_member, make_org

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def local(year, month, day, hour=12, minute=0) -> datetime.datetime:
    """An aware datetime at this wall-clock time in Hà Nội / Hồ Chí Minh City."""
    return datetime.datetime(year, month, day, hour, minute, tzinfo=HCM)


def travel(moment: datetime.datetime):
    return time_machine.travel(moment, tick=False)


class Tree:
    """Province > commune > cells; ``cell(n)`` adds a cell with ``n`` official members."""

    def __init__(self):
        self.province = make_org(None, name="Đảng bộ tỉnh Lào Cai", kind="provincial")
        self.commune = make_org(self.province, name="Đảng bộ xã Bảo Hà")

    def cell(self, official=5, probationary=0, name=None, parent=None):
        cell = make_cell(parent or self.commune, name=name)
        cell.members = [make_member(cell) for _ in range(official)]
        cell.members += [
            make_member(cell, official=False, admission_date=datetime.date(2025, 12, 1)) for _ in range(probationary)
        ]
        return cell


def hold(
    cell,
    day: datetime.date,
    *,
    minutes: int = 90,
    speakers: int = 4,
    kind: str = "regular",
    start: datetime.time = datetime.time(14, 0),
    published: datetime.datetime | None | bool = True,
    approved: datetime.datetime | None = None,
    absent=(),
    excused=(),
    votes_for: int | None = None,
    members=None,
):
    """Plan, publish, record and (optionally) approve a meeting of ``cell`` on ``day`` through the services.

    ``published``: when the agenda went out (``True``: 3 days before at 08:00 local; ``None``: never).
    ``absent`` / ``excused``: indexes into the cell's members; the others are present. The first two members chair
    and record; the first ``speakers`` present members speak once each (the chair twice, which counts once)."""
    members = members if members is not None else cell.members
    if published is True:
        published = datetime.datetime.combine(day - datetime.timedelta(days=3), datetime.time(8, 0), tzinfo=HCM)
    plan_at = published or datetime.datetime.combine(day - datetime.timedelta(days=5), datetime.time(8), tzinfo=HCM)
    with travel(plan_at):
        meeting = make_meeting(
            cell,
            kind=kind,
            planned_date=day,
            planned_time=start,
            topic="Học tập Nghị quyết" if kind != "regular" else "",
        )
        if published:
            services.meeting_publish(meeting=meeting)
    begin = datetime.datetime.combine(day, start, tzinfo=HCM)
    end = begin + datetime.timedelta(minutes=minutes)
    with travel(end + datetime.timedelta(minutes=5)):
        services.attendance_prepare(meeting=meeting)
        present = []
        for index, member in enumerate(members):
            if index in absent:
                services.attendance_set(meeting=meeting, member=member, status=Attendance.Status.ABSENT)
            elif index in excused:
                # An absence the committee accepted (its explicit tick).
                services.attendance_set(
                    meeting=meeting, member=member, status="excused", reason="Đi công tác", absence_accepted=True
                )
            else:
                services.attendance_set(meeting=meeting, member=member, status=Attendance.Status.PRESENT)
                present.append(member)
        for member in present[:speakers]:
            services.speech_add(meeting=meeting, member=member, summary="Thống nhất với dự thảo nghị quyết.")
        if speakers:
            services.speech_add(meeting=meeting, member=present[0], summary="Kết luận.")
        services.meeting_record(
            meeting=meeting,
            version=None,
            started_at=begin,
            ended_at=end,
            chair=present[0],
            recorder=present[1],
            resolution_title="Nghị quyết" if votes_for is not None else "",
            votes_for=votes_for,
            votes_against=0 if votes_for is not None else None,
            confirm_votes=True,  # the ballots a case sets need not add up to the members present
            mark_held=True,
        )
    if approved:
        with travel(approved):
            services.minutes_approve(meeting=meeting, by=None)
    meeting.refresh_from_db()
    return meeting


def correct_vote(meeting, votes_for: int, votes_against: int, correction_reason: str | None = None):
    """Record the vote of a held meeting again, keeping everything else (with a reason once the minutes are
    approved)."""
    meeting.refresh_from_db()
    return services.meeting_record(
        meeting=meeting,
        version=meeting.version,
        started_at=meeting.started_at,
        ended_at=meeting.ended_at,
        chair=meeting.chair,
        recorder=meeting.recorder,
        votes_for=votes_for,
        votes_against=votes_against,
        correction_reason=correction_reason,
    )
