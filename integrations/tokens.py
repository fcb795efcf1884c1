"""API tokens: create (the secret is returned once), revoke, and authenticate.

A token reads ``hd_<prefix>_<secret>``; the database keeps the prefix (to tell tokens apart) and
the SHA-256 of the whole token. A request with a token acts as the token's user, through the same
selectors and services as the console, limited further by the token's scope.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q

from chat import clock
from chat.errors import ServiceError, invalid
from chat.tokens import hash_secret
from integrations.choices import SCOPE_RANK, Scope
from integrations.models import ApiToken

PREFIX = "hd_"
MAX_TOKENS_PER_USER = 50
# last_used_at is written at most this often per token, so that busy tokens do not write per request.
LAST_USE_RESOLUTION = timedelta(seconds=60)


def token_create(
    *, user: AbstractBaseUser, name: str, scope: str, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """A new token of ``user``; returns the row and the secret, which is never shown again.

    The admin scope is for staff only; a token never does more than its user may.
    """
    if not isinstance(name, str) or not name.strip() or len(name) > 100:
        raise invalid("name must be a non-blank string of at most 100 characters.")
    if scope not in Scope.values:
        raise invalid(f"scope must be one of {', '.join(Scope.values)}.")
    if scope == Scope.ADMIN and not (user.is_staff or user.is_superuser):
        raise ServiceError("forbidden", "Only staff may hold admin tokens.", status=403)
    if expires_at is not None and expires_at <= clock.now():
        raise invalid("expires_at must be in the future.")
    if ApiToken.objects.filter(user=user, revoked_at__isnull=True).count() >= MAX_TOKENS_PER_USER:
        raise ServiceError("too_many_tokens", f"Revoke a token first: at most {MAX_TOKENS_PER_USER}.", status=409)
    prefix = secrets.token_hex(4)
    secret = f"{PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=user,
        name=name.strip(),
        scope=scope,
        prefix=prefix,
        secret_hash=hash_secret(secret),
        expires_at=expires_at,
    )
    return token, secret


def token_revoke(*, token: ApiToken) -> ApiToken:
    """Refuse the token from now on (idempotent)."""
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=token.revoked_at)
    return token


def token_authenticate(secret: str) -> ApiToken | None:
    """The live token ``secret`` names (not revoked, not expired, its user active), noting its use."""
    if not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    now = clock.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(secret_hash=hash_secret(secret), revoked_at__isnull=True, user__is_active=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .first()
    )
    if token is None:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USE_RESOLUTION:
        token.last_used_at = now
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def scope_allows(token: ApiToken, needed: str) -> bool:
    return SCOPE_RANK[Scope(token.scope)] >= SCOPE_RANK[Scope(needed)]


def tokens_for_user(*, user: AbstractBaseUser):
    return ApiToken.objects.filter(user=user).order_by("-created_at")


def token_for_user(*, user: AbstractBaseUser, public_id: object) -> ApiToken:
    from chat.selectors import parse_uuid

    uid = parse_uuid(public_id)
    token = ApiToken.objects.filter(user=user, public_id=uid).first() if uid else None
    if token is None:
        raise ServiceError("not_found", "No such token.", status=404)
    return token
