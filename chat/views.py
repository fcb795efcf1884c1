"""Pages of the chat app: the landing page and the demo host page that embeds the widget."""

from __future__ import annotations

import uuid

from django.core.signing import SignatureExpired
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from chat import selectors, services
from chat.choices import CsatScale
from chat.errors import ServiceError
from chat.tasks import CHAT_LINK_MAX_AGE, CHAT_LINK_SALT, RATING_LINK_MAX_AGE, RATING_SALT


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "chat/home.html")


def demo(request: HttpRequest) -> HttpResponse:
    """A stand-in for a customer's website: one script tag embeds the widget.

    ``?inbox=<public key>`` picks the inbox; without it, the first active inbox.
    """
    inbox = selectors.inbox_for_demo(public_key=request.GET.get("inbox"))
    if inbox is None:
        raise Http404("No inbox: run `python manage.py seed_demo` or create one in the admin.")
    origin = f"{request.scheme}://{request.get_host()}"
    return render(
        request,
        "chat/demo.html",
        {"inbox": inbox, "origin_allowed": inbox.allows_origin(origin), "origin": origin},
    )


def face(mood: int) -> str:
    """A face as one SVG path, its mouth bent by ``mood`` (-2 to 2): no emoji font needed.
    The widget draws the same faces (static/widget/view.js)."""
    return f"M3 12a9 9 0 1 0 18 0 9 9 0 1 0-18 0M9 9.5h0M15 9.5h0M8 {15 - mood / 2:g}q4 {mood * 2:g} 8 0"


# (score, text shown, face drawn): stars are text (in every font), faces are drawn.
SCALE_CHOICES = {
    CsatScale.EMOJI: [(n, "", face(n - 3)) for n in range(1, 6)],
    CsatScale.STARS: [(n, "★" * n, "") for n in range(1, 6)],
    CsatScale.THUMBS: [(5, "", face(2)), (1, "", face(-2))],
}


@require_http_methods(["GET", "POST"])
def rate(request: HttpRequest, token: str) -> HttpResponse:
    """The survey a visitor reaches from the emailed link (the token names one conversation)."""
    try:
        conversation = selectors.conversation_for_link(token=token, salt=RATING_SALT, max_age=RATING_LINK_MAX_AGE)
    except SignatureExpired:
        return render(request, "chat/rate.html", {"expired": True}, status=410)
    if conversation is None:
        raise Http404("No such survey.")
    inbox = conversation.inbox
    error, done = None, False
    if request.method == "POST":
        try:
            score = int(request.POST.get("score", ""))
        except ValueError:
            score = None
        try:
            services.conversation_rate(
                conversation=conversation,
                contact=conversation.contact,
                score=score,
                comment=request.POST.get("comment", ""),
            )
            done = True
        except ServiceError as exc:
            error = exc.message
    rating = selectors.rating_for_conversation(conversation=conversation)
    return render(
        request,
        "chat/rate.html",
        {
            "conversation": conversation,
            "inbox": inbox,
            "choices": SCALE_CHOICES[inbox.csat_scale],
            "rating": rating,
            "error": error,
            "done": done,
        },
        status=400 if error else 200,
    )


@require_http_methods(["GET", "POST"])
def chat_link(request: HttpRequest, token: str) -> HttpResponse:
    """The conversation a visitor reaches from an emailed link: read it and write in it.

    The signed token names one conversation (chat.tasks.chat_link_token). Replies carry a
    client id minted with the page, so a form sent twice stores the message once.
    """
    try:
        conversation = selectors.conversation_for_link(token=token, salt=CHAT_LINK_SALT, max_age=CHAT_LINK_MAX_AGE)
    except SignatureExpired:
        return render(request, "chat/conversation.html", {"expired": True}, status=410)
    if conversation is None:
        raise Http404("No such conversation.")
    error, status = None, 200
    if request.method == "POST":
        try:
            services.message_send(
                conversation=conversation,
                sender=conversation.contact,
                text=request.POST.get("text", ""),
                client_id=request.POST.get("client_id", ""),
            )
            return redirect(request.path + "#latest")
        except ServiceError as exc:
            error, status = exc.message, 400
    messages = selectors.public_transcript(conversation=conversation)
    return render(
        request,
        "chat/conversation.html",
        {
            "conversation": conversation,
            "inbox": conversation.inbox,
            "messages": messages,
            "client_id": uuid.uuid4().hex,
            "error": error,
            "text": request.POST.get("text", "") if error else "",
        },
        status=status,
    )
