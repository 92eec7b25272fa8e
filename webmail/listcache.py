"""The sorted UID list of a folder, kept in Redis so that page N of a large folder is one cached
slice plus one FETCH. The key holds the folder's stamp: UIDVALIDITY, UIDNEXT and MESSAGES change
whenever its set of messages does; HIGHESTMODSEQ is added only for lists that depend on flags. A
server without CONDSTORE has no HIGHESTMODSEQ, and nothing else in STATUS changes with every flag
change, so those lists are not cached there at all: slower, never stale."""

import contextlib
import hashlib
import json
from array import array
from collections.abc import Callable
from typing import TypeVar

import redis
from django.conf import settings

from core.redis import redis_client

from .imap.listing import FolderStamp

TTL_SECONDS = 3600
T = TypeVar("T")


def _key(kind: str, user: str, folder: str, stamp: FolderStamp, variant: str, flag_dependent: bool) -> str | None:
    if flag_dependent and stamp.highestmodseq is None:
        return None
    digest = hashlib.sha256(f"{user}\0{folder}\0{variant}".encode()).hexdigest()[:32]
    parts = [stamp.uidvalidity, stamp.uidnext, stamp.messages]
    if flag_dependent and stamp.highestmodseq is not None:
        parts.append(stamp.highestmodseq)
    return f"{settings.CACHES['default']['KEY_PREFIX']}:{kind}:{digest}:{':'.join(map(str, parts))}"


def _cached(key: str | None, compute: Callable[[], T], encode: Callable[[T], bytes], decode: Callable[[bytes], T]) -> T:
    if key is None:
        return compute()
    try:
        raw = redis_client().get(key)
    except redis.RedisError:
        raw = None
    if isinstance(raw, bytes):
        return decode(raw)
    value = compute()
    with contextlib.suppress(redis.RedisError):  # a cache that is down makes lists slower, not wrong
        redis_client().set(key, encode(value), ex=TTL_SECONDS)
    return value


def cached_uids(
    *, user: str, folder: str, stamp: FolderStamp, variant: str, flag_dependent: bool, compute: Callable[[], list[int]]
) -> list[int]:
    key = _key("uids", user, folder, stamp, variant, flag_dependent)
    return _cached(key, compute, lambda uids: array("I", uids).tobytes(), lambda raw: list(array("I", raw)))


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
    return _cached(key, compute, lambda threads: json.dumps(threads, separators=(",", ":")).encode(), json.loads)
