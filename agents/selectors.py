"""Reads of the agent side, scoped to the asking agent."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Q

from agents.models import AgentProfile, CannedResponse, Team
from chat.choices import HELD_STATUSES
from chat.errors import ServiceError, not_found
from chat.models import Conversation
from chat.selectors import agent_sees_all, agent_sees_inbox, inbox_ids_for_agent

# An agent's load as an annotation on AgentProfile rows: open and pending conversations it holds.
LOAD = Count(
    "user__assigned_conversations", filter=Q(user__assigned_conversations__status__in=HELD_STATUSES), distinct=True
)


def agent_load(*, user: AbstractBaseUser | int) -> int:
    """Conversations the agent holds that count against capacity (``LOAD`` for many at once)."""
    user_id = user if isinstance(user, int) else user.pk
    return Conversation.objects.filter(assignee_id=user_id, status__in=HELD_STATUSES).count()


def profile_for_user(*, user: AbstractBaseUser) -> AgentProfile | None:
    if not user or not user.is_authenticated or not user.is_active:
        return None
    return AgentProfile.objects.select_related("user").filter(user=user).first()


def transfer_target_agent(*, user_id: object, inbox_id: int) -> AbstractBaseUser:
    """An agent who may receive a conversation of ``inbox_id``."""
    if not isinstance(user_id, int) or isinstance(user_id, bool):
        raise ServiceError("invalid", "'agent' must be an agent's numeric id.")
    profile = AgentProfile.objects.select_related("user").filter(user_id=user_id, user__is_active=True).first()
    if profile is None:
        raise ServiceError("not_found", "No such agent.", status=404)
    user = profile.user
    if not agent_sees_inbox(user, inbox_id):
        raise ServiceError("forbidden", "That agent does not work this inbox.", status=403)
    return user


def transfer_target_team(*, team_id: object) -> Team:
    if not isinstance(team_id, int) or isinstance(team_id, bool):
        raise ServiceError("invalid", "'team' must be a team's numeric id.")
    team = Team.objects.filter(pk=team_id).first()
    if team is None:
        raise ServiceError("not_found", "No such team.", status=404)
    return team


def colleagues_for_agent(*, user: AbstractBaseUser) -> list[AgentProfile]:
    """Agents sharing an inbox with ``user`` (everyone for a manager), for transfer pickers."""
    inbox_ids = inbox_ids_for_agent(user=user)
    return list(
        AgentProfile.objects.select_related("user")
        .filter(user__is_active=True)
        .filter(user__inboxes__in=inbox_ids)
        .distinct()
        .order_by("user__first_name", "user__username")
    )


def canned_responses_for_agent(*, user: AbstractBaseUser) -> list[CannedResponse]:
    """Canned responses offered to ``user``: those of every inbox, and those of its inboxes."""
    qs = CannedResponse.objects.all()
    if not agent_sees_all(user):
        qs = qs.filter(Q(inbox__isnull=True) | Q(inbox__agents=user)).distinct()
    return list(qs.order_by("short_code"))


def canned_response_for_conversation(*, short_code: object, conversation: Conversation) -> CannedResponse:
    """The canned response ``short_code`` usable in ``conversation`` (every inbox's, or its inbox's)."""
    if not isinstance(short_code, str) or not 1 <= len(short_code) <= 32:
        raise ServiceError("invalid", "'short_code' must be a string of 1 to 32 characters.")
    canned = (
        CannedResponse.objects.filter(short_code=short_code.lstrip("/").lower())
        .filter(Q(inbox__isnull=True) | Q(inbox_id=conversation.inbox_id))
        .first()
    )
    if canned is None:
        raise not_found("canned response")
    return canned


def teams_all() -> list[Team]:
    """Every team, by name (the console's transfer picker and the reports' filter)."""
    return list(Team.objects.order_by("name"))


def team_ids_for_agent(*, user: AbstractBaseUser) -> list[int]:
    return list(Team.objects.filter(members=user).values_list("id", flat=True))


def effective_availability(profile: AgentProfile) -> str:
    """What colleagues see: the agent's choice while a console is open, offline once none is."""
    from agents.choices import Availability

    return Availability.OFFLINE if profile.disconnected_at is not None else profile.availability


def availability_on_open(profile: AgentProfile) -> str:
    """The availability an agent has once its console opens: the one it chose, else online."""
    from agents.choices import Availability

    return profile.availability if profile.availability_chosen else Availability.ONLINE


def socket_access_ok(*, user_id: int, session_key: str | None) -> bool:
    """Whether an open agent socket may stay: the user is active, still an agent, and (when the
    socket came with a session) that session still exists: signing out deletes it."""
    if not AgentProfile.objects.filter(user_id=user_id, user__is_active=True).exists():
        return False
    if session_key is None:
        return True
    from importlib import import_module

    from django.conf import settings

    return import_module(settings.SESSION_ENGINE).SessionStore().exists(session_key)
