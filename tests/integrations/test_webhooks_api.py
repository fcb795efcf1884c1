"""Webhook endpoints over the API: staff with an admin token only."""

from __future__ import annotations

import pytest

from integrations.models import WebhookEndpoint, WebhookEvent

pytestmark = pytest.mark.django_db


def test_staff_admin_token_manages_endpoints(alice, inbox, token_client, receiver):
    client = token_client(alice, "admin")
    created = client.post(
        "/api/webhooks/",
        {"name": "crm", "url": receiver.url, "inbox": inbox.public_key, "events": ["contact.created"]},
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["secret"].startswith("whsec_") and body["inbox"] == inbox.public_key
    assert [e["id"] for e in client.get("/api/webhooks/").json()["results"]] == [body["id"]]
    action = f"/api/webhooks/{body['id']}/actions/"
    assert client.post(action, {"action": "test"}, format="json").status_code == 200
    assert WebhookEvent.objects.filter(type="webhook.test").count() == 1
    rotated = client.post(action, {"action": "rotate_secret"}, format="json").json()
    assert rotated["secret"] != body["secret"]
    assert client.post(action, {"action": "disable"}, format="json").json()["is_active"] is False
    assert client.post(action, {"action": "enable"}, format="json").json()["is_active"] is True


def test_others_may_not(make_agent, token_client, receiver):
    write = token_client(make_agent("w"), "write")
    assert write.get("/api/webhooks/").status_code == 403
    plain = make_agent("plain")
    plain.is_staff = False
    plain.save()
    from rest_framework.test import APIClient

    session = APIClient()
    session.force_authenticate(plain)
    assert session.get("/api/webhooks/").status_code == 403
    assert session.post("/api/webhooks/", {"name": "x", "url": receiver.url}, format="json").status_code == 403
    assert not WebhookEndpoint.objects.exists()


def test_private_urls_are_refused(alice, token_client):
    response = token_client(alice, "admin").post(
        "/api/webhooks/", {"name": "x", "url": "http://10.0.0.1/hook", "events": []}, format="json"
    )
    assert response.status_code == 400 and not WebhookEndpoint.objects.exists()
