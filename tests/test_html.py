"""Every main page of every demo role is valid HTML for the Nu HTML Checker (vnu.jar, from npm: package.json).

The pages are rendered with Django's test client (following the links each role has from the home page, one page of
each kind) and checked in one run of the checker, one JVM start. An attribute HTML does not define (htmx's ``hx-get``:
write ``data-hx-get``), an unescaped ``<`` or a stray end tag fails this test with the page and the line.
Java is needed: a machine without it fails here with the command that installs it, never skips.
"""

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from django.test.utils import override_settings

from tooling.demo import load_demo

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
FAST_HASHING = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Links that are not HTML pages: files, the sign-out, the language switch, the admin (Django's own templates).
NOT_A_PAGE = re.compile(r"\.(pdf|xlsx|csv|ics)$|/dang-xuat/|/i18n/|/admin/|/tai-lieu/\d+/$|/lich")
DEPTH = 3


def vnu_command() -> list[str]:
    java = shutil.which("java")
    if java is None:
        pytest.fail(
            "Java is not installed: the Nu HTML Checker needs it (apt-get install -y default-jre-headless; "
            "`make test` installs it when it runs as root).",
            pytrace=False,
        )
    if not VNU_JAR.exists():
        pytest.fail(f"{VNU_JAR.relative_to(ROOT)} is missing: run `make install-dev` (npm ci).", pytrace=False)
    return [java, "-Xss8m", "-jar", str(VNU_JAR)]


def run_vnu(files: list[Path]) -> list[dict]:
    """The errors the checker finds in ``files``, each with its ``url`` (file: URL), ``lastLine`` and ``message``."""
    result = subprocess.run(
        [*vnu_command(), "--errors-only", "--format", "json", "--exit-zero-always", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return [m for m in json.loads(result.stderr)["messages"] if m["type"] in ("error", "non-document-error")]


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs.extend(value for name, value in attrs if name == "href" and value)


def links(html: str, url: str) -> list[str]:
    parser = Links()
    parser.feed(html)
    found = []
    for href in parser.hrefs:
        parts = urlsplit(urljoin("http://testserver" + url, href))
        if parts.netloc == "testserver" and not NOT_A_PAGE.search(parts.path):
            found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def pattern(url: str) -> str:
    """One page of each kind: ids and dates in the path and the query are the same page."""
    parts = urlsplit(url)
    return re.sub(r"\d+", "N", parts.path) + "?" + re.sub(r"=[^&]*", "=", parts.query)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo province, loaded once for the module, in a transaction rolled back after the last test."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHING), transaction.atomic():
        logins = load_demo()
        yield logins
        transaction.set_rollback(True)


def render_main_pages(logins, folder: Path) -> dict[str, str]:
    """Each role's pages, breadth first from the home page, written to ``folder``: {file name: "role url"}."""
    names = {}
    anonymous = Client()
    pages = [("anonymous", anonymous, "/dang-nhap/")]
    for demo_login in logins:
        client = Client()
        client.force_login(get_user_model().objects.get(username=demo_login.username))
        pages.append((demo_login.username, client, "/"))
    for username, client, start in pages:
        queue, seen = [(start, 0)], set()
        while queue:
            url, depth = queue.pop(0)
            if pattern(url) in seen:
                continue
            seen.add(pattern(url))
            response = client.get(url, follow=True)
            assert response.status_code == 200, f"{username}: {url} answered {response.status_code}"
            html = response.content.decode()
            name = f"{len(names):03d}.html"
            (folder / name).write_text(html)
            names[name] = f"{username} {url}"
            if depth < DEPTH and username != "anonymous":
                queue.extend((link, depth + 1) for link in links(html, url))
    return names


def test_the_checker_finds_an_htmx_attribute_and_an_unescaped_less_than(tmp_path):
    page = tmp_path / "bad.html"
    page.write_text(
        '<!doctype html><html lang="vi"><head><title>Thử</title></head><body>'
        # (a space before "=": the data-hx-* renaming command of the templates leaves this one alone)
        '<button hx-post ="/x">Lưu</button><p>Thời lượng < 90 phút</p></body></html>'
    )

    messages = [m["message"] for m in run_vnu([page])]

    assert "Attribute “hx-post” not allowed on element “button” at this point." in messages
    assert any("Unescaped “<”" in message for message in messages), messages


def test_a_machine_without_java_fails_with_the_command_that_installs_it(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)

    with pytest.raises(pytest.fail.Exception, match=r"Java is not installed.*apt-get install -y default-jre-headless"):
        vnu_command()


def test_every_main_page_of_every_demo_role_is_valid_html(demo, tmp_path):
    names = render_main_pages(demo, tmp_path)
    assert len(names) > 40  # the crawl reached the pages, not only the home pages

    errors = run_vnu(sorted(tmp_path.glob("*.html")))

    found = sorted(
        f"{names[Path(urlsplit(e.get('url', '')).path).name]} line {e.get('lastLine')}: {e['message']}" for e in errors
    )
    assert found == [], f"{len(found)} HTML error(s):\n" + "\n".join(found[:300])
