"""Demo data for `manage.py load_demo`: a believable province, built once, safe to run any number of times.

The province (code ``DN``) has, since the 2025 reform, no district level: party-agency and provincial-government
blocs, a provincial hospital (a grassroots committee with a sub-committee), and three commune-level committees:

- Đảng bộ xã Xuân Hiệp, whose agency cell of 19 members meets on the 4th at 14:00 (seed 000);
- Đảng bộ phường Tam Hiệp, 20 cells of which 13 residential, about 600 members (seed 001);
- Đảng bộ xã Bù Đăng, a smaller commune with village (thôn) cells.

Everything goes through the services (organization_create, member_create, member_status_change, member_transfer,
position_assign, position_end), so every row has the shape the application makes. The random choices come from a
seeded ``random.Random``: the same people every time. Dates of recent events (probationary admissions, statuses)
are counted back from the day of loading.

Meetings cover the last 12 complete months and the current one (``tooling.demo_meetings``), then the compliance
findings of every month are computed. Then the committee members visit the cells they follow, under the visit quotas
the province adopted (``tooling.demo_visits``); a demo loaded before the visits existed gets them on its next load.
Last, the reminders' sweeper is replayed over the past months and its mail sent (``tooling.demo_reminders``), so that
the outbox pages and ``var/mail/`` show every kind of reminder, sent, failed, dropped and missed.

A second run finds the province by its code and the agency cell's meetings, builds nothing, and only makes sure that
the demo logins exist.
"""

import datetime
import random
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from cells.models import Organization, PendingRefresh
from cells.presets import preset_load
from cells.services import organization_create
from meetings import services
from meetings.models import Meeting, VisitQuotaSet
from members.models import AccessGrant, Assignment, CommitteeSeat, Member, Position, StatusChange
from members.services import (
    PROBATION,
    member_create,
    member_status_change,
    member_transfer,
    member_update,
    position_assign,
    position_end,
)
from tooling.demo_meetings import DemoMeetings
from tooling.demo_reminders import DemoReminders
from tooling.demo_visits import DemoVisits

DEMO_PASSWORD = "chibo-demo-2026"
PROVINCE_CODE = "DN"
HD42_DATE = datetime.date(2025, 10, 28)
SEED = 20250701

Kind = Organization.Kind
CellType = Organization.CellType
Status = StatusChange.Status
Role = Position.Role
Rank = CommitteeSeat.Rank

REFORM = datetime.date(2025, 7, 1)  # provinces and communes merged, no district level
SEATS_FROM = REFORM  # committees appointed at the merger
FOLLOW_FROM = datetime.date(2025, 8, 1)  # phân công theo dõi after the first committee meeting
CELL_CONGRESS = (datetime.date(2025, 3, 1), datetime.date(2025, 5, 31))  # cell congresses, term 2025-2027
SETTLED = datetime.date(2024, 12, 31)  # members who joined their cell by then may hold a post from the congress


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str


# --- The tree -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    code: str
    name: str
    cell_type: str
    size: int  # members admitted to the cell (before transfers and departures)
    meeting_day: int
    meeting_time: datetime.time
    venue: str
    kind: str = Kind.SUBORDINATE_CELL
    probationary: int | None = None  # exact number of probationary members; None: a few, at random


@dataclass(frozen=True)
class Committee:
    code: str
    name: str
    kind: str
    place_name: str
    children: tuple = field(default=())


def _t(hour: int, minute: int = 0) -> datetime.time:
    return datetime.time(hour, minute)


AGENCY_CELL = "DN-XH-UBND"
CAPUY_TITLE = "Đảng ủy viên, Chủ tịch Hội Nông dân xã"
CAPUY_LOGIN = "capuy.xuanhiep"
WARD = "DN-TH"

XUAN_HIEP = Committee(
    "DN-XH",
    "Đảng bộ xã Xuân Hiệp",
    Kind.COMMUNE,
    "Xuân Hiệp",
    (
        Cell(
            AGENCY_CELL,
            "Chi bộ cơ quan Ủy ban nhân dân xã Xuân Hiệp",
            CellType.AGENCY,
            19,
            4,
            _t(14),
            "Hội trường Ủy ban nhân dân xã Xuân Hiệp",
            probationary=2,
        ),
        Cell(
            "DN-XH-DDT",
            "Chi bộ cơ quan Đảng ủy, Mặt trận Tổ quốc và các đoàn thể xã Xuân Hiệp",
            CellType.AGENCY,
            14,
            5,
            _t(14),
            "Phòng họp Đảng ủy xã Xuân Hiệp",
        ),
        Cell(
            "DN-XH-TH",
            "Chi bộ Trường Tiểu học Xuân Hiệp",
            CellType.PUBLIC_SERVICE,
            11,
            6,
            _t(16, 30),
            "Phòng họp Trường Tiểu học Xuân Hiệp",
        ),
        Cell("DN-XH-YT", "Chi bộ Trạm Y tế xã Xuân Hiệp", CellType.PUBLIC_SERVICE, 7, 7, _t(16), "Trạm Y tế xã"),
        Cell(
            "DN-XH-QS", "Chi bộ Quân sự xã Xuân Hiệp", CellType.ARMED_FORCES, 8, 3, _t(7, 30), "Ban Chỉ huy Quân sự xã"
        ),
        Cell(
            "DN-XH-HTX",
            "Chi bộ Hợp tác xã Nông nghiệp Xuân Hiệp",
            CellType.OTHER,
            6,
            12,
            _t(8),
            "Văn phòng Hợp tác xã Nông nghiệp Xuân Hiệp",
        ),
        Cell("DN-XH-A01", "Chi bộ ấp Tân Tiến", CellType.RESIDENTIAL, 24, 10, _t(19, 30), "Nhà văn hóa ấp Tân Tiến"),
        Cell(
            "DN-XH-A02", "Chi bộ ấp Trung Lương", CellType.RESIDENTIAL, 28, 10, _t(19, 30), "Hội trường ấp Trung Lương"
        ),
        Cell("DN-XH-A03", "Chi bộ ấp Việt Kiều", CellType.RESIDENTIAL, 19, 12, _t(19), "Nhà văn hóa ấp Việt Kiều"),
        Cell("DN-XH-A04", "Chi bộ ấp 1", CellType.RESIDENTIAL, 21, 15, _t(19, 30), "Nhà văn hóa ấp 1"),
        Cell("DN-XH-A05", "Chi bộ ấp 2", CellType.RESIDENTIAL, 17, 15, _t(8), "Nhà văn hóa ấp 2"),
        Cell("DN-XH-A06", "Chi bộ ấp Tân Hữu", CellType.RESIDENTIAL, 16, 0, _t(19, 30), "Hội trường ấp Tân Hữu"),
    ),
)

_QUARTER_SIZES = (42, 37, 44, 35, 39, 32, 42, 36, 40, 34, 30, 38, 36)  # 13 residential quarters, 485 members
TAM_HIEP = Committee(
    WARD,
    "Đảng bộ phường Tam Hiệp",
    Kind.COMMUNE,
    "Tam Hiệp",
    tuple(
        Cell(
            f"DN-TH-KP{n:02d}",
            f"Chi bộ khu phố {n}",
            CellType.RESIDENTIAL,
            size,
            (5, 8, 10, 12, 15, 18, 20)[n % 7],
            _t(19, 30) if n % 4 else _t(8),
            f"Nhà văn hóa khu phố {n}",
        )
        for n, size in enumerate(_QUARTER_SIZES, start=1)
    )
    + (
        Cell(
            "DN-TH-DDT",
            "Chi bộ cơ quan Đảng ủy, Mặt trận Tổ quốc và các đoàn thể phường Tam Hiệp",
            CellType.AGENCY,
            16,
            3,
            _t(14),
            "Phòng họp Đảng ủy phường Tam Hiệp",
        ),
        Cell(
            "DN-TH-UBND",
            "Chi bộ cơ quan Ủy ban nhân dân phường Tam Hiệp",
            CellType.AGENCY,
            22,
            4,
            _t(16),
            "Hội trường Ủy ban nhân dân phường Tam Hiệp",
        ),
        Cell(
            "DN-TH-THCS",
            "Chi bộ Trường Trung học cơ sở Tam Hiệp",
            CellType.PUBLIC_SERVICE,
            18,
            6,
            _t(16, 30),
            "Phòng hội đồng Trường THCS Tam Hiệp",
        ),
        Cell("DN-TH-YT", "Chi bộ Trạm Y tế phường Tam Hiệp", CellType.PUBLIC_SERVICE, 8, 7, _t(16), "Trạm Y tế phường"),
        Cell(
            "DN-TH-CK",
            "Chi bộ Công ty Cổ phần Cơ khí Tam Hiệp",
            CellType.ENTERPRISE,
            13,
            0,
            _t(16, 30),
            "Phòng họp Công ty Cổ phần Cơ khí Tam Hiệp",
        ),
        Cell(
            "DN-TH-QS",
            "Chi bộ Quân sự phường Tam Hiệp",
            CellType.ARMED_FORCES,
            10,
            2,
            _t(7, 30),
            "Ban Chỉ huy Quân sự phường",
        ),
        Cell("DN-TH-CA", "Chi bộ Công an phường Tam Hiệp", CellType.ARMED_FORCES, 25, 2, _t(14), "Công an phường"),
    ),
)

BU_DANG = Committee(
    "DN-BD",
    "Đảng bộ xã Bù Đăng",
    Kind.COMMUNE,
    "Bù Đăng",
    (
        Cell(
            "DN-BD-UBND",
            "Chi bộ cơ quan Ủy ban nhân dân xã Bù Đăng",
            CellType.AGENCY,
            17,
            5,
            _t(14),
            "Hội trường Ủy ban nhân dân xã Bù Đăng",
        ),
        Cell("DN-BD-T01", "Chi bộ thôn 1", CellType.RESIDENTIAL, 14, 10, _t(19), "Nhà văn hóa thôn 1"),
        Cell("DN-BD-T02", "Chi bộ thôn 2", CellType.RESIDENTIAL, 12, 10, _t(19), "Nhà văn hóa thôn 2"),
        Cell("DN-BD-T03", "Chi bộ thôn Bình Minh", CellType.RESIDENTIAL, 16, 20, _t(19), "Nhà văn hóa thôn Bình Minh"),
        Cell("DN-BD-T04", "Chi bộ thôn Sơn Hòa", CellType.RESIDENTIAL, 11, 0, _t(8), "Nhà văn hóa thôn Sơn Hòa"),
    ),
)

HOSPITAL = Committee(
    "DN-UB-BV",
    "Đảng bộ Bệnh viện Đa khoa Đồng Nai",
    Kind.GRASSROOTS_COMMITTEE,
    "Đồng Nai",
    (
        Committee(
            "DN-UB-BV-NOI",
            "Đảng bộ bộ phận Khối Nội",
            Kind.SUB_COMMITTEE,
            "Đồng Nai",
            (
                Cell("DN-UB-BV-NOI1", "Chi bộ Khoa Nội tổng hợp", CellType.PUBLIC_SERVICE, 14, 8, _t(16), "Khoa Nội"),
                Cell("DN-UB-BV-NOI2", "Chi bộ Khoa Tim mạch", CellType.PUBLIC_SERVICE, 11, 8, _t(16), "Khoa Tim mạch"),
                Cell(
                    "DN-UB-BV-NOI3",
                    "Chi bộ Khoa Hồi sức tích cực - Chống độc",
                    CellType.PUBLIC_SERVICE,
                    12,
                    9,
                    _t(16),
                    "Khoa Hồi sức tích cực - Chống độc",
                ),
            ),
        ),
        Cell("DN-UB-BV-NGOAI", "Chi bộ Khoa Ngoại tổng hợp", CellType.PUBLIC_SERVICE, 13, 9, _t(16), "Khoa Ngoại"),
        Cell(
            "DN-UB-BV-TCCB",
            "Chi bộ Phòng Tổ chức cán bộ",
            CellType.PUBLIC_SERVICE,
            9,
            5,
            _t(15),
            "Phòng họp Ban Giám đốc",
        ),
    ),
)

PROVINCE = Committee(
    PROVINCE_CODE,
    "Đảng bộ tỉnh Đồng Nai",
    Kind.PROVINCIAL,
    "Đồng Nai",
    (
        Committee(
            "DN-CQD",
            "Đảng bộ các cơ quan Đảng tỉnh",
            Kind.BLOC,
            "Đồng Nai",
            (
                Cell("DN-CQD-VP", "Chi bộ Văn phòng Tỉnh ủy", CellType.AGENCY, 24, 4, _t(14), "Hội trường Tỉnh ủy"),
                Cell(
                    "DN-CQD-BTC",
                    "Chi bộ Ban Tổ chức Tỉnh ủy",
                    CellType.AGENCY,
                    18,
                    5,
                    _t(14),
                    "Phòng họp Ban Tổ chức Tỉnh ủy",
                ),
                Cell(
                    "DN-CQD-UBKT",
                    "Chi bộ Ủy ban Kiểm tra Tỉnh ủy",
                    CellType.AGENCY,
                    15,
                    6,
                    _t(14),
                    "Phòng họp Ủy ban Kiểm tra Tỉnh ủy",
                ),
            ),
        ),
        Committee(
            "DN-UB",
            "Đảng bộ Ủy ban nhân dân tỉnh",
            Kind.BLOC,
            "Đồng Nai",
            (
                HOSPITAL,
                Cell(
                    "DN-UB-XTDT",
                    "Chi bộ Trung tâm Xúc tiến Đầu tư, Thương mại và Du lịch tỉnh",
                    CellType.PUBLIC_SERVICE,
                    11,
                    7,
                    _t(15),
                    "Phòng họp Trung tâm Xúc tiến",
                    kind=Kind.GRASSROOTS_CELL,
                ),
                Cell(
                    "DN-UB-XSKT",
                    "Chi bộ Công ty TNHH Một thành viên Xổ số kiến thiết Đồng Nai",
                    CellType.ENTERPRISE,
                    16,
                    11,
                    _t(15),
                    "Hội trường Công ty Xổ số kiến thiết",
                    kind=Kind.GRASSROOTS_CELL,
                ),
            ),
        ),
        XUAN_HIEP,
        TAM_HIEP,
        BU_DANG,
    ),
)


# --- People ---------------------------------------------------------------------------------------------------------

FAMILY_NAMES = (
    ("Nguyễn", 36),
    ("Trần", 11),
    ("Lê", 9),
    ("Phạm", 6),
    ("Huỳnh", 5),
    ("Võ", 5),
    ("Phan", 4),
    ("Hoàng", 3),
    ("Vũ", 2),
    ("Đặng", 2),
    ("Bùi", 2),
    ("Đỗ", 2),
    ("Hồ", 2),
    ("Ngô", 2),
    ("Dương", 1),
    ("Lý", 1),
    ("Đinh", 1),
    ("Trương", 1),
    ("Lương", 1),
    ("Mai", 1),
    ("Cao", 1),
    ("Lâm", 1),
    ("Tô", 1),
    ("Châu", 1),
)
MIDDLE = {
    "male": ("Hữu", "Đức", "Minh", "Thanh", "Quốc", "Công", "Xuân", "Hoàng", "Trọng", "Tấn", "Ngọc", "Duy", "Anh"),
    "female": ("Ngọc", "Thanh", "Thu", "Kim", "Minh", "Mỹ", "Bích", "Thùy", "Hồng", "Thúy", "Phương", "Diệu"),
}
GIVEN = {
    "male": (
        "Hùng",
        "Dũng",
        "Tuấn",
        "Minh",
        "Hải",
        "Nam",
        "Sơn",
        "Long",
        "Phong",
        "Thắng",
        "Quang",
        "Hiếu",
        "Trung",
        "Cường",
        "Khoa",
        "Bình",
        "Tâm",
        "Thành",
        "Toàn",
        "Lâm",
        "Vinh",
        "Hòa",
        "Phúc",
        "Tài",
        "Lộc",
        "Nghĩa",
        "Thịnh",
        "Hưng",
        "Khánh",
        "Huy",
        "Tùng",
        "Kiên",
        "Đạt",
        "An",
        "Bảo",
        "Tín",
        "Sang",
        "Danh",
        "Hậu",
        "Lợi",
    ),
    "female": (
        "Lan",
        "Hương",
        "Hoa",
        "Mai",
        "Hạnh",
        "Hằng",
        "Huyền",
        "Linh",
        "Nga",
        "Thảo",
        "Trang",
        "Dung",
        "Yến",
        "Loan",
        "Liên",
        "Phương",
        "Thủy",
        "Vân",
        "Hiền",
        "Nhung",
        "Oanh",
        "Tuyết",
        "Xuân",
        "Hà",
        "Hồng",
        "Diệp",
        "Quyên",
        "Trinh",
        "Nhi",
        "Giang",
        "Tâm",
        "Ngân",
        "Thư",
        "Châu",
    ),
}

# Birth years, age at admission, share of women, for each type of cell.
PROFILE = {
    CellType.RESIDENTIAL: ((1938, 1992), (19, 42), 0.45),
    CellType.AGENCY: ((1968, 1997), (21, 32), 0.45),
    CellType.PUBLIC_SERVICE: ((1968, 1996), (22, 34), 0.65),
    CellType.ENTERPRISE: ((1970, 1996), (22, 36), 0.35),
    CellType.ARMED_FORCES: ((1972, 2001), (19, 27), 0.1),
    CellType.OTHER: ((1958, 1990), (22, 40), 0.3),
}
# Names of well-known national leaders that these lists could produce: the demo does not use real people's names.
WELL_KNOWN = frozenset(
    {
        "Bùi Thanh Sơn",
        "Lê Minh Hưng",
        "Lê Thanh Hải",
        "Lê Văn Thành",
        "Nguyễn Tấn Dũng",
        "Nguyễn Thanh Long",
        "Nguyễn Thị Kim Ngân",
        "Nguyễn Trọng Nghĩa",
        "Nguyễn Văn An",
        "Nguyễn Văn Bình",
        "Nguyễn Văn Hùng",
        "Nguyễn Văn Thắng",
        "Nguyễn Xuân Phúc",
        "Nguyễn Xuân Thắng",
        "Trần Văn Sơn",
        "Trương Tấn Sang",
        "Trương Thị Mai",
    }
)
OFFICIAL_DOMAIN = "dongnai.gov.example"  # reserved top-level domain: demo mail can never reach anyone
PRIVATE_DOMAIN = "thudientu.example"


@dataclass
class Person:
    member: Member
    cell: str
    birth: datetime.date
    joined: datetime.date
    busy: bool = False  # holds a post, a seat or a login, or has had an event: leave them alone

    @property
    def settled(self) -> bool:
        """Official and in the cell since before the 2025 congresses: may be given a post or an event."""
        official = self.member.official_date
        return not self.busy and official is not None and official <= SETTLED and self.joined <= SETTLED

    def age_on(self, day: datetime.date) -> int:
        return relativedelta(day, self.birth).years


def _ascii(text: str) -> str:
    text = text.replace("Đ", "D").replace("đ", "d")
    return "".join(c for c in unicodedata.normalize("NFD", text) if c.isascii() and c.isalnum()).lower()


def _walk(node, parent_code=None):
    yield node, parent_code
    for child in getattr(node, "children", ()):
        yield from _walk(child, node.code)


class _Builder:
    def __init__(self, today: datetime.date) -> None:
        self.today = today
        self.rng = random.Random(SEED)
        self.orgs: dict[str, Organization] = {}
        self.people: dict[str, list[Person]] = {}
        self.card = 39_000_000
        self.emails: set[str] = set()
        self.names: set[str] = set()

    # -- the tree

    def build_tree(self) -> None:
        for node, parent_code in _walk(PROVINCE):
            # Fetched afresh each time: a sorted insertion renumbers the paths of the siblings that follow.
            parent = Organization.objects.get(code=parent_code) if parent_code else None
            if isinstance(node, Cell):
                # Cells are older than the 2025 committees they now belong to.
                founded = datetime.date(self.rng.randint(1976, 2012), self.rng.randint(1, 12), 1)
                organization_create(
                    parent=parent,
                    name=node.name,
                    code=node.code,
                    kind=node.kind,
                    valid_from=founded,
                    place_name=self._place(node.code),
                    cell_type=node.cell_type,
                    meeting_day=node.meeting_day,
                    meeting_time=node.meeting_time,
                    venue=node.venue,
                )
            else:
                organization_create(
                    parent=parent,
                    name=node.name,
                    code=node.code,
                    kind=node.kind,
                    valid_from=REFORM,
                    place_name=node.place_name,
                )
        root = Organization.objects.get(code=PROVINCE_CODE)
        self.orgs = {org.code: org for org in Organization.objects.filter(path__startswith=root.path)}

    @staticmethod
    def _place(code: str) -> str:
        for committee in (XUAN_HIEP, TAM_HIEP, BU_DANG):
            if code.startswith(committee.code + "-"):
                return committee.place_name
        return PROVINCE.place_name

    # -- members

    def _name(self, gender: str, birth_year: int) -> str:
        rng = self.rng
        for _ in range(50):
            family = rng.choices([f for f, _ in FAMILY_NAMES], weights=[w for _, w in FAMILY_NAMES])[0]
            given = rng.choice(GIVEN[gender])
            traditional = 0.75 if birth_year < 1975 else 0.35
            if rng.random() < traditional:
                middle = "Văn" if gender == "male" else "Thị"
                if gender == "female" and rng.random() < 0.2:
                    middle += " " + rng.choice(MIDDLE["female"])
            else:
                middle = rng.choice(MIDDLE[gender])
            if given in middle.split() or family in middle.split():
                continue
            name = f"{family} {middle} {given}"
            if name not in self.names and name not in WELL_KNOWN:
                self.names.add(name)
                return name
        raise RuntimeError("demo: ran out of names")  # pragma: no cover

    def _email(self, name: str, birth: datetime.date, official: bool) -> str:
        words = [_ascii(word) for word in name.split()]
        if official:
            local = words[-1] + "".join(word[0] for word in words[:-1])
            domain = OFFICIAL_DOMAIN
        else:
            local = "".join(words) + f"{birth.year % 100:02d}"
            domain = PRIVATE_DOMAIN
        address, n = f"{local}@{domain}", 1
        while address in self.emails:
            n += 1
            address = f"{local}{n}@{domain}"
        self.emails.add(address)
        return address

    def _next_card(self) -> str:
        self.card += self.rng.randint(3, 977)
        return f"{self.card:08d}"

    def add_people(self) -> None:
        for node, _ in _walk(PROVINCE):
            if isinstance(node, Cell):
                self._add_cell_people(node)

    def _add_cell_people(self, spec: Cell) -> None:
        rng, today = self.rng, self.today
        cell = self.orgs[spec.code]
        (born_lo, born_hi), (adm_lo, adm_hi), women = PROFILE[spec.cell_type]
        probationary = spec.probationary
        if probationary is None:
            probationary = sum(rng.random() < 0.05 for _ in range(spec.size))
        people = self.people.setdefault(spec.code, [])
        for i in range(spec.size):
            gender = "female" if rng.random() < women else "male"
            is_probationary = i < probationary
            if is_probationary:
                admission = today - datetime.timedelta(days=rng.randint(20, 340))
                age = rng.randint(max(adm_lo, 20), min(adm_hi, 35))
                birth = admission - relativedelta(years=age, days=rng.randint(1, 360))
                official, joined = None, admission
            else:
                birth = datetime.date(rng.randint(born_lo, born_hi), rng.randint(1, 12), rng.randint(1, 28))
                latest = min(today, SETTLED) - relativedelta(months=14)
                if rng.random() < 0.06:  # admitted a year or two ago, recently recognized as official
                    latest = today - relativedelta(months=13)
                admission = birth + relativedelta(years=rng.randint(adm_lo, adm_hi), days=rng.randint(0, 364))
                admission = min(admission, latest - datetime.timedelta(days=rng.randint(0, 200)))
                if admission < birth + relativedelta(years=18, days=1):  # too young for the latest date: older
                    birth = admission - relativedelta(years=rng.randint(20, 30), days=rng.randint(0, 300))
                official = admission + PROBATION + relativedelta(days=rng.randint(0, 40))
                official = min(official, today - datetime.timedelta(days=1))
                start = max(admission, cell.valid_from)
                if spec.cell_type == CellType.RESIDENTIAL and rng.random() < 0.6:
                    joined = start  # admitted here, or here since the cell was founded
                else:  # came to this cell later (moved house, new job)
                    end = max(start, min(SETTLED, today - relativedelta(years=1)))
                    joined = start + datetime.timedelta(days=rng.randint(0, (end - start).days))
                    if official > SETTLED:
                        joined = start
            name = self._name(gender, birth.year)
            public = spec.cell_type != CellType.RESIDENTIAL
            has_email = public or rng.random() < (0.5 if birth.year < 1960 else 0.8)  # officials have a work address
            member = member_create(
                cell=cell,
                joined_cell_on=joined,
                full_name=name,
                birth_date=birth,
                gender=gender,
                email=self._email(name, birth, public) if has_email else "",
                phone=f"09{rng.randint(0, 99_999_999):08d}" if rng.random() < 0.85 else "",
                card_number="" if official is None else self._next_card(),
                admission_date=admission,
                official_date=official,
            )
            people.append(Person(member, spec.code, birth, joined))

    # -- picking people

    def take(self, code: str, *, min_age: int = 0, max_age: int = 200, oldest: bool = False) -> Person:
        """A settled member of the cell, not yet given anything, within the ages; deterministic."""
        candidates = [p for p in self.people[code] if p.settled and min_age <= p.age_on(self.today) <= max_age]
        if not candidates:
            raise RuntimeError(f"demo: no free member in {code} aged {min_age}-{max_age}")
        person = min(candidates, key=lambda p: p.birth) if oldest else self.rng.choice(candidates)
        person.busy = True
        return person

    # -- posts in the cells

    def _reachable(self, person: Person) -> None:
        """Secretaries and deputies get the agenda and reminders by e-mail: give one to those who had none."""
        if not person.member.email:
            member_update(member=person.member, email=self._email(person.member.full_name, person.birth, False))

    def assign_posts(self) -> None:
        rng = self.rng
        for code, people in self.people.items():
            spec_type = self.orgs[code].cell_type
            low, high = (35, 72) if spec_type == CellType.RESIDENTIAL else (30, 60)
            congress = CELL_CONGRESS[0] + datetime.timedelta(
                days=rng.randint(0, (CELL_CONGRESS[1] - CELL_CONGRESS[0]).days)
            )
            cell = self.orgs[code]
            secretary = self.take(code, min_age=low, max_age=high, oldest=code == "DN-TH-KP06")
            self._reachable(secretary)
            position_assign(member=secretary.member, organization=cell, role=Role.SECRETARY, valid_from=congress)
            if len(people) >= 7:
                deputy = self.take(code, min_age=28, max_age=high)
                self._reachable(deputy)
                position_assign(
                    member=deputy.member, organization=cell, role=Role.DEPUTY_SECRETARY, valid_from=congress
                )
            committee = 3 if len(people) >= 15 else 1 if len(people) >= 9 else 0
            for _ in range(committee):
                person = self.take(code, min_age=25, max_age=high + 5)
                position_assign(
                    member=person.member, organization=cell, role=Role.COMMITTEE_MEMBER, valid_from=congress
                )
            if code == "DN-TH-KP06":
                # The old secretary stepped down for health reasons, a younger comrade took over; now exempted.
                handover = self.today - relativedelta(months=10)
                post = Position.objects.get(organization=cell, role=Role.SECRETARY, valid_to__isnull=True)
                position_end(position=post, on=handover)
                successor = self.take(code, min_age=35, max_age=60)
                self._reachable(successor)
                position_assign(member=successor.member, organization=cell, role=Role.SECRETARY, valid_from=handover)
                member_status_change(
                    member=secretary.member,
                    status=Status.EXEMPTED,
                    effective_from=handover + datetime.timedelta(days=14),
                    note="Miễn công tác và sinh hoạt đảng vì tuổi cao, sức khỏe yếu (Quyết định của Đảng ủy phường)",
                )

    # -- statuses and transfers

    def _day_back(self, lo: int, hi: int) -> datetime.date:
        return self.today - datetime.timedelta(days=self.rng.randint(lo, hi))

    def record_events(self) -> None:
        rng, today = self.rng, self.today
        # The agency cell: one member exempted for long medical treatment, one transferred out of the province,
        # one came from a hamlet cell on joining the commune staff at the merger: 19 on the roster.
        person = self.take(AGENCY_CELL, min_age=45)
        member_status_change(
            member=person.member,
            status=Status.EXEMPTED,
            effective_from=self._day_back(60, 200),
            note="Miễn sinh hoạt đảng trong thời gian điều trị bệnh dài ngày",
        )
        person = self.take(AGENCY_CELL)
        member_status_change(
            member=person.member,
            status=Status.TRANSFERRED_OUT,
            effective_from=self._day_back(200, 300),
            note="Chuyển sinh hoạt đảng chính thức đến Đảng bộ tỉnh Lâm Đồng",
        )
        person = self.take("DN-XH-A02", min_age=26, max_age=45)
        member_transfer(member=person.member, to_cell=self.orgs[AGENCY_CELL], on=REFORM)
        # A household moved from one quarter of the ward to another.
        person = self.take("DN-TH-KP05", min_age=30)
        member_transfer(member=person.member, to_cell=self.orgs["DN-TH-KP07"], on=self._day_back(120, 230))

        # Temporarily attached elsewhere: to a cell of the tree, and to a political-theory class outside it.
        person = self.take("DN-XH-A04", min_age=25, max_age=50)
        start = self._day_back(100, 250)
        member_status_change(
            member=person.member,
            status=Status.ATTACHED_ELSEWHERE,
            effective_from=start,
            attached_to=self.orgs["DN-TH-CK"],
            until=start + relativedelta(years=1),
            note="Làm việc có thời hạn tại Công ty Cổ phần Cơ khí Tam Hiệp",
        )
        person = self.take("DN-TH-UBND", min_age=30, max_age=50)
        start = self._day_back(30, 90)
        member_status_change(
            member=person.member,
            status=Status.ATTACHED_ELSEWHERE,
            effective_from=start,
            attached_to_name="Chi bộ Lớp Cao cấp lý luận chính trị K76, Học viện Chính trị khu vực II",
            until=start + relativedelta(months=8),
            note="Đi học tập trung Cao cấp lý luận chính trị",
        )
        # Suspended while under investigation.
        for code in ("DN-TH-KP09", "DN-BD-T02"):
            member_status_change(
                member=self.take(code, max_age=65).member,
                status=Status.SUSPENDED,
                effective_from=self._day_back(30, 150),
                note="Đình chỉ sinh hoạt đảng trong thời gian bị khởi tố, điều tra",
            )
        # Transferred out of the province.
        for code, where in (
            ("DN-TH-KP04", "Đảng bộ Thành phố Hồ Chí Minh"),
            ("DN-UB-BV-NOI2", "Đảng bộ Bệnh viện Chợ Rẫy, Thành phố Hồ Chí Minh"),
        ):
            member_status_change(
                member=self.take(code, max_age=60).member,
                status=Status.TRANSFERRED_OUT,
                effective_from=self._day_back(40, 320),
                note=f"Chuyển sinh hoạt đảng chính thức đến {where}",
            )
        # Struck off for missing three meetings in a year without a reason.
        for code in ("DN-TH-KP11", "DN-BD-T02"):
            member_status_change(
                member=self.take(code, max_age=60).member,
                status=Status.STRUCK_OFF,
                effective_from=self._day_back(60, 300),
                note="Xóa tên: bỏ sinh hoạt đảng 3 tháng trong năm không có lý do chính đáng",
            )
        # Elderly members: deaths, and exemptions for age and health.
        for code in ("DN-TH-KP02", "DN-TH-KP08", "DN-TH-KP13", "DN-XH-A01", "DN-BD-T03"):
            person = self.take(code, min_age=70, oldest=True)
            earliest = max(person.member.official_date + datetime.timedelta(days=30), today - relativedelta(years=2))
            member_status_change(
                member=person.member,
                status=Status.DECEASED,
                effective_from=earliest + datetime.timedelta(days=rng.randint(0, max(0, (today - earliest).days - 1))),
                note="Từ trần",
            )
        for code, people in self.people.items():
            if self.orgs[code].cell_type != CellType.RESIDENTIAL:
                continue
            for person in people:
                age = person.age_on(today)
                if person.settled and age >= 75 and rng.random() < 0.3:
                    person.busy = True
                    earliest = max(
                        person.member.official_date + relativedelta(years=1), person.birth + relativedelta(years=72)
                    )
                    latest = today - datetime.timedelta(days=30)
                    day = earliest + datetime.timedelta(days=rng.randint(0, max(0, (latest - earliest).days)))
                    member_status_change(
                        member=person.member,
                        status=Status.EXEMPTED,
                        effective_from=min(day, latest),
                        note="Miễn công tác và sinh hoạt đảng vì tuổi cao (theo đề nghị của đảng viên)",
                    )

    # -- committees

    def _seat(self, org_code: str, rank: str, title: str, person: Person | None = None, holder: str = "", follows=()):
        seat = CommitteeSeat(
            organization=self.orgs[org_code],
            member=person.member if person else None,
            holder_name=holder,
            title=title,
            rank=rank,
            valid_from=SEATS_FROM,
        )
        seat.full_clean()
        seat.save()
        for code in follows:
            assignment = Assignment(seat=seat, organization=self.orgs[code], valid_from=FOLLOW_FROM)
            assignment.full_clean()
            assignment.save()
        return seat

    def seat_committees(self) -> None:
        take = self.take
        # Province: standing committee and committee members, one from outside the tree (by name and title).
        province = (
            ("DN-CQD-VP", Rank.STANDING, "Bí thư Tỉnh ủy", ("DN-TH-KP01",)),
            ("DN-CQD-VP", Rank.STANDING, "Phó Bí thư Thường trực Tỉnh ủy", (WARD,)),
            ("DN-CQD-BTC", Rank.STANDING, "Ủy viên Ban Thường vụ, Trưởng Ban Tổ chức Tỉnh ủy", (WARD, "DN-TH-KP03")),
            ("DN-CQD-UBKT", Rank.STANDING, "Ủy viên Ban Thường vụ, Chủ nhiệm Ủy ban Kiểm tra Tỉnh ủy", ("DN-BD",)),
            (
                "DN-UB-BV-TCCB",
                Rank.COMMITTEE,
                "Tỉnh ủy viên, Giám đốc Bệnh viện Đa khoa Đồng Nai",
                ("DN-BD", "DN-BD-T04"),
            ),
            ("DN-CQD-BTC", Rank.COMMITTEE, "Tỉnh ủy viên, Phó Trưởng Ban Tổ chức Tỉnh ủy", ("DN-XH-A03",)),
            ("DN-CQD-VP", Rank.BOARD_LEADER, "Phó Chánh Văn phòng Tỉnh ủy", ("DN-TH-KP08",)),
        )
        for code, rank, title, follows in province:
            self._seat(PROVINCE_CODE, rank, title, take(code, min_age=40), follows=follows)
        self._seat(
            PROVINCE_CODE,
            Rank.STANDING,
            "Ủy viên Ban Thường vụ Tỉnh ủy, Chủ tịch Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh",
            holder=self._name("female", 1972),
            follows=("DN-XH", "DN-XH-A01"),
        )
        # Commune and ward committees: each seat follows a few cells; together they follow every cell. In Xuân Hiệp
        # the follow-up is spelled out (the committee member with a login follows two hamlets and the cooperative);
        # elsewhere the cells are dealt out in turn.
        communes = {
            "DN-XH": (
                ("DN-XH-DDT", Rank.STANDING, "Bí thư Đảng ủy xã", ("DN-XH-A04",)),
                ("DN-XH-DDT", Rank.STANDING, "Phó Bí thư Thường trực Đảng ủy xã", ("DN-XH-A05", "DN-XH-DDT")),
                (
                    AGENCY_CELL,
                    Rank.STANDING,
                    "Phó Bí thư Đảng ủy, Chủ tịch Ủy ban nhân dân xã",
                    ("DN-XH-TH", "DN-XH-YT"),
                ),
                (
                    "DN-XH-DDT",
                    Rank.STANDING,
                    "Ủy viên Ban Thường vụ, Chủ nhiệm Ủy ban Kiểm tra Đảng ủy xã",
                    ("DN-XH-A06", "DN-XH-QS"),
                ),
                ("DN-XH-DDT", Rank.COMMITTEE, CAPUY_TITLE, ("DN-XH-A01", "DN-XH-A02", "DN-XH-HTX")),
                (
                    AGENCY_CELL,
                    Rank.COMMITTEE,
                    "Đảng ủy viên, Phó Chủ tịch Ủy ban nhân dân xã",
                    ("DN-XH-A03", AGENCY_CELL),
                ),
            ),
            WARD: (
                ("DN-TH-DDT", Rank.STANDING, "Bí thư Đảng ủy phường", None),
                ("DN-TH-DDT", Rank.STANDING, "Phó Bí thư Thường trực Đảng ủy phường", None),
                ("DN-TH-UBND", Rank.STANDING, "Phó Bí thư Đảng ủy, Chủ tịch Ủy ban nhân dân phường", None),
                ("DN-TH-DDT", Rank.STANDING, "Ủy viên Ban Thường vụ, Chủ nhiệm Ủy ban Kiểm tra Đảng ủy phường", None),
                ("DN-TH-CA", Rank.STANDING, "Ủy viên Ban Thường vụ Đảng ủy, Trưởng Công an phường", None),
                ("DN-TH-DDT", Rank.COMMITTEE, "Đảng ủy viên, Chủ tịch Ủy ban Mặt trận Tổ quốc Việt Nam phường", None),
                ("DN-TH-UBND", Rank.COMMITTEE, "Đảng ủy viên, Phó Chủ tịch Ủy ban nhân dân phường", None),
                ("DN-TH-QS", Rank.COMMITTEE, "Đảng ủy viên, Chỉ huy trưởng Ban Chỉ huy Quân sự phường", None),
                ("DN-TH-DDT", Rank.COMMITTEE, "Đảng ủy viên, Trưởng Ban Xây dựng Đảng Đảng ủy phường", None),
            ),
            "DN-BD": (
                ("DN-BD-UBND", Rank.STANDING, "Bí thư Đảng ủy xã", None),
                ("DN-BD-UBND", Rank.STANDING, "Phó Bí thư Đảng ủy, Chủ tịch Ủy ban nhân dân xã", None),
                ("DN-BD-UBND", Rank.COMMITTEE, "Đảng ủy viên, Phó Chủ tịch Ủy ban nhân dân xã", None),
            ),
            "DN-UB-BV": (
                ("DN-UB-BV-NGOAI", Rank.STANDING, "Bí thư Đảng ủy Bệnh viện", None),
                ("DN-UB-BV-NOI1", Rank.COMMITTEE, "Đảng ủy viên, Trưởng khoa Nội tổng hợp", None),
            ),
        }
        for committee, seats in communes.items():
            cells = [code for code in self.people if code.startswith(committee + "-")]
            for i, (code, rank, title, follows) in enumerate(seats):
                if follows is None:
                    follows = cells[i :: len(seats)]
                self._seat(committee, rank, title, take(code, min_age=30, max_age=60), follows=follows)


# --- Logins ---------------------------------------------------------------------------------------------------------


def _current_holder(code: str, role: str) -> Member | None:
    post = (
        Position.objects.filter(organization__code=code, role=role, valid_to__isnull=True)
        .select_related("member")
        .order_by("valid_from", "id")
        .first()
    )
    return post.member if post else None


def _plain_member(code: str, today: datetime.date) -> Member | None:
    """An official member of the cell with no post, seat nor login."""
    cell = Organization.objects.get(code=code)
    return (
        Member.objects.roster_of(cell, today, include_temporary=False)
        .filter(status=Status.OFFICIAL, user__isnull=True, positions__isnull=True, committee_seats__isnull=True)
        .order_by("sort_key", "id")
        .first()
    )


def _seat_holder(code: str, title: str) -> Member | None:
    seat = (
        CommitteeSeat.objects.filter(organization__code=code, title=title, member__isnull=False, valid_to__isnull=True)
        .select_related("member")
        .order_by("id")
        .first()
    )
    return seat.member if seat else None


@dataclass(frozen=True)
class _LoginSpec:
    username: str
    role: str
    member: Callable[[datetime.date], Member | None] | None = None
    grant: tuple[str, bool] | None = None  # (organization code, can write)
    note: str = ""


LOGINS = (
    _LoginSpec("admin", "Quản trị viên hệ thống (cả trang /admin/)"),
    _LoginSpec(
        "bithu.xuanhiep",
        "Bí thư Chi bộ cơ quan UBND xã Xuân Hiệp (19 đảng viên, sinh hoạt ngày 4 hằng tháng)",
        lambda today: _current_holder(AGENCY_CELL, Role.SECRETARY),
    ),
    _LoginSpec(
        "phobithu.khupho1",
        "Phó Bí thư Chi bộ khu phố 1, phường Tam Hiệp",
        lambda today: _current_holder("DN-TH-KP01", Role.DEPUTY_SECRETARY),
    ),
    _LoginSpec(
        "dangvien.xuanhiep",
        "Đảng viên Chi bộ cơ quan UBND xã Xuân Hiệp",
        lambda today: _plain_member(AGENCY_CELL, today),
    ),
    _LoginSpec(
        CAPUY_LOGIN,
        "Đảng ủy viên xã Xuân Hiệp, được phân công theo dõi các chi bộ ấp",
        lambda today: _seat_holder("DN-XH", CAPUY_TITLE),
    ),
    _LoginSpec(
        "bantochuc.tinh",
        "Ban Tổ chức Tỉnh ủy: xem toàn tỉnh",
        lambda today: _plain_member("DN-CQD-BTC", today),
        grant=(PROVINCE_CODE, False),
        note="Chuyên viên Ban Tổ chức Tỉnh ủy",
    ),
    _LoginSpec(
        "bantochuc.phuong",
        "Ban Xây dựng Đảng phường Tam Hiệp: xem và sửa toàn phường",
        lambda today: _plain_member("DN-TH-DDT", today),
        grant=(WARD, True),
        note="Chuyên viên Ban Xây dựng Đảng, Đảng ủy phường Tam Hiệp",
    ),
)


def _ensure_logins(today: datetime.date) -> list[DemoLogin]:
    """Create the demo users that are missing (and link them to their member); existing ones are left as they are."""
    user_model = get_user_model()
    existing = {user.username: user for user in user_model.objects.filter(username__in=[s.username for s in LOGINS])}
    password = None
    for spec in LOGINS:
        user = existing.get(spec.username)
        if user is None:
            password = password or make_password(DEMO_PASSWORD)  # hashing is slow: once for all
            member = spec.member(today) if spec.member else None
            admin = spec.username == "admin"
            if member is not None:  # Vietnamese order: family and middle names, then the given name
                words = member.full_name.split()
                first_name, last_name = words[-1], " ".join(words[:-1])
            else:
                first_name, last_name = ("Quản trị", "") if admin else ("", "")
            user = user_model.objects.create(
                username=spec.username,
                password=password,
                first_name=first_name,
                last_name=last_name,
                email=member.email if member else "",
                is_staff=admin,
                is_superuser=admin,
            )
            if member is not None:
                member.user = user
                member.save(update_fields=["user"])
        if spec.grant:
            code, can_write = spec.grant
            organization = Organization.objects.get(code=code)
            if not AccessGrant.objects.filter(user=user, organization=organization).exists():
                AccessGrant.objects.create(
                    user=user, organization=organization, can_write=can_write, valid_from=REFORM, note=spec.note
                )
    return [DemoLogin(spec.username, spec.role) for spec in LOGINS]


def load_demo(*, today: datetime.date | None = None) -> list[DemoLogin]:
    """Create the demo province (once), its logins and its meetings (once); return the logins to print, ``admin``
    first."""
    today = today or timezone.localdate()
    with transaction.atomic():
        if not Organization.objects.filter(code=PROVINCE_CODE).exists():
            builder = _Builder(today)
            builder.build_tree()
            builder.add_people()
            builder.assign_posts()
            builder.seat_committees()
            builder.record_events()
            # The province adopted Hướng dẫn 42-HD/BTCTW (28/10/2025): its meeting rules come from that policy on
            # the policy page and in every finding; the rules it does not set are inherited from the defaults.
            province = Organization.objects.get(code=PROVINCE_CODE)
            preset_load(preset="hd42-2025", organization=province, valid_from=HD42_DATE)
            # No findings yet: they are computed once the meetings are in (only the demo's own request is dropped).
            PendingRefresh.objects.filter(organization=province).delete()
        logins = _ensure_logins(today)
        if not Meeting.objects.filter(organization__code=AGENCY_CELL).exists():
            with services.findings_deferred():  # the findings are computed once, at the end of the build
                DemoMeetings(today, agency_code=AGENCY_CELL, seed=SEED + 1).build()
        # The visits of the committee members and the province's visit quotas (added to a demo loaded before them).
        if not VisitQuotaSet.objects.filter(organization__code=PROVINCE_CODE).exists():
            DemoVisits(today, province_code=PROVINCE_CODE, login=CAPUY_LOGIN, seed=SEED + 2).build()
        # A year's reminders, replayed at their instants and sent into the mailer (added to a demo loaded before them).
        if not DemoReminders.done():
            DemoReminders(today, province_code=PROVINCE_CODE, agency_code=AGENCY_CELL).build()
        return logins
