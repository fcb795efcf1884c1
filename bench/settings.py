"""Settings of the bench servers: the helpdesk's own, with the channel layer picked by BENCH_LAYER.

``BENCH_LAYER=pubsub`` is channels-redis' Pub/Sub layer, ``BENCH_LAYER=core`` its core layer
(sorted sets and BZPOPMIN); unset keeps whatever ``helpdesk.settings`` chose.
"""

import os

from helpdesk.settings import *  # noqa: F403
from helpdesk.settings import CHANNEL_LAYERS, REDIS_URL

LAYER_BACKENDS = {
    "pubsub": "channels_redis.pubsub.RedisPubSubChannelLayer",
    "core": "channels_redis.core.RedisChannelLayer",
}

_layer = os.environ.get("BENCH_LAYER", "")
if _layer:
    if not REDIS_URL:
        raise RuntimeError("BENCH_LAYER needs REDIS_URL")
    CHANNEL_LAYERS["default"]["BACKEND"] = LAYER_BACKENDS[_layer]
