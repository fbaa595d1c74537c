"""The dashboard's figures as files: an Excel workbook (openpyxl) and a CSV of every cell-month.

Both read the same stored findings as the page (``reports.dashboard``), in a fixed number of queries. The CSV is
streamed: a province's year is 60,000 lines, read from the database in chunks and never held whole in memory.
Numbers are written as numbers and dates as dates; text is always text (never a formula).
"""

import datetime
import io
from collections.abc import Iterator

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cells.models import Organization
from cells.periods import month_end
from cells.policies import BUILT_IN, SYSTEM_DEFAULT
from cells.spreadsheet import csv_writer
from reports.absences import MemberAbsences
from reports.dashboard import Figures, children_of, summarize
from reports.export_queries import cell_figures, month_findings, month_results
from reports.findings import rule_label, status_of
from reports.models import CellMonth, Result
from reports.periods import Period

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "DD/MM/YYYY"
MONTH_FORMAT = "MM/YYYY"
PERCENT_FORMAT = "0.0%"
FILLS = {Result.PASS: "C6EFCE", Result.FAIL: "FFC7CE", Result.NOT_APPLICABLE: "E7E6E6"}


def _cell_type_label(cell_type: str) -> str:
    return dict(Organization.CellType.choices).get(cell_type, "") if cell_type else _("Tất cả loại hình")


def _figure_headers() -> list[str]:
    return [
        _("Số chi bộ có số liệu"),
        _("Chi bộ đã có kết quả"),
        _("Chi bộ đạt mọi quy định"),
        _("Tỷ lệ chi bộ đạt"),
        _("Tháng đã sinh hoạt định kỳ"),
        _("Tháng phải sinh hoạt định kỳ"),
        _("Tỷ lệ sinh hoạt định kỳ"),
        _("Thời lượng trung vị (phút)"),
        _("Số đảng viên phát biểu (trung vị)"),
        _("Có mặt"),
        _("Phải có mặt"),
        _("Tỷ lệ dự họp"),
        _("Quý có sinh hoạt chuyên đề"),
        _("Quý đã xác định"),
        _("Tỷ lệ quý có chuyên đề"),
        _("Tháng đạt mọi quy định"),
        _("Tháng đã có kết quả"),
        _("Tỷ lệ tháng đạt mọi quy định"),
    ]


def _figure_values(figures: Figures) -> list:
    return [
        figures.cells,
        figures.cells_decided,
        figures.cells_ok,
        figures.ok_rate,
        figures.held,
        figures.due,
        figures.held_rate,
        figures.median_length,
        figures.median_speakers,
        figures.present,
        figures.expected,
        figures.attendance_rate,
        figures.thematic_pass,
        figures.thematic_decided,
        figures.thematic_rate,
        figures.passed,
        figures.months_decided,
        figures.months_rate,
    ]


PERCENT_COLUMNS = {3, 6, 11, 14, 17}  # positions in _figure_values


# --- XLSX ------------------------------------------------------------------------------------------------------------


class _Sheet:
    """A write-only sheet with typed cells: text stays text (never a formula), rates are percentages, dates are dates.
    Plain numbers and text go in as they are (a styled cell per value costs a province's workbook seconds)."""

    def __init__(self, workbook, title: str, widths: list[int]):
        from openpyxl.styles import Font
        from openpyxl.utils import get_column_letter

        self.sheet = workbook.create_sheet(title)
        self.bold = Font(bold=True)
        for index, width in enumerate(widths, start=1):
            self.sheet.column_dimensions[get_column_letter(index)].width = width

    def cell(self, value, *, bold=False, number_format=None):
        from openpyxl.cell import WriteOnlyCell

        if isinstance(value, Promise):
            value = str(value)  # a lazy label (choices)
        plain = not (bold or number_format or isinstance(value, datetime.date))
        if plain and not (isinstance(value, str) and value.startswith("=")):
            return value
        cell = WriteOnlyCell(self.sheet, value=value)
        if isinstance(value, str):
            cell.data_type = "s"  # a name typed as "=HYPERLINK(…)" stays text
        if isinstance(value, datetime.date):
            cell.number_format = number_format or DATE_FORMAT
        elif number_format:
            cell.number_format = number_format
        if bold:
            cell.font = self.bold
        return cell

    def row(self, values, *, bold=False, formats: dict[int, str] | None = None):
        formats = formats or {}
        self.sheet.append(
            [self.cell(value, bold=bold, number_format=formats.get(index)) for index, value in enumerate(values)]
        )


def _summary_sheet(workbook, organization: Organization, period: Period, cell_type: str) -> None:
    children = children_of(organization)  # query
    summary = summarize(organization, period, cell_type, children)  # two queries
    headline, groups = summary.headline, summary.groups
    sheet = _Sheet(workbook, _("Tổng hợp"), [40, 14] + [14] * 14)
    sheet.row([_("Báo cáo sinh hoạt chi bộ")], bold=True)
    sheet.row([_("Tổ chức"), f"{organization.name} ({organization.code})"])
    sheet.row([_("Kỳ báo cáo"), period.label])
    sheet.row([_("Từ ngày"), period.first_month])
    sheet.row([_("Đến ngày"), month_end(period.last_month)])
    sheet.row([_("Loại hình chi bộ"), _cell_type_label(cell_type)])
    sheet.row([_("Lập ngày"), timezone.localdate()])
    sheet.row([])
    formats = {2 + index: PERCENT_FORMAT for index in PERCENT_COLUMNS}
    sheet.row([_("Tổ chức"), _("Mã"), *_figure_headers()], bold=True)
    sheet.row([organization.name, organization.code, *_figure_values(headline)], bold=True, formats=formats)
    for child in children:
        if cell_type and child.is_cell and child.cell_type != cell_type:
            continue
        figures = groups.get(child.path, Figures())
        sheet.row([child.name, child.code, *_figure_values(figures)], formats=formats)


def _cells_sheet(workbook, organization: Organization, period: Period, cell_type: str) -> None:
    rules = CellMonth.RULE_FIELDS
    sheet = _Sheet(workbook, _("Chi bộ"), [14, 40, 22] + [12] * (11 + len(rules)) + [60])
    headers = [
        _("Mã"),
        _("Chi bộ"),
        _("Loại hình"),
        _("Số tháng có số liệu"),
        _("Số tháng không đạt"),
        _("Đạt mọi quy định"),
        _("Tháng đã sinh hoạt định kỳ"),
        _("Tháng phải sinh hoạt định kỳ"),
        _("Có mặt"),
        _("Phải có mặt"),
        _("Tỷ lệ dự họp"),
        _("Quý có sinh hoạt chuyên đề"),
        _("Quý đã xác định"),
        *[_("Số tháng không đạt: {rule}").format(rule=rule_label(rule)) for rule in rules],
        _("Quy định không đạt"),
    ]
    sheet.row(headers, bold=True)
    types = {value: str(label) for value, label in Organization.CellType.choices}
    for row in cell_figures(organization, period, cell_type).iterator(chunk_size=2000):  # query
        failing = [(rule, row[f"fail_{rule}"]) for rule in rules]
        summary = "; ".join(
            ngettext("“{rule}”: {n} tháng không đạt", "“{rule}”: {n} tháng không đạt", count).format(
                rule=rule_label(rule), n=count
            )
            for rule, count in failing
            if count
        )
        rate = row["present"] / row["expected"] if row["expected"] else None
        sheet.row(
            [
                row["cell__code"],
                row["cell__name"],
                types.get(row["cell__cell_type"], ""),
                row["months"],
                row["months_short"],
                _("Không") if row["months_short"] else (_("Có") if row["months_decided"] else _("Chưa đến hạn")),
                row["held"],
                row["due"],
                row["present"],
                row["expected"],
                rate,
                row["thematic_pass"],
                row["thematic_decided"],
                *[count for _rule, count in failing],
                summary,
            ],
            formats={10: PERCENT_FORMAT},
        )


def _months_sheet(workbook, organization: Organization, period: Period, cell_type: str) -> None:
    months = period.months
    sheet = _Sheet(workbook, _("Theo tháng"), [14, 40] + [13] * len(months) + [14])
    sheet.row(
        [_("Mã"), _("Chi bộ"), *months, _("Số tháng không đạt")],
        bold=True,
        formats={2 + index: MONTH_FORMAT for index in range(len(months))},
    )
    labels = {value: str(label) for value, label in Result.choices}

    def flush(current: dict | None) -> None:
        if current is None:
            return
        results = [current["months"].get(month) for month in months]
        sheet.row(
            [
                current["code"],
                current["name"],
                *[labels[result] if result else None for result in results],
                sum(result == Result.FAIL for result in results),
            ]
        )

    current, count = None, 0
    for row in month_results(organization, period, cell_type).iterator(chunk_size=2000):  # query
        if current is None or current["id"] != row["cell_id"]:
            flush(current)
            count += 1
            current = {"id": row["cell_id"], "code": row["cell__code"], "name": row["cell__name"], "months": {}}
        current["months"][row["month"]] = status_of(row)
    flush(current)
    _colour_results(sheet.sheet, f"C2:{_column(2 + len(months))}{max(2, count + 1)}", labels)


def _column(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


def _colour_results(sheet, cells: str, labels: dict) -> None:
    """Each result coloured by a conditional format on the whole range (one rule per result, not a style per cell)."""
    from openpyxl.formatting.rule import CellIsRule
    from openpyxl.styles import PatternFill

    for result, colour in FILLS.items():
        label = labels[result].replace('"', '""')
        fill = PatternFill("solid", start_color=colour, end_color=colour)
        sheet.conditional_formatting.add(cells, CellIsRule(operator="equal", formula=[f'"{label}"'], fill=fill))


def dashboard_xlsx(organization: Organization, period: Period, cell_type: str = "") -> bytes:
    """Three sheets: "Tổng hợp" (the headline and the children), "Chi bộ" (one row per cell: figures and failed
    rules), "Theo tháng" (cells × months). Five queries whatever the number of cells."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    _summary_sheet(workbook, organization, period, cell_type)
    _cells_sheet(workbook, organization, period, cell_type)
    _months_sheet(workbook, organization, period, cell_type)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- CSV -------------------------------------------------------------------------------------------------------------


class _Line:
    """A file-like object whose ``write`` hands back the line, for ``csv.writer`` in a generator."""

    def write(self, value: str) -> str:
        return value


def csv_headers() -> list[str]:
    headers = [
        _("Mã chi bộ"),
        _("Chi bộ"),
        _("Loại hình"),
        _("Tháng"),
        _("Kết quả"),
        _("Đạt mọi quy định"),
        _("Ngày họp"),
        _("Có mặt"),
        _("Phải có mặt"),
        _("Vắng có lý do"),
        _("Vắng không lý do"),
    ]
    for rule in CellMonth.RULE_FIELDS:
        label = rule_label(rule)
        headers += [
            label,
            _("{rule}: thực tế").format(rule=label),
            _("{rule}: yêu cầu").format(rule=label),
            _("{rule}: căn cứ").format(rule=label),
        ]
    return headers


def _source_parts(policy: str | None, citation: str | None, built_in: str) -> tuple[str, str]:
    """The policy's name and its legal source as stored (JSON null read as text is "null" on SQLite), the built-in
    defaults by their name; the citation left out when it only repeats the name."""
    if policy == BUILT_IN:
        policy = built_in
    if citation == SYSTEM_DEFAULT:
        citation = built_in
    policy = "" if policy in (None, "null") else policy
    citation = "" if citation in (None, "null") else citation
    return policy, "" if citation == policy else citation


def dashboard_csv(organization: Organization, period: Period, cell_type: str = "") -> Iterator[str]:
    """UTF-8 with a byte-order mark (so Excel reads the Vietnamese letters), one line per cell-month with every rule's
    result, its measured and required values and their source, cited by a short code ("CC1"); after the lines, a
    blank line and the legend of the codes (each policy and legal source written once, not on every line: the title
    of Hướng dẫn 42 alone made a province's year ~90 MB). One query, read in chunks."""
    writer = csv_writer(_Line())
    # Translated once, not once per line.
    labels = {value: str(label) for value, label in Result.choices}
    types = {value: str(label) for value, label in Organization.CellType.choices}
    yes, no = _("Có"), _("Không")
    built_in = _("Mặc định của hệ thống")
    codes: dict[tuple[str, str], str] = {}
    yield "\ufeff" + writer.writerow(csv_headers())
    for row in month_findings(organization, period, cell_type).iterator(chunk_size=2000):  # query
        line = [
            row["cell__code"],
            row["cell__name"],
            types.get(row["cell_type"], ""),
            row["month"].isoformat(),
            labels[status_of(row)],
            yes if row["all_ok"] else no,
            row["meeting__planned_date"].isoformat() if row["meeting__planned_date"] else "",
            row["attendance_present"],
            row["attendance_expected"],
            row["attendance_excused"],
            row["attendance_absent"],
        ]
        for rule in CellMonth.RULE_FIELDS:
            measured, required = row[f"m_{rule}"], row[f"r_{rule}"]
            source = _source_parts(row[f"p_{rule}"], row[f"s_{rule}"], built_in)
            code = codes.setdefault(source, f"CC{len(codes) + 1}") if any(source) else ""
            # A JSON null read as text is None on PostgreSQL, "null" on SQLite: empty either way.
            line += [
                labels.get(row[rule], row[rule]),
                "" if measured in (None, "null") else measured,
                "" if required in (None, "null") else required,
                code,
            ]
        yield writer.writerow(line)
    yield "\r\n"
    yield writer.writerow([legend_title()])
    yield writer.writerow([_("Mã căn cứ"), _("Quy định áp dụng"), _("Căn cứ")])
    for (policy, citation), code in codes.items():
        yield writer.writerow([code, policy, citation])


def legend_title() -> str:
    """The first line of the CSV's legend, after the blank line that ends the cell-months."""
    return _("Chú giải mã căn cứ")


# --- members absent without reason ------------------------------------------------------------------------------------


def _absence_headers() -> list[str]:
    return [
        _("Đảng viên"),
        _("Chi bộ"),
        _("Số tháng vắng không lý do"),
        _("Số buổi vắng không lý do"),
        _("Các tháng vắng"),
        _("Ngưỡng (số tháng)"),
        _("Căn cứ"),
    ]


def _absence_values(item: MemberAbsences) -> list:
    source = item.source
    citation = _("Mặc định của hệ thống") if source.citation == SYSTEM_DEFAULT else source.citation
    name = _("Mặc định của hệ thống") if source.name == BUILT_IN else source.name
    return [
        item.full_name,
        item.cell_name,
        item.months,
        item.absences,
        ", ".join(f"{month:%m/%Y}" for month in item.missed),
        item.required,
        ": ".join(part for part in dict.fromkeys((name, citation)) if part),
    ]


def absences_xlsx(organization: Organization, year: int, items: list[MemberAbsences], cell_type: str = "") -> bytes:
    """The members flagged for review in ``year`` (as the page lists them): one sheet, with a header block."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = _Sheet(workbook, _("Vắng không lý do"), [32, 40, 14, 14, 40, 12, 60])
    sheet.row([_("Đảng viên vắng sinh hoạt không lý do năm {year}").format(year=year)], bold=True)
    sheet.row([_("Tổ chức"), f"{organization.name} ({organization.code})"])
    sheet.row([_("Loại hình chi bộ"), _cell_type_label(cell_type)])
    sheet.row([_("Lập ngày"), timezone.localdate()])
    sheet.row([])
    sheet.row(_absence_headers(), bold=True)
    for item in items:
        sheet.row(_absence_values(item))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def absences_csv(items: list[MemberAbsences]) -> str:
    """The same list as CSV, UTF-8 with a byte-order mark (so Excel reads the Vietnamese letters)."""
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow(_absence_headers())
    for item in items:
        writer.writerow(_absence_values(item))
    return "\ufeff" + buffer.getvalue()
