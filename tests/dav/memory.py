"""An in-memory DAV tree for testing the core without Django: items with bodies and ETags, collections
with dead properties, child collections and a change log for sync tokens."""

import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime

from dav.webdav import (
    Backend,
    Collection,
    DavError,
    DavRequest,
    DavResponse,
    Element,
    Preconditions,
    Principal,
    PropertyErrors,
    PropValue,
    PutResult,
    Resource,
    SyncChanges,
    handle,
    invalid_sync_token,
)

TOKEN_PREFIX = "http://roost.invalid/sync/"
ALICE = Principal(name="alice@example.test", display_name="Alice")


class MemoryItem(Resource):
    def __init__(self, path: str, body: bytes, content_type: str) -> None:
        super().__init__(path)
        self.body = body
        self.type = content_type
        self.modified = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)

    def etag(self) -> str:
        return hashlib.sha256(self.body).hexdigest()[:16]

    def content_type(self) -> str:
        return self.type

    def content_length(self) -> int:
        return len(self.body)

    def last_modified(self) -> datetime:
        return self.modified

    def get_body(self) -> bytes:
        return self.body

    def writable(self) -> bool:
        return True


class MemoryCollection(Collection):
    """Dead properties in `props`; names in `read_only` refuse PROPPATCH with 403."""

    def __init__(self, path: str, kinds: Iterable[str] = (), read_only: Iterable[str] = ()) -> None:
        super().__init__(path)
        self.kinds = list(kinds)
        self.items: dict[str, Resource] = {}
        self.props: dict[str, Element] = {}
        self.read_only = set(read_only)
        self.log: list[str] = []  # names in the order they changed; the token is the log's length
        self.allowed_kinds: set[str] | None = None  # resourcetypes create_child accepts (None: any)

    def resourcetype(self) -> list[str]:
        return self.kinds

    def writable(self) -> bool:
        return True

    def members(self) -> list[Resource]:
        return list(self.items.values())

    def member(self, name: str) -> Resource | None:
        return self.items.get(name)

    def put_member(
        self, name: str, body: bytes, content_type: str, conditions: Preconditions, principal: Principal
    ) -> PutResult:
        current = self.items.get(name)
        conditions.check(current.etag() if current is not None else None)
        if b"BROKEN" in body:
            raise DavError(
                403, "The body is not valid.", precondition="{urn:ietf:params:xml:ns:caldav}valid-calendar-data"
            )
        item = MemoryItem(self.path + name, body, content_type)
        self.items[name] = item
        self.log.append(name)
        return PutResult(etag=item.etag(), created=current is None)

    def delete_member(self, name: str, conditions: Preconditions, principal: Principal) -> None:
        current = self.items.get(name)
        conditions.check(current.etag() if current is not None else None)
        del self.items[name]
        self.log.append(name)

    def create_child(
        self, name: str, resourcetype: list[str], properties: list[tuple[str, Element]], principal: Principal
    ) -> Collection:
        if self.allowed_kinds is not None and not set(resourcetype) <= self.allowed_kinds:
            raise DavError(403, "That kind of collection cannot be made here.")
        child = MemoryCollection(self.path + name + "/", resourcetype)
        child.read_only = self.read_only
        child.set_properties(list(properties), principal)
        self.items[name] = child
        return child

    def property_names(self) -> list[str]:
        return list(self.props)

    def allprop_names(self) -> list[str]:
        return list(self.props)

    def get_property(self, name: str, principal: Principal) -> PropValue:
        node = self.props.get(name)
        if node is None:
            return None
        return node.text if len(node) == 0 else list(node)

    def displayname(self) -> str | None:
        node = self.props.get("{DAV:}displayname")
        return node.text if node is not None else None

    def set_properties(self, changes: list[tuple[str, Element | None]], principal: Principal) -> None:
        refused = {name: 403 for name, _ in changes if name in self.read_only}
        if refused:
            raise PropertyErrors(refused)
        for name, node in changes:
            if node is None:
                self.props.pop(name, None)
            else:
                self.props[name] = node

    def sync_token(self) -> str:
        return f"{TOKEN_PREFIX}{len(self.log)}"

    def changes_since(self, token: str | None, limit: int | None) -> SyncChanges:
        start = 0
        if token is not None:
            number = token.removeprefix(TOKEN_PREFIX)
            if not token.startswith(TOKEN_PREFIX) or not number.isdigit() or int(number) > len(self.log):
                raise invalid_sync_token()
            start = int(number)
        names = list(dict.fromkeys(self.log[start:])) if token is not None else list(self.items)
        truncated = limit is not None and len(names) > limit
        if truncated:
            names = names[:limit]
        end = len(self.log) if not truncated else start + max(self.log[start:].index(n) for n in names) + 1
        changed = [self.items[n] for n in names if n in self.items]
        deleted = [n for n in names if n not in self.items]
        return SyncChanges(new_token=f"{TOKEN_PREFIX}{end}", changed=changed, deleted=deleted, truncated=truncated)


class MemoryBackend:
    """Everything under /dav/ for one principal; anyone else resolves nothing."""

    def __init__(self, owner: Principal = ALICE) -> None:
        self.owner = owner
        self.root = MemoryCollection("/dav/")

    def resolve(self, path: str, principal: Principal) -> Resource | None:
        if principal != self.owner or not path.startswith("/dav/"):
            return None
        node: Resource = self.root
        for segment in [s for s in path.removeprefix("/dav/").split("/") if s]:
            if not isinstance(node, Collection):
                return None
            found = node.member(segment)
            if found is None:
                return None
            node = found
        if node.is_collection != path.endswith("/") and path != "/dav/":
            return None if not node.is_collection else node  # a collection may be named without its slash
        return node


def request(
    backend: Backend,
    method: str,
    path: str,
    body: bytes | str = b"",
    principal: Principal = ALICE,
    **headers: str,
) -> DavResponse:
    raw = body.encode() if isinstance(body, str) else body
    names = {k.replace("_", "-").lower(): v for k, v in headers.items()}
    return handle(DavRequest(method=method, path=path, principal=principal, headers=names, body=raw), backend)


def parse_multistatus(body: bytes) -> dict[str, dict[str, tuple[int, Element]]]:
    """href -> property name -> (status, the property element); a response-level status is listed under
    the name "status"."""
    from xml.etree import ElementTree as ET

    root = ET.fromstring(body)
    assert root.tag == "{DAV:}multistatus"
    result: dict[str, dict[str, tuple[int, Element]]] = {}
    for response in root.findall("{DAV:}response"):
        props: dict[str, tuple[int, Element]] = {}
        status = response.find("{DAV:}status")
        if status is not None:
            props["status"] = (int(str(status.text).split()[1]), status)
        for propstat in response.findall("{DAV:}propstat"):
            code = int(str(propstat.findtext("{DAV:}status")).split()[1])
            for prop in propstat.find("{DAV:}prop") or []:
                props[str(prop.tag)] = (code, prop)
        result[str(response.findtext("{DAV:}href"))] = props
    return result
