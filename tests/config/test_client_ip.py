"""The login throttle behind the TLS proxy (issue 11, point 10): each client is locked out on its own address, taken
from the right of X-Forwarded-For as far as our proxies go; what a client writes to its left is ignored."""

import pytest
from django.test import RequestFactory

from config.client_ip import client_ip
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
PROXY = "10.0.0.2"


def _login(client, username, password, forwarded):
    return client.post(
        "/dang-nhap/",
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


def test_the_documented_deployment_trusts_one_proxy(settings):
    # Tests run as production does (DEBUG off, BEHIND_TLS_PROXY on by default).
    assert settings.TRUSTED_PROXY_COUNT == 1
    assert settings.AXES_CLIENT_IP_CALLABLE == "config.client_ip.client_ip"


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "203.0.113.7", PROXY),  # no proxy: the socket's address, whatever the header says
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # the client wrote 6.6.6.6; our proxy appended the real one
        (2, "6.6.6.6, 203.0.113.7, 10.0.0.9", "203.0.113.7"),
        (1, "", PROXY),  # straight to the app server
    ],
)
def test_the_client_address_is_counted_from_the_right(settings, count, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)

    assert client_ip(request) == expected


def test_wrong_passwords_from_one_client_do_not_lock_the_account_for_another(client):
    UserFactory(username="hien.bt")
    for _attempt in range(5):
        _login(client, "hien.bt", "sai-mat-khau", "198.51.100.1")

    assert _login(client, "hien.bt", TEST_PASSWORD, "198.51.100.1").status_code == 429
    other = _login(client, "hien.bt", TEST_PASSWORD, "203.0.113.7")
    assert other.status_code == 302  # the owner, from their own address, still logs in


def test_a_forged_header_does_not_escape_the_lock_out(client):
    UserFactory(username="hien.bt")
    for attempt in range(5):
        _login(client, "hien.bt", "sai-mat-khau", f"1.1.1.{attempt}, 198.51.100.1")

    assert _login(client, "hien.bt", TEST_PASSWORD, "9.9.9.9, 198.51.100.1").status_code == 429
