"""SLA targets of a conversation: which policy applies, and when each target falls due.

First-response and resolution targets run from the start and are stored on the conversation;
the next-response target runs from each visitor message that follows an agent's reply, so it
is computed when needed. Policies may count only the inbox's business hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from chat.choices import ConversationStatus, SlaTarget
from chat.hours import Schedule, schedule_for
from chat.models import Conversation, SlaPolicy


@dataclass(frozen=True)
class TargetState:
    target: str
    due_at: datetime
    warn_at: datetime
    met: bool


def policy_for(conversation: Conversation) -> SlaPolicy | None:
    """The inbox's policy for the conversation's priority, else its any-priority policy."""
    policies = {p.priority: p for p in SlaPolicy.objects.filter(inbox_id=conversation.inbox_id)}
    return policies.get(conversation.priority) or policies.get(None)


def _add(policy: SlaPolicy, schedule: Schedule | None, start: datetime, seconds: int) -> datetime | None:
    if policy.business_hours_only and schedule is not None:
        return schedule.add_open_seconds(start, seconds)
    return start + timedelta(seconds=seconds)


def due_times(conversation: Conversation, *, start: datetime) -> tuple[datetime | None, datetime | None]:
    """(first response due, resolution due) for a conversation starting at ``start``."""
    policy = policy_for(conversation)
    if policy is None:
        return None, None
    schedule = schedule_for(conversation.inbox) if policy.business_hours_only else None
    first = _add(policy, schedule, start, policy.first_response_seconds) if policy.first_response_seconds else None
    resolution = _add(policy, schedule, start, policy.resolution_seconds) if policy.resolution_seconds else None
    return first, resolution


def targets(conversation: Conversation, *, policy: SlaPolicy, schedule: Schedule | None) -> list[TargetState]:
    """Every target of the conversation under ``policy`` with its due time and whether it was met
    (answered or resolved by the due time; a late answer is a breach, not a success)."""
    warn = timedelta(seconds=policy.warn_before_seconds)
    states = []
    if conversation.sla_first_response_due_at:
        due = conversation.sla_first_response_due_at
        answered = conversation.first_response_at
        states.append(TargetState(SlaTarget.FIRST_RESPONSE, due, due - warn, answered is not None and answered <= due))
    awaiting_agent = (
        conversation.first_response_at is not None
        and conversation.last_contact_message_at is not None
        and (
            conversation.last_agent_message_at is None
            or conversation.last_contact_message_at > conversation.last_agent_message_at
        )
    )
    if policy.next_response_seconds and awaiting_agent:
        due = _add(policy, schedule, conversation.last_contact_message_at, policy.next_response_seconds)
        if due is not None:
            states.append(TargetState(SlaTarget.NEXT_RESPONSE, due, due - warn, False))
    if conversation.sla_resolution_due_at:
        due = conversation.sla_resolution_due_at
        resolved = conversation.resolved_at if conversation.status == ConversationStatus.RESOLVED else None
        states.append(TargetState(SlaTarget.RESOLUTION, due, due - warn, resolved is not None and resolved <= due))
    return states


def breaches_at_resolution(conversation: Conversation, *, now: datetime) -> list[TargetState]:
    """Targets already due and unmet when the conversation is resolved, so a breach is never lost
    because the timer sweep did not run in between."""
    policy = policy_for(conversation)
    if policy is None:
        return []
    schedule = schedule_for(conversation.inbox) if policy.business_hours_only else None
    return [t for t in targets(conversation, policy=policy, schedule=schedule) if not t.met and now >= t.due_at]
