"""Secret and public handles: minted here, stored hashed where they are secrets."""

import hashlib
import secrets


def mint_secret() -> str:
    """A 256-bit URL-safe secret, shown to its owner once and stored only as a hash."""
    return secrets.token_urlsafe(32)


def mint_public_key() -> str:
    """A 128-bit public handle (not a secret, but unguessable)."""
    return secrets.token_urlsafe(16)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()
