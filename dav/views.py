"""The one DAV view: authenticate, turn the Django request into a DavRequest, let the core answer."""

from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from core.errors import RoostError
from dav.webdav import DavRequest, Principal, handle

from .auth import dav_authenticate
from .tree import RoostBackend

CHALLENGE = 'Basic realm="Roost", charset="UTF-8"'


def _text(status: int, message: str, **headers: str) -> HttpResponse:
    response = HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def _principal(user: Any) -> Principal:
    return Principal(name=user.get_username().lower(), display_name=user.get_full_name(), account=user)


@csrf_exempt
def dav_view(request: HttpRequest, path: str = "") -> HttpResponse:
    try:
        user = dav_authenticate(request)
    except RoostError as error:  # the sign-in throttle: the same 429 and wait as the web sign-in
        retry_after = getattr(error, "retry_after", None)
        if retry_after is None:
            raise
        return _text(429, str(error), Retry_After=str(retry_after))
    if user is None:
        return _text(401, "Sign in with your address and password.", WWW_Authenticate=CHALLENGE)
    try:
        body = request.body
    except RequestDataTooBig:
        return _text(413, "This request is too large.")
    headers = {name.lower(): value for name, value in request.headers.items()}
    dav_request = DavRequest(
        method=request.method or "GET", path=request.path, principal=_principal(user), headers=headers, body=body
    )
    answer = handle(dav_request, RoostBackend())
    response = HttpResponse(answer.body, status=answer.status)
    for name, value in answer.headers.items():
        response[name] = value
    if "Content-Type" not in answer.headers:
        del response["Content-Type"]
    return response
