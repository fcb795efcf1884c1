"""Minimisation: an inbox may keep the visitor's browser out of the stored context, and keep its
IP address (used only as the key of the creation budgets) truncated or not at all."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chat import scrub, services
from privacy.models import AddressMode, InboxPrivacy

pytestmark = pytest.mark.django_db


def test_the_user_agent_is_stored_unless_the_inbox_says_not(inbox, make_contact):
    context = {"url": "https://shop.example/a", "user_agent": "Firefox 140"}
    first, _ = services.conversation_start(contact=make_contact().contact, text="hi", client_id="a", context=context)
    assert first.context["user_agent"] == "Firefox 140"
    InboxPrivacy.objects.create(inbox=inbox, store_user_agent=False)
    second, _ = services.conversation_start(contact=make_contact().contact, text="hi", client_id="b", context=context)
    assert "user_agent" not in second.context and second.context["url"] == "https://shop.example/a"


def test_a_card_number_in_the_page_address_is_redacted(inbox, make_contact):
    context = {"url": "https://shop.example/pay?card=4111111111111111"}
    conversation, _ = services.conversation_start(
        contact=make_contact().contact, text="hi", client_id="a", context=context
    )
    assert "4111111111111111" not in conversation.context["url"]


@given(st.ip_addresses())
def test_addresses_are_kept_truncated_or_dropped(address):
    from privacy.policy import minimise_address

    row = InboxPrivacy(inbox_id=1, address_mode=AddressMode.TRUNCATE)
    from privacy import policy

    policy._cache[1] = (float("inf"), row)
    try:
        truncated = minimise_address(str(address), 1)
        assert truncated.split(".")[-1] == "0" if address.version == 4 else truncated.endswith("::")
        row.address_mode = AddressMode.DROP
        assert scrub.address(str(address), inbox_id=1) is None
        row.address_mode = AddressMode.KEEP
        assert scrub.address(str(address), inbox_id=1) == str(address)
    finally:
        policy.clear()
