"""The agent console page; its data arrives over the agent socket and the REST API.

The page itself carries only what does not change during a shift (who the agent is, the
colleagues, teams and inboxes for the pickers and filters); the conversations come with the
socket's ``hello`` and its events, so loading costs a fixed number of queries.

``/console/c/<id>/`` opens one conversation (the reports' drill-downs link there). A manager
without an agent profile reads it there read-only: the agent socket, which carries every action,
is for agents (docs/console.md, "Opening a conversation by its address").
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from agents.selectors import (
    availability_on_open,
    colleagues_for_agent,
    effective_availability,
    profile_for_user,
    teams_all,
)
from chat.errors import ServiceError
from chat.selectors import agent_sees_all, conversation_for_agent, inboxes_for_agent


@login_required
def console(request: HttpRequest, public_id: str | None = None) -> HttpResponse:
    profile = profile_for_user(user=request.user)
    manager = agent_sees_all(request.user)
    if profile is None and not (manager and public_id):
        return render(request, "agents/not_agent.html", status=403)
    opening = None
    if public_id is not None:
        try:  # scoped like every read: an inbox the user does not see answers 404
            opening = conversation_for_agent(user=request.user, public_id=public_id, related=())
        except ServiceError as error:
            raise Http404(error.message) from error
    if profile is None:  # a manager who is not an agent: this one conversation, read-only
        return render(request, "agents/console.html", {"read_only": True, "manager": True, "open": opening})
    colleagues = [p for p in colleagues_for_agent(user=request.user) if p.user_id != request.user.pk]
    for colleague in colleagues:
        colleague.shown_availability = effective_availability(colleague)
    return render(
        request,
        "agents/console.html",
        {
            "profile": profile,
            "availability": availability_on_open(profile),  # what the socket's hello will confirm
            "manager": manager,
            "open": opening,
            "read_only": False,
            "colleagues": colleagues,
            "mentionable": [{"id": p.user_id, "username": p.user.get_username(), "name": p.name} for p in colleagues],
            "teams": teams_all(),
            "inboxes": inboxes_for_agent(user=request.user),
            "console_settings": {
                "away_after_seconds": settings.HELPDESK.get("CONSOLE_AWAY_AFTER_SECONDS", 600),
                "max_upload_bytes": settings.HELPDESK.get("MAX_UPLOAD_BYTES", 0),
            },
        },
    )
