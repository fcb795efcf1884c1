"""The console's endpoints for suggested replies (session auth, the agent's scope).

``GET /api/assist/conversations/<id>/suggestions/`` computes on the assistant's executor: the
view is async, so neither the event loop nor Django's shared thread for sync code (where live
chat's database work runs) waits for the encoder. ``POST /api/assist/suggestions/<id>/`` with
``{"event": "used"}`` or ``{"event": "sent", "edited": true|false}`` records what became of one.
``POST /reports/reasons/<id>/`` (a form on the reports page, managers only) renames, pins,
unpins or merges a contact reason.
"""

from __future__ import annotations

import json

from asgiref.sync import SyncToAsync
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, JsonResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from assist import drafts, reasons, suggesting
from assist.models import ContactReason
from assist.services import suggestion_mark
from assist.suggesting import EXECUTOR, on_own_thread
from chat.api.authentication import ConsoleSessionAuthentication
from chat.errors import ServiceError
from chat.selectors import agent_sees_all, parse_uuid


def _error(status: int, code: str, message: str) -> JsonResponse:
    response = JsonResponse({"error": {"code": code, "message": message}}, status=status)
    if status == 401:  # the same challenge as the agent API's (chat.api.authentication)
        response["WWW-Authenticate"] = ConsoleSessionAuthentication().authenticate_header(None)
    return response


async def _agent(request: HttpRequest):
    user = await request.auser()
    if not user.is_authenticated:
        return None
    return user


async def suggestions_view(request: HttpRequest, public_id: str) -> JsonResponse:
    if request.method != "GET":
        return _error(405, "method_not_allowed", "GET only.")
    user = await _agent(request)
    if user is None:
        return _error(401, "not_authenticated", "Sign in first.")
    work = SyncToAsync(on_own_thread, thread_sensitive=False, executor=EXECUTOR)
    try:
        return JsonResponse(await work(suggesting.suggest_for, user=user, public_id=public_id))
    except ServiceError as error:
        return _error(error.status, error.code, error.message)


async def suggestion_event_view(request: HttpRequest, public_id: str) -> JsonResponse:
    if request.method != "POST":
        return _error(405, "method_not_allowed", "POST only.")
    user = await _agent(request)
    if user is None:
        return _error(401, "not_authenticated", "Sign in first.")
    try:
        body = json.loads(request.body or b"{}")
        event, edited = body["event"], bool(body.get("edited", False))
        assert event in ("used", "sent")
    except (ValueError, KeyError, TypeError, AssertionError):
        return _error(400, "bad_request", 'Send {"event": "used"} or {"event": "sent", "edited": bool}.')
    uid = parse_uuid(public_id)
    if uid is None:
        return _error(404, "not_found", "No such suggestion.")
    try:
        mark = SyncToAsync(on_own_thread, thread_sensitive=False, executor=EXECUTOR)
        row = await mark(suggestion_mark, agent=user, public_id=uid, event=event, edited=edited)
    except ServiceError as error:
        return _error(error.status, error.code, error.message)
    return JsonResponse({"id": str(row.public_id), "used": row.used_at is not None, "sent": row.sent_at is not None})


@login_required
@require_POST
def reason_change_view(request: HttpRequest, reason_id: int) -> HttpResponse:
    """A manager renames, pins, unpins or merges a contact reason, then returns to the reports."""
    if not agent_sees_all(request.user):
        return HttpResponseForbidden()
    reason = ContactReason.objects.filter(pk=reason_id, merged_into__isnull=True).first()
    if reason is None:
        return _error(404, "not_found", "No such reason.")
    action = request.POST.get("action")
    try:
        if action == "rename":
            reasons.reason_rename(reason=reason, name=request.POST.get("name", ""))
        elif action in ("pin", "unpin"):
            reasons.reason_pin(reason=reason, pinned=action == "pin")
        elif action == "merge":
            target = ContactReason.objects.filter(pk=int(request.POST.get("target") or 0)).first()
            if target is None:
                raise ValueError("Choose the reason to merge into.")
            reasons.reason_merge(source=reason, target=target)
        else:
            raise ValueError("Unknown action.")
    except ValueError as error:
        return _error(400, "bad_request", str(error))
    back = request.META.get("HTTP_REFERER", "")
    return redirect(back if url_has_allowed_host_and_scheme(back, {request.get_host()}) else "/reports/#reasons")


@login_required
def reason_draft_view(request: HttpRequest, reason_id: int, kind: str) -> HttpResponse:
    """A manager drafts a canned response or an article from a reason (assist.drafts)."""
    if not agent_sees_all(request.user):
        return HttpResponseForbidden()
    reason = ContactReason.objects.filter(pk=reason_id, merged_into__isnull=True).first()
    if reason is None or kind not in ("canned", "article"):
        return _error(404, "not_found", "No such reason.")
    return redirect(drafts.draft_url(reason, kind))
