from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from .models import User


class AddressBackend(ModelBackend):
    """Managed mode: the address and password stored in Roost's directory (the same hash Dovecot reads)."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> User | None:
        if username is None or password is None:
            return None
        return super().authenticate(request, username=username.strip().lower(), password=password, **kwargs)
