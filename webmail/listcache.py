"""The sorted UID list of a folder, kept in Redis so that page N of a large folder is one cached
slice plus one FETCH. The key holds the folder's stamp: UIDVALIDITY, UIDNEXT and MESSAGES change
whenever its set of messages does; HIGHESTMODSEQ is added only for lists that depend on flags."""

import contextlib
import hashlib
import json
from array import array
from collections.abc import Callable

import redis
from django.conf import settings

from .imap.listing import FolderStamp

TTL_SECONDS = 3600
_client: redis.Redis | None = None


def _redis() -> redis.Redis:
    global _client
    if _client is None:
        _client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
    return _client


def _key(kind: str, user: str, folder: str, stamp: FolderStamp, variant: str, flag_dependent: bool) -> str:
    digest = hashlib.sha256(f"{user}\0{folder}\0{variant}".encode()).hexdigest()[:32]
    parts = [stamp.uidvalidity, stamp.uidnext, stamp.messages]
    if flag_dependent:
        parts.append(stamp.highestmodseq)
    return f"{settings.CACHES['default']['KEY_PREFIX']}:{kind}:{digest}:{':'.join(map(str, parts))}"


def cached_uids(
    *, user: str, folder: str, stamp: FolderStamp, variant: str, flag_dependent: bool, compute: Callable[[], list[int]]
) -> list[int]:
    key = _key("uids", user, folder, stamp, variant, flag_dependent)
    try:
        raw = _redis().get(key)
    except redis.RedisError:
        raw = None
    if raw is not None:
        return list(array("I", raw))  # type: ignore[arg-type]
    uids = compute()
    with contextlib.suppress(redis.RedisError):  # a cache that is down makes lists slower, not wrong
        _redis().set(key, array("I", uids).tobytes(), ex=TTL_SECONDS)
    return uids


def cached_threads(
    *,
    user: str,
    folder: str,
    stamp: FolderStamp,
    variant: str,
    flag_dependent: bool,
    compute: Callable[[], list[list[int]]],
) -> list[list[int]]:
    key = _key("threads", user, folder, stamp, variant, flag_dependent)
    try:
        raw = _redis().get(key)
    except redis.RedisError:
        raw = None
    if raw is not None:
        return json.loads(raw)
    threads = compute()
    with contextlib.suppress(redis.RedisError):
        _redis().set(key, json.dumps(threads, separators=(",", ":")), ex=TTL_SECONDS)
    return threads
