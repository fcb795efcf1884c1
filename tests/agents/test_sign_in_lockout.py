"""Sign-in is throttled: wrong passwords in a row lock that username out from that address."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"


def attempt(client: Client, url: str, password: str, *, ip: str = "203.0.113.5"):
    return client.post(url, {"username": "alice", "password": password}, REMOTE_ADDR=ip)


@pytest.mark.parametrize("url", [LOGIN, ADMIN_LOGIN])
def test_the_right_password_is_refused_after_five_wrong_ones(alice, settings, url):
    alice.is_staff = True
    alice.set_password("right-password")
    alice.save()
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, url, "wrong").status_code == 200  # the form again, with its error
    locked = attempt(client, url, "wrong")
    assert locked.status_code == 429
    assert int(locked["Retry-After"]) == settings.AXES_COOLOFF_TIME.total_seconds()
    assert "15 minutes" in locked.content.decode()
    refused = attempt(client, url, "right-password")
    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session
    # Another address is not locked out: a mistyping colleague cannot lock out the whole team.
    assert attempt(Client(), url, "right-password", ip="198.51.100.7").status_code == 302


def test_a_success_resets_the_count(alice):
    alice.set_password("right-password")
    alice.save()
    client = Client()
    for _ in range(4):
        attempt(client, LOGIN, "wrong")
    assert attempt(client, LOGIN, "right-password").status_code == 302
    client.logout()
    for _ in range(4):
        assert attempt(client, LOGIN, "wrong").status_code == 200
    assert attempt(client, LOGIN, "right-password").status_code == 302
