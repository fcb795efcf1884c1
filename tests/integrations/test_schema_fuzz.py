"""Schemathesis against the write API's OpenAPI schema: generated requests (a few per operation,
to keep CI fast) never get a server error nor an answer that breaks the schema."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from chat import services
from chat.models import Tag
from integrations import tokens

WRITE_TAGS = "^(conversations \\(write\\)|contacts|tokens|outside bots|webhooks)$"


def load_schema():
    """The schema as /api/schema/ serves it, generated in-process, called through WSGI."""
    import json

    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    document = json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))
    loaded = schemathesis.openapi.from_dict(document).include(tag_regex=WRITE_TAGS)
    loaded.app = WSGIHandler()
    return loaded


schema = load_schema()


@pytest.fixture(autouse=True)
def keep_connection(db):
    """As Django's test client does: the test's connection stays open between requests."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def no_dns(monkeypatch):
    """Generated webhook URLs name made-up hosts: answer them with a public address, offline."""
    import socket

    from integrations.webhooks import addresses

    def resolve(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port))]

    monkeypatch.setattr(addresses.socket, "getaddrinfo", resolve)


@pytest.fixture
def secret(make_agent, make_contact):
    """An admin-scope token of a manager, and something for it to act on."""
    manager = make_agent("manager", manager=True)
    Tag.objects.create(name="billing")
    services.conversation_start(contact=make_contact().contact, text="hello", client_id="c1")
    return tokens.token_create(user=manager, name="fuzz", scope="admin")[1]


@schema.parametrize()
# Derandomised: the same examples every run, so a run fails for a reason, not for a draw.
@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_write_api_keeps_its_schema(case, secret):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {secret}"},
        checks=[not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance],
    )
