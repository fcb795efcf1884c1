"""The expansion rule of canned responses (agents.canned), checked on generated inputs (issue 12,
item 4): fallbacks for missing and blank values, unknown variables left as written, values with
braces never expanded twice, any Unicode; and the socket frame the console's preview and
composer both use.
"""

from __future__ import annotations

import re

import pytest
from channels.db import database_sync_to_async
from hypothesis import given
from hypothesis import strategies as st

from agents.canned import VARIABLE, canned_expand, canned_render
from agents.models import CannedResponse
from chat import services
from tests.agents.test_agent_socket import agent_session, start_chat

NAMES = ["contact.name", "contact.email", "agent.name", "conversation.number"]
# Any Unicode text (surrogates cannot be encoded, so no text holds them).
texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
fallbacks = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="{}"), max_size=20)
blank = st.sampled_from(["", " ", "\t", "\u3000 "])
values = st.dictionaries(st.sampled_from(NAMES), st.one_of(texts, blank), max_size=4)


def placeholder(name: str, fallback: str | None) -> str:
    return "{{" + name + ("" if fallback is None else "|" + fallback) + "}}"


@given(values=values, name=st.sampled_from(NAMES), fallback=st.one_of(st.none(), fallbacks), before=texts, after=texts)
def test_a_variable_takes_its_value_else_its_fallback_else_is_reported_missing(values, name, fallback, before, after):
    before, after = before.replace("{", ""), after.replace("{", "")  # no placeholders of their own
    variables = {n: values.get(n, "") for n in NAMES}
    result = canned_expand(before + placeholder(name, fallback) + after, variables=variables)
    value = variables[name]
    if value.strip():
        assert result.text == before + value + after and result.missing == []
    elif fallback is not None:
        assert result.text == before + fallback.strip() + after and result.missing == []
    else:
        assert result.text == before + after and result.missing == [name]
    assert result.unknown == []


@given(values=st.fixed_dictionaries({n: texts for n in NAMES}))
def test_braces_in_values_are_never_expanded_again(values):
    values["contact.name"] = "{{agent.name}} {{contact.email|x}} " + values["contact.name"]
    text = "Hi {{contact.name}}, {{agent.name|we}} here"
    result = canned_expand(text, variables=values)
    agent = values["agent.name"] if values["agent.name"].strip() else "we"
    assert result.text == f"Hi {values['contact.name']}, {agent} here"


@given(
    name=st.from_regex(r"[a-z_]{1,8}\.[a-z_]{1,8}", fullmatch=True).filter(lambda n: n not in NAMES),
    fallback=st.one_of(st.none(), fallbacks),
)
def test_an_unknown_variable_stays_as_written_and_is_reported(name, fallback):
    text = "Dear " + placeholder(name, fallback) + "!"
    result = canned_expand(text, variables={n: "v" for n in NAMES})
    assert result.text == text and result.unknown == [name] and result.missing == []


@given(text=texts.filter(lambda t: not VARIABLE.search(t)))
def test_text_without_placeholders_is_left_alone(text):
    assert canned_render(text, variables={n: "v" for n in NAMES}) == text


@given(text=texts, values=values)
def test_expansion_never_fails_and_leaves_no_known_placeholder(text, values):
    variables = {n: values.get(n, "") for n in NAMES}
    result = canned_expand(text + "{{ contact.name | there }}", variables=variables)
    assert not re.search(
        r"\{\{\s*(contact\.name|contact\.email|agent\.name|conversation\.number)\s*(\|[^{}]*)?\}\}",
        result.text.replace(variables["contact.name"], ""),
    )
    assert set(result.missing) <= set(NAMES)


def test_spaces_around_names_and_fallbacks_are_allowed():
    variables = {"contact.name": "", "contact.email": "", "agent.name": "Alice", "conversation.number": "7"}
    result = canned_expand(
        "Hi {{ contact.name | there }}, {{agent.name}} on #{{ conversation.number }}.", variables=variables
    )
    assert result.text == "Hi there, Alice on #7." and result.missing == []
    assert canned_expand("Hi {{contact.name}},", variables=variables).missing == ["contact.name"]


@pytest.mark.django_db(transaction=True)
async def test_the_frame_reports_what_is_missing_and_unknown(inbox, make_contact, alice):
    anonymous = await database_sync_to_async(make_contact)("")
    await database_sync_to_async(CannedResponse.objects.create)(
        short_code="hi", text="Hi {{contact.name}}, {{agent.name}} here. {{contact.phone}}"
    )
    await database_sync_to_async(CannedResponse.objects.create)(short_code="hey", text="Hi {{contact.name|there}}!")
    a, _ = await agent_session(alice)
    vsock, cid = await start_chat(inbox, anonymous)
    hi = await a.request({"type": "canned.expand", "conversation": cid, "short_code": "hi"})
    assert hi["text"] == "Hi , Alice here. {{contact.phone}}"
    assert hi["missing"] == ["contact.name"] and hi["unknown"] == ["contact.phone"]
    hey = await a.request({"type": "canned.expand", "conversation": cid, "short_code": "/hey"})
    assert hey["text"] == "Hi there!" and hey["missing"] == [] and hey["unknown"] == []
    await database_sync_to_async(services.contact_update)(contact=anonymous.contact, name="Dana")
    hey = await a.request({"type": "canned.expand", "conversation": cid, "short_code": "hey"})
    assert hey["text"] == "Hi Dana!"
    await a.close()
    await vsock.close()
