from typing import Any

from django.http import HttpRequest

from accounts.models import User
from accounts.throttle import login_throttled

from .imap.connection import ImapLogin, imap_check_login
from .mailstore import imap_endpoint


class ImapLoginBackend:
    """External mode: the IMAP server decides, behind the same sign-in throttle as managed mode. A first
    successful login creates the Roost user (with no usable password: Roost never keeps it, beyond the
    session's encrypted copy)."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> User | None:
        if not username or not password:
            return None
        address = username.strip().lower()
        return login_throttled(request=request, address=address, verify=lambda: self._verify(address, password))

    def _verify(self, address: str, password: str) -> User | None:
        if not imap_check_login(imap_endpoint(), ImapLogin(address, password)):  # ImapUnavailable propagates
            return None
        user, created = User.objects.get_or_create(username=address, defaults={"email": address})
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        return user if user.is_active else None

    def get_user(self, user_id: int) -> User | None:
        return User.objects.filter(pk=user_id, is_active=True).first()
