"""An agent's open consoles follow their account at once, not when the socket happens to end.

The agent socket checks the session once, at its handshake; a socket may then live for hours.
So every change of access is told to the agent's own group (``agent.<id>``) after commit, as an
internal event that the socket acts on and never relays (agents.consumers):

- signed out: that session's sockets close with 4003;
- deactivated, deleted, no longer an agent, or the password changed: every socket of the agent
  closes with 4003 (the console reconnects at once, and the handshake decides: a session that is
  still valid, such as the one that changed the password, comes straight back);
- added to or removed from an inbox, or given or denied the permission to see every inbox: the
  sockets leave and join inbox groups to match, without reconnecting.

The console's ping is the safety net for a lost event: each one re-checks the session (agents.
consumers), so a revoked socket closes within one ping interval even if the layer dropped it.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_out
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver

from agents.models import AgentProfile
from chat import realtime
from chat.models import Inbox

ACCESS_EVENT = "agent.access"  # internal: acted on by the agent socket, never sent to a console
CLOSE_ACCESS_REVOKED = 4003


def access_changed(*, user_id: int, revoke: bool, session_key: str | None = None) -> None:
    """Tell the agent's sockets, after commit: close (``revoke``; one session or all) or regroup."""
    realtime.broadcast(
        [realtime.agent_group(user_id)], {"type": ACCESS_EVENT, "revoke": revoke, "session": session_key}
    )


User = get_user_model()


@receiver(user_logged_out)
def close_sockets_of_the_session(sender, request, user, **kwargs) -> None:
    if user is not None and getattr(request, "session", None) is not None:
        access_changed(user_id=user.pk, revoke=True, session_key=request.session.session_key)


@receiver(pre_save, sender=User)
def remember_access_before_save(sender, instance, update_fields=None, **kwargs) -> None:
    if instance.pk is None or (update_fields is not None and not {"password", "is_active"} & set(update_fields)):
        instance._access_before = None
        return
    instance._access_before = sender.objects.filter(pk=instance.pk).values("password", "is_active").first()


@receiver(post_save, sender=User)
def close_sockets_when_access_ends(sender, instance, created, **kwargs) -> None:
    before: dict[str, Any] | None = getattr(instance, "_access_before", None)
    if created or before is None:
        return
    if (before["is_active"] and not instance.is_active) or before["password"] != instance.password:
        access_changed(user_id=instance.pk, revoke=True)


@receiver(post_delete, sender=User)
@receiver(post_delete, sender=AgentProfile)
def close_sockets_of_a_removed_agent(sender, instance, **kwargs) -> None:
    access_changed(user_id=instance.user_id if isinstance(instance, AgentProfile) else instance.pk, revoke=True)


def _regroup(user_ids) -> None:
    for user_id in user_ids or ():
        access_changed(user_id=user_id, revoke=False)


@receiver(m2m_changed, sender=Inbox.agents.through)
def regroup_on_inbox_membership(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    if action == "pre_clear":  # the members are gone by post_clear: remember them now
        instance._cleared_agents = [instance.pk] if reverse else list(instance.agents.values_list("pk", flat=True))
    elif action in ("post_add", "post_remove"):
        _regroup([instance.pk] if reverse else pk_set)
    elif action == "post_clear":
        _regroup(getattr(instance, "_cleared_agents", []))


@receiver(m2m_changed, sender=User.user_permissions.through)
@receiver(m2m_changed, sender=User.groups.through)
def regroup_on_permissions(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    """Granting or denying "see every inbox" (directly or through a group) changes the inbox groups."""
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if isinstance(instance, User):
        _regroup([instance.pk])
    elif action != "post_clear":  # a group or permission that gained or lost users
        _regroup(pk_set)
