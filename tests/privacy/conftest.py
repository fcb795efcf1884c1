"""Fixtures of the privacy tests: a media root of their own and a fresh settings cache."""

from __future__ import annotations

import pytest

from privacy import policy


@pytest.fixture(autouse=True)
def fresh_policy_cache():
    """Rolled-back tests may reuse an inbox's id: never read another test's settings."""
    policy.clear()
    yield
    policy.clear()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
