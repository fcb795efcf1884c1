"""Settings come from the environment (rule 8): each case runs Django in a fresh process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Every variable the settings read; each case starts from none of them.
SETTINGS_VARIABLES = {
    "HELPDESK_ENV",
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "DATABASE_URL",
    "DB_CONN_MAX_AGE",
    "SQLITE_PATH",
    "TEST_DATABASE_NAME",
    "REDIS_URL",
    "CHANNEL_PREFIX",
    "SECURE_COOKIES",
    "DJANGO_SETTINGS_MODULE",
    "TRUST_X_FORWARDED_PROTO",
    "SECURE_SSL_REDIRECT",
    "HELPDESK_HSTS_SECONDS",
    "HELPDESK_HSTS_INCLUDE_SUBDOMAINS",
    "HELPDESK_HSTS_PRELOAD",
}
GOOD_KEY = "k3y-for-tests-only-" + "x" * 40
PRODUCTION = {"HELPDESK_ENV": "production", "SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "help.example.com,api.example.com"}

PRINT_SETTINGS = """
import json, django
django.setup()
from django.conf import settings
db = settings.DATABASES["default"]
layer = settings.CHANNEL_LAYERS["default"]
print(json.dumps({
    "engine": db["ENGINE"], "name": str(db["NAME"]), "host": db.get("HOST"), "port": db.get("PORT"),
    "user": db.get("USER"), "conn_max_age": db.get("CONN_MAX_AGE"), "test_name": db.get("TEST", {}).get("NAME"),
    "layer": layer["BACKEND"], "layer_config": layer.get("CONFIG"),
    "debug": settings.DEBUG, "allowed_hosts": settings.ALLOWED_HOSTS,
    "session_cookie_secure": settings.SESSION_COOKIE_SECURE, "env": settings.HELPDESK_ENV,
}))
"""


def run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
    clean.update(DJANGO_SETTINGS_MODULE="helpdesk.settings", **env)
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60, check=False
    )


def loaded(**env: str) -> dict:
    result = run(["-c", PRINT_SETTINGS], **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def refused(**env: str) -> str:
    """Django refuses to start; returns the last line of the error (what an operator reads)."""
    result = run(["manage.py", "check"], **env)
    assert result.returncode != 0, result.stdout
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("django.core.exceptions.ImproperlyConfigured: "), result.stderr
    return last.removeprefix("django.core.exceptions.ImproperlyConfigured: ")


def test_no_database_url_means_sqlite_beside_manage_py():
    settings = loaded()
    assert settings["engine"] == "django.db.backends.sqlite3"
    assert settings["name"] == str(ROOT / "db.sqlite3")
    assert settings["env"] == "development" and settings["debug"] is True


def test_sqlite_path_moves_the_file(tmp_path):
    assert loaded(SQLITE_PATH=str(tmp_path / "x.sqlite3"))["name"] == str(tmp_path / "x.sqlite3")


def test_database_url_means_postgresql():
    settings = loaded(
        DATABASE_URL="postgres://helper:s3cret@db.internal:6543/desk", DB_CONN_MAX_AGE="0", TEST_DATABASE_NAME="t_x"
    )
    assert settings["engine"] == "django.db.backends.postgresql"
    assert (settings["name"], settings["host"], settings["port"], settings["user"]) == (
        "desk",
        "db.internal",
        6543,
        "helper",
    )
    assert settings["conn_max_age"] == 0
    assert settings["test_name"] == "t_x"


def test_no_redis_url_means_the_in_memory_layer():
    assert loaded()["layer"] == "channels.layers.InMemoryChannelLayer"


def test_redis_url_means_the_pubsub_layer():
    settings = loaded(REDIS_URL="redis://cache.internal:6380/2", CHANNEL_PREFIX="desk-a")
    assert settings["layer"] == "channels_redis.pubsub.RedisPubSubChannelLayer"
    assert settings["layer_config"] == {
        "hosts": [{"address": "redis://cache.internal:6380/2", "socket_connect_timeout": 1.0}],
        "prefix": "desk-a",
    }


def test_production_refuses_the_development_secret_key():
    message = refused(HELPDESK_ENV="production", ALLOWED_HOSTS="help.example.com")
    assert "Production refuses the development SECRET_KEY" in message
    assert "set SECRET_KEY to 32+ random characters" in message


def test_production_refuses_a_short_secret_key():
    assert "SECRET_KEY" in refused(HELPDESK_ENV="production", SECRET_KEY="short", ALLOWED_HOSTS="help.example.com")


@pytest.mark.parametrize("hosts", ["*", "help.example.com,*", ""])
def test_production_refuses_wildcard_or_empty_allowed_hosts(hosts):
    message = refused(HELPDESK_ENV="production", SECRET_KEY=GOOD_KEY, ALLOWED_HOSTS=hosts)
    assert "ALLOWED_HOSTS" in message and "wildcard or empty" in message


def test_production_refuses_debug():
    message = refused(HELPDESK_ENV="production", SECRET_KEY=GOOD_KEY, ALLOWED_HOSTS="help.example.com", DEBUG="true")
    assert message == "Production refuses DEBUG=true"


def test_unclear_values_are_refused_by_name():
    assert "DEBUG must be true or false, not 'maybe'" in refused(DEBUG="maybe")
    assert "HELPDESK_ENV must be 'development' or 'production'" in refused(HELPDESK_ENV="staging")


@pytest.mark.parametrize("missing", ["DATABASE_URL", "REDIS_URL"])
def test_production_refuses_the_embedded_backends(missing):
    env = {**PRODUCTION, "DATABASE_URL": "postgres://desk@db.internal/desk", "REDIS_URL": "redis://cache.internal/0"}
    del env[missing]
    assert missing in refused(**env)


def test_production_starts_with_a_proper_key_and_hosts():
    env = {**PRODUCTION, "DATABASE_URL": "postgres://desk@db.internal/desk", "REDIS_URL": "redis://cache.internal/0"}
    result = run(["manage.py", "check"], **env)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
    settings = loaded(**env)
    assert settings["debug"] is False
    assert settings["allowed_hosts"] == ["help.example.com", "api.example.com"]
    assert settings["session_cookie_secure"] is True


def test_check_deploy_is_clean_with_the_documented_production_settings():
    documented = (ROOT / "docs" / "deploy.md").read_text()
    block = documented.split("HELPDESK_ENV=production", 1)[1].split("```", 1)[0]
    env = dict(line.split("=", 1) for line in block.splitlines() if "=" in line and not line.startswith("#"))
    env.update(HELPDESK_ENV="production", SECRET_KEY=GOOD_KEY)  # the placeholder key is refused, as it should be
    env["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/postgres"  # parsed, never connected to by check
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
