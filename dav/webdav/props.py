"""Properties: the live ones the core computes for every resource, the lookup that falls back to the
resource's own, and the PROPFIND / PROPPATCH bodies."""

from collections.abc import Iterable
from dataclasses import dataclass
from email.utils import format_datetime

from .context import Context
from .davxml import Element, dav, element, href_element
from .errors import DavError
from .multistatus import Multistatus, encode_href
from .resource import Collection, PropValue, Resource

# RFC 4918's live properties, returned by allprop.
CORE_ALLPROP = [
    dav(n) for n in ("resourcetype", "getetag", "getcontenttype", "getcontentlength", "getlastmodified", "displayname")
]
CORE_OTHER = [
    dav(n) for n in ("current-user-principal", "supported-report-set", "sync-token", "current-user-privilege-set")
]
# Computed by the core; a PROPPATCH on them fails with cannot-modify-protected-property.
PROTECTED = frozenset(CORE_ALLPROP + CORE_OTHER) - {dav("displayname")}

_READ_PRIVILEGES = ["read", "read-current-user-privilege-set"]
_WRITE_PRIVILEGES = ["write", "write-properties", "write-content", "bind", "unbind"]


def _privileges(resource: Resource) -> list[Element]:
    names = _READ_PRIVILEGES + (_WRITE_PRIVILEGES if resource.writable() else [])
    return [element(dav("privilege"), children=[element(dav(n))]) for n in names]


def _core_value(resource: Resource, name: str, ctx: Context) -> PropValue:
    if name == dav("resourcetype"):
        kinds = ([dav("collection")] if resource.is_collection else []) + resource.resourcetype()
        return [element(kind) for kind in kinds]
    if name == dav("getetag"):
        etag = resource.etag()
        return f'"{etag}"' if etag is not None else None
    if name == dav("getcontenttype"):
        return resource.content_type()
    if name == dav("getcontentlength"):
        length = resource.content_length()
        return str(length) if length is not None else None
    if name == dav("getlastmodified"):
        modified = resource.last_modified()
        return format_datetime(modified, usegmt=True) if modified is not None else None
    if name == dav("displayname"):
        return resource.displayname()
    if name == dav("current-user-principal"):
        return [href_element(encode_href(ctx.principal.href))]
    if name == dav("supported-report-set"):
        return [
            element(dav("supported-report"), children=[element(dav("report"), children=[element(report)])])
            for report in ctx.reports.supported(resource)
        ]
    if name == dav("sync-token"):
        return resource.sync_token() if isinstance(resource, Collection) else None
    if name == dav("current-user-privilege-set"):
        return _privileges(resource)
    return None


def property_value(resource: Resource, name: str, ctx: Context) -> PropValue:
    value = _core_value(resource, name, ctx)
    return value if value is not None else resource.get_property(name, ctx.principal)


def property_element(name: str, value: PropValue) -> Element:
    if isinstance(value, str):
        return element(name, value)
    return element(name, children=value or ())


def prop_names(resource: Resource, *, allprop: bool) -> list[str]:
    names = list(CORE_ALLPROP)
    if not allprop:
        names += CORE_OTHER
    extra = resource.allprop_names() if allprop else resource.property_names()
    return list(dict.fromkeys([*names, *extra]))


def add_properties(
    ms: Multistatus, resource: Resource, names: Iterable[str], ctx: Context, *, optional: Iterable[str] = ()
) -> None:
    """One response for resource: each named property's value, or 404 (left out for the optional names, as
    allprop does for properties a resource lacks)."""
    optional = set(optional)
    found: list[Element] = []
    missing: dict[str, int] = {}
    for name in names:
        try:
            value = property_value(resource, name, ctx)
        except DavError as error:
            missing[name] = error.status
            continue
        if value is None:
            if name not in optional:
                missing[name] = 404
        else:
            found.append(property_element(name, value))
    ms.add(resource.path, found, missing)


@dataclass(frozen=True)
class PropfindRequest:
    kind: str  # "prop", "allprop" or "propname"
    names: list[str]  # for "prop"; for "allprop" the <D:include> names


def parse_propfind(root: Element | None) -> PropfindRequest:
    """An empty body is allprop (RFC 4918 section 9.1)."""
    if root is None:
        return PropfindRequest("allprop", [])
    if root.tag != dav("propfind"):
        raise DavError(400, "A PROPFIND body must be a <D:propfind> element.")
    for child in root:
        if child.tag == dav("prop"):
            return PropfindRequest("prop", [str(p.tag) for p in child])
        if child.tag == dav("propname"):
            return PropfindRequest("propname", [])
        if child.tag == dav("allprop"):
            include = root.find(dav("include"))
            return PropfindRequest("allprop", [str(p.tag) for p in include] if include is not None else [])
    raise DavError(400, "A <D:propfind> needs <D:prop>, <D:allprop> or <D:propname>.")


def propfind_response(ms: Multistatus, resource: Resource, request: PropfindRequest, ctx: Context) -> None:
    if request.kind == "propname":
        ms.add(resource.path, [element(name) for name in prop_names(resource, allprop=False)])
    elif request.kind == "allprop":
        # <D:include> names are answered like a prop request, 404 and all.
        names = prop_names(resource, allprop=True)
        optional = set(names) - set(request.names)
        add_properties(ms, resource, list(dict.fromkeys([*names, *request.names])), ctx, optional=optional)
    else:
        add_properties(ms, resource, request.names, ctx)


def parse_proppatch(root: Element) -> list[tuple[str, Element | None]]:
    """The changes in document order: (name, the property element to set) or (name, None) to remove."""
    if root.tag != dav("propertyupdate"):
        raise DavError(400, "A PROPPATCH body must be a <D:propertyupdate> element.")
    return parse_set_remove(root)


def parse_set_remove(root: Element) -> list[tuple[str, Element | None]]:
    changes: list[tuple[str, Element | None]] = []
    for action in root:
        if action.tag not in (dav("set"), dav("remove")):
            continue
        prop = action.find(dav("prop"))
        for node in prop if prop is not None else ():
            changes.append((str(node.tag), node if action.tag == dav("set") else None))
    return changes
