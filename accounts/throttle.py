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

A try is counted before its password is checked and refunded if it succeeds, and a try during the
delays must take the account's turn (SET NX) first: many tries sent at once cannot all slip in
between a check and a count.
"""

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import redis
from django.conf import settings
from django.http import HttpRequest

from core.clientip import client_ip
from core.errors import RoostError, ServiceUnavailable
from core.redis import redis_client

from .devices import device_known

T = TypeVar("T")
# How long an account's failures are remembered (set once, at the first failure).
ACCOUNT_MEMORY_SECONDS = 24 * 3600


class LoginThrottled(RoostError):
    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


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


def _delay_ms(failures: int) -> int:
    over = min(failures - settings.ROOST_LOGIN_MAX_FAILURES, 20)
    return 1000 * min(settings.ROOST_LOGIN_LOCKOUT_SECONDS, settings.ROOST_LOGIN_DELAY_SECONDS * 2**over)


def _count(key: str, ttl: int, step: int = 1) -> int:
    # EXPIRE NX sets the lifetime when the key is made and never again: no try can push it forward
    # (and a refund that finds the key gone does not leave one behind for ever).
    pipe = redis_client().pipeline(transaction=True)
    pipe.incrby(key, step)
    pipe.expire(key, ttl, nx=True)
    return int(pipe.execute()[0])


def _source_throttled(seconds: int) -> LoginThrottled:
    return LoginThrottled(
        f"Too many failed sign-in attempts from your network. Wait {_wait_text(seconds)} and try again.", seconds
    )


def _account_throttled(address: str, wait_ms: int) -> LoginThrottled:
    seconds = max(1, (wait_ms + 999) // 1000)
    return LoginThrottled(
        f"Too many failed sign-in attempts for {address}. Wait {_wait_text(seconds)} and try again, or sign in "
        "from a browser you have used with this account before.",
        seconds,
    )


@dataclass
class _Attempt:
    address: str
    source: tuple[str, int] | None  # the window's key and its lifetime
    failures: int  # the account's failures, counting this try
    holds_turn: bool  # this try took the account's turn during the delays
    delayed: bool  # the account was waiting, and this try came through a known browser


def _begin(*, ip: str | None, address: str, known_device: bool) -> _Attempt:
    source = _source_key(ip, time.time()) if ip else None
    if source and _count(*source) > settings.ROOST_LOGIN_MAX_FAILURES:
        raise _source_throttled(source[1])  # no refund: this window is spent either way
    wait_key = _key("wait", address)
    wait_ms = int(redis_client().pttl(wait_key))
    attempt = _Attempt(address, source, 0, False, wait_ms > 0)
    if wait_ms > 0 and not known_device:
        _refund(attempt)
        raise _account_throttled(address, wait_ms)
    attempt.failures = _count(_key("account", address), ACCOUNT_MEMORY_SECONDS)
    # From the try whose failure starts the delays, each try takes the turn before its check, so
    # tries sent together do not all find the account free.
    if attempt.failures >= settings.ROOST_LOGIN_MAX_FAILURES and not known_device:
        if not redis_client().set(wait_key, 1, px=_delay_ms(attempt.failures), nx=True):
            _refund(attempt)
            raise _account_throttled(address, int(redis_client().pttl(wait_key)))
        attempt.holds_turn = True
    return attempt


def _refund(attempt: _Attempt) -> None:
    """Take back what _begin counted for a try that was no failure."""
    if attempt.source:
        _count(*attempt.source, step=-1)
    if attempt.failures:
        _count(_key("account", attempt.address), ACCOUNT_MEMORY_SECONDS, step=-1)


def _finish(attempt: _Attempt, *, signed_in: bool) -> None:
    if not signed_in:
        if attempt.failures >= settings.ROOST_LOGIN_MAX_FAILURES:
            redis_client().set(_key("wait", attempt.address), 1, px=_delay_ms(attempt.failures))
    elif attempt.delayed:
        # The owner's browser got in during the delays; the guessing elsewhere goes on, so they stay.
        _refund(attempt)
    else:
        if attempt.source:
            _count(*attempt.source, step=-1)
        redis_client().delete(_key("account", attempt.address), _key("wait", attempt.address))


def _unreachable() -> ServiceUnavailable:
    return ServiceUnavailable("Sign-in is unavailable for a moment (Redis cannot be reached). Try again.")


def login_throttled(*, request: HttpRequest | None, address: str, verify: Callable[[], T | None]) -> T | None:
    """Run verify (the password check) unless the address or the client must wait first, and count
    its failure. request is None for doors without HTTP: then only the account is counted."""
    address = address.strip().lower()
    ip = client_ip(request) if request is not None else None
    known = request is not None and device_known(request=request, address=address)
    try:
        attempt = _begin(ip=ip, address=address, known_device=known)
    except redis.RedisError:
        raise _unreachable() from None
    try:
        user = verify()
    except BaseException:
        # The check itself failed (the IMAP server is down, say): that was no wrong password.
        with contextlib.suppress(redis.RedisError):
            _refund(attempt)
            if attempt.holds_turn:
                redis_client().delete(_key("wait", address))
        raise
    try:
        _finish(attempt, signed_in=user is not None)
    except redis.RedisError:
        raise _unreachable() from None
    return user
