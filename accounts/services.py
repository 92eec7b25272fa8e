from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest

from core.errors import RoostError
from core.logins import login_generation_bump

from .credentials import credential_store


class LoginFailed(RoostError):
    pass


def session_login(*, request: HttpRequest, address: str, password: str) -> None:
    """Sign a person in, or raise LoginFailed / LoginThrottled with a message for them.
    The authentication backend applies the sign-in throttle (accounts.throttle)."""
    user = authenticate(request, username=address.strip().lower(), password=password)
    if user is None:
        raise LoginFailed("That address and password do not match an active account.")
    login(request, user)
    if settings.ROOST_MAIL_MODE == "external":
        credential_store(request.session, password)


def session_logout(*, request: HttpRequest) -> None:
    username = request.user.get_username() if request.user.is_authenticated else ""
    logout(request)
    if username:
        login_generation_bump(username=username)  # kept IMAP connections of this user are dropped
