import functools
import zoneinfo
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

# Pages carry no inline script and load nothing from other hosts. Views that need a
# stricter policy (a message's HTML, say) set their own header, which is kept.
DEFAULT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-src 'self'; frame-ancestors 'none'; "
    "form-action 'self'; base-uri 'none'; object-src 'none'"
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = DEFAULT_CSP
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
