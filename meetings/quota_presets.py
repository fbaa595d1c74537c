"""Visit quotas of provincial regulations, to load as a ``VisitQuotaSet`` on an organization from a date.

- "Yên Bái 18-QĐ/TU (2019)": Quy định số 18-QĐ/TU ngày 16/4/2019 of the Yên Bái provincial standing committee
  (seed 003, quoted line by line below).
- "Kon Tum 776-QĐ/TU (2023)": provincial committee members at least 2 a year; district and commune committee members
  at least 6 a year, not in their own cell (design.md, "Rules").
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy

from cells.models import Organization
from meetings.models import VisitQuota
from members.models import CommitteeSeat

Kind = Organization.Kind
Rank = CommitteeSeat.Rank
Period = VisitQuota.Period
Target = VisitQuota.Target


@dataclass(frozen=True)
class QuotaPreset:
    key: str
    name: str
    source: str
    lines: tuple[dict, ...]
    source_url: str = ""
    label: str = ""


def _lines(committee_kinds, ranks, quoted: str, *specs) -> list[dict]:
    """The same lines for each committee kind and rank: ``specs`` are ``(period, count, target, options)``."""
    return [
        {
            "committee_kind": kind,
            "rank": rank,
            "period": period,
            "count": count,
            "target": target,
            "quoted": quoted,
            **options,
        }
        for kind in committee_kinds
        for rank in ranks
        for period, count, target, options in specs
    ]


_YB_PROVINCE_STANDING = (
    "Ủy viên Ban Thường vụ Tỉnh ủy ít nhất mỗi quý 1 lần dự sinh hoạt với đảng ủy cơ sở hoặc chi bộ khu dân cư "
    "thuộc đảng bộ cấp huyện và tương đương được phân công phụ trách."
)
_YB_PROVINCE = (
    "Ủy viên Ban Chấp hành Đảng bộ tỉnh; lãnh đạo các ban, sở, ngành, Mặt trận Tổ quốc, các tổ chức chính trị - xã "
    "hội cấp tỉnh được phân công theo dõi, giúp đỡ các xã đặc biệt khó khăn mỗi quý ít nhất 2 lần dự sinh hoạt, "
    "trong đó 1 lần với đảng ủy xã và 1 lần với chi bộ khu dân cư thuộc đảng bộ xã được phân công phụ trách."
)
_YB_DISTRICT = (
    "Ủy viên ban thường vụ, ủy viên ban chấp hành đảng bộ cấp huyện mỗi quý ít nhất 2 lần dự sinh hoạt, trong đó "
    "1 lần với đảng ủy xã và 1 lần với chi bộ khu dân cư thuộc đảng bộ xã được phân công phụ trách, theo dõi."
)
_YB_GRASSROOTS = (
    "Ủy viên ban thường vụ, cấp ủy viên cơ sở ít nhất mỗi tháng 1 lần dự sinh hoạt với chi bộ khu dân cư được "
    "phân công phụ trách, theo dõi."
)
# "2 a quarter, of which 1 with the commune committee and 1 with a residential cell": three lines, all to be met.
_TWO_SPLIT = (
    (Period.QUARTER, 2, Target.COMMITTEE_OR_RESIDENTIAL, {}),
    (Period.QUARTER, 1, Target.COMMITTEE, {}),
    (Period.QUARTER, 1, Target.RESIDENTIAL, {}),
)
_KT_PROVINCE = "Tỉnh ủy viên dự sinh hoạt chi bộ ít nhất 2 lần trong năm."
_KT_LOCAL = (
    "Cấp ủy viên cấp huyện, cấp xã dự sinh hoạt chi bộ ít nhất 6 lần trong năm, không tính chi bộ nơi mình sinh hoạt."
)

PRESETS: dict[str, QuotaPreset] = {
    preset.key: preset
    for preset in (
        QuotaPreset(
            key="yen-bai-18-2019",
            name="Yên Bái 18-QĐ/TU (2019)",
            source=(
                "Quy định số 18-QĐ/TU ngày 16/4/2019 của Ban Thường vụ Tỉnh ủy Yên Bái về việc bí thư, phó bí thư, ủy "
                "viên ban thường vụ, cấp ủy viên các cấp dự sinh hoạt với chi bộ khu dân cư và chi bộ trực thuộc đảng "
                "ủy cơ sở"
            ),
            lines=(
                *_lines(
                    [Kind.PROVINCIAL],
                    [Rank.STANDING],
                    _YB_PROVINCE_STANDING,
                    (Period.QUARTER, 1, Target.COMMITTEE_OR_RESIDENTIAL, {}),
                ),
                # Only those assigned to follow a commune (the especially difficult ones): the line binds a seat that
                # has an assignment in the quarter.
                *_lines(
                    [Kind.PROVINCIAL],
                    [Rank.COMMITTEE, Rank.BOARD_LEADER],
                    _YB_PROVINCE,
                    *((p, c, t, {"requires_assignment": True}) for p, c, t, _o in _TWO_SPLIT),
                ),
                *_lines([Kind.DISTRICT], [Rank.STANDING, Rank.COMMITTEE], _YB_DISTRICT, *_TWO_SPLIT),
                # "with the residential cell assigned to follow": binds a seat that follows a residential cell (or a
                # committee with cells below it) in the month; one who follows only agency cells has none to visit.
                *_lines(
                    [Kind.COMMUNE, Kind.GRASSROOTS_COMMITTEE],
                    [Rank.STANDING, Rank.COMMITTEE],
                    _YB_GRASSROOTS,
                    (Period.MONTH, 1, Target.RESIDENTIAL, {"requires_assignment": True}),
                ),
            ),
            label=gettext_lazy("Yên Bái 18-QĐ/TU (2019)"),
        ),
        QuotaPreset(
            key="kon-tum-776-2023",
            name="Kon Tum 776-QĐ/TU (2023)",
            source=(
                "Quy định số 776-QĐ/TU năm 2023 của Ban Thường vụ Tỉnh ủy Kon Tum về cấp ủy viên dự sinh hoạt chi bộ"
            ),
            lines=(
                *_lines(
                    [Kind.PROVINCIAL],
                    [Rank.STANDING, Rank.COMMITTEE],
                    _KT_PROVINCE,
                    (Period.YEAR, 2, Target.CELL, {"assigned_only": False}),
                ),
                *_lines(
                    [Kind.DISTRICT, Kind.COMMUNE, Kind.GRASSROOTS_COMMITTEE],
                    [Rank.STANDING, Rank.COMMITTEE],
                    _KT_LOCAL,
                    (Period.YEAR, 6, Target.CELL, {"assigned_only": False, "exclude_own_cell": True}),
                ),
            ),
            label=gettext_lazy("Kon Tum 776-QĐ/TU (2023)"),
        ),
    )
}
