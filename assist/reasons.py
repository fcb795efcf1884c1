"""Contact reasons: the period's conversations grouped by their first visitor message.

``reasons_group`` is the nightly task's work (assist.tasks), on a worker, never on the live path:
read the first visitor message of each conversation started in the period, compute its features
(assist.clustering: its retrieval profile over the published articles, or its raw embedding when
there are none), group, name, and store which reason each conversation belongs to.

Stability from one run to the next:
- a pinned reason keeps its identity and name: its centre is recomputed from the conversations
  it held (in the current feature space, so a changed knowledge base does not strand it), and a
  message close enough to it joins it before anything else is grouped;
- an unpinned reason is kept (with a manager's name) when most of a new group's conversations
  belonged to it in the previous run, so names survive as long as the topic does;
- a merged reason takes no new conversations (its conversations went to the target).
Reasons left without conversations and never named by a manager are deleted.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime

import numpy as np
from django.db import transaction
from django.db.models import Min, OuterRef, Subquery
from django.utils import timezone

from assist import clustering
from assist.models import ContactReason, ConversationReason
from chat.choices import SenderKind
from chat.models import Conversation, Message
from knowledge.encoder import get_encoder
from knowledge.index import live_index

log = logging.getLogger(__name__)

MAX_CONVERSATIONS = 5000  # read per run (the latest ones)
KEEP_SHARE = 0.5  # a new group keeps an old reason when this share of it was in that reason


def first_messages(*, start: datetime, end: datetime) -> list[tuple[int, str]]:
    """(conversation id, its first public visitor message) for conversations started in the range."""
    first_seq = (
        Message.objects.filter(conversation=OuterRef("pk"), sender_kind=SenderKind.CONTACT, is_private=False)
        .order_by()
        .values("conversation")
        .annotate(seq=Min("seq"))
        .values("seq")
    )
    ids = list(
        Conversation.objects.filter(created_at__gte=start, created_at__lt=end)
        .annotate(first_seq=Subquery(first_seq))
        .filter(first_seq__isnull=False)
        .order_by("-created_at")
        .values_list("id", "first_seq")[:MAX_CONVERSATIONS]
    )
    wanted = dict(ids)
    texts = (
        Message.objects.filter(conversation_id__in=wanted, sender_kind=SenderKind.CONTACT, is_private=False)
        .filter(seq__in=set(wanted.values()))
        .values_list("conversation_id", "seq", "text")
    )
    return [(cid, text) for cid, seq, text in texts if wanted.get(cid) == seq and text.strip()]


def features(texts: list[str]) -> tuple[np.ndarray, str]:
    from assist.engine import text_locale

    index = live_index()
    if index.semantic and len(index):
        return clustering.profile(index, texts, [text_locale(t) for t in texts]), "profiles"
    encoder = get_encoder()
    if encoder is None:
        raise RuntimeError("contact reasons need the sentence encoder")
    return clustering.embed(encoder, texts), "embeddings"


def reasons_group(*, start: datetime, end: datetime) -> dict:
    """Group the range's conversations into reasons (module doc); returns counts for the log."""
    found = first_messages(start=start, end=end)
    if len(found) < 2:
        return {"conversations": len(found), "reasons": 0}
    ids = [cid for cid, _ in found]
    texts = [text for _, text in found]
    x, kind = features(texts)
    position = {cid: i for i, cid in enumerate(ids)}
    previous = dict(
        ConversationReason.objects.filter(conversation_id__in=ids).values_list("conversation_id", "reason_id")
    )
    pinned = list(ContactReason.objects.filter(pinned=True, merged_into__isnull=True).order_by("id"))
    centres = []
    for reason in pinned:
        members = [position[c] for c, r in previous.items() if r == reason.id]
        if not members:  # nothing of it in this period: recompute from its latest conversations
            held = ConversationReason.objects.filter(reason=reason).order_by("-assigned_at")
            old = [t for _, t in first_messages_for(list(held.values_list("conversation_id", flat=True)[:200]))]
            centre = features(old)[0].sum(axis=0) if old else np.zeros(x.shape[1])
        else:
            centre = x[members].sum(axis=0)
        centres.append(centre / max(np.linalg.norm(centre), 1e-9))
    labels, _ = clustering.group(x, pinned=np.array(centres) if centres else None)
    names = clustering.telling_words(texts, list(labels))
    now = timezone.now()
    with transaction.atomic():
        reasons: dict[int, ContactReason] = {i: r for i, r in enumerate(pinned)}
        taken = {r.id for r in pinned}
        for label in sorted(set(labels.tolist()) - set(reasons)):
            members = [ids[i] for i in np.flatnonzero(labels == label)]
            votes = Counter(previous[c] for c in members if c in previous)
            keep = None
            if votes:
                reason_id, n = votes.most_common(1)[0]
                if n >= KEEP_SHARE * len(members) and reason_id not in taken:
                    keep = ContactReason.objects.filter(pk=reason_id, merged_into__isnull=True).first()
            words = names.get(label, [])
            auto = " / ".join(words) or f"#{label + 1}"
            if keep is None:
                keep = ContactReason.objects.create(
                    name=auto, words=words, encoder=kind, created_at=now, updated_at=now
                )
            else:
                keep.words = words
                if not keep.renamed:
                    keep.name = auto
                keep.encoder, keep.updated_at = kind, now
                keep.save(update_fields=["words", "name", "encoder", "updated_at"])
            taken.add(keep.id)
            reasons[label] = keep
        for label, reason in reasons.items():
            if label < len(pinned):
                reason.words = names.get(label, reason.words)
                reason.save(update_fields=["words"])
        ConversationReason.objects.filter(conversation_id__in=ids).delete()
        ConversationReason.objects.bulk_create(
            [
                ConversationReason(
                    conversation_id=cid,
                    reason=reasons[int(labels[i])],
                    similarity=float(x[i] @ x[labels == labels[i]].mean(axis=0)),
                    assigned_at=now,
                )
                for i, cid in enumerate(ids)
            ]
        )
        ContactReason.objects.filter(assignments__isnull=True, renamed=False, pinned=False).delete()
    return {"conversations": len(ids), "reasons": len(reasons), "features": kind}


def first_messages_for(conversation_ids: list[int]) -> list[tuple[int, str]]:
    out = {}
    for cid, text in (
        Message.objects.filter(conversation_id__in=conversation_ids, sender_kind=SenderKind.CONTACT, is_private=False)
        .order_by("conversation_id", "seq")
        .values_list("conversation_id", "text")
    ):
        out.setdefault(cid, text)
    return list(out.items())


# --- a manager's changes -------------------------------------------------------------------------


def reason_rename(*, reason: ContactReason, name: str) -> ContactReason:
    name = " ".join(str(name).split())[:120]
    if not name:
        raise ValueError("A reason needs a name.")
    ContactReason.objects.filter(pk=reason.pk).update(name=name, renamed=True, updated_at=timezone.now())
    reason.name, reason.renamed = name, True
    return reason


def reason_pin(*, reason: ContactReason, pinned: bool) -> ContactReason:
    ContactReason.objects.filter(pk=reason.pk).update(pinned=pinned, updated_at=timezone.now())
    reason.pinned = pinned
    return reason


def reason_merge(*, source: ContactReason, target: ContactReason) -> ContactReason:
    """``source``'s conversations go to ``target``, which is pinned so that the next runs keep the
    two together (its centre is then the mean of both groups); ``source`` is no longer listed."""
    if source.pk == target.pk or target.merged_into_id is not None:
        raise ValueError("Merge into another, unmerged reason.")
    with transaction.atomic():
        ConversationReason.objects.filter(reason=source).update(reason=target)
        ContactReason.objects.filter(merged_into=source).update(merged_into=target)
        ContactReason.objects.filter(pk=source.pk).update(merged_into=target, pinned=False, updated_at=timezone.now())
        ContactReason.objects.filter(pk=target.pk).update(pinned=True)
    source.merged_into = target
    return source
