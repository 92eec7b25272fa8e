"""HTTP Basic authentication for DAV, with the web sign-in's password and throttle.

A password check costs ~225 ms (bcrypt 12) and a phone's sync is dozens of requests, so a verified
credential is remembered in the cache for ROOST_DAV_AUTH_CACHE_SECONDS. The cache key is an HMAC of the
address and password under a key derived from SECRET_KEY (the password itself is never stored), and the
entry is believed only while the account is active, its password hash is the one it was verified
against and its login generation (core.logins) has not moved on: a password change, a deactivation or a
sign-out ends it at once. Failures go through authenticate(), so the backends' throttle
(accounts.throttle) counts them per address and per client address exactly as for the web sign-in.
"""

import base64
import binascii
import logging
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare, salted_hmac

from core.logins import login_generation

log = logging.getLogger(__name__)
_SALT = "roost.dav.auth"
MAX_CREDENTIAL_BYTES = 1024


def basic_credentials(header: str) -> tuple[str, str] | None:
    """(address, password) from an Authorization: Basic header, or None when it is missing or malformed."""
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "basic" or not value or len(value) > MAX_CREDENTIAL_BYTES * 2:
        return None
    try:
        raw = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")  # what clients that ignore charset="UTF-8" send
    address, colon, password = text.partition(":")
    if not colon or not address or not password:
        return None
    return address.strip().lower(), password


def _cache_key(address: str, password: str) -> str:
    digest = salted_hmac(_SALT, f"{address}\0{password}", algorithm="sha256").hexdigest()
    return f"dav-auth:{digest}"


def _fingerprint(user: AbstractBaseUser) -> str:
    generation = login_generation(username=user.get_username())
    return salted_hmac(f"{_SALT}.hash", f"{user.password}\0{generation}", algorithm="sha256").hexdigest()


def _cached_user(key: str, address: str) -> Any:
    try:
        entry = cache.get(key)
    except Exception:  # a cache that is down costs a password check, nothing more
        log.warning("DAV credential cache unavailable", exc_info=True)
        return None
    if not isinstance(entry, dict) or not isinstance(entry.get("user"), int):
        return None
    user = get_user_model().objects.filter(pk=entry["user"], is_active=True).first()
    if user is None or user.get_username() != address:
        return None
    return user if constant_time_compare(str(entry.get("fingerprint")), _fingerprint(user)) else None


def dav_authenticate(request: HttpRequest) -> Any:
    """The active user the request's Basic credentials belong to, or None. Raises the throttle's error
    (a RoostError with retry_after) when the address or the client must wait."""
    credentials = basic_credentials(request.headers.get("Authorization", ""))
    if credentials is None:
        return None
    address, password = credentials
    key = _cache_key(address, password)
    user = _cached_user(key, address)
    if user is not None:
        return user
    user = authenticate(request, username=address, password=password)
    if user is None or not user.is_active:
        return None
    try:
        cache.set(key, {"user": user.pk, "fingerprint": _fingerprint(user)}, settings.ROOST_DAV_AUTH_CACHE_SECONDS)
    except Exception:
        log.warning("DAV credential cache unavailable", exc_info=True)
    return user
