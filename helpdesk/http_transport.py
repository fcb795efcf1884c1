"""Daphne leaves request bodies to Django: a malformed multipart body gets the API's error body.

Twisted, under daphne, parses every POST form body itself before the application sees it, to
fill arguments daphne never reads; a multipart body it cannot parse (an empty upload, a body
with no parts) was answered there with HTTP 400 and an empty body, so the client never got the
documented ``{"error": ...}`` (docs/api.md). Twisted has a switch for that parsing; it is turned
off here, once, when the application is imported (daphne imports it before serving). Django and
DRF parse the body, as they do under any other server. tests/faults/test_bad_input.py fails if a
daphne or Twisted upgrade undoes this.
"""

from __future__ import annotations


def leave_bodies_to_django() -> bool:
    """Stop daphne's HTTP requests from parsing form bodies; True when applied."""
    try:
        from daphne.http_protocol import WebRequest
    except ImportError:  # another ASGI server passes the body through untouched
        return False
    if getattr(WebRequest, "_leaves_bodies", False):
        return True
    init = WebRequest.__init__

    def __init__(self, *args, **kwargs) -> None:
        init(self, *args, **kwargs)
        self._parsePOSTFormSubmission = False  # Twisted's switch (twisted.web.http.Request)

    WebRequest.__init__ = __init__
    WebRequest._leaves_bodies = True
    return True
