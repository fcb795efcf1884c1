"""The admin of integrations: pages open, an endpoint made there gets its secret and an address
check, and the actions (test event, rotation, redelivery, revoke) go through the services."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from integrations import tokens
from integrations.models import ApiToken, WebhookDelivery, WebhookEndpoint, WebhookEvent
from integrations.webhooks import dispatch

pytestmark = pytest.mark.django_db


INLINE = {"log-TOTAL_FORMS": "0", "log-INITIAL_FORMS": "0"}


@pytest.fixture
def admin_client(client):
    user = get_user_model().objects.create_superuser("root", "root@example.com", "pw-root-1234")
    client.force_login(user)
    client.user = user
    return client


def test_pages_open(admin_client):
    for path in ["apitoken", "webhookendpoint", "webhookdelivery"]:
        assert admin_client.get(f"/admin/integrations/{path}/").status_code == 200
    assert admin_client.get("/admin/integrations/webhookendpoint/add/").status_code == 200


def test_an_endpoint_made_in_the_admin(admin_client, receiver, settings, make_contact):
    response = admin_client.post(
        "/admin/integrations/webhookendpoint/add/",
        {
            "name": "crm",
            "url": receiver.url,
            "role": "webhook",
            "events": ["contact.created"],
            "is_active": "on",
            **INLINE,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    hook = WebhookEndpoint.objects.get()
    assert hook.secret.startswith("whsec_") and hook.events == ["contact.created"]
    receiver.secret = hook.secret
    changelist = "/admin/integrations/webhookendpoint/"
    admin_client.post(changelist, {"action": "send_test_event", "_selected_action": [hook.pk]})
    assert WebhookEvent.objects.filter(type="webhook.test").exists()
    dispatch.run_once()
    assert [r["type"] for r in receiver.received] == ["webhook.test"]
    admin_client.post(
        "/admin/integrations/webhookdelivery/",
        {"action": "redeliver", "_selected_action": [WebhookDelivery.objects.get().pk]},
    )
    dispatch.run_once()
    assert len(receiver.received) == 2
    admin_client.post(changelist, {"action": "rotate_secret", "_selected_action": [hook.pk]})
    hook.refresh_from_db()
    assert hook.previous_secret == receiver.secret != hook.secret


def test_a_private_address_is_refused_in_the_admin(admin_client):
    response = admin_client.post(
        "/admin/integrations/webhookendpoint/add/",
        {"name": "x", "url": "http://169.254.169.254/latest/meta-data", "role": "webhook", "events": [], **INLINE},
    )
    assert response.status_code == 200 and "url" in response.context["adminform"].form.errors
    assert not WebhookEndpoint.objects.exists()


def test_revoke_from_the_admin(admin_client):
    token, _ = tokens.token_create(user=admin_client.user, name="t", scope="read")
    admin_client.post("/admin/integrations/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
