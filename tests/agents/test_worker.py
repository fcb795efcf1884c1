"""The timers run in a real background worker (django-tasks' db_worker), on this pass's database."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from agents.tasks import run_timer_sweep
from chat.choices import ConversationStatus, EventType, RoutingPolicy
from chat.models import ConversationEvent
from tests.servers import ROOT, server_env

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_worker_process_runs_the_sweep_and_requeues_an_unanswered_chat(inbox, online, arrive):
    inbox.routing_policy = RoutingPolicy.ROUND_ROBIN
    inbox.accept_timeout_seconds = 1
    inbox.save()
    online("ann")
    chat = arrive()
    assert chat.assignee is not None and chat.auto_assigned
    time.sleep(1.5)  # real time: the worker has no test clock
    run_timer_sweep.enqueue()
    worker = subprocess.run(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay", "--no-reload", "--max-tasks", "1"],
        cwd=ROOT,
        env=server_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert worker.returncode == 0, worker.stdout + worker.stderr
    chat.refresh_from_db()
    assert chat.status == ConversationStatus.WAITING and chat.assignee is None
    assert ConversationEvent.objects.filter(conversation=chat, type=EventType.MISSED).count() == 1
