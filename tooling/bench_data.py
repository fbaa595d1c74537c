"""A benchmark province (``manage.py generate_benchmark_data``): synthetic data at province scale, in bulk.

``generate`` builds a province root, communes of about 50 cells, N cells of M members and K months of held meetings
ending with the last full month: attendance for every member on the roster, distinct speakers, votes, one thematic
meeting a quarter for most cells. It writes rows in bulk, with ids it reserves itself: PostgreSQL ``COPY`` when the
database is PostgreSQL, ``bulk_create`` otherwise. Nothing goes through the services (that would take hours at 5,000
cells); the rows have the shape the services give them (tree paths, name history, memberships, status changes, a
secretary per cell, the meeting's month). ``purge`` deletes a province it made, and only such a province.

The rules are never typed here. Meetings "too short", with "too few speakers" or an agenda sent late are made so
against the policy in force for the new province (``cells.policies.policy_for``: a province just made has no policy
of its own, so the built-in ``DEFAULTS``), the quality grade comes from ``meetings.rules.grade_for``, and members
become official after ``members.services.PROBATION``.

The measurements that use it are in ``tooling.bench``.
"""

import datetime
import io
import json
import math
import random
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache

from django.db import connection, models, transaction
from django.utils import timezone

from cells.models import Organization, OrganizationName
from cells.periods import add_months, local_today, month_end, previous_month, quarter_start
from cells.policies import ResolvedPolicy, policy_for
from cells.text import vi_name_sort_key
from meetings.models import Attendance, Meeting, Speech
from meetings.rules import grade_for
from members.models import Member, Membership, Position, StatusChange
from members.services import PROBATION

Log = Callable[[str], None]

PROVINCE_NAME = "Đảng bộ tỉnh Thử nghiệm"  # every generated root starts with this: --reset deletes nothing else
BATCH = 5_000


# --- the shape of the data -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    """The realistic spread of the generated data (shares of members, roll calls, meetings, cells)."""

    cells_per_commune: int = 50
    official: float = 0.85  # members: official; probationary; the rest exempted from activity
    probationary: float = 0.10
    present: float = 0.88  # roll call of a member expected to attend: present; excused; the rest absent
    excused: float = 0.08
    exempted_present: float = 0.25  # exempted members who come anyway (the others are marked excused)
    too_short: float = 0.10  # meetings shorter than the policy's minimum for their kind (default: 90 min regular)
    few_speakers: float = 0.15  # meetings with fewer distinct member speakers than the policy's minimum (default 4)
    missing: float = 0.03  # cell-months without a regular meeting
    thematic_cells: float = 0.80  # cells holding one thematic meeting per quarter
    late_agenda: float = 0.05  # agendas sent later than the policy's lead time (default: on the meeting's day)
    speak_twice: float = 0.30  # speakers who speak a second time


CELL_TYPES = (
    ("residential", 0.55, "Nhà văn hóa thôn", datetime.time(19, 30)),
    ("agency", 0.15, "Hội trường cơ quan", datetime.time(14, 0)),
    ("public_service", 0.15, "Phòng họp đơn vị", datetime.time(14, 0)),
    ("enterprise", 0.08, "Phòng họp công ty", datetime.time(8, 0)),
    ("armed_forces", 0.02, "Hội trường đơn vị", datetime.time(8, 0)),
    ("other", 0.05, "Phòng họp", datetime.time(14, 0)),
)
CELL_WORDS = {
    "residential": "khu dân cư",
    "agency": "cơ quan",
    "public_service": "đơn vị sự nghiệp",
    "enterprise": "doanh nghiệp",
    "armed_forces": "lực lượng vũ trang",
    "other": "khác",
}
FAMILY = ["Nguyễn"] * 8 + ["Trần"] * 3 + ["Lê"] * 2 + [
    "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Đinh", "Quách",
]  # fmt: skip
MIDDLE_MALE = ["Văn", "Hữu", "Đức", "Minh", "Quang", "Thanh", "Xuân", "Công", "Ngọc", "Đình"]
MIDDLE_FEMALE = ["Thị", "Thị", "Thị", "Ngọc", "Thu", "Hồng", "Thanh", "Minh", "Kim", "Phương"]
GIVEN_MALE = [
    "An", "Bình", "Cường", "Dũng", "Đạt", "Hải", "Hùng", "Huy", "Khánh", "Long", "Minh", "Nam", "Phong", "Phúc",
    "Quân", "Sơn", "Tâm", "Thắng", "Thành", "Trung", "Tuấn", "Việt", "Vinh", "Lộc", "Hiếu", "Đông",
]  # fmt: skip
GIVEN_FEMALE = [
    "Anh", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hiền", "Hoa", "Hương", "Lan", "Linh", "Mai", "Nga", "Ngọc",
    "Nhung", "Oanh", "Phương", "Quyên", "Thảo", "Thủy", "Trang", "Tuyết", "Vân", "Yến", "Hằng", "Loan",
]  # fmt: skip
EXCUSES = ["Đi công tác", "Ốm", "Việc gia đình", "Trực cơ quan", "Đi học tập trung"]
ACCEPTED_EXCUSES = frozenset({"Đi công tác", "Ốm", "Trực cơ quan", "Đi học tập trung", "Miễn sinh hoạt"})
TOPICS = [
    "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
    "Nâng cao chất lượng sinh hoạt chi bộ",
    "Xây dựng nông thôn mới kiểu mẫu",
    "Chuyển đổi số trong công tác đảng",
    "Phòng, chống tham nhũng, tiêu cực",
    "Bảo vệ nền tảng tư tưởng của Đảng",
]
SPEECHES = [
    "Đồng tình với dự thảo nghị quyết, đề nghị bổ sung giải pháp cụ thể.",
    "Báo cáo tình hình tư tưởng đảng viên và nhân dân trên địa bàn.",
    "Đề xuất phân công đảng viên phụ trách hộ gia đình.",
    "Góp ý về tiến độ thực hiện nhiệm vụ tháng trước.",
    "Kiến nghị cấp ủy cấp trên hỗ trợ kinh phí sinh hoạt.",
    "Đề nghị tăng cường kiểm tra việc thực hiện nghị quyết.",
]


@cache
def _sort_key(full_name: str) -> str:
    return vi_name_sort_key(full_name)


def _pick(rng: random.Random, weighted) -> tuple:
    draw, total = rng.random(), 0.0
    for item in weighted:
        total += item[1]
        if draw < total:
            return item
    return weighted[-1]


def _months(count: int, today: datetime.date) -> list[datetime.date]:
    """``count`` months ending with the last full month before ``today``'s."""
    last = previous_month(today)
    return [add_months(last, i - count + 1) for i in range(count)]


def _month_day(month: datetime.date, day: int) -> datetime.date:
    last = month_end(month).day
    return month.replace(day=last if day == 0 else min(day, last))


# --- writing rows in bulk --------------------------------------------------------------------------------------------


def _copy_text(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, (dict, list)):
        value = json.dumps(value, ensure_ascii=False)
    elif isinstance(value, (datetime.date, datetime.time)):  # datetimes too (a subclass of date)
        return value.isoformat()
    elif not isinstance(value, str):
        return str(value)
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _value(default):
    """A column's value for a row that leaves it out: the default, or a new one per row from a callable default."""
    return default() if callable(default) else default


class Writer:
    """Rows as dicts of column values, written with PostgreSQL COPY or, on other databases, ``bulk_create``.

    A column left out takes the field's default (``auto_now`` fields: now), so a field added later with a default
    does not break the generator. Ids are reserved from the table's sequence (``reserve``) where rows of other
    tables must point at them; other rows take theirs from the database."""

    def __init__(self) -> None:
        self.copy = connection.vendor == "postgresql" and connection.Database.__name__ == "psycopg2"
        self.now = timezone.now()
        self.counts: dict[str, int] = {}
        self.superuser: bool | None = None

    @contextmanager
    def triggers_off(self):
        """In a transaction, skip the foreign-key triggers (``session_replication_role = replica``, as pg_restore
        --disable-triggers does): the generator makes consistent rows by construction, and checking millions of
        references one by one would double the loading time. Only a superuser may; others keep the checks."""
        if connection.vendor == "postgresql" and self.superuser is None:
            with connection.cursor() as cursor:
                cursor.execute("SELECT current_setting('is_superuser') = 'on'")
                self.superuser = cursor.fetchone()[0]
        if not (connection.vendor == "postgresql" and self.superuser):
            yield
            return
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")
            yield
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = origin")

    def reserve(self, model: type[models.Model], n: int) -> int:
        """The first of ``n`` consecutive free ids of ``model``."""
        table, column = model._meta.db_table, model._meta.pk.column
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, column])
                (sequence,) = cursor.fetchone()
                cursor.execute("SELECT setval(%s, nextval(%s) + %s - 1)", [sequence, sequence, n])
                return cursor.fetchone()[0] - n + 1
            qn = connection.ops.quote_name
            cursor.execute(f"SELECT COALESCE(MAX({qn(column)}), 0) FROM {qn(table)}")
            return cursor.fetchone()[0] + 1

    def write(self, model: type[models.Model], rows: list[dict]) -> None:
        if not rows:
            return
        self.counts[model._meta.label] = self.counts.get(model._meta.label, 0) + len(rows)
        if not self.copy:
            model.objects.bulk_create([model(**row) for row in rows], batch_size=BATCH)
            return
        given = set(rows[0])
        fields = [f for f in model._meta.concrete_fields if f.attname in given or not f.primary_key]
        columns = [f.attname for f in fields]
        missing = {}
        for f in fields:
            if f.attname in given:
                continue
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                missing[f.attname] = self.now
            elif callable(f.default):
                missing[f.attname] = f.get_default  # one value per row (a meeting's calendar UID is unique)
            else:
                missing[f.attname] = f.get_default()
        qn = connection.ops.quote_name
        sql = f"COPY {qn(model._meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) FROM STDIN"
        for start in range(0, len(rows), 200_000):
            buffer = io.StringIO()
            for row in rows[start : start + 200_000]:
                buffer.write("\t".join(_copy_text(row[c] if c in row else _value(missing[c])) for c in columns))
                buffer.write("\n")
            buffer.seek(0)
            with connection.cursor() as cursor:
                cursor.cursor.copy_expert(sql, buffer)


# --- deleting a generated province -----------------------------------------------------------------------------------


def _reverse_relations(model: type[models.Model]) -> list:
    """Foreign keys of other tables (and many-to-many tables) pointing at ``model``, enforced by the database."""
    return [
        rel
        for rel in model._meta.get_fields(include_hidden=True)
        if rel.auto_created
        and not rel.concrete
        and (rel.one_to_many or rel.one_to_one)
        and getattr(rel.field, "db_constraint", True)
        and rel.related_model._meta.managed
        and not rel.related_model._meta.proxy
    ]


def _purge(cursor, model: type[models.Model], where: str, params: list, depth: int = 0) -> int:
    """DELETE the rows of ``model`` matching ``where``, after every row pointing at them (children first), with
    subqueries: a province of 5,000 cells goes in one statement per table."""
    if depth > 8:
        raise RuntimeError(f"Foreign keys pointing at {model._meta.label} nest too deep to purge.")
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    for rel in _reverse_relations(model):
        child, column = rel.related_model, rel.field.column
        target = rel.field.target_field.column
        _purge(cursor, child, f"{qn(column)} IN (SELECT {qn(target)} FROM {table} WHERE {where})", params, depth + 1)
    cursor.execute(f"DELETE FROM {table} WHERE {where}", params)
    return cursor.rowcount


def purge(root: Organization, log: Log) -> None:
    """Delete a generated province: its subtree, its members (those with a membership in it), and every row that
    points at them. Refuses a node that the generator did not make."""
    if root.depth != 1 or not root.name.startswith(PROVINCE_NAME):
        raise ValueError(
            f"{root.code} ({root.name}) is not a benchmark province made by generate_benchmark_data: not deleting it."
        )
    started = time.perf_counter()
    prefix = root.path + "%"
    qn = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_purge_members")
        cursor.execute(
            f"CREATE TEMPORARY TABLE bench_purge_members AS SELECT DISTINCT ms.member_id AS id "
            f"FROM {qn(Membership._meta.db_table)} ms JOIN {qn(Organization._meta.db_table)} o "
            f"ON o.id = ms.organization_id WHERE o.path LIKE %s",
            [prefix],
        )
        organizations = _purge(cursor, Organization, "path LIKE %s", [prefix])
        members = _purge(cursor, Member, "id IN (SELECT id FROM bench_purge_members)", [])
        cursor.execute("DROP TABLE bench_purge_members")
    log(f"deleted {root.code}: {organizations:,} organizations, {members:,} members ({_since(started)})")


def _since(started: float) -> str:
    return f"{time.perf_counter() - started:.1f} s"


# --- generating ------------------------------------------------------------------------------------------------------


@dataclass
class _Member:
    id: int
    joined: datetime.date
    official_date: datetime.date | None
    exempted_from: datetime.date | None

    def status_on(self, day: datetime.date) -> str:
        if self.exempted_from and day >= self.exempted_from:
            return "exempted"
        if self.official_date and day >= self.official_date:
            return "official"
        return "probationary"


@dataclass
class _Cell:
    id: int
    path: str
    meeting_day: int
    meeting_time: datetime.time
    venue: str
    thematic_months: dict  # quarter start -> month of the quarter with the thematic meeting
    members: list = field(default_factory=list)


@dataclass
class Generated:
    """What ``generate`` made, with the time each phase took."""

    code: str
    root_id: int
    root_path: str
    months: list[str]
    cells: int
    communes: int
    members: int
    meetings: int
    attendance: int
    speeches: int
    seconds: float
    phases: dict[str, float]


def _member_rows(rng: random.Random, cell: _Cell, count: int, first_id: int, end: datetime.date, profile: Profile):
    """Members of one cell: the first is the secretary (official for years); then the profile's mix."""
    members, statuses = [], []
    for i in range(count):
        member_id = first_id + i
        draw = 0.0 if i == 0 else rng.random()
        male = rng.random() < 0.6
        name = " ".join(
            (
                rng.choice(FAMILY),
                rng.choice(MIDDLE_MALE if male else MIDDLE_FEMALE),
                rng.choice(GIVEN_MALE if male else GIVEN_FEMALE),
            )
        )
        exempted_from = None
        if draw < profile.official:
            admission = end - datetime.timedelta(days=rng.randint(400, 30 * 365))
            official_date = admission + PROBATION
            birth_year = max(1950, admission.year - rng.randint(22, 40))
        elif draw < profile.official + profile.probationary:
            admission = end - datetime.timedelta(days=rng.randint(15, 340))
            official_date = None
            birth_year = admission.year - rng.randint(20, 35)
        else:  # exempted from activity: older members, for years
            admission = end - datetime.timedelta(days=rng.randint(25 * 365, 45 * 365))
            official_date = admission + PROBATION
            exempted_from = end - datetime.timedelta(days=rng.randint(30, 1500))
            birth_year = admission.year - rng.randint(20, 30)
        members.append(
            {
                "id": member_id,
                "full_name": name,
                "sort_key": _sort_key(name),
                "birth_date": datetime.date(birth_year, rng.randint(1, 12), rng.randint(1, 28)),
                "gender": "male" if male else "female",
                "email": "",
                "phone": "",
                "card_number": "",
                "party_history_number": "",
                "register_number": "",
                "admission_date": admission,
                "official_date": official_date,
            }
        )
        statuses.append({"member_id": member_id, "status": "probationary", "effective_from": admission, "note": ""})
        if official_date:
            statuses.append({"member_id": member_id, "status": "official", "effective_from": official_date, "note": ""})
        if exempted_from:
            statuses.append({"member_id": member_id, "status": "exempted", "effective_from": exempted_from, "note": ""})
        cell.members.append(_Member(member_id, admission, official_date, exempted_from))
    return members, statuses


def _aware(day: datetime.date, at: datetime.time) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, at), timezone.get_default_timezone())


def _meeting(
    rng: random.Random,
    cell: _Cell,
    meeting_id: int,
    kind: str,
    day: datetime.date,
    number: int,
    last_month: bool,
    profile: Profile,
    policy: ResolvedPolicy,
):
    """One held meeting of ``cell`` on ``day``, its roll call and its speeches (dict rows). Its length, speakers and
    agenda date fall on either side of the minimums of ``policy`` in the profile's shares."""
    roster = [m for m in cell.members if m.joined <= day]
    attendance, present_ids, eligible_present = [], [], 0
    for member in roster:
        status = member.status_on(day)
        if status == "exempted":
            came = rng.random() < profile.exempted_present
            roll, reason = ("present", "") if came else ("excused", "Miễn sinh hoạt")
        else:
            draw = rng.random()
            if draw < profile.present:
                roll, reason = "present", ""
            elif draw < profile.present + profile.excused:
                roll, reason = "excused", rng.choice(EXCUSES)
            else:
                roll, reason = "absent", ""
        if roll == "present":
            present_ids.append(member.id)
            eligible_present += status in ("official", "exempted")
        attendance.append(
            {
                "meeting_id": meeting_id,
                "member_id": member.id,
                "status": roll,
                "reason": reason,
                # The committee's explicit decision (never a default): it accepts the usual duties and illness.
                "absence_accepted": roll == "excused" and reason in ACCEPTED_EXCUSES,
                "member_status": status,
                "is_guest": False,
            }
        )
    # Too few: one or two short of the minimum; enough: the minimum to four more (default 2-3 and 4-8).
    need = policy.min_member_speakers
    wanted = (
        rng.randint(max(0, need - 2), need - 1) if rng.random() < profile.few_speakers else rng.randint(need, need + 4)
    )
    speakers = rng.sample(present_ids, min(wanted, len(present_ids)))
    speakers += [s for s in speakers if rng.random() < profile.speak_twice]
    speeches = [
        {
            "meeting_id": meeting_id,
            "order": order,
            "member_id": speaker,
            "summary": rng.choice(SPEECHES),
        }
        for order, speaker in enumerate(speakers, start=1)
    ]
    # Too short: 5 to 50 minutes under the minimum (30 for a thematic meeting); else up to an hour over it
    # (default 40-85 or 90-150 minutes for a regular meeting, 90-115 or 120-180 for a thematic one).
    least = policy.min_minutes(kind)
    shortfall = 30 if kind == "thematic" else 50
    if rng.random() < profile.too_short:
        minutes = rng.randint(max(0, least - shortfall), max(0, least - 5))
    else:
        minutes = rng.randint(least, least + 60)
    started = _aware(day, cell.meeting_time) + datetime.timedelta(minutes=rng.randint(0, 15))
    # Late: a day short of the least lead time; else sent on the default send day, now and then earlier (default
    # 0 days, or 3, 5 or 7 days before).
    send = policy.agenda_send_days
    late = max(0, policy.agenda_lead_days - 1)
    lead = late if rng.random() < profile.late_agenda else rng.choice((send, send, send, send + 2, send + 4))
    published = _aware(day - datetime.timedelta(days=lead), datetime.time(8, 0))
    approved = None if last_month and rng.random() < 0.1 else started + datetime.timedelta(days=rng.randint(0, 5))
    score = rng.randint(55, 98)
    abstain = 1 if eligible_present > 1 and rng.random() < 0.2 else 0
    chair = roster[0].id if roster else None
    month = day.replace(day=1)
    meeting = {
        "id": meeting_id,
        "organization_id": cell.id,
        "kind": kind,
        "topic": rng.choice(TOPICS) if kind == "thematic" else "",
        "planned_date": day,
        "month": month,
        "planned_time": cell.meeting_time,
        "venue": cell.venue,
        "status": "held" if approved is None else "approved",
        "cancel_reason": "",
        "chair_id": chair,
        "recorder_id": roster[1].id if len(roster) > 1 else chair,
        "started_at": started,
        "ended_at": started + datetime.timedelta(minutes=minutes),
        "long_meeting_confirmed": False,
        "resolution_title": f"Nghị quyết tháng {month:%m/%Y}" if kind == "regular" else f"Kết luận chuyên đề {number}",
        "resolution_text": "",
        "votes_for": eligible_present - abstain,
        "votes_against": 0,
        "votes_abstain": abstain,
        "quality_score": score,
        "quality_grade": grade_for(score),
        "number": number,
        "published_at": published,
        "approved_at": approved,
        "created_at": published - datetime.timedelta(days=2),
        "updated_at": approved or started,
    }
    return meeting, attendance, speeches


def generate(
    *,
    cells: int,
    members_per_cell: int,
    months: int,
    code: str = "BENCH",
    seed: int = 1,
    reset: bool = False,
    profile: Profile = Profile(),  # noqa: B008 (frozen)
    today: datetime.date | None = None,
    log: Log = print,
) -> Generated:
    """Build a benchmark province (see the module's docstring). ``reset`` deletes the one with this code first."""
    if cells < 1 or members_per_cell < 2 or months < 1:
        raise ValueError("Need at least 1 cell, 2 members per cell and 1 month.")
    started = time.perf_counter()
    phases: dict[str, float] = {}
    rng = random.Random(seed)
    today = today or local_today()
    month_list = _months(months, today)
    end = month_end(month_list[-1])
    existing = Organization.objects.filter(code=code).first()
    if existing is not None:
        if not reset:
            raise ValueError(f"Organization {code} already exists: use --reset to replace it.")
        purge(existing, log)
    phases["reset"] = time.perf_counter() - started
    writer = Writer()
    log(
        f"generating {code}: {cells:,} cells × {members_per_cell} members, {months} months "
        f"({month_list[0]:%m/%Y}–{month_list[-1]:%m/%Y}), {'COPY' if writer.copy else 'bulk_create'}"
    )

    # The tree: root > communes of ~50 cells > cells, paths computed as treebeard does (steps from 1).
    phase = time.perf_counter()
    valid_from = min(datetime.date(2020, 1, 1), month_list[0])
    per_commune = profile.cells_per_commune
    n_communes = math.ceil(cells / per_commune)
    last_root = Organization.objects.filter(depth=1).order_by("-path").values_list("path", flat=True).first()
    root_path = Organization._get_path(None, 1, Organization._str2int(last_root) + 1 if last_root else 1)
    first_org = writer.reserve(Organization, 1 + n_communes + cells)
    root_name = f"{PROVINCE_NAME} {code}"
    orgs = [
        {
            "id": first_org,
            "path": root_path,
            "depth": 1,
            "numchild": n_communes,
            "name": root_name,
            "code": code,
            "kind": "provincial",
            "place_name": "Thử nghiệm",
            "valid_from": valid_from,
            "valid_to": None,
            "cell_type": "",
            "meeting_day": None,
            "meeting_time": None,
            "venue": "",
        }
    ]
    names = [{"organization_id": first_org, "parent_name": "", "valid_to": None}]
    cell_infos: list[_Cell] = []
    for c in range(n_communes):
        commune_id, commune_path = first_org + 1 + c, Organization._get_path(root_path, 2, c + 1)
        in_commune = min(per_commune, cells - c * per_commune)
        commune_name = f"Đảng bộ xã Thử nghiệm {c + 1:03d}"
        orgs.append(
            {
                **orgs[0],
                "id": commune_id,
                "path": commune_path,
                "depth": 2,
                "numchild": in_commune,
                "name": commune_name,
                "code": f"{code}-X{c + 1:03d}",
                "kind": "commune",
                "place_name": f"Xã Thử nghiệm {c + 1:03d}",
            }
        )
        names.append({"organization_id": commune_id, "parent_name": root_name, "valid_to": None})
        for j in range(in_commune):
            cell_id = first_org + 1 + n_communes + len(cell_infos)
            cell_type, _share, venue, at = _pick(rng, CELL_TYPES)
            day = 0 if rng.random() < 0.1 else rng.randint(1, 28)
            orgs.append(
                {
                    **orgs[0],
                    "id": cell_id,
                    "path": Organization._get_path(commune_path, 3, j + 1),
                    "depth": 3,
                    "numchild": 0,
                    "name": f"Chi bộ số {j + 1:03d} ({CELL_WORDS[cell_type]})",
                    "code": f"{code}-X{c + 1:03d}-{j + 1:03d}",
                    "kind": "subordinate_cell",
                    "place_name": f"Xã Thử nghiệm {c + 1:03d}",
                    "cell_type": cell_type,
                    "meeting_day": day,
                    "meeting_time": at,
                    "venue": venue,
                }
            )
            names.append({"organization_id": cell_id, "parent_name": commune_name, "valid_to": None})
            thematic = {}
            if rng.random() < profile.thematic_cells:
                for month in month_list:
                    quarter = quarter_start(month)
                    thematic.setdefault(quarter, add_months(quarter, rng.randint(0, 2)))
            cell_infos.append(_Cell(cell_id, orgs[-1]["path"], day, at, venue, thematic))
    by_id = {org["id"]: org for org in orgs}
    for name in names:
        org = by_id[name["organization_id"]]
        name.update(name=org["name"], place_name=org["place_name"], valid_from=org["valid_from"])
    with transaction.atomic(), writer.triggers_off():
        writer.write(Organization, orgs)
        writer.write(OrganizationName, names)
    # The rules the meetings are made against: the policy in force for the new province at the end of the range.
    policy = policy_for(Organization.objects.get(pk=first_org), end)
    phases["tree"] = time.perf_counter() - phase
    log(f"[{_since(started):>8}] tree: 1 province, {n_communes:,} communes, {cells:,} cells")

    # Members, their home membership, status history, and a secretary per cell.
    phase = time.perf_counter()
    first_member = writer.reserve(Member, cells * members_per_cell)
    with transaction.atomic(), writer.triggers_off():
        for chunk in range(0, cells, 1_000):
            member_rows, status_rows, membership_rows, position_rows = [], [], [], []
            for k, cell in enumerate(cell_infos[chunk : chunk + 1_000], start=chunk):
                rows, statuses = _member_rows(
                    rng, cell, members_per_cell, first_member + k * members_per_cell, end, profile
                )
                member_rows += rows
                status_rows += statuses
                membership_rows += [
                    {
                        "member_id": m.id,
                        "organization_id": cell.id,
                        "kind": "home",
                        "valid_from": max(m.joined, valid_from),
                        "valid_to": None,
                    }
                    for m in cell.members
                ]
                secretary = cell.members[0]
                position_rows.append(
                    {
                        "member_id": secretary.id,
                        "organization_id": cell.id,
                        "role": "secretary",
                        "valid_from": max(valid_from, secretary.joined),
                        "valid_to": None,
                    }
                )
            writer.write(Member, member_rows)
            writer.write(Membership, membership_rows)
            writer.write(StatusChange, status_rows)
            writer.write(Position, position_rows)
    phases["members"] = time.perf_counter() - phase
    log(f"[{_since(started):>8}] members: {cells * members_per_cell:,}")

    # Meetings, month by month: one transaction per month.
    phase = time.perf_counter()
    numbers: dict[tuple[int, int], int] = {}
    totals = {"meetings": 0, "attendance": 0, "speeches": 0}
    for index, month in enumerate(month_list):
        last_month = index == len(month_list) - 1
        planned = []
        for cell in cell_infos:
            if rng.random() >= profile.missing:
                planned.append((cell, "regular", _month_day(month, cell.meeting_day)))
            quarter = quarter_start(month)
            if cell.thematic_months.get(quarter) == month:
                regular_day = _month_day(month, cell.meeting_day).day
                planned.append((cell, "thematic", month.replace(day=20 if regular_day < 15 else 8)))
        first_meeting = writer.reserve(Meeting, len(planned)) if planned else 0
        meetings, attendance, speeches = [], [], []
        for offset, (cell, kind, day) in enumerate(planned):
            number = numbers[(cell.id, day.year)] = numbers.get((cell.id, day.year), 0) + 1
            meeting, roll, spoken = _meeting(
                rng, cell, first_meeting + offset, kind, day, number, last_month, profile, policy
            )
            meetings.append(meeting)
            attendance += roll
            speeches += spoken
        with transaction.atomic(), writer.triggers_off():
            writer.write(Meeting, meetings)
            writer.write(Attendance, attendance)
            writer.write(Speech, speeches)
        totals["meetings"] += len(meetings)
        totals["attendance"] += len(attendance)
        totals["speeches"] += len(speeches)
        log(
            f"[{_since(started):>8}] {month:%m/%Y}: {len(meetings):,} meetings, {len(attendance):,} attendance rows, "
            f"{len(speeches):,} speeches"
        )
    phases["meetings"] = time.perf_counter() - phase

    phase = time.perf_counter()
    analyze([Organization, OrganizationName, Member, Membership, StatusChange, Position, Meeting, Attendance, Speech])
    phases["analyze"] = time.perf_counter() - phase
    seconds = time.perf_counter() - started
    log(
        f"[{_since(started):>8}] done: {cells:,} cells, {cells * members_per_cell:,} members, "
        f"{totals['meetings']:,} meetings, {totals['attendance']:,} attendance rows, {totals['speeches']:,} speeches"
    )
    return Generated(
        code=code,
        root_id=first_org,
        root_path=root_path,
        months=[m.isoformat() for m in month_list],
        cells=cells,
        communes=n_communes,
        members=cells * members_per_cell,
        meetings=totals["meetings"],
        attendance=totals["attendance"],
        speeches=totals["speeches"],
        seconds=round(seconds, 2),
        phases={name: round(value, 2) for name, value in phases.items()},
    )


def analyze(model_list) -> None:
    """Fresh planner statistics (and, outside a transaction, a vacuum: the visibility map for index-only scans)."""
    if connection.vendor != "postgresql":
        return
    qn = connection.ops.quote_name
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        for model in model_list:
            cursor.execute(f"{command} {qn(model._meta.db_table)}")
