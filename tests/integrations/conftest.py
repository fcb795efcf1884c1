"""Fixtures of the integrations tests: API clients that carry a token."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from integrations import tokens


@pytest.fixture
def token_client(db):
    """``token_client(user, scope)``: a DRF client sending that user's new token of ``scope``."""

    def make(user, scope: str = "write", **kwargs) -> APIClient:
        token, secret = tokens.token_create(user=user, name=f"{scope} token", scope=scope, **kwargs)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
        client.token = token
        client.secret = secret
        return client

    return make
