"""Per-user API tokens: made on the user's page with the key shown once, only a hash kept, used as
``Authorization: Token <key>``, revoked by their owner (then 401)."""

import hashlib
import re

import pytest
from django.urls import reverse

from api.models import ApiToken

pytestmark = pytest.mark.django_db

URL = "/api/v1/organizations/"


def make_token(client, user, name="Bảng tính báo cáo") -> str:
    client.force_login(user)
    page = client.post(reverse("api:tokens"), {"name": name}).content.decode()
    return re.search(r'data-testid="new-key">.*?<code[^>]*>([^<]+)</code>', page, re.S).group(1)


def test_a_token_is_shown_once_and_only_its_hash_is_kept(client, world):
    key = make_token(client, world.board_user)

    token = ApiToken.objects.get()
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in {token.name, token.prefix, token.key_hash} and token.prefix == key[:8]
    again = client.get(reverse("api:tokens"))
    assert key not in again.content.decode() and "Bảng tính báo cáo" in again.content.decode()
    assert "no-store" in again["Cache-Control"] and "private" in again["Cache-Control"]


def test_a_token_reads_as_its_user_and_nothing_more(client, world):
    key = make_token(client, world.board_user)
    client.logout()

    listed = client.get(URL, HTTP_AUTHORIZATION=f"Token {key}")

    assert listed.status_code == 200
    assert [row["code"] for row in listed.json()["results"]] == ["C01", "A"]
    assert client.get(f"{URL}{world.cell_b.pk}/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 404
    assert ApiToken.objects.get().last_used_at is not None


def test_a_revoked_or_wrong_token_is_a_401_in_vietnamese(client, world):
    key = make_token(client, world.board_user)
    token = ApiToken.objects.get()

    client.post(reverse("api:token_revoke", args=[token.pk]))
    client.logout()
    revoked = client.get(URL, HTTP_AUTHORIZATION=f"Token {key}")
    wrong = client.get(URL, HTTP_AUTHORIZATION="Token not-a-key")

    assert (revoked.status_code, wrong.status_code) == (401, 401)
    assert revoked.json()["detail"] == "Khóa API không đúng hoặc đã bị thu hồi."
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_another_users_token_cannot_be_revoked(client, world):
    make_token(client, world.board_user)
    token = ApiToken.objects.get()
    client.force_login(world.secretary_user)

    assert client.post(reverse("api:token_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_a_token_without_a_name_says_why_and_writes_nothing(client, world):
    client.force_login(world.member_user)

    page = client.post(reverse("api:tokens"), {"name": "  "}).content.decode()

    assert "Hãy đặt tên gợi nhớ cho khóa." in page
    assert not ApiToken.objects.exists()


def test_the_home_page_links_the_tokens_page(client, world):
    client.force_login(world.member_user)

    assert reverse("api:tokens") in client.get("/").content.decode()
