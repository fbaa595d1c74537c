"""One form of address: the app speaks to a party member as "đồng chí", never "bạn" (templates, e-mails, messages,
forms and the errors of the services)."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("templates", "config", "cells", "members", "meetings", "reports")
YOU = re.compile(r"\b[Bb]ạn\b")


def user_facing_files():
    for folder in SOURCES:
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix in (".html", ".txt", ".py", ".js") and "migrations" not in path.parts:
                yield path


def test_no_page_mail_or_message_says_ban():
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in user_facing_files()
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if YOU.search(line)
    ]

    assert found == []


def test_the_scan_sees_the_templates_and_the_services():
    names = {path.relative_to(ROOT).as_posix() for path in user_facing_files()}

    assert {"templates/403.html", "templates/home.html", "meetings/services.py"} <= names


@pytest.mark.django_db
def test_the_refusal_page_and_the_home_page_say_dong_chi(client, world):
    client.force_login(world.board_user)  # reads the commune, may not write

    home = client.get("/").content.decode()
    refused = client.get(f"/dang-vien/{world.plain_member.pk}/sua/")

    assert "Đồng chí có thể truy cập" in home
    assert refused.status_code == 403
    assert "Đồng chí không có quyền thực hiện thao tác này." in refused.content.decode()
