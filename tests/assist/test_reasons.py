"""Contact reasons: the adjusted Rand index, the grouping with pinned centres, the names, the
nightly run over real conversations, a manager's changes and the reports section."""

# ruff: noqa: RUF001  (Chinese text takes full-width punctuation)
from __future__ import annotations

import json
from io import StringIO

import numpy as np
import pytest
from django.core.management import call_command
from hypothesis import given
from hypothesis import strategies as st

from assist import clustering
from assist.models import ContactReason, ConversationReason, Suggestion
from assist.reasons import reason_merge, reason_pin, reason_rename, reasons_group
from assist.tasks import group_contact_reasons, next_night
from chat import clock, services
from tests.assist.conftest import cid

# --- the adjusted Rand index ------------------------------------------------------------------


def test_ari_known_values():
    assert clustering.adjusted_rand_index([0, 0, 1, 1], [0, 0, 1, 2]) == pytest.approx(0.5714285714)
    assert clustering.adjusted_rand_index([0, 0, 1, 1], [1, 1, 0, 0]) == 1.0
    assert clustering.adjusted_rand_index([0, 0, 0, 0], [0, 1, 2, 3]) == 0.0
    assert clustering.adjusted_rand_index([0, 0, 1, 2, 2], [0, 0, 1, 2, 2]) == 1.0


@given(st.lists(st.integers(0, 4), min_size=2, max_size=40), st.data())
def test_ari_is_symmetric_and_ignores_label_names(truth, data):
    found = data.draw(st.lists(st.integers(0, 4), min_size=len(truth), max_size=len(truth)))
    ari = clustering.adjusted_rand_index(truth, found)
    assert ari == pytest.approx(clustering.adjusted_rand_index(found, truth))
    assert ari == pytest.approx(clustering.adjusted_rand_index(truth, [f"g{9 - v}" for v in found]))
    assert -1.0 <= ari <= 1.0
    assert clustering.adjusted_rand_index(truth, truth) == 1.0


# --- grouping and names -------------------------------------------------------------------------


def blobs(rng, centres, n):
    x = np.vstack([c + 0.05 * rng.standard_normal((n, len(c))) for c in centres])
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_groups_are_found_and_pinned_centres_keep_their_label():
    rng = np.random.default_rng(1)
    centres = np.eye(8)[:3]
    x = blobs(rng, centres, 10)
    labels, found = clustering.group(x)
    truth = np.repeat([0, 1, 2], 10)
    assert clustering.adjusted_rand_index(truth, labels) == 1.0
    pinned = centres[2:3]
    labels, found = clustering.group(x, pinned=pinned)
    assert (labels[20:] == 0).all() and (labels[:20] != 0).all()
    assert np.allclose(found[0], pinned[0])


def test_telling_words_in_both_languages():
    texts = ["refund not arrived", "where is my refund", "refund please", "我的退款还没到账", "退款什么时候到"]
    texts += ["password reset email", "forgot my password", "重置密码邮件收不到", "忘记密码了"]
    labels = [0, 0, 0, 0, 0, 1, 1, 1, 1]
    names = clustering.telling_words(texts, labels)
    assert names[0][:2] == ["refund", "退款"] or set(names[0][:2]) == {"refund", "退款"}
    assert "password" in names[1] and "密码" in names[1]


# --- the nightly run over real conversations -------------------------------------------------------

TOPICS = {
    "refund": [
        "When will my refund arrive?",
        "I returned the grinder, where is my money?",
        "refund still not on my card",
    ],
    "password": ["I forgot my password", "the password reset email never comes", "can't log in, password wrong"],
    "zh-refund": ["退款什么时候到账？", "退货以后钱还没退回来"],
}


@pytest.fixture
def started(make_contact, inbox):
    made = {}
    for topic, texts in TOPICS.items():
        for text in texts:
            who = make_contact(target=inbox)
            conversation, _ = services.conversation_start(contact=who.contact, text=text, client_id=cid())
            made[conversation.id] = topic
    return made


def run_now() -> dict:
    now = clock.now()
    return reasons_group(start=now.replace(year=now.year - 1), end=now.replace(year=now.year + 1))


@pytest.mark.django_db
def test_the_run_groups_names_and_keeps_a_managers_changes(started, kb):
    done = run_now()
    assert done["conversations"] == len(started) and done["features"] == "profiles"
    assigned = dict(ConversationReason.objects.values_list("conversation_id", "reason_id"))
    assert set(assigned) == set(started)
    truth = [started[c] for c in assigned]
    english = [t.replace("zh-", "") for t in truth]
    assert clustering.adjusted_rand_index(english, [assigned[c] for c in assigned]) > 0.3
    assert all(r.name for r in ContactReason.objects.all())
    # Rename and pin the reason of the first refund question: the next run keeps both.
    refund_id = next(c for c, t in started.items() if t == "refund")
    reason = ContactReason.objects.get(pk=assigned[refund_id])
    reason_rename(reason=reason, name="Refunds")
    reason_pin(reason=reason, pinned=True)
    run_now()
    again = ConversationReason.objects.get(conversation_id=refund_id).reason
    assert again.pk == reason.pk and again.name == "Refunds" and again.pinned
    # Merge every other reason into it: its conversations follow.
    for other in ContactReason.objects.exclude(pk=reason.pk):
        reason_merge(source=other, target=reason)
    assert set(ConversationReason.objects.values_list("reason_id", flat=True)) == {reason.pk}


@pytest.mark.django_db
def test_without_articles_the_raw_embeddings_are_grouped(started):
    assert run_now()["features"] == "embeddings"


@pytest.mark.django_db
def test_the_task_runs_and_schedules_the_next_night(started):
    result = group_contact_reasons.call(chain=False)
    assert result["conversations"] == len(started)
    now = clock.now()
    assert next_night(now) > now and next_night(now).hour == 2
    out = StringIO()
    call_command("assist_reasons", "--days", "3", "--schedule", stdout=out)
    assert "next_run" in json.loads(out.getvalue())


@pytest.mark.django_db
def test_reports_show_reasons_and_the_acceptance_rate(started, kb, make_agent, client):
    run_now()
    manager = make_agent("maud", manager=True)
    conversation_id = next(iter(started))
    from chat.models import Message

    message = Message.objects.filter(conversation_id=conversation_id).first()
    for n, used in ((1, True), (2, False)):
        Suggestion.objects.create(
            conversation_id=conversation_id,
            message=message,
            agent=manager,
            kind="canned",
            source=f"canned:{n}",
            position=n,
            rank=1.0,
            used_at=clock.now() if used else None,
        )
    client.force_login(manager)
    page = client.get("/reports/")
    html = page.content.decode()
    assert page.status_code == 200 and 'id="reasons-table"' in html
    assert (
        'id="suggested-acceptance">100%' in html.replace(" ", "")
        or "100" in html.split('id="suggested-acceptance"')[1][:40]
    )
    reason = ContactReason.objects.first()
    drill = client.get(f"/reports/conversations/reason/?reason={reason.pk}")
    assert drill.status_code == 200
    response = client.post(f"/reports/reasons/{reason.pk}/", {"action": "rename", "name": "Money back"})
    assert response.status_code == 302 and ContactReason.objects.get(pk=reason.pk).name == "Money back"


@pytest.mark.django_db
def test_a_manager_drafts_a_canned_response_and_an_article_from_a_reason(inbox, alice, past, make_agent, client):
    from urllib.parse import parse_qs, urlsplit

    past(inbox, alice, "When will my refund arrive?", "Hi Maria, refunds take 5 days.", note="NOTE-SECRET")
    past(inbox, alice, "Where is my refund?", "The refund is on its way, Maria.", score=4)
    run_now()
    reason = ContactReason.objects.get()
    manager = make_agent("maud", manager=True, is_superuser=True)
    client.force_login(alice)
    assert client.get(f"/reports/reasons/{reason.pk}/draft/canned/").status_code == 403
    client.force_login(manager)
    canned = client.get(f"/reports/reasons/{reason.pk}/draft/canned/")
    assert canned.status_code == 302 and canned["Location"].startswith("/admin/agents/cannedresponse/add/?")
    fields = parse_qs(urlsplit(canned["Location"]).query)
    assert fields["text"] == ["Hi [name], refunds take 5 days."]  # the best-rated answer, no name
    article = client.get(f"/reports/reasons/{reason.pk}/draft/article/")
    body = parse_qs(urlsplit(article["Location"]).query)["body"][0]
    assert "refunds take 5 days" in body and "on its way, [name]" in body and "NOTE-SECRET" not in body
    form = client.get(article["Location"])
    assert form.status_code == 200 and "on its way, [name]" in form.content.decode()
