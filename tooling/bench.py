"""Benchmarks of the compliance dashboards (``make bench``): synthetic data at province scale, and the measurements.

Two parts, each behind a management command:

- ``generate`` (``manage.py generate_benchmark_data``) builds a province root, communes of about 50 cells, N cells of
  M members and K months of held meetings ending with the last full month: attendance for every member on the roster,
  distinct speakers, votes, one thematic meeting a quarter for most cells. It writes rows in bulk, with ids it
  reserves itself: PostgreSQL ``COPY`` when the database is PostgreSQL, ``bulk_create`` otherwise. Nothing goes
  through the services (that would take hours at 5,000 cells); the rows have the shape the services give them
  (tree paths, name history, memberships, status changes, a secretary per cell, the meeting's month).
- ``run`` (``manage.py bench_compliance``) generates each size, computes the stored findings of every month, then
  measures the province dashboard through the whole Django stack, the raw SQL computing the headline figures from
  the facts, the raw SQL reading them from the stored findings, refreshing one cell-month and refreshing a month, and
  writes ``var/bench/compliance.json``.

The headline figures, computed both ways over the subtree and one calendar year (the default rules; the bench
data has no policy of its own): cells; regular meetings held; their median length and how many lasted at least
90 minutes; the median number of distinct member speakers and how many meetings had at least 4; members present
and expected (official and probationary members on the roll call, not guests: the attendance rate); the (cell,
quarter) pairs with a thematic meeting held. The stored findings also give the cell-months meeting every rule,
which the facts alone cannot give without the policy engine (agenda and minutes deadlines, quorum, cell size).
"""

import datetime
import io
import json
import math
import os
import platform
import random
import statistics
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from functools import cache

import django
from dateutil.relativedelta import relativedelta
from django.db import connection, models, transaction
from django.utils import timezone

from cells.models import Organization, OrganizationName
from cells.text import vi_name_sort_key
from meetings.models import Attendance, Meeting, Speech
from members.models import Member, Membership, Position, StatusChange

Log = Callable[[str], None]

PROVINCE_NAME = "Đảng bộ tỉnh Thử nghiệm"  # every generated root starts with this: --reset deletes nothing else
CELL_KINDS = ("grassroots_cell", "subordinate_cell")
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
    too_short: float = 0.10  # regular meetings shorter than 90 minutes
    few_speakers: float = 0.15  # meetings with fewer than 4 distinct member speakers
    missing: float = 0.03  # cell-months without a regular meeting
    thematic_cells: float = 0.80  # cells holding one thematic meeting per quarter
    late_agenda: float = 0.05  # agendas sent on the meeting's day
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
    last = today.replace(day=1) - relativedelta(months=1)
    return [last - relativedelta(months=count - 1 - i) for i in range(count)]


def _month_day(month: datetime.date, day: int) -> datetime.date:
    last = (month + relativedelta(months=1) - datetime.timedelta(days=1)).day
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
            else:
                missing[f.attname] = f.get_default()
        qn = connection.ops.quote_name
        sql = f"COPY {qn(model._meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) FROM STDIN"
        for start in range(0, len(rows), 200_000):
            buffer = io.StringIO()
            for row in rows[start : start + 200_000]:
                buffer.write("\t".join(_copy_text(row[c] if c in row else missing[c]) for c in columns))
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
            official_date = admission + datetime.timedelta(days=365)
            birth_year = max(1950, admission.year - rng.randint(22, 40))
        elif draw < profile.official + profile.probationary:
            admission = end - datetime.timedelta(days=rng.randint(15, 340))
            official_date = None
            birth_year = admission.year - rng.randint(20, 35)
        else:  # exempted from activity: older members, for years
            admission = end - datetime.timedelta(days=rng.randint(25 * 365, 45 * 365))
            official_date = admission + datetime.timedelta(days=365)
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
):
    """One held meeting of ``cell`` on ``day``, its roll call and its speeches (dict rows)."""
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
                "absence_accepted": True,
                "member_status": status,
                "is_guest": False,
            }
        )
    wanted = rng.randint(2, 3) if rng.random() < profile.few_speakers else rng.randint(4, 8)
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
    if kind == "thematic":
        minutes = rng.randint(90, 115) if rng.random() < profile.too_short else rng.randint(120, 180)
    else:
        minutes = rng.randint(40, 85) if rng.random() < profile.too_short else rng.randint(90, 150)
    started = _aware(day, cell.meeting_time) + datetime.timedelta(minutes=rng.randint(0, 15))
    lead = 0 if rng.random() < profile.late_agenda else rng.choice((3, 3, 3, 5, 7))
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
        "quality_grade": "excellent" if score >= 90 else "good" if score >= 70 else "average",
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
    today = today or timezone.localdate(timezone=timezone.get_default_timezone())
    month_list = _months(months, today)
    end = month_list[-1] + relativedelta(months=1) - datetime.timedelta(days=1)
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
                    quarter = month.replace(month=(month.month - 1) // 3 * 3 + 1)
                    thematic.setdefault(quarter, quarter + relativedelta(months=rng.randint(0, 2)))
            cell_infos.append(_Cell(cell_id, orgs[-1]["path"], day, at, venue, thematic))
    by_id = {org["id"]: org for org in orgs}
    for name in names:
        org = by_id[name["organization_id"]]
        name.update(name=org["name"], place_name=org["place_name"], valid_from=org["valid_from"])
    with transaction.atomic(), writer.triggers_off():
        writer.write(Organization, orgs)
        writer.write(OrganizationName, names)
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
            quarter = month.replace(month=(month.month - 1) // 3 * 3 + 1)
            if cell.thematic_months.get(quarter) == month:
                regular_day = _month_day(month, cell.meeting_day).day
                planned.append((cell, "thematic", month.replace(day=20 if regular_day < 15 else 8)))
        first_meeting = writer.reserve(Meeting, len(planned)) if planned else 0
        meetings, attendance, speeches = [], [], []
        for offset, (cell, kind, day) in enumerate(planned):
            number = numbers[(cell.id, day.year)] = numbers.get((cell.id, day.year), 0) + 1
            meeting, roll, spoken = _meeting(rng, cell, first_meeting + offset, kind, day, number, last_month, profile)
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


def _wait_for_autovacuum(log: Log, timeout: float = 300) -> None:
    """Wait (at most ``timeout`` seconds) until no autovacuum worker runs on the database: on a two-core machine one
    worker vacuuming millions of freshly copied rows doubles the dashboard's timings."""
    if connection.vendor != "postgresql":
        return
    started = time.perf_counter()
    with connection.cursor() as cursor:
        while time.perf_counter() - started < timeout:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker' AND datname = "
                "current_database()"
            )
            if not cursor.fetchone()[0]:
                break
            time.sleep(1)
    waited = time.perf_counter() - started
    if waited >= 1:
        log(f"waited {waited:.0f} s for autovacuum to finish")


# --- the measurements ------------------------------------------------------------------------------------------------

TARGETS = {
    "queries_constant": "the dashboard's query count does not grow with the number of cells",
    "dashboard_vs_facts": "the dashboard at least 5× faster than computing from the facts",
    "dashboard_vs_stored": "the dashboard within 2× of reading the stored findings",
    "scaling": "the large dashboard within 3× of the small one",
    "refresh_one_meeting": "refreshing one cell-month under 50 ms (median)",
}

REQUIRED_KEYS = (
    "dashboard_ms_median_{small}",
    "dashboard_ms_median_{large}",
    "queries_{small}",
    "queries_{large}",
    "facts_sql_ms_median_{large}",
    "stored_sql_ms_median_{large}",
    "ratio_facts_to_dashboard_{large}",
    "ratio_dashboard_to_stored_sql_{large}",
    "ratio_{large}_to_{small}",
    "refresh_one_meeting_ms_median",
    "refresh_month_s_{large}",
)


def required_keys(small: int, large: int) -> list[str]:
    """The keys ``compliance.json`` always has (``None`` when a measurement failed)."""
    return [key.format(small=small, large=large) for key in REQUIRED_KEYS]


def _sql_parts() -> dict[str, str]:
    if connection.vendor == "postgresql":
        return {
            "minutes": "FLOOR(EXTRACT(EPOCH FROM m.ended_at - m.started_at) / 60)",
            "quarter": "DATE_TRUNC('quarter', {month})",
        }
    return {  # SQLite (the tests): dates are text, durations from julianday
        "minutes": "CAST((JULIANDAY(m.ended_at) - JULIANDAY(m.started_at)) * 1440 + 0.0001 AS INTEGER)",
        "quarter": "STRFTIME('%%Y', {month}) || '-' || ((CAST(STRFTIME('%%m', {month}) AS INTEGER) + 2) / 3)",
    }


def _median(column: str, source: str) -> str:
    if connection.vendor == "postgresql":
        return f"PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY {column})"
    return (
        f"(SELECT AVG(v) FROM (SELECT v, ROW_NUMBER() OVER (ORDER BY v) AS rn, COUNT(*) OVER () AS cnt "
        f"FROM (SELECT {column} AS v FROM {source} WHERE {column} IS NOT NULL) AS x) AS y "
        f"WHERE rn IN ((cnt + 1) / 2, (cnt + 2) / 2))"
    )


def facts_sql() -> str:
    """The headline figures straight from the facts: meetings, attendance, speeches (parameters: the subtree's path
    prefix, the first and the last month of the year; four times). Each part joins the meetings of the subtree and
    year itself, so that the planner sees real row counts (no shared CTE, whose estimates it cannot see through)."""
    parts = _sql_parts()
    meetings = """
        FROM meetings_meeting m JOIN cells_organization o ON o.id = m.organization_id
        WHERE o.path LIKE %s AND o.kind IN ('grassroots_cell', 'subordinate_cell')
          AND m.month >= %s AND m.month <= %s AND m.status IN ('held', 'approved')"""
    regular = meetings + " AND m.kind IN ('regular', 'combined')"
    return f"""
WITH regular AS (
    SELECT m.id, {parts["minutes"]} AS minutes {regular}
), roll AS (
    SELECT a.meeting_id, SUM(CASE WHEN a.status = 'present' THEN 1 ELSE 0 END) AS present, COUNT(*) AS expected
    FROM meetings_attendance a JOIN (SELECT m.id {regular}) r ON r.id = a.meeting_id
    WHERE NOT a.is_guest AND a.member_status IN ('official', 'probationary')
    GROUP BY a.meeting_id
), spoken AS (
    SELECT s.meeting_id, COUNT(DISTINCT s.member_id) AS speakers
    FROM meetings_speech s JOIN (SELECT m.id {regular}) r ON r.id = s.meeting_id
    WHERE s.member_id IS NOT NULL
    GROUP BY s.meeting_id
), per_meeting AS (
    SELECT r.minutes, COALESCE(sp.speakers, 0) AS speakers, COALESCE(ro.present, 0) AS present,
           COALESCE(ro.expected, 0) AS expected
    FROM regular r LEFT JOIN roll ro ON ro.meeting_id = r.id LEFT JOIN spoken sp ON sp.meeting_id = r.id
), thematic AS (
    SELECT DISTINCT m.organization_id, {parts["quarter"].format(month="m.month")} AS quarter
    {meetings} AND m.kind IN ('thematic', 'combined')
)
SELECT
    (SELECT COUNT(*) FROM cells_organization WHERE path LIKE %s AND kind IN ('grassroots_cell', 'subordinate_cell'))
        AS cells,
    COUNT(*) AS meetings_held,
    {_median("minutes", "per_meeting")} AS median_minutes,
    SUM(CASE WHEN minutes >= 90 THEN 1 ELSE 0 END) AS long_enough,
    {_median("speakers", "per_meeting")} AS median_speakers,
    SUM(CASE WHEN speakers >= 4 THEN 1 ELSE 0 END) AS enough_speakers,
    SUM(present) AS present,
    SUM(expected) AS expected,
    (SELECT COUNT(*) FROM thematic) AS thematic_cell_quarters,
    NULL AS all_ok_cell_months
FROM per_meeting
"""


def facts_params(prefix: str, first: str, last: str) -> list:
    return [prefix, first, last] * 4 + [prefix]


def stored_sql() -> str:
    """The same figures read from the stored findings (parameters: the path prefix, the first and the last month)."""
    thematic = (
        "COUNT(DISTINCT CASE WHEN thematic_count > 0 THEN cell_id * 4 + ({month_of_year} - 1) / 3 END)"
        " AS thematic_cell_quarters"
    )
    where = "path LIKE %s AND month >= %s AND month <= %s"
    figures = """
    SUM(CASE WHEN regular_held = 'pass' THEN 1 ELSE 0 END) AS meetings_held,
    {median_minutes} AS median_minutes,
    SUM(CASE WHEN length = 'pass' THEN 1 ELSE 0 END) AS long_enough,
    {median_speakers} AS median_speakers,
    SUM(CASE WHEN speakers = 'pass' THEN 1 ELSE 0 END) AS enough_speakers,
    SUM(attendance_present) AS present,
    SUM(attendance_expected) AS expected,
    {thematic},
    SUM(CASE WHEN all_ok THEN 1 ELSE 0 END) AS all_ok_cell_months"""
    if connection.vendor == "postgresql":  # one scan: the medians are ordered-set aggregates
        return f"""
SELECT COUNT(DISTINCT cell_id) AS cells, {
            figures.format(
                median_minutes=_median("length_minutes", ""),
                median_speakers=_median("speakers_count", ""),
                thematic=thematic.format(month_of_year="EXTRACT(MONTH FROM month)::integer"),
            )
        }
FROM reports_cellmonth WHERE {where}
"""
    held = "(SELECT length_minutes, speakers_count FROM found WHERE regular_held = 'pass') AS held"
    return f"""
WITH found AS (SELECT * FROM reports_cellmonth WHERE {where})
SELECT COUNT(DISTINCT cell_id) AS cells, {
        figures.format(
            median_minutes=_median("length_minutes", held),
            median_speakers=_median("speakers_count", held),
            thematic=thematic.format(month_of_year="CAST(STRFTIME('%%m', month) AS INTEGER)"),
        )
    }
FROM found
"""


FIGURES = (
    "cells",
    "meetings_held",
    "median_minutes",
    "long_enough",
    "median_speakers",
    "enough_speakers",
    "present",
    "expected",
    "thematic_cell_quarters",
    "all_ok_cell_months",
)


def _run_sql(sql: str, params: list) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    figures = {}
    for name, value in zip(FIGURES, row, strict=True):
        figures[name] = None if value is None else float(value) if name.startswith("median") else int(value)
    figures["attendance_rate"] = round(figures["present"] / figures["expected"], 4) if figures["expected"] else None
    return figures


def _timed(function: Callable, runs: int, warmup: int = 1) -> tuple[list[float], object]:
    """``runs`` timings in milliseconds after ``warmup`` untimed calls, and the last result."""
    result = None
    for _ in range(warmup):
        result = function()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        samples.append((time.perf_counter() - started) * 1000)
    return samples, result


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def _r(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def _year_for(months: list[datetime.date]) -> int:
    """The latest calendar year the data covers in full, else the year of the last month."""
    covered = {m for m in months}
    for year in sorted({m.year for m in months}, reverse=True):
        if all(datetime.date(year, n, 1) in covered for n in range(1, 13)):
            return year
    return months[-1].year


@dataclass
class Options:
    sizes: tuple[int, int] = (500, 5000)
    members_per_cell: int = 20
    months: int = 24
    code: str = "BENCH"
    seed: int = 1
    requests: int = 15
    cold_requests: int = 5
    facts_runs: int = 5
    stored_runs: int = 15
    refresh_runs: int = 30
    month_runs: int = 3


def _change_a_finding(root: Organization, year: int) -> None:
    """Make the next dashboard request one right after a change: a cell's findings computed again (as after a meeting
    changed), with its sums, and any in-process cache emptied (the dashboards keep none today)."""
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    from reports.compliance import refresh_cell_month

    cell = Organization.objects.cells().filter(path__startswith=root.path).order_by("path").first()
    if cell is not None:
        refresh_cell_month(cell.pk, datetime.date(year, 12, 1))
    for backend in caches.all(initialized_only=True):
        if isinstance(backend, LocMemCache):
            backend.clear()


def measure_dashboard(root: Organization, year: int, requests: int, cold_requests: int = 5) -> dict:
    """GET the dashboard of ``root`` for ``year`` as a superuser through the whole Django stack (middleware, session,
    view, template): 2 warm-ups, ``requests`` timed, then one more with its queries captured. Then ``cold_requests``
    first requests after the findings changed (nothing cached), timed one by one, the last with its queries."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings
    from django.urls import reverse

    user, _created = get_user_model().objects.get_or_create(
        username="bench.admin", defaults={"is_superuser": True, "is_staff": True}
    )
    if not user.is_superuser:
        user.is_superuser = user.is_staff = True
        user.save(update_fields=["is_superuser", "is_staff"])
    url = reverse("reports:dashboard", args=[root.pk]) + f"?ky=nam-{year}"
    with override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]):
        client = Client()
        client.force_login(user)

        def get():
            response = client.get(url, secure=True)
            if response.status_code != 200:
                raise RuntimeError(f"GET {url} answered {response.status_code}")
            return response

        samples, response = _timed(get, requests, warmup=2)
        with CaptureQueriesContext(connection) as queries:
            get()
        cold = []
        for _ in range(cold_requests):
            _change_a_finding(root, year)
            with CaptureQueriesContext(connection) as cold_queries:
                started = time.perf_counter()
                get()
                cold.append((time.perf_counter() - started) * 1000)
    query_ms = [round(float(q["time"]) * 1000, 2) for q in queries.captured_queries]
    cold_ms = [round(float(q["time"]) * 1000, 2) for q in cold_queries.captured_queries]
    return {
        "dashboard_url": url,
        "dashboard_ms_median": _r(statistics.median(samples)),
        "dashboard_ms_p95": _r(_p95(samples)),
        "dashboard_bytes": len(response.content),
        "queries": len(queries.captured_queries),
        "dashboard_sql_ms": _r(sum(query_ms)),
        "dashboard_queries": [
            {"ms": ms, "sql": q["sql"][:2000]} for ms, q in zip(query_ms, queries.captured_queries, strict=True)
        ],
        "dashboard_cold_ms_median": _r(statistics.median(cold)) if cold else None,
        "dashboard_cold_ms_max": _r(max(cold)) if cold else None,
        "queries_cold": len(cold_queries.captured_queries) if cold else None,
        "dashboard_cold_sql_ms": _r(sum(cold_ms)) if cold else None,
        "dashboard_cold_queries": [
            {"ms": ms, "sql": q["sql"][:2000]} for ms, q in zip(cold_ms, cold_queries.captured_queries, strict=True)
        ]
        if cold
        else [],
    }


def measure_size(n: int, options: Options, log: Log, errors: list[str]) -> dict:
    """Generate ``n`` cells, compute their findings, and measure. Failures are recorded in ``errors``."""
    from django.urls import NoReverseMatch

    from reports.compliance import compute_month, refresh_cell_month
    from reports.dashboard import Period, summarize
    from reports.models import CellMonth, Rollup

    out: dict = {"cells": n}
    log(f"\n=== {n:,} cells ===")
    generated = generate(
        cells=n,
        members_per_cell=options.members_per_cell,
        months=options.months,
        code=options.code,
        seed=options.seed,
        reset=True,
        log=log,
    )
    out["generation"] = asdict(generated)
    out["generate_s"] = generated.seconds
    months = [datetime.date.fromisoformat(m) for m in generated.months]
    root = Organization.objects.get(pk=generated.root_id)

    # The stored findings of every month (the first computation: inserts).
    started = time.perf_counter()
    per_month = []
    for month in months:
        month_started = time.perf_counter()
        compute_month(month)
        per_month.append(time.perf_counter() - month_started)
    # Settle the database before measuring: vacuum every table the run filled (so that autovacuum has nothing left
    # to do on them during the measurements, as on a production database that is not being bulk-loaded) and wait
    # for autovacuum workers still busy.
    analyze(
        [Organization, OrganizationName, Member, Membership, StatusChange, Position, Meeting, Attendance, Speech]
        + [CellMonth, Rollup]
    )
    _wait_for_autovacuum(log)
    out["fill_findings_s"] = round(time.perf_counter() - started, 2)
    out["fill_findings_month_s_median"] = round(statistics.median(per_month), 3)
    out["cellmonth_rows"] = CellMonth.objects.filter(path__startswith=root.path).count()
    log(f"findings of {len(months)} months: {out['fill_findings_s']} s ({out['cellmonth_rows']:,} rows)")

    out["load_average_before"] = [round(x, 2) for x in os.getloadavg()]
    year = _year_for(months)
    first, last = datetime.date(year, 1, 1).isoformat(), datetime.date(year, 12, 1).isoformat()
    out["year"] = year
    prefix = root.path + "%"

    # (a) The province dashboard through the whole Django stack.
    try:
        out.update(measure_dashboard(root, year, options.requests, options.cold_requests))
        log(
            f"dashboard: median {out['dashboard_ms_median']} ms, p95 {out['dashboard_ms_p95']} ms, "
            f"{out['queries']} queries taking {out['dashboard_sql_ms']} ms; first request after the findings "
            f"changed: median {out['dashboard_cold_ms_median']} ms, {out['queries_cold']} queries taking "
            f"{out['dashboard_cold_sql_ms']} ms"
        )
    except NoReverseMatch:
        errors.append(f"{n} cells: the dashboard route reports:dashboard does not exist (reports/dashboard_views.py)")
        log(errors[-1])
    except Exception as error:
        errors.append(f"{n} cells: dashboard: {type(error).__name__}: {error}")
        log(errors[-1])

    # (b) The headline figures from the facts; (c) from the stored findings.
    try:
        samples, facts = _timed(lambda: _run_sql(facts_sql(), facts_params(prefix, first, last)), options.facts_runs)
        out["facts_sql_ms_median"] = _r(statistics.median(samples))
        out["facts_figures"] = facts
        samples, stored = _timed(lambda: _run_sql(stored_sql(), [prefix, first, last]), options.stored_runs)
        out["stored_sql_ms_median"] = _r(statistics.median(samples))
        out["stored_sql_ms_p95"] = _r(_p95(samples))
        out["stored_figures"] = stored
        out["figures_agree"] = all(facts[k] == stored[k] for k in FIGURES if k != "all_ok_cell_months")
        log(f"facts SQL: {out['facts_sql_ms_median']} ms; stored SQL: {out['stored_sql_ms_median']} ms")
        if not out["figures_agree"]:
            log(f"the figures differ: facts {facts}, stored {stored}")
        # The dashboard's own figures (its sums) against the same stored findings.
        headline = summarize(root, Period("year", year)).headline
        shown = {
            "cells": headline.cells,
            "meetings_held": headline.held,
            "present": headline.present,
            "expected": headline.expected,
            "median_minutes": headline.median_length,
            "median_speakers": headline.median_speakers,
        }
        out["dashboard_figures"] = shown
        out["dashboard_agrees"] = all(
            shown[k] is not None and stored[k] is not None and abs(float(shown[k]) - float(stored[k])) < 1e-9
            for k in shown
        )
        if not out["dashboard_agrees"]:
            log(f"the dashboard's figures differ from the stored findings: {shown}, stored {stored}")
    except Exception as error:
        errors.append(f"{n} cells: SQL: {type(error).__name__}: {error}")
        log(errors[-1])

    # (d) Refreshing the findings after one meeting changed: one cell-month, different cells.
    try:
        sample_rng = random.Random(options.seed)
        cell_ids = list(
            Organization.objects.cells().filter(path__startswith=root.path).order_by("pk").values_list("pk", flat=True)
        )
        picks = iter(sample_rng.choices(cell_ids, k=options.refresh_runs + 1))
        samples, _row = _timed(lambda: refresh_cell_month(next(picks), months[-1]), options.refresh_runs)
        out["refresh_one_meeting_ms_median"] = _r(statistics.median(samples))
        out["refresh_one_meeting_ms_p95"] = _r(_p95(samples))
        log(f"refresh one cell-month: median {out['refresh_one_meeting_ms_median']} ms")
    except Exception as error:
        errors.append(f"{n} cells: refresh_cell_month: {type(error).__name__}: {error}")
        log(errors[-1])

    out["load_average_after_reads"] = [round(x, 2) for x in os.getloadavg()]

    # (e) Refreshing a whole month (every cell; an upsert over existing rows).
    try:
        samples, _written = _timed(lambda: compute_month(months[-1]), options.month_runs, warmup=0)
        out["refresh_month_s"] = _r(statistics.median(samples) / 1000, 3)
        log(f"refresh a month: {out['refresh_month_s']} s")
    except Exception as error:
        errors.append(f"{n} cells: compute_month: {type(error).__name__}: {error}")
        log(errors[-1])
    return out


def _ratio(a, b) -> float | None:
    return round(a / b, 2) if a is not None and b else None


PER_SIZE = (
    "dashboard_ms_median",
    "dashboard_ms_p95",
    "queries",
    "dashboard_sql_ms",
    "dashboard_cold_ms_median",
    "dashboard_cold_ms_max",
    "queries_cold",
    "dashboard_cold_sql_ms",
    "dashboard_bytes",
    "facts_sql_ms_median",
    "stored_sql_ms_median",
    "stored_sql_ms_p95",
    "refresh_one_meeting_ms_median",
    "refresh_one_meeting_ms_p95",
    "refresh_month_s",
    "generate_s",
    "fill_findings_s",
    "fill_findings_month_s_median",
    "cellmonth_rows",
    "figures_agree",
    "dashboard_agrees",
    "year",
)


def _checks(runs: dict[int, dict], small: int, large: int, suffix: str = "") -> tuple[dict, dict]:
    """The ratios and the targets, for the repeated (cached) requests or, with ``suffix="_cold"``, the first ones."""
    dashboard, queries = ("dashboard_cold_ms_median", "queries_cold") if suffix else ("dashboard_ms_median", "queries")
    small_run, large_run = runs.get(small, {}), runs.get(large, {})
    ratios = {}
    for n, run in runs.items():
        ratios[f"ratio_facts_to_dashboard{suffix}_{n}"] = _ratio(run.get("facts_sql_ms_median"), run.get(dashboard))
        ratios[f"ratio_dashboard{suffix}_to_stored_sql_{n}"] = _ratio(
            run.get(dashboard), run.get("stored_sql_ms_median")
        )
    ratios[f"ratio_{large}_to_{small}{suffix}"] = _ratio(large_run.get(dashboard), small_run.get(dashboard))
    refresh = large_run.get("refresh_one_meeting_ms_median")
    checks = {
        "queries_constant": (
            None
            if large_run.get(queries) is None or small_run.get(queries) is None
            else large_run[queries] <= small_run[queries]
        ),
        "dashboard_vs_facts": _at_least(ratios[f"ratio_facts_to_dashboard{suffix}_{large}"], 5),
        "dashboard_vs_stored": _at_most(ratios[f"ratio_dashboard{suffix}_to_stored_sql_{large}"], 2),
        "scaling": _at_most(ratios[f"ratio_{large}_to_{small}{suffix}"], 3),
        "refresh_one_meeting": None if refresh is None else refresh < 50,
    }
    return ratios, checks


def summarize(runs: dict[int, dict], small: int, large: int, errors: list[str]) -> dict:
    """The flat JSON: the required keys, per-size extras, targets (on the repeated requests, as asked; the same
    targets on the first request after the findings changed are in ``targets_met_cold``)."""
    result: dict = {}
    for n, run in runs.items():
        for key in PER_SIZE:
            result[f"{key}_{n}"] = run.get(key)
    ratios, checks = _checks(runs, small, large)
    cold_ratios, cold_checks = _checks(runs, small, large, "_cold")
    result.update(ratios)
    result.update(cold_ratios)
    result["refresh_one_meeting_ms_median"] = runs.get(large, {}).get("refresh_one_meeting_ms_median")
    result["targets"] = TARGETS
    result["targets_met"] = checks
    result["all_targets_met"] = all(value is True for value in checks.values())
    result["targets_met_cold"] = cold_checks
    result["errors"] = errors
    result["runs"] = {str(n): run for n, run in runs.items()}
    result["environment"] = _environment()
    for key in required_keys(small, large):
        result.setdefault(key, None)
    return result


def _at_least(value, bound) -> bool | None:
    return None if value is None else value >= bound


def _at_most(value, bound) -> bool | None:
    return None if value is None else value <= bound


def _environment() -> dict:
    env = {
        "database": connection.vendor,
        "python": platform.python_version(),
        "django": django.get_version(),
        "cpus": os.cpu_count(),
        "machine": platform.machine(),
        "measured_at": timezone.now().isoformat(timespec="seconds"),
        "debug": bool(getattr(django.conf.settings, "DEBUG", False)),
    }
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            env["postgresql"] = cursor.fetchone()[0]
    return env


def table(result: dict, small: int, large: int) -> str:
    """The printed summary: one row per measurement, one column per size."""
    rows = [
        ("generate data (s)", "generate_s"),
        ("compute findings, all months (s)", "fill_findings_s"),
        ("dashboard, median (ms)", "dashboard_ms_median"),
        ("dashboard, p95 (ms)", "dashboard_ms_p95"),
        ("dashboard, queries", "queries"),
        ("dashboard, time in SQL (ms)", "dashboard_sql_ms"),
        ("first request after a change (ms)", "dashboard_cold_ms_median"),
        ("  its queries", "queries_cold"),
        ("  its time in SQL (ms)", "dashboard_cold_sql_ms"),
        ("facts SQL, median (ms)", "facts_sql_ms_median"),
        ("stored findings SQL, median (ms)", "stored_sql_ms_median"),
        ("facts / dashboard", "ratio_facts_to_dashboard"),
        ("dashboard / stored SQL", "ratio_dashboard_to_stored_sql"),
        ("facts / first request", "ratio_facts_to_dashboard_cold"),
        ("first request / stored SQL", "ratio_dashboard_cold_to_stored_sql"),
        ("refresh one cell-month, median (ms)", "refresh_one_meeting_ms_median"),
        ("refresh one cell-month, p95 (ms)", "refresh_one_meeting_ms_p95"),
        ("refresh a month, all cells (s)", "refresh_month_s"),
        ("figures agree (facts = stored)", "figures_agree"),
        ("dashboard's figures = stored", "dashboard_agrees"),
    ]
    header = f"{'':<38}{f'{small:,} cells':>14}{f'{large:,} cells':>14}"
    lines = [header, "-" * len(header)]
    for label, key in rows:
        values = [result.get(f"{key}_{n}") for n in (small, large)]
        lines.append(f"{label:<38}" + "".join(f"{'—' if v is None else v!s:>14}" for v in values))
    lines.append("")
    lines.append(
        f"{large:,} / {small:,} cells, dashboard: {result.get(f'ratio_{large}_to_{small}')} "
        f"(first request after a change: {result.get(f'ratio_{large}_to_{small}_cold')})"
    )
    lines.append("")
    lines.append("targets (repeated requests | first request after a change):")
    for name, description in TARGETS.items():
        marks = []
        for met in (result["targets_met"].get(name), result["targets_met_cold"].get(name)):
            marks.append("MET   " if met else "missed" if met is False else "n/a   ")
        lines.append(f"  [{marks[0]}|{marks[1]}] {description}")
    return "\n".join(lines)


def run(options: Options, output: str, log: Log) -> dict:
    """Every size in turn, then the JSON at ``output``. Returns the result (its ``errors`` list is empty if every
    measurement ran)."""
    small, large = options.sizes
    errors: list[str] = []
    runs: dict[int, dict] = {}
    for n in dict.fromkeys((small, large)):
        try:
            runs[n] = measure_size(n, options, log, errors)
        except Exception as error:
            errors.append(f"{n} cells: generation: {type(error).__name__}: {error}")
            log(errors[-1])
            runs[n] = {"cells": n}
    result = summarize(runs, small, large, errors)
    result["options"] = asdict(options)
    os.makedirs(os.path.dirname(os.path.abspath(output)), exist_ok=True)
    with open(output, "w", encoding="utf-8") as handle:
        json.dump(result, handle, ensure_ascii=False, indent=2, default=str)
    log("")
    log(table(result, small, large))
    log(f"\nwritten: {output}")
    return result
