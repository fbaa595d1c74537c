"""Named sets of rules that can be loaded as a policy on an organization from a date.

``mac-dinh`` writes down the built-in defaults (design.md) as a policy; ``hd42-2025`` holds what Hướng dẫn
42-HD/BTCTW sets for meetings. The superior-visit quotas of provincial regulations (Yên Bái 18-QĐ/TU, Kon Tum
776-QĐ/TU) are not rules of a ``Policy`` and are not presets here.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy

from cells.models import Organization, Policy
from cells.policies import DEFAULTS, RULE_FIELDS, rule_label


@dataclass(frozen=True)
class Preset:
    key: str
    name: str
    source: str
    values: dict
    source_url: str = ""
    # Write each rule's own citation (from ``DEFAULTS``) into the policy's note.
    cite_defaults: bool = False
    # How the preset is offered in the user's language (``name`` is stored data: it stays Vietnamese); a legal
    # document's title is a proper name and needs none.
    label: str = ""

    def note(self, exclude=()) -> str:
        """Each rule's own citation, for the rules taken from the preset (not those in ``exclude``)."""
        if not self.cite_defaults:
            return ""
        with translation.override("vi"):  # stored data: in the documents' language whatever the user's
            return "\n".join(
                f"{capfirst(rule_label(name))}: {DEFAULTS[name][1]}" for name in self.values if name not in exclude
            )


PRESETS: dict[str, Preset] = {
    preset.key: preset
    for preset in (
        Preset(
            key="mac-dinh",
            name="Mặc định theo các bài viết nguồn",
            source=(
                "Điều lệ Đảng (Điều 3, Điều 24); Quy định 294-QĐ/TW (8.1); Hướng dẫn 42-HD/BTCTW (2025); "
                "các bài viết về Chi bộ cơ quan UBND xã Xuân Hiệp, Đảng bộ phường Đoàn Kết, huyện Đầm Dơi"
            ),
            values={name: value for name, (value, _citation) in DEFAULTS.items()},
            cite_defaults=True,
            label=gettext_lazy("Mặc định theo các bài viết nguồn"),
        ),
        Preset(
            key="hd42-2025",
            name="Hướng dẫn 42-HD/BTCTW (2025)",
            source=(
                "Hướng dẫn số 42-HD/BTCTW ngày 28/10/2025 của Ban Tổ chức Trung ương về tiếp tục đổi mới và "
                "nâng cao chất lượng sinh hoạt chi bộ (thực hiện Chỉ thị 50-CT/TW)"
            ),
            # Hướng dẫn 42: "thời lượng sinh hoạt chi bộ phải bảo đảm tối thiểu 90 phút", a thematic meeting held on
            # its own included; 120 only "trường hợp trong tháng, chi bộ tổ chức sinh hoạt chuyên đề và sinh hoạt
            # thường kỳ trong cùng một buổi" (``Meeting.Kind.COMBINED``). The 120 for a thematic meeting alone is the
            # practice of the cell in seed 000 (the built-in default), not the guidance. Presets stored before this
            # was corrected are fixed by migration cells 0007.
            values={
                "min_minutes_regular": 90,
                "min_minutes_thematic": 90,
                "min_minutes_combined": 120,
                "agenda_lead_days": 1,
                "agenda_send_days": 3,
                "thematic_per_quarter": 1,
            },
        ),
    )
}


def preset_choices() -> list[tuple[str, str]]:
    return [(preset.key, preset.label or preset.name) for preset in PRESETS.values()]


@transaction.atomic
def preset_load(*, preset: str, organization: Organization, valid_from: datetime.date) -> tuple[Policy, bool]:
    """Write preset ``preset`` as the policy of ``organization`` from ``valid_from``: created, or (same organization
    and date) overwritten, so loading twice changes nothing. Rules the preset leaves out are inherited.

    Returns the policy and whether it was created. Raises ``KeyError`` for an unknown preset.
    """
    chosen = PRESETS[preset]
    fields = {name: chosen.values.get(name) for name in RULE_FIELDS}
    policy = Policy.objects.select_for_update().filter(organization=organization, valid_from=valid_from).first()
    created = policy is None
    if created:
        policy = Policy(organization=organization, valid_from=valid_from)
    policy.name, policy.source, policy.source_url, policy.note = (
        chosen.name,
        chosen.source,
        chosen.source_url,
        chosen.note(),
    )
    for name, value in fields.items():
        setattr(policy, name, value)
    policy.full_clean()
    policy.save()
    return policy, created
