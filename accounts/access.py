from django.http import HttpRequest

from .models import User


def request_user(request: HttpRequest) -> User:
    """The signed-in user of a view behind login_required, typed."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionError("no signed-in user")
    return user
