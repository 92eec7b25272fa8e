"""The one raw Redis client of a process, for what Django's cache API cannot say (atomic pipelines,
millisecond expiries, binary values). Made on first use, with short timeouts: callers decide what a
Redis that is down means for them."""

import redis
from django.conf import settings

_client: redis.Redis | None = None


def redis_client() -> redis.Redis:
    global _client
    if _client is None:
        _client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
    return _client
