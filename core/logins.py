"""A counter per user that moves on at sign-out and at a password change.

Connections that were opened for a user and are kept for reuse (the IMAP pool of every web and
worker process) note the generation they were opened under and are dropped once it has moved on.
It lives in Redis because those pools are in other processes; the layers that end a login
(accounts, mailadmin) call login_generation_bump without knowing who keeps connections.
"""

import logging

from django.core.cache import cache

log = logging.getLogger(__name__)
TTL_SECONDS = 30 * 24 * 3600  # longer than any pooled connection lives; a lost counter restarts at 0


def _key(username: str) -> str:
    return f"login-generation:{username.lower()}"


def login_generation(*, username: str) -> int | None:
    """The current generation, or None when Redis cannot say (then nothing is dropped for it)."""
    try:
        value = cache.get(_key(username), 0)
    except Exception:  # a cache that is down must not stop mail from being read
        log.warning("login generation of %s unavailable", username, exc_info=True)
        return None
    return int(value)


def login_generation_bump(*, username: str) -> None:
    key = _key(username)
    try:
        cache.add(key, 0, TTL_SECONDS)
        cache.incr(key)
        cache.touch(key, TTL_SECONDS)
    except Exception:  # signing out must work while Redis is down
        log.warning("could not move on the login generation of %s", username, exc_info=True)
