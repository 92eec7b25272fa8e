"""Roost's URL space with a home provider plugged in, as the CalDAV layer does: the home lists, creates
and deletes through the provider, and another user's paths resolve to nothing."""

from collections.abc import Iterator

import pytest

from dav import tree
from dav.tree import CALENDARS, Home, RoostBackend, register_home, unregister_home
from dav.webdav import Collection, Element, Preconditions, Principal, Resource

from .memory import ALICE, MemoryCollection, parse_multistatus, request

BOB = Principal(name="bob@example.test")


class MemoryHomes:
    def __init__(self) -> None:
        self.homes: dict[str, MemoryCollection] = {}

    def _home(self, home: Home) -> MemoryCollection:
        return self.homes.setdefault(home.owner.name, MemoryCollection(home.path))

    def members(self, home: Home) -> list[Resource]:
        return self._home(home).members()

    def member(self, home: Home, name: str) -> Resource | None:
        return self._home(home).member(name)

    def create_child(
        self, home: Home, name: str, resourcetype: list[str], properties: list[tuple[str, Element]]
    ) -> Collection:
        return self._home(home).create_child(name, resourcetype, properties, home.owner)

    def delete_member(self, home: Home, name: str, conditions: Preconditions) -> None:
        self._home(home).items.pop(name)


@pytest.fixture
def homes() -> Iterator[MemoryHomes]:
    # DavConfig.ready() registers the CalDAV provider: put it back afterwards.
    registered = tree._HOMES.get(CALENDARS)
    provider = MemoryHomes()
    register_home(CALENDARS, provider)
    yield provider
    unregister_home(CALENDARS)
    if registered is not None:
        register_home(CALENDARS, registered)


def test_a_registered_provider_supplies_the_home(homes: MemoryHomes) -> None:
    backend = RoostBackend()
    home = "/dav/calendars/alice@example.test/"
    assert request(backend, "MKCALENDAR", home + "work/").status == 201
    assert request(backend, "PUT", home + "work/e.ics", b"x").status == 201
    listing = parse_multistatus(request(backend, "PROPFIND", home, depth="1").body)
    assert list(listing) == [home, home + "work/"]
    assert request(backend, "GET", home + "work/e.ics").body == b"x"
    assert request(backend, "GET", home + "work/e.ics", principal=BOB).status == 404
    assert request(backend, "DELETE", home + "work/", principal=BOB).status == 404
    assert request(backend, "DELETE", home + "work/").status == 204
    assert homes.homes[ALICE.name].items == {}


def test_without_a_provider_the_home_is_empty_and_refuses_children(monkeypatch: pytest.MonkeyPatch) -> None:
    # DavConfig.ready() registers the CardDAV provider; take it away for this test only.
    monkeypatch.delitem(tree._HOMES, "addressbooks", raising=False)
    backend = RoostBackend()
    home = "/dav/addressbooks/alice@example.test/"
    listing = parse_multistatus(request(backend, "PROPFIND", home, depth="1").body)
    assert list(listing) == [home]
    assert request(backend, "MKCOL", home + "book/").status == 403


def test_paths_outside_the_url_space_resolve_to_nothing() -> None:
    backend = RoostBackend()
    for path in (
        "/elsewhere/",
        "/dav/unknown/",
        "/dav/principals/bob@example.test/",
        "/dav/principals/alice@example.test/x",
    ):
        assert backend.resolve(path, ALICE) is None
    assert backend.resolve("/dav/principals/ALICE@example.test/", ALICE) is not None
