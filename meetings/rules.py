"""The rules a meeting is measured against, each written once, and used by every page that judges a meeting.

A meeting-level rule (length, member speakers, quorum, the resolution's majority, the agenda sent in time, the
minutes approved in time) is judged by the policy in force on the **meeting's day** (``rules_for``), on the
recording page, on the meeting list and in the stored monthly findings alike, so a meeting never reads "length OK"
on its page and "failed" on a dashboard. ``assess`` is that judgement; it takes the facts of one meeting
(``MeetingFacts``), however they were counted.

The facts are counted two ways, and both live here: in Python from a meeting's attendance rows (``vote_basis``, for
the pages of one meeting) and in SQL over thousands of meetings at once (``roll_call_counts``, for the monthly
findings). The SQL repeats the Python for speed; ``tests/meetings/test_rules_sql.py`` runs the same cases through
both and compares every figure and every result.
"""

import dataclasses
import datetime
from dataclasses import dataclass, fields

from django.db import models
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from cells.policies import ResolvedPolicy, policy_for
from cells.text import vi_date
from meetings.models import Meeting


class Result(models.TextChoices):
    """The outcome of one rule: met, not met, or not applicable (nothing to judge yet, or the rule does not apply);
    or advice: a recommendation not met (a value with no legal source, that no committee adopted:
    ``cells.policies.SourceKind``), which reads as advice and never counts against the cell."""

    PASS = "pass", gettext_lazy("Đạt")
    FAIL = "fail", gettext_lazy("Không đạt")
    NOT_APPLICABLE = "na", gettext_lazy("Không áp dụng")
    ADVICE = "adv", gettext_lazy("Chưa đạt khuyến nghị")


PASS, FAIL, NA, ADVICE = Result.PASS, Result.FAIL, Result.NOT_APPLICABLE, Result.ADVICE


# --- The policy in force --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rules:
    """The policy in force for a meeting, read the way the recording and planning pages use it."""

    policy: ResolvedPolicy

    @property
    def confirm_over_minutes(self) -> int:
        return self.policy.confirm_over_minutes

    @property
    def agenda_lead_days(self) -> int:
        return self.policy.agenda_lead_days

    @property
    def agenda_send_days(self) -> int:
        return self.policy.agenda_send_days

    @property
    def reminder_minutes(self) -> int:
        """How long before the start the calendar invite's alarm rings."""
        return self.policy.reminder_minutes

    @property
    def guests_may_vote(self) -> bool:
        """Members temporarily attached here (guests) may vote: their votes count, never in the denominator."""
        return bool(self.policy.guests_may_vote)

    @property
    def min_member_speakers(self) -> int:
        return self.policy.min_member_speakers

    def min_minutes(self, kind: str) -> int | None:
        """The least length of a meeting of ``kind``; ``None`` for a kind the rules set none for (extraordinary)."""
        return min_minutes(self.policy, kind)

    @property
    def sources(self) -> dict:
        """Rule name -> ``cells.policies.Source``."""
        return self.policy.sources


def rules_for(organization, day: datetime.date) -> Rules:
    """The rules in force for ``organization`` on ``day``: one query, then none for the same organization object and
    day (cached on the object, as ``members.access.scope_for`` caches on the user: a mail to 60 members, each with
    its calendar invite, asks 60 times)."""
    cache = organization.__dict__.setdefault("_rules_by_day", {})
    if day not in cache:
        cache[day] = Rules(policy_for(organization, day))
    return cache[day]


# --- One check per rule ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """One rule measured on one meeting: the result, what was measured, what the rule requires, and the policy field
    that sets the requirement (its legal source), or ``None`` for a rule of the Party's Statute itself."""

    result: str
    measured: object
    required: object
    rule: str | None = None

    @property
    def ok(self) -> bool:
        return self.result == PASS

    @property
    def applies(self) -> bool:
        """False when there is nothing to judge: the rule does not apply, or the figure is not there yet."""
        return self.result != NA

    @property
    def advice(self) -> bool:
        """A recommendation not met: shown as advice, never as a failure."""
        return self.result == ADVICE


def advisory(check: Check, policy: ResolvedPolicy) -> Check:
    """``check`` as it counts: a rule not met whose required value is a recommendation (a local practice or a default
    of the app, that no committee adopted in a policy) is advice, not a failure."""
    if check.result == FAIL and check.rule and not policy.sources[check.rule].binding:
        return dataclasses.replace(check, result=ADVICE)
    return check


def at_least(measured: int | None, required: int) -> str:
    if measured is None:
        return NA
    return PASS if measured >= required else FAIL


def min_minutes(policy: ResolvedPolicy, kind: str) -> int | None:
    """The least length of a meeting of ``kind`` (``Meeting.Kind`` value) under ``policy``; ``None`` when the rules
    set none (an extraordinary meeting)."""
    return policy.min_minutes(kind) or None


def minutes_between(started: datetime.datetime | None, ended: datetime.datetime | None) -> int | None:
    """A meeting's length in whole minutes (started 14:00, ended 15:29:59 → 89), ``None`` without both times."""
    if started is None or ended is None:
        return None
    return int((ended - started).total_seconds() // 60)


def length_check(kind: str, length: int | None, policy: ResolvedPolicy) -> Check:
    """At least the policy's minutes for the meeting's kind (Hướng dẫn 42-HD/BTCTW; seed 000)."""
    required = min_minutes(policy, kind)
    if required is None:
        return Check(NA, length, None)
    return advisory(Check(at_least(length, required), length, required, f"min_minutes_{kind}"), policy)


def speakers_check(speakers: int | None, policy: ResolvedPolicy) -> Check:
    """At least the policy's number of distinct members who spoke (visitors are not members of the cell)."""
    required = policy.min_member_speakers
    return advisory(Check(at_least(speakers, required), speakers, required, "min_member_speakers"), policy)


# --- Who counts for the vote ----------------------------------------------------------------------------------------

# Member statuses (frozen on the attendance row) and what they mean for the vote (design.md, "Member statuses").
OFFICIAL = "official"
EXEMPTED = "exempted"
PROBATIONARY = "probationary"
ATTACHED_ELSEWHERE = "attached_elsewhere"
SUSPENDED = "suspended"
# Official members by rank (the vote's roster): probationary members are not official members.
OFFICIAL_RANK = (OFFICIAL, EXEMPTED, ATTACHED_ELSEWHERE, SUSPENDED)
# Members expected at the meeting: everyone else on the roster is excused by status (exempted, attached elsewhere,
# suspended), and guests attached here are not of this cell.
EXPECTED = (OFFICIAL, PROBATIONARY)


@dataclass(frozen=True)
class VoteBasis:
    """The roll call counted: who counts for a resolution (``counted`` is the denominator, ``eligible_present`` those
    who may vote), the exclusions that explain it, and the attendance of the members expected."""

    counted: int = 0
    eligible_present: int = 0
    official_on_roster: int = 0
    excluded_attached: int = 0
    excluded_exempted_absent: int = 0
    excluded_suspended: int = 0
    excluded_accepted_absence: int = 0
    # The members expected at the meeting (official or probationary on the day, not guests), and how they answered.
    expected: int = 0
    present: int = 0
    excused: int = 0
    absent: int = 0
    # Official members temporarily attached here, present, when the policy lets them vote (never counted above).
    guest_voters: int = 0

    @property
    def voters_present(self) -> int:
        """Everyone present who may vote: the counted members present, and the guests the policy lets vote."""
        return self.eligible_present + self.guest_voters

    @property
    def majority(self) -> int:
        """The least number that is more than half of the counted official members."""
        return self.counted // 2 + 1

    @property
    def quorum_ok(self) -> bool:
        """More than half of the counted official members are present (else no resolution can pass)."""
        return self.eligible_present >= self.majority

    def passes(self, votes_for: int | None) -> bool:
        """Approvals above half of the counted official members, with more than half of them present (Điều lệ art. 9;
        Quy định 294-QĐ/TW 9.3.2)."""
        return votes_for is not None and self.counted > 0 and votes_for >= self.majority and self.quorum_ok

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
    """The roll call counted in Python. ``rows``: (member_status, attendance_status, absence_accepted, is_guest[,
    official]) for each roster member; ``official`` (a guest is an official member on the day) matters only with
    ``guests_may_vote``.

    Counted official members: the official members on the roster (guests attached here are not on it), minus those
    temporarily attached elsewhere, minus exempted members who are absent (present ones count and may vote), minus
    suspended members, minus absences the committee accepted as valid. Probationary members never vote.
    The exempted, attached-elsewhere and suspended members are official members with that status.
    Guests (official members temporarily attached here) vote only where the policy allows it (``guests_may_vote``):
    then those present may cast a vote, but they never enter the denominator nor the quorum.
    """
    counts = dict.fromkeys(VOTE_COUNTS, 0)
    guest_voters = 0
    for member_status, attendance, absence_accepted, is_guest, *official_guest in rows:
        if is_guest:
            # A guest's frozen status is usually "attached_elsewhere": whether they are an official member (may
            # vote) or probationary (never votes) comes as a fifth item; without it only "official" says so.
            guest_is_official = official_guest[0] if official_guest else member_status in (OFFICIAL, EXEMPTED)
            if guests_may_vote and attendance == "present" and guest_is_official and member_status != SUSPENDED:
                guest_voters += 1
            continue
        if member_status in EXPECTED:
            counts["expected"] += 1
            if attendance in ("present", "excused", "absent"):
                counts[attendance] += 1
        if member_status in OFFICIAL_RANK:
            counts["official_on_roster"] += 1
        if member_status == ATTACHED_ELSEWHERE:
            counts["excluded_attached"] += 1
        elif member_status == SUSPENDED:
            counts["excluded_suspended"] += 1
        elif member_status == EXEMPTED:
            if attendance == "present":
                counts["counted"] += 1
                counts["eligible_present"] += 1
            else:
                counts["excluded_exempted_absent"] += 1
        elif member_status == OFFICIAL:
            if attendance == "excused" and absence_accepted:
                counts["excluded_accepted_absence"] += 1
            else:
                counts["counted"] += 1
                if attendance == "present":
                    counts["eligible_present"] += 1
    return VoteBasis(**counts, guest_voters=guest_voters)


def roll_call_counts(prefix: str = "attendances__") -> dict[str, Count]:
    """``vote_basis`` in SQL: conditional counts over the attendance rows (``prefix`` leads from the queryset's model
    to them), one per figure of ``VoteBasis`` but ``guest_voters`` (guests never enter a finding), for
    ``.annotate(**roll_call_counts())``: one GROUP BY over thousands of meetings, no row loaded."""

    def q(**conditions) -> Q:
        return Q(**{prefix + name: value for name, value in conditions.items()})

    home = q(is_guest=False)
    present, excused, absent = q(status="present"), q(status="excused"), q(status="absent")
    accepted = excused & q(absence_accepted=True)
    official, exempted = home & q(member_status=OFFICIAL), home & q(member_status=EXEMPTED)
    expected = home & q(member_status__in=EXPECTED)
    target = prefix.removesuffix("__") or "pk"
    conditions = {
        "counted": (official & ~accepted) | (exempted & present),
        "eligible_present": (official | exempted) & present,
        "official_on_roster": home & q(member_status__in=OFFICIAL_RANK),
        "excluded_attached": home & q(member_status=ATTACHED_ELSEWHERE),
        "excluded_exempted_absent": exempted & ~present,
        "excluded_suspended": home & q(member_status=SUSPENDED),
        "excluded_accepted_absence": official & accepted,
        "expected": expected,
        "present": expected & present,
        "excused": expected & excused,
        "absent": expected & absent,
    }
    return {name: Count(target, filter=condition) for name, condition in conditions.items()}


# The figures both ways of counting give (``guest_voters`` only in Python).
VOTE_COUNTS = tuple(field.name for field in fields(VoteBasis) if field.name != "guest_voters")


def vote_basis_of(row: dict) -> VoteBasis:
    """A ``VoteBasis`` from a row annotated with ``roll_call_counts``."""
    return VoteBasis(**{name: row[name] for name in VOTE_COUNTS})


def speaker_counts(speeches: QuerySet) -> dict[int, int]:
    """Distinct members who spoke, per meeting id, for these speeches (visitors are not members of the cell): one
    query, for one meeting or a month of a province."""
    return dict(
        speeches.filter(member__isnull=False)
        .order_by()
        .values("meeting_id")
        .annotate(n=Count("member_id", distinct=True))
        .values_list("meeting_id", "n")
    )


def quorum_check(basis: VoteBasis | None) -> Check:
    """More than half of the counted official members present (design.md, "quorum warning"; Điều lệ art. 9)."""
    if basis is None:
        return Check(NA, None, None)
    return Check(PASS if basis.quorum_ok else FAIL, basis.eligible_present, basis.majority)


def resolution_check(basis: VoteBasis | None, votes_for: int | None, tally: "VoteTally | None" = None) -> Check:
    """The resolution passed validly: a majority of the counted official members, with the quorum; not applicable
    until a vote is recorded. With the whole ``tally``, votes that cannot be (more ballots than members present who
    may vote, ``VoteTally.over``) never pass."""
    required = basis.majority if basis is not None else None
    if basis is None or votes_for is None:
        return Check(NA, votes_for, required)
    if tally is not None and tally.over:
        return Check(FAIL, votes_for, required)
    return Check(PASS if basis.passes(votes_for) else FAIL, votes_for, required)


@dataclass(frozen=True)
class VoteTally:
    """The ballots of a vote against the members present who may vote (``VoteBasis.voters_present``). Every
    member present who may vote answers for, against or abstains, so the three add up to them: more is impossible
    (refused), fewer is possible (someone left the room) but must be confirmed and is printed in the minutes."""

    votes_for: int | None
    votes_against: int | None
    votes_abstain: int | None
    voters: int

    @property
    def entered(self) -> bool:
        return any(v is not None for v in (self.votes_for, self.votes_against, self.votes_abstain))

    @property
    def cast(self) -> int:
        return sum(v or 0 for v in (self.votes_for, self.votes_against, self.votes_abstain))

    @property
    def over(self) -> int:
        """Ballots beyond the members present who may vote (the vote is refused), 0 if none."""
        return max(self.cast - self.voters, 0) if self.entered else 0

    @property
    def short(self) -> int:
        """Members present who may vote and whose ballot is missing (to be confirmed), 0 if none."""
        return max(self.voters - self.cast, 0) if self.entered else 0

    def refusal(self) -> str:
        """Why the vote is refused ("" when it is not)."""
        if not self.over:
            return ""
        return _("Tổng số phiếu ({cast}) vượt số đảng viên có mặt được biểu quyết ({voters}).").format(
            cast=self.cast, voters=self.voters
        )

    def difference(self) -> str:
        """The difference a secretary confirms and the minutes print ("" when the ballots add up)."""
        if not self.short:
            return ""
        return _("Tổng số phiếu {cast} khác số đảng viên có mặt có quyền biểu quyết {voters} (thiếu {short}).").format(
            cast=self.cast, voters=self.voters, short=self.short
        )


def vote_tally(
    basis: VoteBasis, votes_for: int | None, votes_against: int | None, votes_abstain: int | None
) -> VoteTally:
    return VoteTally(votes_for, votes_against, votes_abstain, basis.voters_present)


# --- Before and after the meeting -----------------------------------------------------------------------------------


def agenda_check(planned_date: datetime.date, published_on: datetime.date | None, policy: ResolvedPolicy) -> Check:
    """The agenda sent at least ``agenda_lead_days`` before the meeting's day; never sent is a failure."""
    lead = policy.agenda_lead_days
    measured = (planned_date - published_on).days if published_on else None
    result = PASS if measured is not None and measured >= lead else FAIL
    return advisory(Check(result, measured, lead, "agenda_lead_days"), policy)


def minutes_check(
    planned_date: datetime.date, approved_on: datetime.date | None, policy: ResolvedPolicy, today: datetime.date
) -> Check:
    """The minutes approved within ``minutes_approval_days`` of the meeting's day; not applicable while that time
    runs."""
    days = policy.minutes_approval_days
    deadline = planned_date + datetime.timedelta(days=days)
    if approved_on is not None:
        result, measured = PASS if approved_on <= deadline else FAIL, (approved_on - planned_date).days
    else:
        result, measured = FAIL if today > deadline else NA, None
    return advisory(Check(result, measured, days, "minutes_approval_days"), policy)


# --- A meeting judged -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeetingFacts:
    """What the rules of one held meeting read, however they were counted (Python rows or SQL aggregates)."""

    kind: str
    planned_date: datetime.date
    length: int | None
    speakers: int
    basis: VoteBasis
    votes_for: int | None
    published_on: datetime.date | None
    approved_on: datetime.date | None


# The meeting-level rules, in the order pages show them.
MEETING_CHECKS = ("length", "speakers", "attendance", "resolution", "agenda_on_time", "minutes_on_time")
# The rules of a cell's meeting (the cell's policy; Hướng dẫn 42-HD/BTCTW): they measure no committee's or party
# group's own meeting, which the Statute's vote rules alone (quorum, majority) measure, as they bind every organization.
CELL_CHECKS = ("length", "speakers", "agenda_on_time", "minutes_on_time")


def for_kind(kind: str, check: Check) -> Check:
    """``check`` as it applies to a meeting of ``kind``: a cell rule is not applicable, and requires nothing, for a
    meeting of a committee or a party group (``Meeting.CELL_KINDS``)."""
    if kind in Meeting.CELL_KINDS:
        return check
    return Check(NA, check.measured, None)


def assess(facts: MeetingFacts, policy: ResolvedPolicy, today: datetime.date) -> dict[str, Check]:
    """Every meeting-level rule for one meeting, by ``policy`` (the one in force on the meeting's day)."""
    checks = {
        "length": length_check(facts.kind, facts.length, policy),
        "speakers": speakers_check(facts.speakers, policy),
        "attendance": quorum_check(facts.basis),
        "resolution": resolution_check(facts.basis, facts.votes_for),
        "agenda_on_time": agenda_check(facts.planned_date, facts.published_on, policy),
        "minutes_on_time": minutes_check(facts.planned_date, facts.approved_on, policy, today),
    }
    return {name: for_kind(facts.kind, check) if name in CELL_CHECKS else check for name, check in checks.items()}


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


def record_refusal(meeting: Meeting, today: datetime.date, *, correcting: bool = False) -> str:
    """Why a visitor may not record their own visit of ``meeting`` today ("" when they may): a visit is recorded once
    the meeting is held, or on its day; approved minutes change only through the cell's correction."""
    day = vi_date(meeting.planned_date)
    if meeting.status == Meeting.Status.CANCELLED:
        return _("Buổi sinh hoạt ngày {day} đã hủy: không ghi nhận dự được.").format(day=day)
    if meeting.planned_date > today:
        return _("Buổi họp ngày {day} chưa diễn ra: ghi nhận dự sinh hoạt từ ngày họp.").format(day=day)
    if meeting.status in (Meeting.Status.PLANNED, Meeting.Status.PUBLISHED) and meeting.planned_date < today:
        return _(
            "Buổi họp ngày {day} chưa được chốt biên bản: đồng chí ghi nhận dự sau khi buổi họp được chốt, hoặc đề "
            "nghị đồng chí bí thư ghi đồng chí vào danh sách đại biểu khi ghi biên bản."
        ).format(day=day)
    if meeting.status == Meeting.Status.APPROVED and not correcting:
        return _(
            "Biên bản buổi họp ngày {day} đã duyệt: đề nghị đồng chí bí thư đính chính biên bản để ghi đồng chí vào "
            "danh sách đại biểu."
        ).format(day=day)
    return ""


def visit_report_due(visitor, rules=None) -> datetime.date | None:
    """The last day to file the report of a visit: ``visit_report_days`` (the policy of the visitor's committee on
    the meeting's day) after the meeting. ``None`` for a visitor with no seat, who files none."""
    if visitor.seat_id is None:
        return None
    if rules is None:
        rules = policy_for(visitor.seat.organization, visitor.meeting.planned_date)
    return visitor.meeting.planned_date + datetime.timedelta(days=rules.visit_report_days)
