"""REST throttling: a budget of requests per caller, shared by every process through the cache.

Agents are counted per user; widget calls per contact token (its hash, never the token) and, in
a second budget, per address, so that minting fresh tokens does not buy fresh budgets. The rates
are settings (``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]``); a refusal is the ``rate_limited``
error with ``retry_after`` seconds (chat/api/errors.py).
"""

from __future__ import annotations

import hashlib

from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle


class CallerRateThrottle(SimpleRateThrottle):
    """Per signed-in agent (scope ``agent``), or per contact token on the widget API (``widget``)."""

    def get_cache_key(self, request: Request, view) -> str | None:
        user = getattr(request, "user", None)
        if user is not None and getattr(user, "is_authenticated", False):
            self.scope = "agent"
            ident = f"user:{user.pk}"
        else:
            scheme, _, token = request.headers.get("Authorization", "").partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                return None  # the address budget below still applies; the view refuses it anyway
            self.scope = "widget"
            ident = "token:" + hashlib.sha256(token.strip().encode("utf-8", "replace")).hexdigest()[:32]
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def __init__(self) -> None:  # the scope, and so the rate, is chosen per request
        self.rate = None

    def allow_request(self, request: Request, view) -> bool:
        if self.get_cache_key(request, view) is None:  # also picks this request's scope and rate
            return True
        return super().allow_request(request, view)


class AddressRateThrottle(SimpleRateThrottle):
    """Per client address, for requests without a signed-in agent (scope ``address``)."""

    scope = "address"

    def get_cache_key(self, request: Request, view) -> str | None:
        user = getattr(request, "user", None)
        if user is not None and getattr(user, "is_authenticated", False):
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
