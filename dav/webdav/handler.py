"""`handle(request, backend)`: one DAV request in, one response out, plain values both ways. Every error a
method raises (DavError, or Roost's typed errors from the stores) becomes its status here, with an
<D:error> body where it names a precondition; anything else is a bug and stays a 500."""

from collections.abc import Callable
from email.utils import format_datetime

from core.errors import RoostError

from .context import Context
from .davxml import dav, parse_xml
from .errors import DavError, dav_error_from
from .multistatus import Multistatus, error_body
from .props import parse_propfind, propfind_response
from .reports import Reports
from .request import DavRequest, DavResponse, depth, preconditions, quote_etag
from .resource import Backend, Collection, Resource
from .sync import MULTISTATUS_TYPE, SYNC_COLLECTION, supports_sync, sync_collection
from .write import delete, mkcalendar, mkcol, proppatch, put

DAV_CLASSES = "1, 3, access-control, calendar-access, addressbook, extended-mkcol"
ALLOW = "OPTIONS, GET, HEAD, PUT, DELETE, PROPFIND, PROPPATCH, MKCOL, MKCALENDAR, REPORT"

# The reports handle() answers unless given others. Layers register theirs here at start-up.
REPORTS = Reports()
REPORTS.register(SYNC_COLLECTION, sync_collection, applies_to=supports_sync)

Method = Callable[[DavRequest, Context], DavResponse]


def resolve(request: DavRequest, ctx: Context) -> Resource:
    resource = ctx.backend.resolve(request.path, ctx.principal)
    if resource is None:
        raise DavError(404, f"Nothing is at {request.path}.")
    return resource


def options(request: DavRequest, ctx: Context) -> DavResponse:
    return DavResponse(200, b"", {"DAV": DAV_CLASSES, "Allow": ALLOW, "Content-Length": "0"})


def propfind(request: DavRequest, ctx: Context) -> DavResponse:
    resource = resolve(request, ctx)
    if depth(request) == "infinity":
        raise DavError(
            403,
            "PROPFIND with Depth: infinity is not supported; use Depth 0 or 1.",
            precondition=dav("propfind-finite-depth"),
        )
    what = parse_propfind(parse_xml(request.body) if request.body.strip() else None)
    ms = Multistatus()
    propfind_response(ms, resource, what, ctx)
    if depth(request) == "1" and isinstance(resource, Collection):
        for member in resource.members():
            propfind_response(ms, member, what, ctx)
    return DavResponse(207, ms.to_bytes(), {"Content-Type": MULTISTATUS_TYPE})


def get(request: DavRequest, ctx: Context) -> DavResponse:
    resource = resolve(request, ctx)
    body = resource.get_body()
    headers = {"Content-Type": resource.content_type() or "application/octet-stream"}
    etag = resource.etag()
    if etag is not None:
        headers["ETag"] = quote_etag(etag)
        wanted = preconditions(request).if_none_match
        if wanted is not None and ("*" in wanted or etag in wanted):
            return DavResponse(304, b"", headers)
    modified = resource.last_modified()
    if modified is not None:
        headers["Last-Modified"] = format_datetime(modified, usegmt=True)
    headers["Content-Length"] = str(len(body))
    return DavResponse(200, b"" if request.method == "HEAD" else body, headers)


def report(request: DavRequest, ctx: Context) -> DavResponse:
    resource = resolve(request, ctx)
    return ctx.reports.run(resource, parse_xml(request.body), request, ctx)


METHODS: dict[str, Method] = {
    "OPTIONS": options,
    "PROPFIND": propfind,
    "GET": get,
    "HEAD": get,
    "REPORT": report,
    "PROPPATCH": proppatch,
    "PUT": put,
    "DELETE": delete,
    "MKCOL": mkcol,
    "MKCALENDAR": mkcalendar,
}


def error_response(error: DavError) -> DavResponse:
    body = error_body(error)
    headers = dict(error.headers)
    if body is not None:
        headers["Content-Type"] = "application/xml; charset=utf-8"
    else:
        body = error.message.encode()
        headers["Content-Type"] = "text/plain; charset=utf-8"
    return DavResponse(error.status, body, headers)


def handle(request: DavRequest, backend: Backend, reports: Reports | None = None) -> DavResponse:
    ctx = Context(request.principal, backend, reports if reports is not None else REPORTS)
    method = METHODS.get(request.method)
    try:
        if method is None:
            raise DavError(405, f"{request.method} is not supported here.", headers={"Allow": ALLOW})
        return method(request, ctx)
    except (DavError, RoostError) as error:
        converted = dav_error_from(error)
        assert converted is not None
        return error_response(converted)
