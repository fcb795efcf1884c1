"""A contact's change reaches the agents' consoles live (issue 12, item 6): a verified identity,
the visitor's own name or email, and a staff edit each publish ``contact.updated`` to the agents
of the contact's inbox, never to the contact's own group."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from chat import realtime, services


def sign(secret: str, user_id: str) -> str:
    return hmac.new(secret.encode(), user_id.encode(), hashlib.sha256).hexdigest()


def contact_events(sent):
    return [(group, event) for group, event in sent if event["type"] == "contact.updated"]


@pytest.mark.django_db
def test_a_verified_identity_is_announced_to_the_inbox_once(
    inbox, visitor, alice, broadcasts, django_capture_on_commit_callbacks
):
    contact = visitor.contact
    with django_capture_on_commit_callbacks(execute=True):
        assert not services.contact_identify(contact=contact, user_id="u-7", user_hash="0" * 64, name="Mallory")
    assert contact_events(broadcasts) == []  # an unproven claim changes nothing and says nothing
    with django_capture_on_commit_callbacks(execute=True):
        assert services.contact_identify(
            contact=contact, user_id="u-7", user_hash=sign(inbox.identity_secret, "u-7"), name="Vera V"
        )
    [(group, event)] = contact_events(broadcasts)
    assert group == realtime.inbox_group(inbox.pk)
    assert event["contact"] == {
        "id": str(contact.public_id),
        "name": "Vera V",
        "email": "",
        "display_name": "Vera V",
        "verified": True,
    }
    with django_capture_on_commit_callbacks(execute=True):  # the next page view's setUser: no news
        services.contact_identify(contact=contact, user_id="u-7", user_hash=sign(inbox.identity_secret, "u-7"))
    assert len(contact_events(broadcasts)) == 1


@pytest.mark.django_db
def test_a_staff_edit_is_announced_too(inbox, visitor, alice, broadcasts, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.contact_edit(contact=visitor.contact, actor=alice, changes={"external_id": "crm-1"})
    [(group, event)] = contact_events(broadcasts)
    assert group == realtime.inbox_group(inbox.pk) and event["contact"]["verified"] is True
