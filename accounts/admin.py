from typing import Any

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError

from core.errors import RoostError

from .models import User
from .throttle import LoginThrottled


class AdminLoginForm(AdminAuthenticationForm):
    """The admin's sign-in goes through the same backend, and so the same throttle, as the web login;
    this shows the throttle's message (or an unreachable server's) on the form instead of a 500."""

    retry_after: int | None = None

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()
        except LoginThrottled as error:
            self.retry_after = error.retry_after
            raise ValidationError(str(error), code="throttled") from None
        except RoostError as error:
            raise ValidationError(str(error), code="unavailable") from None


admin.site.register(User, UserAdmin)
admin.site.login_form = AdminLoginForm
