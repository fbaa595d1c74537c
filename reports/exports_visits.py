"""The board's visits page as a workbook: one sheet per section, Vietnamese headers, dates as dates, text as text
(never a formula: ``reports.exports._Sheet``)."""

import io

from django.utils import timezone
from django.utils.translation import gettext as _

from meetings.quotas import describe
from reports.exports import XLSX_CONTENT_TYPE, _Sheet
from reports.visits import BoardVisits, line_text, status_label

__all__ = ["XLSX_CONTENT_TYPE", "visits_xlsx"]


def _header(sheet: _Sheet, title: str, data: BoardVisits) -> None:
    sheet.row([title], bold=True)
    sheet.row([_("Tổ chức"), f"{data.organization.name} ({data.organization.code})"])
    sheet.row([_("Kỳ báo cáo"), data.period.label])
    sheet.row([_("Từ ngày"), data.start])
    sheet.row([_("Đến trước ngày"), data.end])
    sheet.row([_("Lập ngày"), data.today])
    sheet.row([])


def _quota_sheet(workbook, data: BoardVisits) -> None:
    sheet = _Sheet(workbook, _("Định mức"), [28, 22, 30, 14, 48, 10, 10, 14, 30])
    _header(sheet, _("Cấp ủy viên dự sinh hoạt so với định mức"), data)
    for quota_set in data.quota_sets:
        sheet.row([_("Định mức áp dụng"), quota_set.name, quota_set.source, quota_set.valid_from, quota_set.source_url])
    if data.quota_sets:
        sheet.row([])
    sheet.row(
        [
            _("Cấp ủy viên"),
            _("Cấp bậc"),
            _("Cấp ủy"),
            _("Kỳ"),
            _("Định mức"),
            _("Đã dự"),
            _("Phải dự"),
            _("Kết quả"),
            _("Ghi chú"),
        ],
        bold=True,
    )
    for row in data.seats:
        seat = row.seat
        if not row.progress.lines:
            sheet.row(
                [seat.holder, seat.get_rank_display(), seat.organization.name, "", _("Không có định mức áp dụng")]
            )
        for line in row.progress.lines:
            sheet.row(
                [
                    seat.holder,
                    seat.get_rank_display(),
                    seat.organization.name,
                    line.window.label,
                    describe(line.quota),
                    line.done,
                    line.required,
                    status_label(line.status),
                    line_text(line),
                ]
            )


def _unvisited_sheet(workbook, data: BoardVisits) -> None:
    sheet = _Sheet(workbook, _("Chi bộ chưa được dự"), [40, 14, 20])
    _header(sheet, _("Chi bộ chưa được cấp ủy viên dự sinh hoạt {n} tháng").format(n=data.months), data)
    sheet.row([_("Chi bộ"), _("Mã"), _("Lần dự gần nhất")], bold=True)
    for item in data.unvisited:
        cell = item.organization
        sheet.row([cell.name, cell.code, item.last_visit or _("Chưa có")])


def _overdue_sheet(workbook, data: BoardVisits) -> None:
    sheet = _Sheet(workbook, _("Báo cáo quá hạn"), [28, 22, 40, 14, 14, 14, 16])
    _header(sheet, _("Báo cáo dự sinh hoạt quá hạn"), data)
    headers = [
        _("Cấp ủy viên"),
        _("Cấp bậc"),
        _("Buổi sinh hoạt của"),
        _("Ngày họp"),
        _("Hạn nộp"),
        _("Số ngày quá hạn"),
        _("Tình trạng"),
    ]
    sheet.row(headers, bold=True)
    for item in data.overdue:
        visitor = item.visitor
        sheet.row(
            [
                visitor.name,
                visitor.get_rank_display(),
                visitor.meeting.organization.name,
                visitor.meeting.planned_date,
                item.due,
                item.days_late,
                _("Đang viết dở") if item.has_draft else _("Chưa viết"),
            ]
        )


def _received_sheet(workbook, data: BoardVisits) -> None:
    sheet = _Sheet(workbook, _("Báo cáo đã nhận"), [28, 22, 40, 14, 14, 18, 18, 14, 12, 40])
    _header(sheet, _("Báo cáo dự sinh hoạt đã nhận"), data)
    headers = [
        _("Cấp ủy viên"),
        _("Cấp bậc"),
        _("Buổi sinh hoạt của"),
        _("Ngày họp"),
        _("Ngày nộp"),
        _("Cấp ủy viên xếp loại"),
        _("Chi bộ tự xếp loại"),
        _("Điểm tự đánh giá"),
        _("Số lần đính chính"),
        _("Đề xuất với cấp ủy"),
    ]
    sheet.row(headers, bold=True)
    for report in data.received:
        visitor, meeting = report.visitor, report.visitor.meeting
        sheet.row(
            [
                visitor.name,
                visitor.get_rank_display(),
                meeting.organization.name,
                meeting.planned_date,
                timezone.localtime(report.submitted_at).date(),
                report.get_grade_display(),
                meeting.get_quality_grade_display(),
                meeting.quality_score,
                report.correction_count,
                report.follow_ups,
            ]
        )


def visits_xlsx(data: BoardVisits) -> bytes:
    """Four sheets, as the page's four sections (every cell not visited, not only the page's first ones)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    _quota_sheet(workbook, data)
    _unvisited_sheet(workbook, data)
    _overdue_sheet(workbook, data)
    _received_sheet(workbook, data)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
