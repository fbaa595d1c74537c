"""The rules a meeting is measured against, and the vote rule.

The numbers are the defaults of ``../shared/design.md``; the compliance issue turns them into dated policy data.
Callers get them through ``rules_for(organization, day)`` so that change lands in one place.
"""

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Rules:
    min_minutes: dict
    min_member_speakers: int = 4
    confirm_over_minutes: int = 6 * 60
    agenda_lead_days: int = 1
    agenda_send_days: int = 3
    source: str = "Hướng dẫn 42-HD/BTCTW (2025); Điều lệ Đảng"


DEFAULT_RULES = Rules(min_minutes={"regular": 90, "thematic": 120, "combined": 120, "extraordinary": 0})


def rules_for(organization, day: datetime.date) -> Rules:
    return DEFAULT_RULES


# Member statuses (frozen on the attendance row) and what they mean for the vote (design.md, "Member statuses").
OFFICIAL = "official"
EXEMPTED = "exempted"


@dataclass(frozen=True)
class VoteBasis:
    """Who counts for a resolution: ``counted`` is the denominator, ``eligible_present`` those who may vote."""

    counted: int
    eligible_present: int
    official_on_roster: int
    excluded_attached: int
    excluded_exempted_absent: int
    excluded_suspended: int
    excluded_accepted_absence: int

    @property
    def quorum_ok(self) -> bool:
        """More than half of the counted official members are present (else no resolution can pass)."""
        return self.eligible_present * 2 > self.counted

    def passes(self, votes_for: int | None) -> bool:
        """Approvals above half of the counted official members (Điều lệ art. 9; Quy định 294-QĐ/TW 9.3.2)."""
        return votes_for is not None and self.counted > 0 and votes_for * 2 > self.counted

    def explain(self) -> str:
        return _(
            "{official} đảng viên chính thức trong danh sách; trừ {attached} đi sinh hoạt tạm thời nơi khác, "
            "{exempted} miễn sinh hoạt vắng mặt, {suspended} bị đình chỉ, {accepted} vắng có lý do được chấp nhận: "
            "tính {counted}."
        ).format(
            official=self.official_on_roster,
            attached=self.excluded_attached,
            exempted=self.excluded_exempted_absent,
            suspended=self.excluded_suspended,
            accepted=self.excluded_accepted_absence,
            counted=self.counted,
        )


def vote_basis(rows) -> VoteBasis:
    """``rows``: (member_status, attendance_status, absence_accepted, is_guest) for each roster member.

    Counted official members: the official members on the roster (guests attached here are not on it), minus those
    temporarily attached elsewhere, minus exempted members who are absent (present ones count and may vote), minus
    suspended members, minus absences the committee accepted as valid. Probationary members never vote.
    The exempted, attached-elsewhere and suspended members are official members with that status.
    """
    official = attached = exempted_absent = suspended = accepted = counted = eligible_present = 0
    for member_status, attendance, absence_accepted, is_guest in rows:
        if is_guest:
            continue
        if member_status in (OFFICIAL, EXEMPTED, "attached_elsewhere", "suspended"):
            official += 1
        if member_status == "attached_elsewhere":
            attached += 1
        elif member_status == "suspended":
            suspended += 1
        elif member_status == EXEMPTED:
            if attendance == "present":
                counted += 1
                eligible_present += 1
            else:
                exempted_absent += 1
        elif member_status == OFFICIAL:
            if attendance == "excused" and absence_accepted:
                accepted += 1
            else:
                counted += 1
                if attendance == "present":
                    eligible_present += 1
    return VoteBasis(
        counted=counted,
        eligible_present=eligible_present,
        official_on_roster=official,
        excluded_attached=attached,
        excluded_exempted_absent=exempted_absent,
        excluded_suspended=suspended,
        excluded_accepted_absence=accepted,
    )


def grade_for(score: int | None) -> str:
    """Tốt ≥ 90, Khá 70–89, Trung bình 50–69, Kém < 50 (provincial guidance). The full-marks conditions for Tốt are
    checked by the compliance figures, not here."""
    if score is None:
        return ""
    if score >= 90:
        return "excellent"
    if score >= 70:
        return "good"
    if score >= 50:
        return "average"
    return "poor"
