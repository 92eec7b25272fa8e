from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from .models import User
from .throttle import login_throttled
from .validators import BCRYPT_MAX_BYTES


class AddressBackend(ModelBackend):
    """Managed mode: the address and password stored in Roost's directory (the same hash Dovecot reads).
    Every check goes through the sign-in throttle, whichever door asks."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> User | None:
        if username is None or password is None:
            return None
        address = username.strip().lower()

        def verify() -> User | None:
            if len(password.encode()) > BCRYPT_MAX_BYTES:
                return None  # no stored password is this long, and bcrypt would raise on it
            user = super(AddressBackend, self).authenticate(request, username=address, password=password, **kwargs)
            return user if isinstance(user, User) else None

        return login_throttled(request=request, address=address, verify=verify)
