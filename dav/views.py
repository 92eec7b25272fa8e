"""The one DAV view: authenticate, turn the Django request into a DavRequest, let the core answer."""

from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import redirect
from django.views.decorators.csrf import csrf_exempt

from core.errors import RoostError
from dav.webdav import DavRequest, Principal, handle

from .auth import dav_authenticate
from .tree import RoostBackend

CHALLENGE = 'Basic realm="Roost", charset="UTF-8"'
DAV_ROOT = "/dav/"
# Methods only a DAV client sends: at the site's root they mean "find the DAV root from the host name".
DAV_ONLY_METHODS = frozenset({"PROPFIND", "REPORT", "PROPPATCH", "MKCALENDAR", "MKCOL"})


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


def _to_dav_root(request: HttpRequest) -> HttpResponse:
    """301 for GET and HEAD; 308 otherwise, so a PROPFIND keeps its method and body when it follows (clients
    built on requests drop the body of a 301)."""
    response = HttpResponsePermanentRedirect(DAV_ROOT)
    if request.method not in ("GET", "HEAD"):
        response.status_code = 308
    return response


@csrf_exempt
def well_known(request: HttpRequest) -> HttpResponse:
    """/.well-known/caldav and /.well-known/carddav (RFC 6764 section 5), for every method."""
    return _to_dav_root(request)


@csrf_exempt
def site_root(request: HttpRequest) -> HttpResponse:
    """The site's front door: people go to their mail; a DAV client given only the server's address (and
    PROPFINDing "/") is sent to the DAV root."""
    if (request.method or "GET") in DAV_ONLY_METHODS:
        return _to_dav_root(request)
    return redirect("webmail:home")
