"""The agent console page; its data arrives over the agent socket and the REST API."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from agents.models import Team
from agents.selectors import colleagues_for_agent, profile_for_user


@login_required
def console(request: HttpRequest) -> HttpResponse:
    profile = profile_for_user(user=request.user)
    if profile is None:
        return render(request, "agents/not_agent.html", status=403)
    return render(
        request,
        "agents/console.html",
        {
            "profile": profile,
            "colleagues": [p for p in colleagues_for_agent(user=request.user) if p.user_id != request.user.pk],
            "teams": Team.objects.all(),
        },
    )
