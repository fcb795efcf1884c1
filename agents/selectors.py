"""Reads of the agent side, scoped to the asking agent."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser

from agents.models import AgentProfile, Team
from chat.errors import ServiceError


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
    works_inbox = user.is_superuser or user.has_perm("chat.view_all_conversations")
    if not (works_inbox or user.inboxes.filter(pk=inbox_id).exists()):
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
    from chat.selectors import inbox_ids_for_agent

    inbox_ids = inbox_ids_for_agent(user=user)
    return list(
        AgentProfile.objects.select_related("user")
        .filter(user__is_active=True)
        .filter(user__inboxes__in=inbox_ids)
        .distinct()
        .order_by("user__first_name", "user__username")
    )
