import functools
import secrets
import zoneinfo
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone

from .clientip import PROXY_HTTPS_META, forwarded_https
from .errors import RoostError, error_status

# Pages carry no inline script and load nothing from other hosts. Views that need a
# stricter policy (a message's HTML, say) set their own header, which is kept.
DEFAULT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; frame-src 'self'; frame-ancestors 'none'; "
    "form-action 'self'; base-uri 'none'; object-src 'none'"
)


class TrustedProxyMiddleware:
    """Behind a TLS proxy the request arrives over plain http: believe its X-Forwarded-Proto only when the
    proxy is one of ROOST_TRUSTED_PROXIES (core.clientip), so https redirects and secure cookies work there
    and nobody else can claim https. Runs before SecurityMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.META.pop(PROXY_HTTPS_META, None)
        if forwarded_https(request):
            request.META[PROXY_HTTPS_META] = "on"
        return self.get_response(request)


class StyleNonce:
    """A per-request nonce for the one kind of inline style Roost allows: the <style> element a vendored
    component (the calendar) injects, which it marks with the nonce of `<meta name="csp-nonce">`. The nonce
    enters the policy only when a template used it."""

    def __init__(self) -> None:
        self.value = secrets.token_urlsafe(18)
        self.used = False

    def __str__(self) -> str:
        self.used = True
        return self.value


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        nonce = StyleNonce()
        request.csp_style_nonce = nonce  # type: ignore[attr-defined]
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            policy = DEFAULT_CSP
            if nonce.used:
                policy = policy.replace("style-src 'self'", f"style-src 'self' 'nonce-{nonce.value}'")
            response["Content-Security-Policy"] = policy
        return response


TIMEZONE_COOKIE = "roost_tz"


class BrowserTimezoneMiddleware:
    """Dates are shown in the user's own time zone, which the browser reports in a cookie
    (static/webmail/mail.js). An unknown or missing zone leaves the site's default."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        name = request.COOKIES.get(TIMEZONE_COOKIE, "")
        zone = _zone(name) if name else None
        if zone is not None:
            timezone.activate(zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


def _zone(name: str) -> zoneinfo.ZoneInfo | None:
    if len(name) > 64 or name not in _available_zones():
        return None
    return zoneinfo.ZoneInfo(name)


@functools.cache
def _available_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


class RoostErrorMiddleware:
    """Roost's errors become the right status for every app: a page inside the shell for a browser, JSON for
    a script (Accept: application/json), plain text for protocol doors (DAV). A backing service that is down
    is a calm 503 page, never a 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, RoostError):
            return None
        return error_response(request, exception)


def wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def error_response(request: HttpRequest, error: RoostError) -> HttpResponse:
    status = error_status(error)
    if wants_json(request):
        response: HttpResponse = JsonResponse({"ok": False, "error": str(error)}, status=status)
    elif request.path.startswith("/dav/"):
        response = HttpResponse(str(error), status=status, content_type="text/plain; charset=utf-8")
    else:
        response = render(request, "error.html", {"error": str(error), "status": status}, status=status)
    retry_after = getattr(error, "retry_after", None)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response
