"""Roster files: read an uploaded XLSX or CSV roster, check it row by row, apply it in one transaction; write the
roster (or the empty template) back out as XLSX or CSV in the same layout.

The flow is read → check (a dry run) → apply:

- ``read_roster_file`` turns the upload into a ``RosterTable`` (header checked, cells as text, one entry per
  non-blank line with its spreadsheet line number). Problems with the file as a whole raise ``RosterFileError``.
- ``roster_check`` runs the whole import inside a transaction that is always rolled back: every row goes through
  the same services (``member_create``, ``member_update``, ``member_status_change``) as the real import, so the
  preview reports exactly what the import would refuse.
- ``roster_import`` does the same and commits, but only when no row has a problem: one transaction, all or nothing.

Rows are matched to existing members so that importing the same file twice changes nothing (see ``_match``).
A blank optional cell never erases what is already recorded.
"""

import csv
import datetime
import io
import re
import unicodedata
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from cells.models import Organization
from cells.spreadsheet import csv_writer
from cells.text import vi_date
from members.models import Member, Membership, Position, StatusChange
from members.querysets import status_on_subquery
from members.services import member_create, member_status_change, member_update

MAX_FILE_SIZE = 2 * 1024 * 1024
MAX_ROWS = 2000  # a commune has about 1,000 members; a checked import of 2,000 new ones takes ~10 s
# Lines read from a worksheet before giving up (formatted but empty rows count as lines in XLSX files).
MAX_LINES = 50_000
# An .xlsx is a zip archive: what it unpacks to is checked before openpyxl reads it, so that a small file cannot expand
# into gigabytes in a web worker (a 1 MB upload can hold a 1 GB string). Python's zipfile never inflates a member past
# the size its header declares, so the declared sizes bound the memory. A roster of 2,000 members unpacks to ~1 MB.
MAX_XLSX_MEMBER_SIZE = 20 * 1024 * 1024
MAX_XLSX_TOTAL_SIZE = 40 * 1024 * 1024
MAX_XLSX_MEMBERS = 500
MAX_XLSX_RATIO = 200  # a member over 1 MB unpacking to more than 200 times its packed size is not a roster
MAX_CELL_CHARS = 1000  # the longest column (an e-mail, a name) is far shorter
EXTENSIONS = (".xlsx", ".csv")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    key: str
    # The header is part of the file format (an export must re-import anywhere), so it is not translated.
    header: str
    kind: str = "text"  # text | date | gender | email
    required: bool = False


COLUMNS = (
    Column("cell_code", "Mã chi bộ"),
    Column("full_name", "Họ và tên", required=True),
    Column("birth_date", "Ngày sinh", kind="date"),
    Column("gender", "Giới tính", kind="gender"),
    Column("email", "Thư điện tử", kind="email"),
    Column("phone", "Điện thoại"),
    Column("card_number", "Số thẻ đảng viên"),
    Column("party_history_number", "Số lý lịch"),
    Column("register_number", "Số danh bạ"),
    Column("admission_date", "Ngày vào Đảng", kind="date", required=True),
    Column("official_date", "Ngày chính thức", kind="date"),
)
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}
# Written by the export, ignored by the import.
EXPORT_ONLY_HEADERS = ("Tình trạng", "Chức vụ")
# Personal data compared and updated on existing members (dates of admission and recognition are checked apart).
PERSONAL_FIELDS = Member.PERSONAL_FIELDS
GENDERS = {"nam": Member.Gender.MALE, "nữ": Member.Gender.FEMALE, "nu": Member.Gender.FEMALE}
GENDER_LABELS = {Member.Gender.MALE: "Nam", Member.Gender.FEMALE: "Nữ"}


def column_help() -> list[dict]:
    """The documented layout, for the upload page and the template's instructions sheet."""
    notes = {
        "cell_code": _("Mã của chi bộ. Bỏ trống khi nhập ở trang của một chi bộ: đảng viên vào chi bộ đó."),
        "full_name": _("Bắt buộc."),
        "birth_date": _("Ngày/tháng/năm, ví dụ 04/12/1980."),
        "gender": _("“Nam” hoặc “Nữ”."),
        "email": _("Dùng để gửi thông báo sinh hoạt."),
        "phone": _("Nên định dạng ô là văn bản để giữ số 0 ở đầu."),
        "card_number": _("Dùng để nhận ra đảng viên đã có khi nhập lại."),
        "party_history_number": "",
        "register_number": "",
        "admission_date": _("Bắt buộc. Ngày/tháng/năm."),
        "official_date": _("Bỏ trống nếu đang là đảng viên dự bị. Sau ngày vào Đảng ít nhất 12 tháng."),
    }
    required = {"cell_code": _("Khi nhập cho cấp trên chi bộ")}
    return [
        {
            "header": column.header,
            "required": _("Có") if column.required else required.get(column.key, ""),
            "note": notes[column.key],
        }
        for column in COLUMNS
    ]


class RosterFileError(Exception):
    """The file as a whole cannot be used (wrong type, unreadable, no header...): one message for the form."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- Reading a file -------------------------------------------------------------------------------------------------


def _clean_text(value) -> str:
    return " ".join(unicodedata.normalize("NFC", value).split())


def _header_key(value) -> str:
    return _clean_text(str(value or "")).rstrip("* ").casefold()


_HEADER_KEYS = {_header_key(column.header): column.key for column in COLUMNS}


def _cell_text(value) -> str:
    """A spreadsheet cell as text: dates as ISO, whole numbers without ".0"."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return _clean_text(str(value))


@dataclass
class RosterTable:
    """The cells of a roster file as text, keyed by column, with each row's spreadsheet line number."""

    columns: list[str]
    rows: list[tuple[int, dict[str, str]]]
    ignored_headers: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "columns": self.columns,
            "rows": [[line, values] for line, values in self.rows],
            "ignored": self.ignored_headers,
        }

    @classmethod
    def from_json(cls, data: dict) -> "RosterTable":
        return cls(
            columns=list(data["columns"]),
            rows=[(int(line), dict(values)) for line, values in data["rows"]],
            ignored_headers=list(data.get("ignored", [])),
        )


def _table_from_lines(lines, *, needs_cell_code: bool) -> RosterTable:
    """Build the table from an iterator of rows (lists of cell values); the first row is the header."""
    header = next(lines, None)
    if header is None or not any(_cell_text(value) for value in header):
        raise RosterFileError(_("Tệp trống: dòng 1 phải là dòng tiêu đề theo mẫu, các dòng sau là đảng viên."))
    positions: dict[str, int] = {}
    ignored: list[str] = []
    for index, value in enumerate(header):
        text = _cell_text(value)
        key = _HEADER_KEYS.get(_header_key(text))
        if key is None:
            if text and text not in EXPORT_ONLY_HEADERS:
                ignored.append(text)
            continue
        if key in positions:
            raise RosterFileError(
                _("Cột “{header}” xuất hiện hai lần ở dòng tiêu đề.").format(header=COLUMN_BY_KEY[key].header)
            )
        positions[key] = index
    required = [column for column in COLUMNS if column.required or (column.key == "cell_code" and needs_cell_code)]
    missing = [column.header for column in required if column.key not in positions]
    if missing:
        raise RosterFileError(
            _("Tệp thiếu cột bắt buộc: {columns}. Dòng 1 phải là dòng tiêu đề theo mẫu.").format(
                columns=", ".join(f"“{header}”" for header in missing)
            )
        )
    rows: list[tuple[int, dict[str, str]]] = []
    for line, values in enumerate(lines, start=2):
        if line > MAX_LINES:
            raise RosterFileError(
                _("Tệp quá dài: chỉ đọc tối đa {n} dòng.").format(n=f"{MAX_LINES:,}".replace(",", "."))
            )
        values = list(values)
        row = {key: _cell_text(values[index]) if index < len(values) else "" for key, index in positions.items()}
        for key, text in row.items():
            if len(text) > MAX_CELL_CHARS:
                raise RosterFileError(
                    _("Ô “{header}” ở dòng {line} dài {n} ký tự, quá {limit}: hãy kiểm tra lại tệp.").format(
                        header=COLUMN_BY_KEY[key].header,
                        line=line,
                        n=f"{len(text):,}".replace(",", "."),
                        limit=f"{MAX_CELL_CHARS:,}".replace(",", "."),
                    )
                )
        if not any(row.values()):
            continue
        rows.append((line, row))
        if len(rows) > MAX_ROWS:
            raise RosterFileError(
                _("Tệp có hơn {n} đảng viên; hãy chia thành nhiều tệp nhỏ hơn.").format(
                    n=f"{MAX_ROWS:,}".replace(",", ".")
                )
            )
    if not rows:
        raise RosterFileError(_("Tệp không có dòng đảng viên nào (dòng 1 là tiêu đề, đảng viên từ dòng 2)."))
    return RosterTable(columns=list(positions), rows=rows, ignored_headers=ignored)


def _csv_lines(content: bytes):
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RosterFileError(
            _(
                "Tệp CSV không dùng mã UTF-8. Trong Excel, chọn Lưu thành “CSV UTF-8 (phân tách bằng dấu phẩy)” "
                "rồi tải lên lại."
            )
        ) from None
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    try:
        yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    except csv.Error:
        raise RosterFileError(_("Không đọc được tệp CSV này: hãy mở bằng Excel và lưu lại.")) from None


def _unreadable_xlsx() -> str:  # noqa: N802 (a message, looked up in the active language)
    return _("Không đọc được tệp Excel này. Hãy lưu lại dưới dạng Excel Workbook (.xlsx) rồi tải lên lại.")


def _check_archive(content: bytes) -> None:
    """Refuse an .xlsx whose archive would unpack to more than a roster ever needs, before anything is inflated."""
    try:
        members = zipfile.ZipFile(io.BytesIO(content)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise RosterFileError(_unreadable_xlsx()) from None
    too_big = _("Tệp Excel này khi giải nén quá lớn so với một danh sách đảng viên; hãy lưu lại chỉ trang danh sách.")
    if len(members) > MAX_XLSX_MEMBERS:
        raise RosterFileError(too_big)
    total = 0
    for member in members:
        total += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        if (
            member.file_size > MAX_XLSX_MEMBER_SIZE
            or total > MAX_XLSX_TOTAL_SIZE
            or (member.file_size > 1024 * 1024 and ratio > MAX_XLSX_RATIO)
        ):
            raise RosterFileError(too_big)


def _xlsx_lines(content: bytes):
    import openpyxl  # Imported here: only the file views need it.

    _check_archive(content)

    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        if not workbook.worksheets:
            raise RosterFileError(_("Tệp Excel không có trang tính nào."))
        yield from workbook.worksheets[0].iter_rows(values_only=True)
    finally:
        workbook.close()


def read_roster_file(upload, *, needs_cell_code: bool = False) -> RosterTable:
    """Read an uploaded roster (an ``UploadedFile``). ``needs_cell_code``: the "Mã chi bộ" column is required."""
    name = (upload.name or "").lower()
    if not name.endswith(EXTENSIONS):
        raise RosterFileError(_("Chỉ nhận tệp Excel (.xlsx) hoặc CSV (.csv)."))
    if upload.size > MAX_FILE_SIZE:
        raise RosterFileError(_("Tệp lớn hơn 2 MB; hãy chia thành nhiều tệp nhỏ hơn."))
    if upload.size == 0:
        raise RosterFileError(_("Tệp trống."))
    upload.seek(0)
    content = upload.read(MAX_FILE_SIZE + 1)
    is_xlsx = name.endswith(".xlsx")
    lines = _xlsx_lines(content) if is_xlsx else _csv_lines(content)
    try:
        return _table_from_lines(lines, needs_cell_code=needs_cell_code)
    except RosterFileError:
        raise
    except Exception as error:
        # A damaged workbook can fail anywhere inside openpyxl (zip, XML, styles): the user gets one message.
        if not is_xlsx:
            raise
        raise RosterFileError(_unreadable_xlsx()) from error
    finally:
        lines.close()


# --- Checking and applying ------------------------------------------------------------------------------------------

_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$")


def parse_date(text: str) -> datetime.date:
    """dd/mm/yyyy, d/m/yyyy or yyyy-mm-dd (Excel date cells arrive as ISO). ValueError otherwise."""
    if match := _DMY.match(text):
        day, month, year = (int(part) for part in match.groups())
    elif match := _ISO.match(text):
        year, month, day = (int(part) for part in match.groups())
    else:
        raise ValueError(text)
    return datetime.date(year, month, day)


def _lines(lines: list[int]) -> str:
    numbers = [str(line) for line in sorted(lines)]
    if len(numbers) == 1:
        return numbers[0]
    return _("{first} và {last}").format(first=", ".join(numbers[:-1]), last=numbers[-1])


@dataclass
class RowResult:
    """One line of the file: what the import does with it, or what is wrong with it."""

    line: int
    full_name: str
    values: dict
    data: dict = field(default_factory=dict)
    cell: Organization | None = None
    member: Member | None = None
    action: str = ""  # "create" | "update" | "unchanged" ("" while problems remain)
    changed: dict[str, object] = field(default_factory=dict)  # field an update changes → its value before
    problems: list[str] = field(default_factory=list)

    CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"

    @property
    def changes(self) -> list[str]:
        """The changed columns, for the preview; a new name shows the name it replaces."""
        labels = []
        for key in self.changed:
            header = COLUMN_BY_KEY[key].header
            if key == "full_name":
                header = f"{header} ({self.changed[key]} → {self.data['full_name']})"
            labels.append(header)
        return labels


@dataclass
class RosterReport:
    """What an import did (or would do): every row's action, and every row's problems with its line number."""

    rows: list[RowResult]
    ignored_headers: list[str] = field(default_factory=list)
    applied: bool = False

    def _count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action and not row.problems)

    @property
    def created(self) -> int:
        return self._count(RowResult.CREATE)

    @property
    def updated(self) -> int:
        return self._count(RowResult.UPDATE)

    @property
    def unchanged(self) -> int:
        return self._count(RowResult.UNCHANGED)

    @property
    def problem_rows(self) -> list[RowResult]:
        return [row for row in self.rows if row.problems]

    @property
    def changed_rows(self) -> list[RowResult]:
        return [row for row in self.rows if not row.problems and row.action != RowResult.UNCHANGED]

    @property
    def is_clean(self) -> bool:
        return not self.problem_rows

    @property
    def has_changes(self) -> bool:
        return bool(self.created or self.updated)


def _parse_row(row: RowResult, columns: list[str], organization: Organization, cells: dict, today) -> None:
    """Typed values and the problems of one row taken alone."""
    values = row.values
    data = row.data
    for key in columns:
        column = COLUMN_BY_KEY[key]
        text = values.get(key, "")
        if key == "cell_code":
            continue
        if not text:
            data[key] = None if column.kind == "date" else ""
            continue
        if column.kind == "date":
            try:
                data[key] = parse_date(text)
            except ValueError:
                data[key] = None
                if _DMY.match(text) or _ISO.match(text):
                    message = _("{column} “{value}” không phải là ngày có thật.")
                else:
                    message = _("{column} “{value}” không hợp lệ: ghi theo dạng ngày/tháng/năm, ví dụ 04/12/1980.")
                row.problems.append(message.format(column=column.header, value=text))
        elif column.kind == "gender":
            gender = GENDERS.get(text.casefold())
            data[key] = gender or ""
            if gender is None:
                row.problems.append(_("Giới tính “{value}” không hợp lệ: ghi “Nam” hoặc “Nữ”.").format(value=text))
        elif column.kind == "email":
            data[key] = text
            try:
                validate_email(text)
            except ValidationError:
                row.problems.append(_("Thư điện tử “{value}” không hợp lệ.").format(value=text))
        else:
            data[key] = text
    if not values.get("full_name"):
        row.problems.append(_("Thiếu họ và tên."))
    if not values.get("admission_date"):
        row.problems.append(_("Thiếu ngày vào Đảng."))
    elif data.get("admission_date") and data["admission_date"] > today:
        row.problems.append(_("Ngày vào Đảng không được sau hôm nay."))
    if data.get("official_date") and data["official_date"] > today:
        row.problems.append(_("Ngày chính thức không được sau hôm nay."))

    code = values.get("cell_code", "")
    if not code and not organization.is_cell:
        row.problems.append(_("Thiếu mã chi bộ."))
    elif code and code not in cells:
        row.problems.append(
            _("Mã chi bộ “{code}” không có hoặc nằm ngoài phạm vi của {organization}.").format(
                code=code, organization=organization.name
            )
        )
    else:
        row.cell = cells[code] if code else organization
        if not row.cell.is_active_on(today):
            row.problems.append(_("{cell} không còn hoạt động.").format(cell=row.cell.name))


def _person_key(name: str, birth_date, cell_id) -> tuple:
    return (_clean_text(name).casefold(), birth_date, cell_id)


def _with_current_cell(queryset):
    current = Membership.objects.filter(member=OuterRef("pk"), kind=Membership.Kind.HOME, valid_to__isnull=True)
    return queryset.annotate(
        current_cell_id=Subquery(current.values("organization_id")[:1]),
        current_cell_name=Subquery(current.values("organization__name")[:1]),
        current_cell_path=Subquery(current.values("organization__path")[:1]),
    )


def _match(rows: list[RowResult], organization: Organization) -> None:
    """Find the existing member of each row (two queries in all).

    A row with a card number is the member holding that card; a row without one (or whose card nobody holds yet)
    is the member with the same name and birth date in the row's cell who has no other card. A card held by a
    member of another cell is a problem: moving members between cells is a transfer, never a side effect. Its cell is
    named only when it lies under ``organization`` (the importer writes there); elsewhere the card is only "taken".
    """
    candidates = [row for row in rows if not row.problems]
    cards = {row.data["card_number"] for row in candidates if row.data.get("card_number")}
    by_card = {m.card_number: m for m in _with_current_cell(Member.objects.filter(card_number__in=cards))}
    cell_ids = {row.cell.pk for row in candidates}
    by_person: dict[tuple, list[Member]] = defaultdict(list)
    in_cells = Membership.objects.filter(
        organization_id__in=cell_ids, kind=Membership.Kind.HOME, valid_to__isnull=True
    ).values("member_id")
    for member in _with_current_cell(Member.objects.filter(pk__in=in_cells)):
        by_person[_person_key(member.full_name, member.birth_date, member.current_cell_id)].append(member)

    for row in candidates:
        card = row.data.get("card_number")
        holder = by_card.get(card) if card else None
        if holder is not None:
            other_name = _clean_text(holder.full_name).casefold() != _clean_text(row.data["full_name"]).casefold()
            birth = row.data.get("birth_date")
            other_birth = birth is not None and holder.birth_date is not None and birth != holder.birth_date
            if holder.current_cell_id == row.cell.pk and other_name and other_birth:
                # Name and birth date both differ: a mistyped card number, not a correction of one member's record.
                row.problems.append(
                    _(
                        "Số thẻ đảng viên {card} là của đảng viên {name} (sinh {day}), khác họ tên và ngày sinh ở "
                        "dòng này; hãy kiểm tra lại số thẻ."
                    ).format(card=card, name=holder.full_name, day=vi_date(holder.birth_date))
                )
            elif holder.current_cell_id == row.cell.pk:
                row.member = holder
            elif holder.current_cell_path and holder.current_cell_path.startswith(organization.path):
                row.problems.append(
                    _(
                        "Đảng viên có số thẻ {card} đang sinh hoạt ở {cell}; hãy dùng chức năng chuyển sinh hoạt."
                    ).format(card=card, cell=holder.current_cell_name)
                )
            else:
                # Outside what the importer manages (another cell's member, or one who left): that the card is
                # taken, and nothing about whose it is or where they are.
                row.problems.append(
                    _(
                        "Số thẻ đảng viên {card} đã được đăng ký cho một đảng viên ngoài {organization}; hãy kiểm tra "
                        "lại số thẻ, hoặc đề nghị cấp ủy cấp trên chuyển sinh hoạt nếu đồng chí này chuyển đến."
                    ).format(card=card, organization=organization.name)
                )
            continue
        namesakes = by_person.get(_person_key(row.data["full_name"], row.data.get("birth_date"), row.cell.pk), [])
        same = [member for member in namesakes if not card or not member.card_number]
        if namesakes and not same:
            # Same person with a mistyped card number, most likely: creating a second one would be worse.
            row.problems.append(
                _(
                    "Chi bộ đã có đảng viên {name} cùng ngày sinh nhưng số thẻ khác ({cards}); hãy kiểm tra lại "
                    "số thẻ đảng viên."
                ).format(name=namesakes[0].full_name, cards=", ".join(member.card_number for member in namesakes))
            )
        elif len(same) > 1:
            row.problems.append(
                _(
                    "Chi bộ có {n} đảng viên cùng họ tên và ngày sinh này; hãy ghi số thẻ đảng viên để phân biệt."
                ).format(n=len(same))
            )
        elif same:
            row.member = same[0]


def _check_duplicates(rows: list[RowResult]) -> None:
    """Two lines of the file that are the same person: the same card number, or the same name, birth date and cell."""
    by_card: dict[str, list[RowResult]] = defaultdict(list)
    by_person: dict[tuple, list[RowResult]] = defaultdict(list)
    for row in rows:
        card = row.data.get("card_number")
        if card:
            by_card[card].append(row)
        elif row.data.get("full_name") and row.cell is not None:
            by_person[_person_key(row.data["full_name"], row.data.get("birth_date"), row.cell.pk)].append(row)
    for card, same in by_card.items():
        if len(same) > 1:
            for row in same:
                row.problems.append(
                    _("Số thẻ đảng viên {card} bị trùng ở các dòng {lines}.").format(
                        card=card, lines=_lines([other.line for other in same])
                    )
                )
    for same in by_person.values():
        if len(same) > 1:
            for row in same:
                row.problems.append(
                    _("Các dòng {lines} trùng họ tên, ngày sinh và chi bộ.").format(
                        lines=_lines([other.line for other in same])
                    )
                )


def _check_same_member(rows: list[RowResult]) -> None:
    """Two lines matched to one existing member (e.g. one by card number, one by name)."""
    by_member: dict[int, list[RowResult]] = defaultdict(list)
    for row in rows:
        if row.member is not None and not row.problems:
            by_member[row.member.pk].append(row)
    for same in by_member.values():
        if len(same) > 1:
            for row in same:
                row.problems.append(
                    _("Các dòng {lines} cùng là đảng viên {name} đã có trong danh sách.").format(
                        lines=_lines([other.line for other in same]), name=same[0].member.full_name
                    )
                )


def _plan(row: RowResult, columns: list[str]) -> None:
    """Decide create / update / unchanged, and what changes (blank cells keep what is recorded)."""
    if row.member is None:
        row.action = RowResult.CREATE
        return
    member = row.member
    for key in PERSONAL_FIELDS:
        if key not in columns:
            continue
        value = row.data.get(key)
        if value in (None, ""):
            continue
        current = getattr(member, key)
        if key == "full_name":
            value, current = _clean_text(value), _clean_text(current)
        if value != current:
            row.changed[key] = current
    admission = row.data.get("admission_date")
    if admission and admission != member.admission_date:
        row.problems.append(
            _("Ngày vào Đảng khác với hồ sơ ({day}); nếu hồ sơ sai, hãy sửa ở trang của đảng viên.").format(
                day=vi_date(member.admission_date)
            )
        )
    official = row.data.get("official_date")
    if official and member.official_date and official != member.official_date:
        row.problems.append(
            _("Ngày chính thức khác với hồ sơ ({day}); nếu hồ sơ sai, hãy sửa ở trang của đảng viên.").format(
                day=vi_date(member.official_date)
            )
        )
    elif official and not member.official_date:
        row.changed["official_date"] = None
    row.action = RowResult.UPDATE if row.changed else RowResult.UNCHANGED


def _error_messages(error: ValidationError) -> list[str]:
    """A service's refusal as row problems, each naming its column when the message does not already."""
    if not hasattr(error, "error_dict"):
        return list(error.messages)
    messages = []
    for key, errors in error.message_dict.items():
        header = COLUMN_BY_KEY[key].header if key in COLUMN_BY_KEY else ""
        for message in errors:
            named = not header or header.casefold() in message.casefold()
            messages.append(message if named else f"{header}: {message}")
    return messages


def _write(row: RowResult, columns: list[str], by) -> None:
    """Create or update the row's member through the member services (inside the caller's savepoint)."""
    fields = {key: row.data[key] for key in PERSONAL_FIELDS if key in columns and row.data.get(key) not in (None, "")}
    if row.action == RowResult.CREATE:
        fields["admission_date"] = row.data["admission_date"]
        fields["official_date"] = row.data.get("official_date")
        # The member joins the cell on admission, or when the cell came into being if that was later.
        joined = max(row.data["admission_date"], row.cell.valid_from)
        row.member = member_create(cell=row.cell, joined_cell_on=joined, by=by, **fields)
        return
    member = row.member
    changed = {key: value for key, value in fields.items() if key in row.changed}
    if changed:
        member_update(member=member, by=by, **changed)
    official = row.data.get("official_date")
    if official and not member.official_date:
        latest = StatusChange.objects.filter(member=member).order_by("-effective_from", "-id").first()
        if latest is None or latest.status != StatusChange.Status.PROBATIONARY:
            raise ValidationError(
                {
                    "official_date": _(
                        "Đảng viên đang ở tình trạng “{status}”, không phải dự bị: ghi nhận ngày chính thức ở trang "
                        "của đảng viên."
                    ).format(status=latest.get_status_display() if latest else "?")
                }
            )
        member_status_change(
            member=member, status=StatusChange.Status.OFFICIAL, effective_from=official, note=_("Nhập danh sách"), by=by
        )


def _run(organization: Organization, table: RosterTable, by) -> RosterReport:
    today = timezone.localdate()
    codes = {values.get("cell_code") for _line, values in table.rows if values.get("cell_code")}
    cells = {
        cell.code: cell
        for cell in Organization.objects.cells().filter(code__in=codes, path__startswith=organization.path)
    }
    rows = [RowResult(line=line, full_name=values.get("full_name", ""), values=values) for line, values in table.rows]
    for row in rows:
        _parse_row(row, table.columns, organization, cells, today)
    _check_duplicates(rows)
    _match(rows, organization)
    _check_same_member(rows)
    for row in rows:
        if not row.problems:
            _plan(row, table.columns)

    to_write = [row for row in rows if not row.problems and row.action != RowResult.UNCHANGED]
    if to_write:
        # Serialize imports into the same cells: the second one sees the first one's members.
        list(Organization.objects.select_for_update().filter(pk__in={row.cell.pk for row in to_write}).values("pk"))
    for row in to_write:
        try:
            with transaction.atomic():
                _write(row, table.columns, by)
        except ValidationError as error:
            row.problems.extend(_error_messages(error))
        except IntegrityError:
            row.problems.append(_("Không ghi được dòng này vì dữ liệu vừa bị thay đổi; hãy kiểm tra lại."))
    return RosterReport(rows=rows, ignored_headers=table.ignored_headers)


def roster_check(*, organization: Organization, table: RosterTable, by=None) -> RosterReport:
    """Dry run: the whole import through the same services, always rolled back. Nothing is written."""
    with transaction.atomic():
        report = _run(organization, table, by)
        transaction.set_rollback(True)
    for row in report.rows:
        if row.action == RowResult.CREATE:
            row.member = None  # rolled back: the instance was never saved
    return report


@transaction.atomic
def roster_import(*, organization: Organization, table: RosterTable, by=None) -> RosterReport:
    """Import the roster in one transaction: every row is written, or (if any row has a problem) none is.

    Importing the same file again changes nothing: every row matches its member and reports "unchanged".
    """
    report = _run(organization, table, by)
    if report.is_clean:
        report.applied = True
    else:
        transaction.set_rollback(True)
    return report


# --- Writing files --------------------------------------------------------------------------------------------------


@dataclass
class RosterLine:
    member: Member
    cell_code: str
    status: str
    positions: list[str]


def roster_lines(organization: Organization, day: datetime.date) -> list[RosterLine]:
    """The home members of the cells in ``organization``'s subtree on ``day`` (for a cell, the same people as
    ``Member.objects.roster_of(cell, day, include_temporary=False)``), by cell then in Vietnamese name order.

    Two queries whatever the number of members: the memberships with their members, cells and statuses; the posts.
    Guests attached here temporarily are left out: they belong to (and are exported with) their home cell.
    """
    memberships = (
        Membership.objects.filter(
            organization__path__startswith=organization.path,
            organization__kind__in=Organization.CELL_KINDS,
            kind=Membership.Kind.HOME,
        )
        .active_on(day)
        .annotate(status=status_on_subquery(day, member_ref="member_id"))
        .filter(status__isnull=False)
        .exclude(status__in=StatusChange.GONE)
        .select_related("member", "organization")
        .order_by("organization__path", "member__sort_key", "member_id")
    )
    positions: dict[tuple[int, int], list[str]] = defaultdict(list)
    for member_id, organization_id, role in (
        Position.objects.active_on(day)
        .filter(organization__path__startswith=organization.path)
        .order_by("role")
        .values_list("member_id", "organization_id", "role")
    ):
        positions[(member_id, organization_id)].append(str(Position.Role(role).label))
    return [
        RosterLine(
            member=membership.member,
            cell_code=membership.organization.code,
            status=str(StatusChange.Status(membership.status).label),
            positions=positions.get((membership.member_id, membership.organization_id), []),
        )
        for membership in memberships
    ]


def _member_cells(line: RosterLine) -> list:
    member = line.member
    return [
        line.cell_code,
        member.full_name,
        member.birth_date,
        GENDER_LABELS.get(member.gender, ""),
        member.email,
        member.phone,
        member.card_number,
        member.party_history_number,
        member.register_number,
        member.admission_date,
        member.official_date,
        line.status,
        ", ".join(line.positions),
    ]


_WIDTHS = (12, 28, 12, 9, 28, 14, 16, 12, 12, 14, 14, 22, 16)
_DATE_FORMAT = "DD/MM/YYYY"


def _workbook(title: str, lines: list[RosterLine], *, headers: list[str], instructions: bool = False) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    for index, width in enumerate(_WIDTHS[: len(headers)], start=1):
        sheet.column_dimensions[_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    date_columns = {index for index, column in enumerate(COLUMNS) if column.kind == "date"}
    if instructions:
        gender_column = _column_letter(1 + [column.key for column in COLUMNS].index("gender"))
        validation = DataValidation(type="list", formula1='"Nam,Nữ"', allow_blank=True)
        validation.add(f"{gender_column}2:{gender_column}{MAX_ROWS + 1}")
        sheet.data_validations.append(validation)
    bold = Font(bold=True)
    header_cells = []
    for text in headers:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for line in lines:
        row = []
        for index, value in enumerate(_member_cells(line)):
            cell = WriteOnlyCell(sheet, value=value if value != "" else None)
            if index in date_columns:
                cell.number_format = _DATE_FORMAT
            elif isinstance(value, str):
                # Text, never a formula (a name typed as "=HYPERLINK(…)" stays inert); keeps leading zeros.
                cell.data_type = "s"
                cell.number_format = "@"
            row.append(cell)
        sheet.append(row)
    if instructions:
        notes = workbook.create_sheet(_("Hướng dẫn"))
        notes.column_dimensions["A"].width = 20
        notes.column_dimensions["B"].width = 28
        notes.column_dimensions["C"].width = 90
        notes.append([_("Cột"), _("Bắt buộc"), _("Cách ghi")])
        for item in column_help():
            notes.append([item["header"], item["required"], item["note"]])
        notes.append([])
        for text in general_notes():
            notes.append([text])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


def general_notes() -> list[str]:
    return [
        _(
            "Dòng 1 là dòng tiêu đề, giữ nguyên tên cột; mỗi đảng viên một dòng từ dòng 2. "
            "Có thể bỏ các cột không bắt buộc."
        ),
        _("Ô để trống không xóa dữ liệu đã có. Nhập lại cùng một tệp không thay đổi gì."),
        _("Đảng viên đã có được nhận ra theo số thẻ đảng viên, nếu không có thì theo họ tên, ngày sinh và chi bộ."),
    ]


def roster_xlsx(organization: Organization, day: datetime.date) -> bytes:
    """The roster of ``organization`` on ``day`` as XLSX, in the import layout plus status and posts."""
    headers = [column.header for column in COLUMNS] + list(EXPORT_ONLY_HEADERS)
    return _workbook(_("Danh sách"), roster_lines(organization, day), headers=headers)


def template_xlsx() -> bytes:
    """The empty template: the header row, a gender drop-down, and an instructions sheet."""
    return _workbook(_("Danh sách"), [], headers=[column.header for column in COLUMNS], instructions=True)


def template_csv() -> bytes:
    """The empty CSV template: the header row, UTF-8 with a BOM so that Excel opens Vietnamese text correctly."""
    buffer = io.StringIO()
    csv_writer(buffer, lineterminator="\r\n").writerow([column.header for column in COLUMNS])
    return buffer.getvalue().encode("utf-8-sig")
