"""The page where a signed-in user manages their own API tokens: create (the secret is shown on
the answer page only, never again), list with last use, revoke. Writes go through
``integrations.tokens``."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from chat import clock
from chat.errors import ServiceError
from integrations import tokens
from integrations.choices import Scope

EXPIRY_DAYS = (0, 7, 30, 90, 365)  # 0: never


def _context(request: HttpRequest, **extra) -> dict:
    staff = request.user.is_staff or request.user.is_superuser
    scopes = [(value, label) for value, label in Scope.choices if staff or value != Scope.ADMIN]
    return {
        "tokens": tokens.tokens_for_user(user=request.user)[:100],
        "scopes": scopes,
        "expiry_days": EXPIRY_DAYS,
        "now": clock.now(),
        **extra,
    }


@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return render(request, "integrations/tokens.html", _context(request))
    if request.POST.get("revoke"):
        try:
            token = tokens.token_for_user(user=request.user, public_id=request.POST["revoke"])
        except ServiceError:
            return render(request, "integrations/tokens.html", _context(request, error=_("No such token.")), status=404)
        tokens.token_revoke(token=token)
        return redirect("api-tokens")
    try:
        days = int(request.POST.get("expires_in_days") or 0)
    except ValueError:
        days = -1
    if days not in EXPIRY_DAYS:
        return render(request, "integrations/tokens.html", _context(request, error=_("Choose an expiry.")), status=400)
    try:
        token, secret = tokens.token_create(
            user=request.user,
            name=request.POST.get("name", ""),
            scope=request.POST.get("scope", ""),
            expires_at=clock.now() + timedelta(days=days) if days else None,
        )
    except ServiceError as exc:
        return render(request, "integrations/tokens.html", _context(request, error=exc.message), status=exc.status)
    response = render(request, "integrations/tokens.html", _context(request, created=token, secret=secret))
    response["Cache-Control"] = "no-store"  # the secret must not stay in any cache
    return response
