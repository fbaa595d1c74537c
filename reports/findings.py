"""The stored findings and how they read: each rule's label, its result with the measured and required values, the
policy and legal source of the required one, and the reasons a cell-month failed. No query but ``findings_in``."""

import dataclasses
import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from cells.models import Organization
from cells.policies import SYSTEM_DEFAULT, SourceKind, is_binding
from reports.models import CellMonth, Result

PASS, FAIL, NA, ADVICE = Result.PASS, Result.FAIL, Result.NOT_APPLICABLE, Result.ADVICE

RULE_LABELS = {
    "regular_held": gettext_lazy("Có sinh hoạt định kỳ"),
    "length": gettext_lazy("Đủ thời lượng"),
    "speakers": gettext_lazy("Đủ số đảng viên phát biểu"),
    "attendance": gettext_lazy("Đủ số đảng viên dự họp"),
    "resolution": gettext_lazy("Nghị quyết thông qua hợp lệ"),
    "agenda_on_time": gettext_lazy("Gửi chương trình đúng hạn"),
    "minutes_on_time": gettext_lazy("Duyệt biên bản đúng hạn"),
    "thematic": gettext_lazy("Có sinh hoạt chuyên đề trong quý"),
    "thematic_length": gettext_lazy("Sinh hoạt chuyên đề đủ thời lượng"),
    "cell_size": gettext_lazy("Đủ số đảng viên chính thức"),
    "absences": gettext_lazy("Vắng sinh hoạt không lý do"),
}


@dataclass(frozen=True)
class Finding:
    """One rule of one cell-month, as a dashboard shows it."""

    rule: str
    label: str
    result: str
    measured: object
    required: object
    policy: str
    organization: str
    citation: str
    valid_from: str | None
    policy_id: int | None
    # ``cells.policies.SourceKind`` of the required value ("" for a row stored before kinds were recorded).
    kind: str = ""
    # Thematic meetings held in the quarter so far (the "thematic" rule counts those long enough).
    held: int | None = None
    # The meeting the finding measured, when it is not the month's regular meeting (a thematic meeting).
    meeting_id: int | None = None

    @property
    def binding(self) -> bool:
        return is_binding(self.kind or None)

    @property
    def kind_label(self) -> str:
        return str(SourceKind(self.kind).label) if self.kind in SourceKind.values else ""

    @property
    def advice(self) -> bool:
        return self.result == ADVICE


def findings(row: CellMonth) -> list[Finding]:
    """The findings of a stored row, in the order of ``CellMonth.RULE_FIELDS`` (no query)."""
    out = []
    for rule in CellMonth.RULE_FIELDS:
        data = row.rules.get(rule, {})
        out.append(
            Finding(
                rule=rule,
                label=str(RULE_LABELS[rule]),
                result=getattr(row, rule),
                measured=data.get("measured"),
                required=data.get("required"),
                policy=data.get("policy", ""),
                organization=data.get("organization", ""),
                citation=data.get("citation", ""),
                valid_from=data.get("valid_from"),
                policy_id=data.get("policy_id"),
                kind=data.get("kind", ""),
                held=data.get("held"),
                meeting_id=data.get("meeting_id"),
            )
        )
    return out


def findings_in(organization: Organization, months: list[datetime.date], cell_type: str = "") -> QuerySet[CellMonth]:
    """The stored findings of the subtree over these consecutive months, of one cell type or all.

    The stored ``path`` (the cell's path when the row was computed, indexed; a move updates it) selects the rows;
    the cell's path today must lie in the subtree too, so that a row whose path was left behind by a change made
    outside the services (the admin's tree editor) never shows another subtree's history."""
    queryset = CellMonth.objects.filter(
        path__startswith=organization.path,
        cell__path__startswith=organization.path,
        month__gte=months[0],
        month__lte=months[-1],
    ).order_by()
    if cell_type:
        queryset = queryset.filter(cell_type=cell_type)
    return queryset


def reason(rule: str, data: dict | None) -> str:
    """A failed rule with its measured and required values, e.g. "Thời lượng 75/90 phút"."""
    data = data or {}
    measured, required = data.get("measured"), data.get("required")
    known = measured is not None and required is not None
    if rule == "regular_held":
        return _("Không sinh hoạt định kỳ")
    if rule == "length" and known:
        return _("Thời lượng {measured}/{required} phút").format(measured=measured, required=required)
    if rule == "speakers" and known:
        return _("Phát biểu {measured}/{required} đảng viên").format(measured=measured, required=required)
    if rule == "attendance" and known:
        return _("Có mặt {measured}/{required} đảng viên chính thức (cần quá nửa)").format(
            measured=measured, required=required
        )
    if rule == "resolution":
        if measured is None:
            return _("Nghị quyết không thông qua hợp lệ")
        return _("Nghị quyết {measured}/{required} phiếu tán thành").format(measured=measured, required=required)
    if rule == "agenda_on_time":
        if measured is None:
            return _("Không gửi chương trình")
        return _("Gửi chương trình trước {measured}/{required} ngày").format(measured=measured, required=required)
    if rule == "minutes_on_time":
        if measured is None:
            return _("Chưa duyệt biên bản (hạn {required} ngày)").format(required=required)
        return _("Duyệt biên bản sau {measured} ngày (hạn {required} ngày)").format(
            measured=measured, required=required
        )
    if rule == "thematic" and known:
        text = _("Chuyên đề {measured}/{required} buổi trong quý").format(measured=measured, required=required)
        return text + _too_short(data.get("held"), measured)
    if rule == "thematic_length" and known:
        return _("Chuyên đề {measured}/{required} phút").format(measured=measured, required=required)
    if rule == "cell_size" and known:
        return _("Đảng viên chính thức {measured}/{required}").format(measured=measured, required=required)
    return str(RULE_LABELS.get(rule, rule))


def _too_short(held: int | None, counted: int | None) -> str:
    """ " (1 buổi chưa đủ thời lượng)": the thematic meetings held that the quarter does not count."""
    short = (held or 0) - (counted or 0)
    if short <= 0:
        return ""
    return " " + ngettext("({n} buổi chưa đủ thời lượng)", "({n} buổi chưa đủ thời lượng)", short).format(n=short)


def rule_label(rule: str) -> str:
    return str(RULE_LABELS.get(rule, rule))


@dataclass(frozen=True)
class FindingRow:
    """One rule of a cell-month as the meeting page shows it: the stored finding (result, values, the policy and
    legal source of the required value) and its measured-against-required text."""

    finding: Finding
    measure: str


def measure(rule: str, measured, required, held: int | None = None) -> str:
    """A rule's measured value against its required one, e.g. "75/90 phút"; "—" when nothing was measured."""
    if rule == "regular_held":
        return ""
    if measured is None and required is None:
        return "—"
    shown = "—" if measured is None else measured
    if rule in ("length", "thematic_length"):
        return _("{measured}/{required} phút").format(measured=shown, required=required)
    if rule in ("speakers", "cell_size"):
        return _("{measured}/{required} đảng viên").format(measured=shown, required=required)
    count = measured if isinstance(measured, int) else 0
    if rule == "attendance":
        # ``required`` is already the quorum: more than half of the counted official members.
        return _("{measured} đảng viên chính thức có mặt, cần ít nhất {required} (quá nửa)").format(
            measured=shown, required=required
        )
    if rule == "resolution":
        return _("{measured}/{required} phiếu tán thành").format(measured=shown, required=required)
    if rule == "agenda_on_time":
        return ngettext(
            "gửi trước {measured} ngày, cần {required}", "gửi trước {measured} ngày, cần {required}", count
        ).format(measured=shown, required=required)
    if rule == "minutes_on_time":
        return ngettext(
            "duyệt sau {measured} ngày, hạn {required}", "duyệt sau {measured} ngày, hạn {required}", count
        ).format(measured=shown, required=required)
    if rule == "thematic":
        text = ngettext(
            "{measured}/{required} buổi trong quý", "{measured}/{required} buổi trong quý", required or 0
        ).format(measured=shown, required=required)
        return text + _too_short(held, measured)
    return f"{shown}/{required}"


def finding_rows(row: CellMonth) -> list[FindingRow]:
    """Every rule of one stored cell-month, in the order of ``CellMonth.RULE_FIELDS`` (no query)."""
    system_default = _("Mặc định của hệ thống")
    rows = []
    for item in findings(row):
        if item.citation == SYSTEM_DEFAULT:  # a default without a legal text: stored as its name, shown translated
            item = dataclasses.replace(item, citation=system_default)
        rows.append(FindingRow(item, measure(item.rule, item.measured, item.required, item.held)))
    return rows


def status_of(row: dict) -> str:
    """ "pass", "fail" or "na" for a cell-month (see the module's docstring)."""
    if not row["all_ok"]:
        return FAIL
    return PASS if row["regular_held"] == PASS else NA


def failed_reasons(row: dict) -> list[str]:
    rules = row.get("rules") or {}
    return [reason(rule, rules.get(rule)) for rule in CellMonth.RULE_FIELDS if row.get(rule) == FAIL]
