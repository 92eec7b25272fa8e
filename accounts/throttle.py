"""Sign-in throttling, called by the authentication backends so that every door (the web login, the
Django admin, DAV Basic auth) counts the same failures.

Two limits, both counted atomically in Redis so every web process sees the same numbers:
- per client address, a fixed window: at most ROOST_LOGIN_MAX_FAILURES failures in each window of
  ROOST_LOGIN_LOCKOUT_SECONDS. The window is part of the key, so counting starts afresh at each
  boundary and no failure can stretch it.
- per account, growing delays: after ROOST_LOGIN_MAX_FAILURES failures, each further failure makes
  the account wait before the next try, ROOST_LOGIN_DELAY_SECONDS doubling up to
  ROOST_LOGIN_LOCKOUT_SECONDS. A browser that has signed in to the account before is let through
  (accounts.devices), so a stranger cannot lock the owner out.
"""

import time
from collections.abc import Callable
from typing import TypeVar

import redis
from django.conf import settings
from django.http import HttpRequest

from core.clientip import client_ip
from core.errors import RoostError, ServiceUnavailable

from .devices import device_known

T = TypeVar("T")
# How long an account's failures are remembered (set once, at the first failure).
ACCOUNT_MEMORY_SECONDS = 24 * 3600
_client: redis.Redis | None = None


class LoginThrottled(RoostError):
    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def _redis() -> redis.Redis:
    global _client
    if _client is None:
        _client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
    return _client


def _key(*parts: object) -> str:
    return ":".join([str(settings.CACHES["default"]["KEY_PREFIX"]), "login", *map(str, parts)])


def _wait_text(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = (seconds + 59) // 60
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def _source_key(ip: str, now: float) -> tuple[str, int]:
    """The key of the current window for ip, and the seconds left in that window."""
    window = settings.ROOST_LOGIN_LOCKOUT_SECONDS
    number = int(now // window)
    return _key("source", ip, number), max(1, int((number + 1) * window - now + 0.999))


def _incr(pipe: "redis.client.Pipeline", key: str, ttl: int) -> None:
    # EXPIRE NX sets the lifetime at the first failure only; later failures never push it forward.
    pipe.incr(key)
    pipe.expire(key, ttl, nx=True)


def _check(*, ip: str | None, address: str, known_device: bool) -> bool:
    """Raise LoginThrottled if this try must wait; returns whether the account is in a delay."""
    now = time.time()
    pipe = _redis().pipeline(transaction=False)
    if ip:
        pipe.get(_source_key(ip, now)[0])
    pipe.pttl(_key("wait", address))
    *source, wait_ms = pipe.execute()
    if source and int(source[0] or 0) >= settings.ROOST_LOGIN_MAX_FAILURES:
        seconds = _source_key(ip or "", now)[1]
        raise LoginThrottled(
            f"Too many failed sign-in attempts from your network. Wait {_wait_text(seconds)} and try again.", seconds
        )
    delayed = wait_ms > 0
    if delayed and not known_device:
        wait = (wait_ms + 999) // 1000
        raise LoginThrottled(
            f"Too many failed sign-in attempts for {address}. Wait {_wait_text(wait)} and try again, or sign in "
            "from a browser you have used with this account before.",
            wait,
        )
    return delayed


def _record_failure(*, ip: str | None, address: str) -> None:
    pipe = _redis().pipeline(transaction=True)
    if ip:
        key, seconds_left = _source_key(ip, time.time())
        _incr(pipe, key, seconds_left)
    _incr(pipe, _key("account", address), ACCOUNT_MEMORY_SECONDS)
    failures = int(pipe.execute()[-2])
    over = failures - settings.ROOST_LOGIN_MAX_FAILURES
    if over >= 0:
        delay = min(settings.ROOST_LOGIN_LOCKOUT_SECONDS, settings.ROOST_LOGIN_DELAY_SECONDS * 2 ** min(over, 20))
        _redis().set(_key("wait", address), 1, ex=max(1, delay))


def _reset(*, address: str) -> None:
    _redis().delete(_key("account", address), _key("wait", address))


def login_throttled(*, request: HttpRequest | None, address: str, verify: Callable[[], T | None]) -> T | None:
    """Run verify (the password check) unless the address or the client must wait first, and count
    its failure. request is None for doors without HTTP: then only the account is counted."""
    address = address.strip().lower()
    ip = client_ip(request) if request is not None else None
    known = request is not None and device_known(request=request, address=address)
    try:
        delayed = _check(ip=ip, address=address, known_device=known)
    except redis.RedisError:
        raise ServiceUnavailable("Sign-in is unavailable for a moment (Redis cannot be reached). Try again.") from None
    user = verify()
    try:
        if user is None:
            _record_failure(ip=ip, address=address)
        elif not delayed:
            # A known browser getting in during a delay says nothing about the guesser elsewhere.
            _reset(address=address)
    except redis.RedisError:
        raise ServiceUnavailable("Sign-in is unavailable for a moment (Redis cannot be reached). Try again.") from None
    return user
