"""Django's Redis cache, failing open: an unreachable Redis reads as an empty cache.

The cache holds only budgets (REST throttles, creation limits): counters that protect the
service, never data. While Redis is unreachable, a request or a socket frame must not fail
because a counter cannot be read (issue: "no 500s"), so reads answer the default, writes are
dropped, and the budgets are not enforced until Redis answers again. The first failure of an
outage is logged once, and the recovery once (docs/deploy.md, "Faults and recovery").
"""

from __future__ import annotations

import functools
import logging
import threading

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

_state = {"down": False}
_lock = threading.Lock()


def _note(ok: bool, exc: BaseException | None = None) -> None:
    with _lock:
        if ok == (not _state["down"]):
            return
        _state["down"] = not ok
    if ok:
        logger.warning("the cache's Redis answers again; budgets are enforced again")
    else:
        logger.warning("the cache's Redis is unreachable (%r); budgets are not enforced until it answers", exc)


def _fail_open(fallback):
    """Wrap a client method: on a Redis or socket error, note the outage and return ``fallback(...)``."""

    def wrap(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            try:
                result = method(self, *args, **kwargs)
            except (RedisError, OSError) as exc:
                _note(False, exc)
                return fallback(*args, **kwargs)
            if _state["down"]:
                _note(True)
            return result

        return wrapper

    return wrap


class FailOpenRedisCacheClient(RedisCacheClient):
    add = _fail_open(lambda key, value, timeout: True)(RedisCacheClient.add)  # "added": no incr follows
    get = _fail_open(lambda key, default: default)(RedisCacheClient.get)
    set = _fail_open(lambda key, value, timeout: None)(RedisCacheClient.set)
    touch = _fail_open(lambda key, timeout: False)(RedisCacheClient.touch)
    delete = _fail_open(lambda key: False)(RedisCacheClient.delete)
    get_many = _fail_open(lambda keys: {})(RedisCacheClient.get_many)
    has_key = _fail_open(lambda key: False)(RedisCacheClient.has_key)
    incr = _fail_open(lambda key, delta: delta)(RedisCacheClient.incr)
    set_many = _fail_open(lambda data, timeout: [])(RedisCacheClient.set_many)
    delete_many = _fail_open(lambda keys: None)(RedisCacheClient.delete_many)


class FailOpenRedisCache(RedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = FailOpenRedisCacheClient
