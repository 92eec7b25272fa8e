"""Roost's DAV URL space, as resources of the WebDAV core (no Django here either):

    /dav/                                   the root (current-user-principal, principal-collection-set)
    /dav/principals/<address>/              the user's principal
    /dav/calendars/<address>/               calendar home: members come from the "calendars" home provider
    /dav/addressbooks/<address>/            address book home: members from the "addressbooks" provider

Homes hold no data of their own: the CalDAV and CardDAV layers register a HomeProvider per kind
(register_home), which lists, finds, creates and deletes the collections in a home; everything deeper is
reached through those collections' member(). Another user's principal or home resolves to nothing: 404.
"""

from collections.abc import Iterable
from typing import Protocol

from dav.webdav import (
    CALDAV,
    CARDDAV,
    Collection,
    DavError,
    Element,
    Preconditions,
    Principal,
    PropValue,
    Resource,
    dav,
    hrefs,
    qname,
)

ROOT = "/dav/"
PRINCIPALS = "/dav/principals/"
CALENDARS = "calendars"
ADDRESSBOOKS = "addressbooks"


class HomeProvider(Protocol):
    """What a layer supplies for one kind of home. `home.owner` is the authenticated principal (homes of
    other users never resolve), `home.path` the home's path; members' paths are home.path + name (+ "/")."""

    def members(self, home: "Home") -> Iterable[Resource]: ...

    def member(self, home: "Home", name: str) -> Resource | None: ...

    def create_child(
        self, home: "Home", name: str, resourcetype: list[str], properties: list[tuple[str, Element]]
    ) -> Collection: ...

    def delete_member(self, home: "Home", name: str, conditions: Preconditions) -> None: ...


_HOMES: dict[str, HomeProvider] = {}


def register_home(kind: str, provider: HomeProvider) -> None:
    """Called once at start-up by the CalDAV layer (kind "calendars") and the CardDAV layer ("addressbooks")."""
    if kind not in (CALENDARS, ADDRESSBOOKS):
        raise ValueError(f"Unknown kind of home: {kind}")
    _HOMES[kind] = provider


def unregister_home(kind: str) -> None:
    _HOMES.pop(kind, None)


def home_path(kind: str, principal: Principal) -> str:
    return f"/dav/{kind}/{principal.name}/"


class Home(Collection):
    def __init__(self, kind: str, owner: Principal) -> None:
        super().__init__(home_path(kind, owner))
        self.kind = kind
        self.owner = owner

    @property
    def provider(self) -> HomeProvider | None:
        return _HOMES.get(self.kind)

    def displayname(self) -> str:
        return "Calendars" if self.kind == CALENDARS else "Address books"

    def writable(self) -> bool:
        return self.provider is not None

    def members(self) -> Iterable[Resource]:
        return self.provider.members(self) if self.provider else ()

    def member(self, name: str) -> Resource | None:
        return self.provider.member(self, name) if self.provider else None

    def create_child(
        self, name: str, resourcetype: list[str], properties: list[tuple[str, Element]], principal: Principal
    ) -> Collection:
        if self.provider is None:
            raise DavError(403, f"No collections can be created in {self.path} yet.")
        return self.provider.create_child(self, name, resourcetype, properties)

    def delete_member(self, name: str, conditions: Preconditions, principal: Principal) -> None:
        if self.provider is None:
            raise DavError(404, f"Nothing is at {self.path}{name}.")
        self.provider.delete_member(self, name, conditions)


class PrincipalResource(Collection):
    """The user's principal (RFC 3744, RFC 4791 section 6.2.1, RFC 6352 section 7.1.1)."""

    def __init__(self, principal: Principal) -> None:
        super().__init__(principal.href)
        self.principal = principal

    def resourcetype(self) -> list[str]:
        return [dav("principal")]

    def displayname(self) -> str:
        return self.principal.display_name or self.principal.name

    def property_names(self) -> list[str]:
        return list(self._values())

    def _values(self) -> dict[str, PropValue]:
        return {
            dav("principal-URL"): hrefs(self.path),
            dav("principal-collection-set"): hrefs(PRINCIPALS),
            qname(CALDAV, "calendar-home-set"): hrefs(home_path(CALENDARS, self.principal)),
            qname(CARDDAV, "addressbook-home-set"): hrefs(home_path(ADDRESSBOOKS, self.principal)),
            qname(CALDAV, "calendar-user-address-set"): hrefs(f"mailto:{self.principal.name}", self.path),
        }

    def get_property(self, name: str, principal: Principal) -> PropValue:
        return self._values().get(name)


class Listing(Collection):
    """/dav/, /dav/principals/, /dav/calendars/, /dav/addressbooks/: the user's own entries only."""

    def __init__(self, path: str, entries: list[Resource]) -> None:
        super().__init__(path)
        self.entries = entries

    def members(self) -> list[Resource]:
        return self.entries

    def create_child(
        self, name: str, resourcetype: list[str], properties: list[tuple[str, Element]], principal: Principal
    ) -> Collection:
        # Names here are principals' addresses: another user's looks exactly like one that does not exist.
        raise DavError(404, f"Nothing is at {self.path}{name}/.")

    def property_names(self) -> list[str]:
        return [dav("principal-collection-set")]

    def get_property(self, name: str, principal: Principal) -> PropValue:
        return hrefs(PRINCIPALS) if name == dav("principal-collection-set") else None


class RoostBackend:
    """The core's Backend for Roost: resolves /dav/ paths for the authenticated principal."""

    def resolve(self, path: str, principal: Principal) -> Resource | None:
        if not (path + "/").startswith(ROOT):
            return None
        segments = [s for s in path.removeprefix(ROOT).split("/") if s]
        resource = self._top(segments[:2], principal)
        for segment in segments[2:]:
            if not isinstance(resource, Collection):
                return None
            resource = resource.member(segment)
        if resource is not None and path.endswith("/") and not resource.is_collection:
            return None
        return resource

    def _top(self, segments: list[str], principal: Principal) -> Resource | None:
        own = principal.name.lower()
        kinds = (CALENDARS, ADDRESSBOOKS)
        if not segments:
            principals = Listing(PRINCIPALS, [PrincipalResource(principal)])
            return Listing(ROOT, [principals, *(Listing(f"/dav/{k}/", [Home(k, principal)]) for k in kinds)])
        if segments[0] == "principals":
            if len(segments) == 1:
                return Listing(PRINCIPALS, [PrincipalResource(principal)])
            return PrincipalResource(principal) if segments[1].lower() == own else None
        if segments[0] in kinds:
            if len(segments) == 1:
                return Listing(f"/dav/{segments[0]}/", [Home(segments[0], principal)])
            return Home(segments[0], principal) if segments[1].lower() == own else None
        return None
