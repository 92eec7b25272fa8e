"""Login throttling: too many failures for one address, or from one client address, lock out for a while.

Counts live in the shared cache, so every web process sees the same numbers.
"""

import time

from django.conf import settings
from django.core.cache import cache

from core.errors import RoostError


class LoginThrottled(RoostError):
    def __init__(self, retry_after: int) -> None:
        minutes = max(1, (retry_after + 59) // 60)
        super().__init__(
            f"Too many failed sign-in attempts. Wait {minutes} minute{'s' if minutes != 1 else ''} and try again."
        )
        self.retry_after = retry_after


def _keys(address: str, client_ip: str) -> list[str]:
    return [f"login-fail:addr:{address.lower()}", f"login-fail:ip:{client_ip}"]


def login_throttle_check(*, address: str, client_ip: str) -> None:
    now = time.time()
    for key in _keys(address, client_ip):
        entry = cache.get(key)
        if entry and entry["count"] >= settings.ROOST_LOGIN_MAX_FAILURES:
            retry_after = int(entry["first"] + settings.ROOST_LOGIN_LOCKOUT_SECONDS - now)
            if retry_after > 0:
                raise LoginThrottled(retry_after)


def login_throttle_record_failure(*, address: str, client_ip: str) -> None:
    window = settings.ROOST_LOGIN_LOCKOUT_SECONDS
    for key in _keys(address, client_ip):
        entry = cache.get(key) or {"count": 0, "first": time.time()}
        entry["count"] += 1
        cache.set(key, entry, timeout=window)


def login_throttle_reset(*, address: str) -> None:
    cache.delete(_keys(address, "")[0])
