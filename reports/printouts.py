"""What the official documents other than the minutes print, each read in a constant number of queries: the
attendance sheet of a meeting (danh sách đảng viên dự sinh hoạt, signed on paper), the compliance report of an
organization over a period (báo cáo tình hình sinh hoạt chi bộ: the dashboard's figures, read from
``reports.dashboard``, never computed again here), and a committee member's visit report (báo cáo kết quả dự sinh
hoạt chi bộ). The templates are ``templates/pdf/<name>.html``; ``reports.pdf.render_pdf`` renders them.

Official documents are printed in Vietnamese whatever the reader's language: the views render them under
``translation.override("vi")``.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from cells.models import Organization
from cells.periods import month_end
from cells.services import name_on
from cells.text import format_number
from meetings import services
from meetings.minutes import headcount, minutes_number_suffix
from meetings.models import Meeting, Visitor, VisitReport
from meetings.wording import meeting_title, vi_when, visitor_line
from members.models import Membership, Position, StatusChange
from reports.charts import percent, trend_chart
from reports.dashboard import Dashboard, Figures, dashboard
from reports.models import Result
from reports.periods import Period, month_label
from reports.visits import visits_received


@dataclass(frozen=True)
class Header:
    """The top of a Party document (Hướng dẫn 36-HD/VPTW): on the left the superior organization, the issuing one,
    "*" and the number; on the right the motto and "{place}, ngày … tháng … năm …"."""

    parent: str
    issuer: str
    number_suffix: str  # "BC/ĐU": printed "Số:    -BC/ĐU", the number left blank to be filled by hand; "": no number
    place: str
    day: datetime.date


def _header(organization: Organization, day: datetime.date, kind: str) -> Header:
    """The header of a document of ``kind`` ("BC" a report; "" a document with no number) issued by
    ``organization`` on ``day``: its name, place and parent as they were that day (one query)."""
    printed = name_on(organization, day)
    # The part after the type follows the minutes' rule: "CB" for a cell, "ĐU" for a committee, "TĐ" for a group.
    suffix = minutes_number_suffix(organization).split("/", 1)[1]
    return Header(
        parent=printed.parent_name if printed else "",
        issuer=printed.name if printed else organization.name,
        number_suffix=f"{kind}/{suffix}" if kind else "",
        place=(printed.place_name if printed else "") or organization.place_name,
        day=day,
    )


# --- the attendance sheet --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SheetLine:
    number: int
    name: str
    position: str  # "Bí thư", "Phó Bí thư", "Chi ủy viên" or ""
    status: str  # the member's status on the meeting's day, or "Đến sinh hoạt tạm thời" for a guest member


def attendance_sheet_context(meeting: Meeting) -> dict:
    """The roster expected at ``meeting`` (the recording page's roll call, ``meetings.services.roll_call``: its saved
    rows, and the members of the roster on the meeting's day without one yet, each with their status that day), in
    name order, with their post in the cell's committee that day, an empty signature column and the counts the
    minutes print. Five queries."""
    rows = services.roll_call(meeting)  # three queries
    day = meeting.planned_date
    roles = {}
    for member_id, role in (
        Position.objects.filter(organization=meeting.organization)
        .active_on(day)
        .order_by("role")
        .values_list("member_id", "role")
    ):  # query
        roles.setdefault(member_id, Position.Role(role).label)
    statuses = dict(StatusChange.Status.choices)
    guest = Membership.Kind.TEMPORARY.label
    lines = [
        SheetLine(
            number=index,
            name=row.member.full_name,
            position=str(roles.get(row.member_id, "")),
            status=str(guest if row.is_guest else statuses.get(row.member_status, row.member_status)),
        )
        for index, row in enumerate(rows, start=1)
    ]
    return {
        "meeting": meeting,
        "header": _header(meeting.organization, day, ""),  # query; a list, not numbered
        "subtitle": meeting_title(meeting),
        "when": vi_when(day, meeting.planned_time),
        "lines": lines,
        "counts": headcount(rows),
    }


# --- the compliance report -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportRow:
    """One organization one level down (or one month of a cell) as the report's table prints it."""

    name: str
    months_ok: str
    held: str  # "" for a cell's month
    attendance: str
    length: str
    speakers: str
    thematic: str
    visits: str
    reasons: list[str]


def _minutes(value: float | None) -> str:
    return "—" if value is None else format_number(value)


def _child_row(name: str, figures: Figures, visits: int) -> ReportRow:
    if figures.is_empty:
        empty = "—"
        return ReportRow(name, _("chưa có số liệu"), empty, empty, empty, empty, empty, str(visits), [])
    return ReportRow(
        name=name,
        months_ok=f"{percent(figures.months_rate)} ({figures.passed}/{figures.months_decided})",
        held=f"{figures.held}/{figures.due}",
        attendance=percent(figures.attendance_rate),
        length=_minutes(figures.median_length),
        speakers=_minutes(figures.median_speakers),
        thematic=percent(figures.thematic_rate),
        visits=str(visits),
        reasons=[],
    )


def _month_rows(data: Dashboard, visits: dict) -> list[ReportRow]:
    labels = dict(Result.choices)
    rows = []
    for row in data.months:
        attendance = f"{row.attendance_present}/{row.attendance_expected}" if row.attendance_expected else "—"
        rows.append(
            ReportRow(
                name=f"{row.month:%m/%Y}",
                months_ok=str(labels.get(row.status, "")),
                held="",
                attendance=attendance,
                length=_minutes(row.length_minutes),
                speakers=_minutes(row.speakers_count),
                thematic=str(row.thematic_count),
                visits=str(visits.get(row.month, 0)),
                reasons=row.reasons,
            )
        )
    return rows


def ascii_code(organization: Organization) -> str:
    """The organization's code as it may stand in a file name (letters, digits, "-" and "_")."""
    return "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_") else "-" for ch in organization.code)


def report_file_name(organization: Organization, period: Period, cell_type: str, extension: str) -> str:
    """``bao-cao-XA-nam-2026.pdf``: the name of a report of the organization over the period, in every format."""
    suffix = f"-{cell_type}" if cell_type else ""
    return f"bao-cao-{ascii_code(organization)}-{period.slug}{suffix}.{extension}"


def compliance_report_context(organization: Organization, period: Period, cell_type: str = "") -> dict:
    """The report of ``organization`` over ``period``: the dashboard's figures (``reports.dashboard.dashboard``, five
    queries), the visits received (one query), the organization's name that day (one query). Seven queries whatever
    the number of cells.

    The shortfalls are the dashboard's first page of them: the ``SHORTFALL_LIMIT`` cells that fell short most often,
    with their failing months and reasons; the report says how many fell short in all (the full list is in the
    Excel export)."""
    today = timezone.localdate()
    data = dashboard(organization, period, cell_type)
    figures = data.headline
    if organization.is_cell:
        visits = visits_received(organization, period.months, by="month")
        rows = _month_rows(data, visits)
    else:
        visits = visits_received(organization, period.months, by="child")
        rows = [
            _child_row(child.organization.name, child.figures, visits.get(child.organization.path, 0))
            for child in data.children
        ]
    rule_rows = [
        (_("Đạt mọi quy định"), figures.passed, figures.months_decided, percent(figures.months_rate)),
        *[(share.label, share.passed, share.decided, percent(share.rate)) for share in figures.rule_shares],
    ]
    return {
        "organization": organization,
        "period": period,
        "period_title": period.label.upper(),
        "period_end": month_end(period.last_month),
        "cell_type_label": dict(Organization.CellType.choices).get(cell_type, "") if cell_type else "",
        "header": _header(organization, today, "BC"),
        "data": data,
        "figures": figures,
        "texts": {
            "months_rate": percent(figures.months_rate),
            "ok_rate": percent(figures.ok_rate),
            "held_rate": percent(figures.held_rate),
            "attendance_rate": percent(figures.attendance_rate),
            "thematic_rate": percent(figures.thematic_rate),
            "length": _minutes(figures.median_length),
            "speakers": _minutes(figures.median_speakers),
        },
        "visits_total": sum(visits.values()),
        "rows": rows,
        "rule_rows": rule_rows,
        "shortfalls": [
            (item.name, [(month_label(month), reasons) for month, _meeting, reasons in item.months])
            for item in data.shortfalls
        ],
        "failing_months": [row for row in rows if row.reasons],
        "chart": trend_chart(data.trend, id_prefix="report-trend"),
        "signer": (_("T/M CHI BỘ"), _("BÍ THƯ")) if organization.is_cell else (_("T/M BAN THƯỜNG VỤ"), ""),
    }


# --- the visit report ------------------------------------------------------------------------------------------------


def visit_report_context(visitor: Visitor, report: VisitReport) -> dict:
    """A committee member's report on a meeting they visited (``visitor`` from ``meetings.access.get_visit_for_user``,
    with its meeting, seat and report loaded), dated the day it was submitted (a draft: today, marked "DỰ THẢO").
    Two queries: the names of the visitor's committee and of the meeting's organization as they were."""
    meeting = visitor.meeting
    submitted = report.submitted_at
    day = timezone.localdate(submitted) if submitted else timezone.localdate()
    committee = visitor.seat.organization
    printed_cell = name_on(meeting.organization, meeting.planned_date)
    return {
        "visitor": visitor,
        "report": report,
        "meeting": meeting,
        "header": _header(committee, day, "BC"),
        "cell_name": printed_cell.name if printed_cell else meeting.organization.name,
        "visitor_line": visitor_line(visitor),
        "title": meeting_title(meeting),
        "when": vi_when(meeting.planned_date, meeting.planned_time),
        "draft": not report.is_submitted,
        "guidance": report.get_followed_guidance_display(),
        "resolution": "" if report.resolution_adopted is None else _("Có") if report.resolution_adopted else _("Không"),
    }
