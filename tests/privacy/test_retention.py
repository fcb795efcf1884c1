"""Retention: the scheduled task, run by a real ``db_worker`` process, reduces exactly the resolved
conversations past their inbox's period to stubs (files too), and queues its next run."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tasks_db.models import DBTaskResult

from chat import clock, services
from chat.models import Conversation, Inbox, Message
from privacy.models import ErasureRecord, InboxPrivacy
from privacy.tasks import TASK_PATH, apply_retention, expired
from tests.servers import ROOT, server_env


def resolved(contact, alice, text: str, days_ago: float, *, upload: bool = False) -> Conversation:
    conversation, _ = services.conversation_start(contact=contact, text=text, client_id=text)
    conversation = services.conversation_claim(conversation=conversation, agent=alice)
    if upload:
        services.attachment_upload(
            conversation=conversation, uploader=alice, upload=SimpleUploadedFile("old.txt", f"{text}\n".encode())
        )
    services.conversation_resolve(conversation=conversation, actor=alice)
    Conversation.objects.filter(pk=conversation.pk).update(resolved_at=clock.now() - timedelta(days=days_ago))
    return Conversation.objects.get(pk=conversation.pk)


@pytest.mark.django_db(transaction=True)
def test_retention_runs_in_the_real_worker_and_removes_exactly_the_expired(inbox, alice, make_contact, media):
    other_inbox = Inbox.objects.create(name="No retention", allowed_origins=[])
    other_inbox.agents.add(alice)
    old = resolved(make_contact("A").contact, alice, "old-one", 40, upload=True)
    young = resolved(make_contact("B").contact, alice, "young-one", 10)
    elsewhere = resolved(make_contact("C", target=other_inbox).contact, alice, "elsewhere-one", 400)
    active, _ = services.conversation_start(contact=make_contact("D").contact, text="active-one", client_id="d")
    assert any(Path(media).rglob("*.txt"))

    InboxPrivacy.objects.create(inbox=inbox, retention_days=30)  # saving it queues the chain
    assert DBTaskResult.objects.filter(task_path=TASK_PATH, status="READY").count() == 1
    command = [sys.executable, "manage.py", "db_worker", "--batch", "--no-reload", "--no-startup-delay"]
    env = {**server_env(), "MEDIA_ROOT": str(media)}
    run = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stderr[-3000:]

    done = DBTaskResult.objects.filter(task_path=TASK_PATH, status="SUCCESSFUL").get()
    assert done.return_value == 1
    assert not Conversation.objects.filter(public_id=old.public_id).exists()
    assert not Message.objects.filter(text="old-one").exists()
    assert not any(Path(media).rglob("*.txt"))  # the file went with it
    for kept in (young, elsewhere, active):
        assert Conversation.objects.filter(public_id=kept.public_id).exists()
    assert Conversation.objects.filter(pk=old.pk, resolved_at=old.resolved_at).exists()  # the stub
    assert ErasureRecord.objects.get().kind == "retention"
    # The chain goes on: the next run is queued an interval later.
    assert DBTaskResult.objects.filter(task_path=TASK_PATH, status="READY", run_after__gt=clock.now()).count() == 1


@pytest.mark.django_db
def test_a_stub_is_not_expired_twice(inbox, alice, make_contact):
    InboxPrivacy.objects.create(inbox=inbox, retention_days=1)
    resolved(make_contact("A").contact, alice, "x", 5)
    assert apply_retention() == 1
    assert expired() == [] and apply_retention() == 0
