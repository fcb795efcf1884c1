"""The bot answers from the knowledge fixtures of tests/knowledge."""

from tests.knowledge.conftest import kb  # noqa: F401  (a fixture, shared)
