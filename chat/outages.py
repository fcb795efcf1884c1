"""What the sockets and the API do while PostgreSQL is unreachable (docs/protocol.md, docs/deploy.md).

A call that finds the database gone fails fast (the connect timeout, the pool's wait, a broken
connection) with ``OperationalError`` or ``InterfaceError``. Those are caught in one place per
entry point (the socket base, the handshake guard, the API's error handler), which calls
``database_failed``: the sender gets ``unavailable`` with ``retry_after`` and nothing was done.

While the database is down, new socket handshakes are refused at once (close code 4503) instead of
each waiting for its own failure. One probe thread per process then checks the database every
``PROBE_SECONDS``, purging broken pooled connections first, and clears the outage as soon as a
``SELECT 1`` answers: recovery needs no restart. Idempotency by ``client_id`` makes the clients'
retries safe: a send that was in fact stored answers ``duplicate`` on its retry.
"""

from __future__ import annotations

import logging
import threading
import time

from django.db import InterfaceError, OperationalError, connections

from chat.errors import ServiceError

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER = 2  # seconds a client waits before retrying
PROBE_SECONDS = 0.25
CLOSE_TRY_AGAIN_LATER = 4503  # a handshake refused during an outage (think HTTP 503); retry_after says when

_lock = threading.Lock()
_state: dict[str, object] = {"down_since": None, "probe": None}


def unavailable() -> ServiceError:
    return ServiceError(
        "unavailable",
        "The service cannot reach its database for a moment; nothing was done. Retry shortly.",
        status=503,
        retry_after=RETRY_AFTER,
    )


def database_down() -> bool:
    """True while an outage noted by ``database_failed`` has not been cleared by the probe."""
    return _state["down_since"] is not None


def database_failed(exc: BaseException) -> None:
    """Note a failed database call (any thread): log the outage once and start the probe."""
    with _lock:
        if _state["down_since"] is None:
            _state["down_since"] = time.monotonic()
            logger.warning("the database is unreachable (%r); refusing new sockets until it answers", exc)
        probe = _state["probe"]
        if probe is None or not probe.is_alive():
            probe = threading.Thread(target=_probe, name="database-probe", daemon=True)
            _state["probe"] = probe
            probe.start()


def _probe() -> None:
    """Until the database answers: purge broken pooled connections, try ``SELECT 1``, wait."""
    while True:
        time.sleep(PROBE_SECONDS)
        if _answers():
            break
    with _lock:
        _state["probe"] = None
    database_answered()


def database_answered() -> None:
    """A database call worked (the probe's, or /healthz's): the outage, if any, is over."""
    if _state["down_since"] is None:
        return
    with _lock:
        started, _state["down_since"] = _state["down_since"], None
    if started is not None:
        logger.warning("the database answers again after %.1f s", time.monotonic() - started)


def _answers() -> bool:
    connection = connections["default"]
    try:
        pool = getattr(connection, "pool", None) if connection.vendor == "postgresql" else None
        if pool is not None:
            pool.check()  # drops the pool's connections that the outage broke
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception as exc:  # still down (any failure counts)
        logger.debug("database probe: %r", exc)
        return False
    finally:
        try:
            connection.close()
        except Exception as exc:  # a broken connection may fail to close; it is dropped either way
            logger.debug("closing the probe's connection: %r", exc)
