"""The English interface: the catalogue is complete, and pages read in English once the switcher chose it.

Compiled catalogues (.mo) are git-ignored and built by `make` (compilemessages); the tests build the English one
when it is missing or older than its .po, then drop Django's cached catalogues so the fresh one is read.
"""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils.translation import trans_real

pytestmark = pytest.mark.django_db

PO_FILE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO_FILE = PO_FILE.with_suffix(".mo")

# Letters only Vietnamese uses (lower case; the text is lower-cased before the search).
VIETNAMESE_LETTERS = re.compile("[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]")


@pytest.fixture(scope="module", autouse=True)
def _english_catalogue():
    if not MO_FILE.exists() or MO_FILE.stat().st_mtime < PO_FILE.stat().st_mtime:
        call_command("compilemessages", ignore_patterns=[".venv"], verbosity=0)
    trans_real._translations = {}
    trans_real._default = None
    yield
    trans_real._translations = {}
    trans_real._default = None


@pytest.fixture
def english(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    return client


class _Text(HTMLParser):
    """What a reader sees: text outside <script>/<style>, plus the labels kept in attributes."""

    ATTRIBUTES = {"placeholder", "aria-label", "title", "alt"}

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._hidden += 1
        self.parts += [value for name, value in attrs if name in self.ATTRIBUTES and value]

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.parts.append(" ".join(data.split()))


def visible_text(response) -> str:
    assert response.status_code == 200
    parser = _Text()
    parser.feed(response.content.decode())
    return " | ".join(parser.parts)


def assert_no_vietnamese(text: str, data: list[str]):
    """No Vietnamese left once the data (names of organizations and people) and the switcher's "Tiếng Việt" are
    taken out: every label comes from our templates and code, so it must have been translated."""
    for value in sorted([*data, "Tiếng Việt"], key=len, reverse=True):
        text = text.replace(value, "")
    leftovers = [part for part in text.split(" | ") if VIETNAMESE_LETTERS.search(part.lower())]
    assert not leftovers, f"Vietnamese left on an English page: {leftovers}"


def _world_data(world) -> list[str]:
    organizations = [world.province, world.commune, world.other_commune, world.cell_a, world.cell_b]
    members = [world.secretary, world.member, world.plain_member, world.outsider]
    return [
        *(o.name for o in organizations),
        *(o.place_name for o in organizations if o.place_name),
        *(m.full_name for m in members),
        world.board_user.last_name,
    ]


def test_the_organization_browser_reads_in_english(english, world):
    english.force_login(world.board_user)

    text = visible_text(english.get("/to-chuc/"))

    for label in ("Party organizations", "Search by name or code", "Log out", "My meetings", "3 Party members"):
        assert label in text
    for vietnamese in ("Tổ chức đảng", "Tìm theo tên hoặc mã", "Đăng xuất", "đảng viên", "Ngôn ngữ"):
        assert vietnamese not in text
    assert_no_vietnamese(text, _world_data(world))


def test_a_cell_page_reads_in_english(english, world):
    english.force_login(world.board_user)

    text = visible_text(english.get(f"/to-chuc/{world.cell_a.pk}/"))

    for label in ("Party member roster on", "Full member", "Secretary", "Regular meeting", "Card no."):
        assert label in text
    for vietnamese in ("Danh sách đảng viên", "Chính thức", "Bí thư", "Sinh hoạt định kỳ", "Họ và tên"):
        assert vietnamese not in text
    assert_no_vietnamese(text, _world_data(world))


def test_the_policy_form_reads_in_english_with_plural_units(english, world):
    english.force_login(world.board_writer)
    url = f"/to-chuc/{world.commune.pk}/quy-dinh/"

    text = visible_text(english.get(url))
    assert "Defaults from the source articles" in text  # the preset offered in the user's language
    assert "Mặc định theo các bài viết nguồn" not in text

    response = english.post(url, {"valid_from": "2099-01-01", "source": "x", "min_member_speakers": "0"})
    text = visible_text(response)
    assert "The value must be between 1 and 100 Party members." in text
    assert "The policy was not saved. Check the fields marked in red below." in text


def test_the_login_page_reads_in_english(english):
    # Not logged in: the login page sends a logged-in user on to the home page.
    text = visible_text(english.get("/dang-nhap/"))

    for label in ("Log in", "Username", "Password", "Language"):
        assert label in text
    for vietnamese in ("Đăng nhập", "Ngôn ngữ", "Chi bộ"):
        assert vietnamese not in text
    assert_no_vietnamese(text, [])


def test_the_same_pages_stay_vietnamese_without_the_switcher(client, world):
    client.force_login(world.board_user)

    text = visible_text(client.get("/to-chuc/"))

    assert "Tổ chức đảng" in text
    assert "Party organizations" not in text


def _po_entries(path: Path) -> list[dict]:
    """The entries of a .po file: {"flags": [...], "msgid": ..., "msgstr[0]": ..., ...} (strings joined)."""
    entries, entry, field = [], None, None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = line.strip()
        if not line:
            if entry and "msgid" in entry:
                entries.append(entry)
            entry, field = None, None
            continue
        entry = entry if entry is not None else {"flags": []}
        if line.startswith("#,"):
            entry["flags"] += [flag.strip() for flag in line[2:].split(",")]
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[field] += line[1:-1]
        else:
            field, _space, value = line.partition(" ")
            entry[field] = value[1:-1]
    return entries


def test_every_message_has_an_english_translation():
    entries = [entry for entry in _po_entries(PO_FILE) if entry["msgid"]]  # the header's msgid is empty
    assert len(entries) > 500

    untranslated = [
        entry["msgid"]
        for entry in entries
        if not all(value for key, value in entry.items() if key.startswith("msgstr")) or "fuzzy" in entry["flags"]
    ]

    assert not untranslated, f"{len(untranslated)} messages without a checked English translation: {untranslated}"
