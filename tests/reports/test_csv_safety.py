"""No CSV the helpdesk writes can carry a live spreadsheet formula, whatever a visitor typed."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chat import services
from chat.csv_cells import FORMULA_STARTS, safe_cell

pytestmark = pytest.mark.django_db


def read_csv(response) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


@given(st.text())
def test_no_text_cell_starts_a_formula_and_nothing_else_changes(text):
    cell = safe_cell(text)
    assert not cell.startswith(FORMULA_STARTS)
    assert cell in (text, "'" + text)
    assert (cell != text) == text.startswith(FORMULA_STARTS)


@given(st.one_of(st.integers(), st.floats(allow_nan=False), st.none()))
def test_numbers_and_empty_cells_are_left_alone(value):
    assert safe_cell(value) == value


@pytest.mark.parametrize(
    "comment", ['=HYPERLINK("https://evil.example","click")', "+1+1", "-2+3", "@SUM(A1)", "=cmd|' /C calc'!A0"]
)
def test_a_rating_comment_reaches_the_export_as_text(make_agent, make_contact, client, comment):
    manager = make_agent("maria", manager=True)
    contact = make_contact("Vera").contact
    conversation, _ = services.conversation_start(contact=contact, text="hi", client_id="c1")
    conversation = services.conversation_claim(conversation=conversation, agent=manager)
    services.message_send(conversation=conversation, sender=manager, text="hello", client_id="a1")
    services.conversation_resolve(conversation=conversation, actor=manager)
    services.conversation_rate(conversation=conversation, contact=contact, score=1, comment=comment)
    client.force_login(manager)
    rows = read_csv(client.get("/reports/export/conversations.csv"))
    assert [row["comment"] for row in rows] == ["'" + comment]
