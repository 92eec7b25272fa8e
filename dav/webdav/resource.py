"""The resource model the protocol layers implement. The core knows only these types: a request path is
resolved by a Backend to a Resource (a Collection when it has members), and every method works through
their methods. CalDAV and CardDAV subclass them (a calendar is a Collection whose resourcetype adds
{caldav}calendar and whose properties add calendar-description ...); the adapter to Roost's stores turns
the stores' typed errors into core.errors (or DavError with a precondition) and the core maps them.

Paths are decoded, absolute and end in "/" for collections ("/dav/calendars/alice@example.test/work/");
the core percent-encodes them into hrefs.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from .davxml import Element, dav, element, href_element
from .errors import DavError, PropertyErrors
from .multistatus import encode_href

# What a property getter returns: text, child elements, or None for "not defined here" (404 in PROPFIND).
PropValue = str | Sequence[Element] | None


@dataclass(frozen=True)
class Principal:
    """The authenticated user, as plain values. `account` is opaque to the core: the Django side puts the
    User there so the adapter need not look it up again."""

    name: str  # the address, lower case
    display_name: str = ""
    account: object = None

    @property
    def href(self) -> str:
        return f"/dav/principals/{self.name}/"


@dataclass(frozen=True)
class Preconditions:
    """If-Match / If-None-Match of a write, already unquoted. The store calls check() with the current
    ETag (None when the member does not exist) inside the same lock or transaction as its write."""

    if_match: tuple[str, ...] | None = None  # ("*",) for If-Match: *
    if_none_match: tuple[str, ...] | None = None  # ("*",) for If-None-Match: *

    @property
    def if_none_match_any(self) -> bool:
        return self.if_none_match == ("*",)

    def check(self, current_etag: str | None) -> None:
        if self.if_match is not None and not self._matches(self.if_match, current_etag):
            raise DavError(412, "The resource has changed (or is gone) since it was read: If-Match failed.")
        if self.if_none_match is not None and self._matches(self.if_none_match, current_etag):
            raise DavError(412, "The resource exists already: If-None-Match failed.")

    @staticmethod
    def _matches(tags: tuple[str, ...], current_etag: str | None) -> bool:
        return current_etag is not None and ("*" in tags or current_etag in tags)


@dataclass(frozen=True)
class PutResult:
    etag: str
    created: bool


@dataclass
class SyncChanges:
    """What changed in a collection since a sync token (RFC 6578). `truncated` says the limit was hit:
    new_token then covers only what is listed, and the client asks again from it."""

    new_token: str
    changed: list["Resource"] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)  # member names
    truncated: bool = False


class Resource:
    """A resource at `path`. Subclasses override what they have; the defaults describe a read-only
    resource without a body."""

    def __init__(self, path: str) -> None:
        self.path = path

    @property
    def name(self) -> str:
        return self.path.rstrip("/").rpartition("/")[2]

    is_collection = False

    def resourcetype(self) -> list[str]:
        """Qualified names of the <D:resourcetype> children ({DAV:}collection is added for collections)."""
        return []

    def etag(self) -> str | None:
        """Unquoted; the core adds the quotes."""
        return None

    def content_type(self) -> str | None:
        return None

    def content_length(self) -> int | None:
        return None

    def last_modified(self) -> datetime | None:
        return None

    def displayname(self) -> str | None:
        return None

    def writable(self) -> bool:
        """Whether the principal may change it (current-user-privilege-set; writes themselves are checked
        by the store)."""
        return False

    def get_body(self) -> bytes:
        raise DavError(405, "This resource has no body to GET; use PROPFIND.")

    def property_names(self) -> Iterable[str]:
        """Every property this resource defines beyond the core's (for propname and allprop)."""
        return ()

    def allprop_names(self) -> Iterable[str]:
        """The subset an allprop PROPFIND returns: dead properties, not expensive computed ones."""
        return ()

    def get_property(self, name: str, principal: Principal) -> PropValue:
        """The value of a property the core does not compute itself, or None when it is not defined."""
        return None

    def set_properties(self, changes: list[tuple[str, Element | None]], principal: Principal) -> None:
        """PROPPATCH: set (element) or remove (None) each, all or nothing. Raise PropertyErrors naming the
        ones that cannot be changed and change nothing."""
        raise PropertyErrors({name: 403 for name, _ in changes})


class Collection(Resource):
    is_collection = True

    def members(self) -> Iterable[Resource]:
        return ()

    def member(self, name: str) -> Resource | None:
        return next((m for m in self.members() if m.name == name), None)

    def put_member(
        self, name: str, body: bytes, content_type: str, conditions: Preconditions, principal: Principal
    ) -> PutResult:
        raise DavError(405, "Nothing can be stored in this collection.")

    def delete_member(self, name: str, conditions: Preconditions, principal: Principal) -> None:
        raise DavError(405, "Nothing can be deleted from this collection.")

    def create_child(
        self, name: str, resourcetype: list[str], properties: list[tuple[str, Element]], principal: Principal
    ) -> "Collection":
        """MKCOL (plain or extended, RFC 5689) and MKCALENDAR: resourcetype holds the requested qualified
        names besides {DAV:}collection. Raise PropertyErrors for properties that cannot be set (nothing is
        created), DavError(403) for a resourcetype this collection cannot hold."""
        raise DavError(405, "No collection can be created here.")

    def sync_token(self) -> str | None:
        """The current sync token (a URI), or None when this collection does not support sync-collection."""
        return None

    def changes_since(self, token: str | None, limit: int | None) -> SyncChanges:
        """Members changed and names deleted since token (None: every member). Raise
        errors.invalid_sync_token() for a token this collection never gave or no longer knows."""
        raise DavError(403, "This collection does not support sync-collection.", precondition=dav("supported-report"))


class Backend(Protocol):
    """Resolves a decoded request path for the authenticated principal. A path the principal may not see
    resolves to None, exactly like a path that does not exist (404 either way)."""

    def resolve(self, path: str, principal: Principal) -> Resource | None: ...


def hrefs(*paths: str) -> list[Element]:
    """A property value made of <D:href> elements (principal-URL, calendar-home-set ...)."""
    return [href_element(encode_href(path)) for path in paths]


SYNC_TOKEN_PREFIX = "http://roost.invalid/ns/sync/"


def sync_token_make(key: str, seq: int) -> str:
    """A sync token (a URI, RFC 6578) naming the collection (`key`) and its change counter."""
    return f"{SYNC_TOKEN_PREFIX}{key}/{seq}"


def sync_token_seq(token: str | None, key: str) -> int | None:
    """The change counter of a token this collection gave (None for none); any other token is refused."""
    if token is None:
        return None
    found, _, seq = token.removeprefix(SYNC_TOKEN_PREFIX).rpartition("/")
    if not token.startswith(SYNC_TOKEN_PREFIX) or found != key or not seq.isdigit():
        raise invalid_sync_token()
    return int(seq)


def invalid_sync_token() -> DavError:
    return DavError(
        403,
        "The sync token is not valid for this collection (or has expired): sync again from scratch.",
        precondition=dav("valid-sync-token"),
    )


__all__ = [
    "Backend",
    "Collection",
    "Element",
    "Preconditions",
    "Principal",
    "PropValue",
    "PutResult",
    "Resource",
    "SyncChanges",
    "element",
    "hrefs",
    "invalid_sync_token",
    "sync_token_make",
    "sync_token_seq",
]
