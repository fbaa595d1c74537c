import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _login(client, username, password, address="10.1.1.1"):
    return client.post("/dang-nhap/", {"username": username, "password": password}, REMOTE_ADDR=address)


def test_pages_need_a_login(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/dang-nhap/?next=/"


def test_it_locks_an_account_and_address_after_five_failures(client):
    UserFactory(username="hien.bt")
    for _ in range(4):
        assert _login(client, "hien.bt", "wrong-password").status_code == 200
    assert _login(client, "hien.bt", "wrong-password").status_code == 429

    locked = _login(client, "hien.bt", TEST_PASSWORD)  # even the right password, from this address

    assert locked.status_code == 429
    assert "Tạm khóa đăng nhập" in locked.content.decode()
    # The same account from another address, and another account from this address, still get in.
    assert _login(client, "hien.bt", TEST_PASSWORD, address="10.2.2.2").status_code == 302


def test_a_good_login_reaches_the_home_page(client):
    UserFactory(username="hien.bt", first_name="Hiền", last_name="Nguyễn Thị")

    response = _login(client, "hien.bt", TEST_PASSWORD)
    home = client.get("/")

    assert response.status_code == 302
    assert "Xin chào, Nguyễn Thị Hiền" in home.content.decode()


def test_password_validators_refuse_weak_passwords():
    with pytest.raises(ValidationError):
        validate_password("12345678")


def test_sessions_expire(settings):
    assert 0 < settings.SESSION_COOKIE_AGE <= 12 * 60 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True


def test_unknown_pages_get_the_friendly_404(client):
    UserFactory(username="hien.bt")
    client.force_login(UserFactory(username="hien.bt"))

    response = client.get("/khong-co-trang-nay/")

    assert response.status_code == 404
    assert "Không tìm thấy trang." in response.content.decode()


def test_responses_carry_a_content_security_policy(client):
    response = client.get("/dang-nhap/")

    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]


def test_the_interface_is_vietnamese_whatever_the_browser_asks(client):
    response = client.get("/dang-nhap/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert "Tên đăng nhập" in response.content.decode()
    assert response["Content-Language"] == "vi"


def test_english_is_used_once_chosen(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/dang-nhap/"})

    response = client.get("/dang-nhap/")

    assert "Username" in response.content.decode()
