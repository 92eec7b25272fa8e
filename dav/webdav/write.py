"""The methods that change something: PUT, DELETE, PROPPATCH, MKCOL (RFC 4918 and RFC 5689's extended
form) and MKCALENDAR (RFC 4791). Each either changes everything it was asked to or nothing."""

from collections.abc import Callable

from .context import Context
from .davxml import CALDAV, Element, dav, element, parse_xml, qname, to_bytes
from .errors import DavError, PropertyErrors
from .multistatus import Multistatus, propstat
from .props import PROTECTED, parse_proppatch, parse_set_remove
from .request import DavRequest, DavResponse, preconditions, quote_etag
from .resource import Collection, Resource

MAX_NAME = 255


def _split(path: str) -> tuple[str, str]:
    parent, _, name = path.rstrip("/").rpartition("/")
    if not name or name in (".", "..") or len(name) > MAX_NAME or any(ord(c) < 32 for c in name):
        raise DavError(400, f"{name[:40]!r} is not a usable name.")
    return parent + "/", name


def _parent(path: str, ctx: Context) -> tuple[Collection, str]:
    parent_path, name = _split(path)
    parent = ctx.backend.resolve(parent_path, ctx.principal)
    if not isinstance(parent, Collection):
        raise DavError(409, f"There is no collection at {parent_path} to hold {name}.")
    return parent, name


def put(request: DavRequest, ctx: Context) -> DavResponse:
    if request.path.endswith("/"):
        raise DavError(405, "A collection cannot be written with PUT; use MKCOL or MKCALENDAR.")
    parent, name = _parent(request.path, ctx)
    content_type = request.header("content-type", "application/octet-stream")
    result = parent.put_member(name, request.body, content_type, preconditions(request), ctx.principal)
    return DavResponse(201 if result.created else 204, b"", {"ETag": quote_etag(result.etag)})


def delete(request: DavRequest, ctx: Context) -> DavResponse:
    _resolve(request, ctx)
    parent, name = _parent(request.path, ctx)
    parent.delete_member(name, preconditions(request), ctx.principal)
    return DavResponse(204)


def _statuses_body(root_name: str, path: str | None, statuses: dict[str, int]) -> bytes:
    """A multistatus (PROPPATCH) or mkcol-response body giving each property its status."""
    if path is not None:
        ms = Multistatus()
        ok = [element(n) for n, s in statuses.items() if s == 200]
        ms.add(path, ok, {n: s for n, s in statuses.items() if s != 200})
        return ms.to_bytes()
    root = element(root_name)
    by_status: dict[int, list[Element]] = {}
    for name, status in statuses.items():
        by_status.setdefault(status, []).append(element(name))
    root.extend(propstat(props, status) for status, props in sorted(by_status.items()))
    return to_bytes(root)


def _apply(changes: list[tuple[str, Element | None]], apply: Callable[[], object]) -> dict[str, int] | None:
    """Run apply(); on PropertyErrors the per-property statuses, the others 424 (RFC 4918 section 9.2)."""
    protected = {name: 403 for name, _ in changes if name in PROTECTED}
    try:
        if protected:
            raise PropertyErrors(protected)
        apply()
    except PropertyErrors as errors:
        return {name: errors.statuses.get(name, 424) for name, _ in changes}
    return None


def proppatch(request: DavRequest, ctx: Context) -> DavResponse:
    resource = _resolve(request, ctx)
    changes = parse_proppatch(parse_xml(request.body))
    failed = _apply(changes, lambda: resource.set_properties(changes, ctx.principal))
    statuses = failed or {name: 200 for name, _ in changes}
    body = _statuses_body(dav("multistatus"), resource.path, statuses)
    return DavResponse(207, body, {"Content-Type": "application/xml; charset=utf-8"})


def _resolve(request: DavRequest, ctx: Context) -> Resource:
    resource = ctx.backend.resolve(request.path, ctx.principal)
    if resource is None:
        raise DavError(404, f"Nothing is at {request.path}.")
    return resource


def _create(
    request: DavRequest,
    ctx: Context,
    root_name: str,
    resourcetype: list[str],
    properties: list[tuple[str, Element]],
    exists: DavError,
) -> DavResponse:
    if ctx.backend.resolve(request.path, ctx.principal) is not None:
        raise exists
    parent, name = _parent(request.path, ctx)
    changes: list[tuple[str, Element | None]] = list(properties)
    failed = _apply(changes, lambda: parent.create_child(name, resourcetype, properties, ctx.principal))
    if failed is not None:
        body = _statuses_body(root_name, None, failed)
        return DavResponse(403, body, {"Content-Type": "application/xml; charset=utf-8"})
    return DavResponse(201, b"", {"Content-Length": "0"})


def _set_properties(root: Element) -> tuple[list[str], list[tuple[str, Element]]]:
    """The resourcetype and the other properties of an extended MKCOL or a MKCALENDAR body."""
    resourcetype: list[str] = []
    properties: list[tuple[str, Element]] = []
    for name, node in parse_set_remove(root):
        if node is None:
            raise DavError(400, "A MKCOL or MKCALENDAR body can only set properties, not remove them.")
        if name == dav("resourcetype"):
            resourcetype = [str(kind.tag) for kind in node if kind.tag != dav("collection")]
        else:
            properties.append((name, node))
    return resourcetype, properties


def mkcol(request: DavRequest, ctx: Context) -> DavResponse:
    resourcetype: list[str] = []
    properties: list[tuple[str, Element]] = []
    if request.body.strip():
        root = parse_xml(request.body)
        if root.tag != dav("mkcol"):
            raise DavError(415, "A MKCOL body must be an extended-MKCOL <D:mkcol> element (RFC 5689).")
        resourcetype, properties = _set_properties(root)
    exists = DavError(405, f"Something is at {request.path} already.")
    return _create(request, ctx, dav("mkcol-response"), resourcetype, properties, exists)


def mkcalendar(request: DavRequest, ctx: Context) -> DavResponse:
    properties: list[tuple[str, Element]] = []
    if request.body.strip():
        root = parse_xml(request.body)
        if root.tag != qname(CALDAV, "mkcalendar"):
            raise DavError(400, "A MKCALENDAR body must be a <C:mkcalendar> element (RFC 4791).")
        _, properties = _set_properties(root)
    exists = DavError(403, f"Something is at {request.path} already.", precondition=dav("resource-must-be-null"))
    return _create(request, ctx, qname(CALDAV, "mkcalendar-response"), [qname(CALDAV, "calendar")], properties, exists)
