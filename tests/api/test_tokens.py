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


def test_an_eleventh_active_token_is_refused_with_a_message(client, world):
    for n in range(10):
        ApiToken.issue(user=world.board_user, name=f"Khóa {n}")
    client.force_login(world.board_user)

    page = client.post(reverse("api:tokens"), {"name": "Một khóa nữa"}).content.decode()

    assert "Đồng chí đã có 10 khóa đang dùng: hãy thu hồi một khóa không còn dùng trước." in page
    assert ApiToken.objects.count() == 10
    ApiToken.objects.filter(name="Khóa 0").update(revoked_at="2026-12-01T00:00:00Z")
    client.post(reverse("api:tokens"), {"name": "Một khóa nữa"})
    assert ApiToken.objects.filter(name="Một khóa nữa").exists()  # a revoked one no longer counts


def test_an_administrator_revokes_a_token_in_the_admin_and_never_sees_a_key(client, world):
    token, key = ApiToken.issue(user=world.board_user, name="Máy tính bị mất")
    client.force_login(world.admin)

    listing = client.get(reverse("admin:api_apitoken_changelist")).content.decode()
    client.post(
        reverse("admin:api_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )

    assert "Máy tính bị mất" in listing and key not in listing and token.key_hash not in listing
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client.get(URL, HTTP_AUTHORIZATION=f"Token {key}").status_code == 401
