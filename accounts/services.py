from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest

from core.errors import RoostError
from core.logins import login_generation_bump

from .credentials import credential_store
from .throttle import login_throttle_check, login_throttle_record_failure, login_throttle_reset


class LoginFailed(RoostError):
    pass


def session_login(*, request: HttpRequest, address: str, password: str) -> None:
    """Sign a person in, or raise LoginFailed / LoginThrottled with a message for them."""
    address = address.strip().lower()
    client_ip = request.META.get("REMOTE_ADDR", "")
    login_throttle_check(address=address, client_ip=client_ip)
    user = authenticate(request, username=address, password=password)
    if user is None:
        login_throttle_record_failure(address=address, client_ip=client_ip)
        raise LoginFailed("That address and password do not match an active account.")
    login_throttle_reset(address=address)
    login(request, user)
    if settings.ROOST_MAIL_MODE == "external":
        credential_store(request.session, password)


def session_logout(*, request: HttpRequest) -> None:
    username = request.user.get_username() if request.user.is_authenticated else ""
    logout(request)
    if username:
        login_generation_bump(username=username)  # kept IMAP connections of this user are dropped
