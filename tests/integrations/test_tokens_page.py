"""The API tokens page: create shows the secret once, the list never does, revoke works."""

from __future__ import annotations

import pytest

from chat.tokens import hash_secret
from integrations.models import ApiToken

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, alice):
    client.force_login(alice)
    return client


def test_create_shows_the_secret_once(signed_in, alice):
    page = signed_in.get("/settings/api-tokens/")
    assert page.status_code == 200 and b"No tokens yet" in page.content
    created = signed_in.post("/settings/api-tokens/", {"name": "CRM", "scope": "write", "expires_in_days": "30"})
    assert created.status_code == 200 and created["Cache-Control"] == "no-store"
    secret = created.context["secret"]
    assert secret.encode() in created.content
    token = ApiToken.objects.get(user=alice)
    assert token.secret_hash == hash_secret(secret) and token.expires_at is not None
    assert secret.encode() not in signed_in.get("/settings/api-tokens/").content


def test_revoke(signed_in, alice):
    signed_in.post("/settings/api-tokens/", {"name": "old", "scope": "read", "expires_in_days": "0"})
    token = ApiToken.objects.get(user=alice)
    assert signed_in.post("/settings/api-tokens/", {"revoke": str(token.public_id)}).status_code == 302
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


def test_bad_input_is_refused(signed_in, make_agent, client):
    assert signed_in.post("/settings/api-tokens/", {"name": "", "scope": "read"}).status_code == 400
    assert signed_in.post("/settings/api-tokens/", {"name": "x", "scope": "root"}).status_code == 400
    assert (
        signed_in.post("/settings/api-tokens/", {"name": "x", "scope": "read", "expires_in_days": "2"}).status_code
        == 400
    )
    assert signed_in.post("/settings/api-tokens/", {"revoke": "nope"}).status_code == 404


def test_sign_in_required(client):
    assert client.get("/settings/api-tokens/").status_code == 302


def test_the_page_speaks_chinese(signed_in):
    page = signed_in.get("/settings/api-tokens/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "API 令牌" in page.content.decode() and "还没有令牌" in page.content.decode()
