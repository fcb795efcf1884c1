"""The REST API has budgets per agent, per widget token and per address; a refusal says how long to wait.
Without a sign-in the agent API answers 401, as documented."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from chat.api.throttles import AddressRateThrottle, CallerRateThrottle

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_budgets(monkeypatch):
    rates = {"agent": "3/min", "widget": "2/min", "address": "5/min"}
    monkeypatch.setattr(CallerRateThrottle, "THROTTLE_RATES", rates)
    monkeypatch.setattr(AddressRateThrottle, "THROTTLE_RATES", rates)


def assert_rate_limited(response) -> None:
    assert response.status_code == 429
    error = response.json()["error"]
    assert error["code"] == "rate_limited"
    assert 1 <= error["retry_after"] <= 60
    assert int(response["Retry-After"]) == error["retry_after"]


def test_an_agent_has_a_budget_of_its_own(small_budgets, alice, bob):
    client = APIClient()
    client.force_authenticate(alice)
    for _ in range(3):
        assert client.get("/api/conversations/").status_code == 200
    assert_rate_limited(client.get("/api/conversations/"))
    other = APIClient()
    other.force_authenticate(bob)
    assert other.get("/api/conversations/").status_code == 200  # Bob is not slowed by Alice


def test_a_widget_token_has_a_budget_and_new_tokens_do_not_buy_more(small_budgets, inbox, make_contact):
    url = f"/api/widget/{inbox.public_key}/conversations/"
    client = APIClient(REMOTE_ADDR="203.0.113.9")
    first = make_contact("One")
    for _ in range(2):
        assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {first.token}").status_code == 200
    assert_rate_limited(client.get(url, HTTP_AUTHORIZATION=f"Bearer {first.token}"))
    # Fresh tokens from the same address get their own token budget, until the address budget ends.
    second, third = make_contact("Two"), make_contact("Three")
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {second.token}").status_code == 200
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {second.token}").status_code == 200
    assert_rate_limited(client.get(url, HTTP_AUTHORIZATION=f"Bearer {third.token}"))
    elsewhere = APIClient(REMOTE_ADDR="198.51.100.4")
    assert elsewhere.get(url, HTTP_AUTHORIZATION=f"Bearer {third.token}").status_code == 200


@pytest.mark.parametrize("path", ["/api/conversations/", "/api/search/?q=refund", "/api/articles/"])
def test_a_missing_sign_in_is_401_not_authenticated(path):
    response = APIClient().get(path)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Session")


def test_a_signed_in_user_who_may_not_is_403(make_agent):
    outsider = make_agent("otto", inboxes=[])
    client = APIClient()
    client.force_authenticate(outsider)
    assert client.get("/api/conversations/00000000-0000-4000-8000-000000000000/").status_code in (403, 404)
