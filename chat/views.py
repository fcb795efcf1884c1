"""Pages of the chat app: the landing page and the demo host page that embeds the widget."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from chat.models import Inbox


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "chat/home.html")


def demo(request: HttpRequest) -> HttpResponse:
    """A stand-in for a customer's website: one script tag embeds the widget.

    ``?inbox=<public key>`` picks the inbox; without it, the first active inbox.
    """
    key = request.GET.get("inbox")
    inboxes = Inbox.objects.filter(is_active=True)
    inbox = inboxes.filter(public_key=key).first() if key else inboxes.order_by("id").first()
    if inbox is None:
        raise Http404("No inbox: run `python manage.py seed_demo` or create one in the admin.")
    origin = f"{request.scheme}://{request.get_host()}"
    return render(
        request,
        "chat/demo.html",
        {"inbox": inbox, "origin_allowed": inbox.allows_origin(origin), "origin": origin},
    )
