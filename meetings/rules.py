"""The rules a meeting is measured against, and the vote rule.

``rules_for(organization, day)`` reads the policy in force for the organization on the meeting's day
(``cells.policies.policy_for``: the organization's own policy or its nearest ancestor's, else the built-in defaults),
so a policy changed in July leaves the figures of June's meetings as they were.
"""

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cells.policies import DEFAULTS, ResolvedPolicy, policy_for

MEETING_RULES = (
    "min_minutes_regular",
    "min_minutes_thematic",
    "min_minutes_combined",
    "min_member_speakers",
    "confirm_over_minutes",
    "agenda_lead_days",
    "agenda_send_days",
    "guests_may_vote",
)


@dataclass(frozen=True)
class Rules:
    """What the recording and planning pages check. ``policy`` holds every rule with its source."""

    min_minutes: dict
    min_member_speakers: int = DEFAULTS["min_member_speakers"][0]
    confirm_over_minutes: int = DEFAULTS["confirm_over_minutes"][0]
    agenda_lead_days: int = DEFAULTS["agenda_lead_days"][0]
    agenda_send_days: int = DEFAULTS["agenda_send_days"][0]
    # Members temporarily attached here (guests) may vote here: their votes count, never in the denominator.
    guests_may_vote: bool = DEFAULTS["guests_may_vote"][0]
    # The citations behind these numbers, e.g. "Hướng dẫn 42-HD/BTCTW (2025); …".
    source: str = ""
    policy: ResolvedPolicy | None = None

    @property
    def sources(self) -> dict:
        """Rule name -> ``cells.policies.Source`` (empty for rules built without a policy)."""
        return self.policy.sources if self.policy else {}


def rules_from(policy: ResolvedPolicy) -> Rules:
    """The meeting rules of a resolved policy (no query): for callers that resolved many at once."""
    return Rules(
        min_minutes=policy.min_minutes_by_kind(),
        min_member_speakers=policy.values["min_member_speakers"],
        confirm_over_minutes=policy.values["confirm_over_minutes"],
        agenda_lead_days=policy.values["agenda_lead_days"],
        agenda_send_days=policy.values["agenda_send_days"],
        guests_may_vote=bool(policy.values["guests_may_vote"]),
        source=policy.citations(MEETING_RULES),
        policy=policy,
    )


def rules_for(organization, day: datetime.date) -> Rules:
    """The rules in force for ``organization`` on ``day``: one query, then none for the same organization object and
    day (cached on the object, as ``members.access.scope_for`` caches on the user: a mail to 60 members, each with
    its calendar invite, asks 60 times)."""
    cache = organization.__dict__.setdefault("_rules_by_day", {})
    if day not in cache:
        cache[day] = rules_from(policy_for(organization, day))
    return cache[day]


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
    # Official members temporarily attached here, present, when the policy lets them vote (never counted above).
    guest_voters: int = 0

    @property
    def voters_present(self) -> int:
        """Everyone present who may vote: the counted members present, and the guests the policy lets vote."""
        return self.eligible_present + self.guest_voters

    @property
    def quorum_ok(self) -> bool:
        """More than half of the counted official members are present (else no resolution can pass)."""
        return self.eligible_present * 2 > self.counted

    def passes(self, votes_for: int | None) -> bool:
        """Approvals above half of the counted official members (Điều lệ art. 9; Quy định 294-QĐ/TW 9.3.2)."""
        return votes_for is not None and self.counted > 0 and votes_for * 2 > self.counted

    def explain(self) -> str:
        text = _(
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
        if self.guest_voters:
            text += " " + ngettext(
                "{n} đảng viên sinh hoạt tạm thời có mặt cũng được biểu quyết (quy định cho phép), "
                "không tính vào số trên.",
                "{n} đảng viên sinh hoạt tạm thời có mặt cũng được biểu quyết (quy định cho phép), "
                "không tính vào số trên.",
                self.guest_voters,
            ).format(n=self.guest_voters)
        return text


def vote_basis(rows, *, guests_may_vote: bool = False) -> VoteBasis:
    """``rows``: (member_status, attendance_status, absence_accepted, is_guest[, official]) for each roster member;
    ``official`` (a guest is an official member on the day) matters only with ``guests_may_vote``.

    Counted official members: the official members on the roster (guests attached here are not on it), minus those
    temporarily attached elsewhere, minus exempted members who are absent (present ones count and may vote), minus
    suspended members, minus absences the committee accepted as valid. Probationary members never vote.
    The exempted, attached-elsewhere and suspended members are official members with that status.
    Guests (official members temporarily attached here) vote only where the policy allows it (``guests_may_vote``):
    then those present may cast a vote, but they never enter the denominator nor the quorum.
    """
    official = attached = exempted_absent = suspended = accepted = counted = eligible_present = guest_voters = 0
    for member_status, attendance, absence_accepted, is_guest, *official_guest in rows:
        if is_guest:
            # A guest's frozen status is usually "attached_elsewhere": whether they are an official member (may
            # vote) or probationary (never votes) comes as a fifth item; without it only "official" says so.
            guest_is_official = official_guest[0] if official_guest else member_status in (OFFICIAL, EXEMPTED)
            if guests_may_vote and attendance == "present" and guest_is_official and member_status != "suspended":
                guest_voters += 1
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
        guest_voters=guest_voters,
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
