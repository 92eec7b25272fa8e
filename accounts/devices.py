"""Browsers a person has signed in from before, remembered in a signed cookie.

While someone guesses an account's password, the account waits longer and longer between tries; a
browser that has signed in to that account before still gets through, so a stranger's guessing does
not lock the owner out. The cookie names the account and a digest of its password hash, so it stops
counting once the password changes.
"""

import hmac
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse

from .models import User

DEVICE_COOKIE = "roost_device"
DEVICE_MAX_AGE = timedelta(days=180)
_SALT = "roost.accounts.devices"
_MAX_ACCOUNTS = 5  # per browser, the most recent sign-ins


def _token(user: User) -> str:
    return user.get_session_auth_hash()[:24]


def _entries(request: HttpRequest) -> dict[str, str]:
    raw = request.COOKIES.get(DEVICE_COOKIE)
    if not raw:
        return {}
    try:
        entries = signing.loads(raw, salt=_SALT, max_age=DEVICE_MAX_AGE)
    except signing.BadSignature:
        return {}
    if not isinstance(entries, dict):
        return {}
    return {str(k): str(v) for k, v in entries.items()}


def device_known(*, request: HttpRequest, address: str) -> bool:
    token = _entries(request).get(address)
    if not token:
        return False
    user = User.objects.filter(username=address, is_active=True).first()
    return user is not None and hmac.compare_digest(token, _token(user))


def device_remember(*, request: HttpRequest, response: HttpResponse, user: User) -> None:
    entries = _entries(request)
    entries.pop(user.username, None)
    entries[user.username] = _token(user)  # dicts keep order: the newest last
    kept = dict(list(entries.items())[-_MAX_ACCOUNTS:])
    response.set_cookie(
        DEVICE_COOKIE,
        signing.dumps(kept, salt=_SALT),
        max_age=DEVICE_MAX_AGE,
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
        samesite="Lax",
    )
