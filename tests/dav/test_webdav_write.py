"""PUT, DELETE, PROPPATCH, MKCOL and MKCALENDAR through the core: conditional writes change nothing when
they fail, PROPPATCH is all or nothing, errors carry their precondition."""

import pytest

from dav.webdav import element
from dav.webdav.errors import DavError
from dav.webdav.write import _split

from .memory import MemoryBackend, MemoryCollection, MemoryItem, parse_multistatus, request

CAL = "{urn:ietf:params:xml:ns:caldav}calendar"


@pytest.fixture
def tree() -> MemoryBackend:
    backend = MemoryBackend()
    work = MemoryCollection("/dav/work/", [CAL], read_only=["{http://example.test/x}locked"])
    backend.root.items["work"] = work
    return backend


def _work(tree: MemoryBackend) -> MemoryCollection:
    work = tree.root.items["work"]
    assert isinstance(work, MemoryCollection)
    return work


def test_put_creates_then_replaces_with_etags(tree: MemoryBackend) -> None:
    created = request(tree, "PUT", "/dav/work/e.ics", b"one", content_type="text/calendar", if_none_match="*")
    assert created.status == 201
    replaced = request(tree, "PUT", "/dav/work/e.ics", b"two", if_match=created.headers["ETag"])
    assert replaced.status == 204
    assert replaced.headers["ETag"] != created.headers["ETag"]
    item = _work(tree).items["e.ics"]
    assert isinstance(item, MemoryItem)
    assert item.body == b"two"


@pytest.mark.parametrize(
    ("headers", "exists"),
    [
        ({"if_match": '"stale"'}, True),
        ({"if_none_match": "*"}, True),
        ({"if_match": "*"}, False),
        ({"if_match": '"stale"'}, False),
    ],
)
def test_failed_preconditions_are_412_and_change_nothing(
    tree: MemoryBackend, headers: dict[str, str], exists: bool
) -> None:
    if exists:
        request(tree, "PUT", "/dav/work/e.ics", b"original")
    before = (dict(_work(tree).items), list(_work(tree).log))
    assert request(tree, "PUT", "/dav/work/e.ics", b"changed", **headers).status == 412
    if exists:
        assert request(tree, "DELETE", "/dav/work/e.ics", if_match='"stale"').status == 412
    assert (dict(_work(tree).items), list(_work(tree).log)) == before


def test_unquoted_etag_is_400(tree: MemoryBackend) -> None:
    assert request(tree, "PUT", "/dav/work/e.ics", b"x", if_match="abc").status == 400


def test_delete_with_matching_etag_and_missing_member(tree: MemoryBackend) -> None:
    etag = request(tree, "PUT", "/dav/work/e.ics", b"x").headers["ETag"]
    assert request(tree, "DELETE", "/dav/work/e.ics", if_match=etag).status == 204
    assert "e.ics" not in _work(tree).items
    assert request(tree, "DELETE", "/dav/work/e.ics").status == 404


def test_put_without_parent_collection_is_409(tree: MemoryBackend) -> None:
    assert request(tree, "PUT", "/dav/nowhere/e.ics", b"x").status == 409


def test_store_error_with_precondition_becomes_an_error_body(tree: MemoryBackend) -> None:
    response = request(tree, "PUT", "/dav/work/e.ics", b"BROKEN")
    assert response.status == 403
    assert b"<C:valid-calendar-data/>" in response.body
    assert b"<D:error" in response.body
    assert "e.ics" not in _work(tree).items


def test_roost_errors_map_by_their_status(tree: MemoryBackend, monkeypatch: pytest.MonkeyPatch) -> None:
    from core.errors import Conflict

    def refuse(*args: object) -> None:
        raise Conflict("That UID is used by another event.")

    monkeypatch.setattr(_work(tree), "put_member", refuse)
    response = request(tree, "PUT", "/dav/work/e.ics", b"x")
    assert (response.status, response.body) == (409, b"That UID is used by another event.")


PROPPATCH = """<D:propertyupdate xmlns:D="DAV:" xmlns:X="http://example.test/x">
<D:set><D:prop><D:displayname>Renamed</D:displayname>{extra}</D:prop></D:set>
<D:remove><D:prop><X:color/></D:prop></D:remove></D:propertyupdate>"""


def test_proppatch_sets_and_removes(tree: MemoryBackend) -> None:
    _work(tree).props["{http://example.test/x}color"] = element("{http://example.test/x}color", "red")
    response = request(tree, "PROPPATCH", "/dav/work/", PROPPATCH.format(extra=""))
    props = parse_multistatus(response.body)["/dav/work/"]
    assert {name: status for name, (status, _) in props.items()} == {
        "{DAV:}displayname": 200,
        "{http://example.test/x}color": 200,
    }
    assert _work(tree).displayname() == "Renamed"
    assert "{http://example.test/x}color" not in _work(tree).props


@pytest.mark.parametrize(
    ("extra", "refused"),
    [("<X:locked>1</X:locked>", "{http://example.test/x}locked"), ("<D:getetag>x</D:getetag>", "{DAV:}getetag")],
)
def test_proppatch_is_all_or_nothing(tree: MemoryBackend, extra: str, refused: str) -> None:
    response = request(tree, "PROPPATCH", "/dav/work/", PROPPATCH.format(extra=extra))
    props = parse_multistatus(response.body)["/dav/work/"]
    assert props[refused][0] == 403
    assert props["{DAV:}displayname"][0] == 424
    assert _work(tree).displayname() is None


def test_plain_mkcol_and_existing_target(tree: MemoryBackend) -> None:
    assert request(tree, "MKCOL", "/dav/work/sub/").status == 201
    assert isinstance(_work(tree).items["sub"], MemoryCollection)
    assert request(tree, "MKCOL", "/dav/work/sub/").status == 405
    assert request(tree, "MKCOL", "/dav/none/sub/").status == 409


def test_extended_mkcol_with_resourcetype_and_props(tree: MemoryBackend) -> None:
    body = """<D:mkcol xmlns:D="DAV:" xmlns:CR="urn:ietf:params:xml:ns:carddav"><D:set><D:prop>
    <D:resourcetype><D:collection/><CR:addressbook/></D:resourcetype><D:displayname>Friends</D:displayname>
    </D:prop></D:set></D:mkcol>"""
    assert request(tree, "MKCOL", "/dav/book/", body).status == 201
    book = tree.root.items["book"]
    assert isinstance(book, MemoryCollection)
    assert book.kinds == ["{urn:ietf:params:xml:ns:carddav}addressbook"]
    assert book.displayname() == "Friends"


def test_extended_mkcol_refused_property_creates_nothing(tree: MemoryBackend) -> None:
    tree.root.read_only = {"{http://example.test/x}locked"}
    body = """<D:mkcol xmlns:D="DAV:" xmlns:X="http://example.test/x"><D:set><D:prop>
    <D:displayname>F</D:displayname><X:locked>1</X:locked></D:prop></D:set></D:mkcol>"""
    response = request(tree, "MKCOL", "/dav/book/", body)
    assert response.status == 403
    assert b"<D:mkcol-response" in response.body
    assert "book" not in tree.root.items


def test_mkcol_with_other_body_is_415(tree: MemoryBackend) -> None:
    assert request(tree, "MKCOL", "/dav/book/", '<D:propfind xmlns:D="DAV:"/>').status == 415


def test_mkcalendar_with_props_and_on_existing(tree: MemoryBackend) -> None:
    body = """<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop>
    <D:displayname>Home</D:displayname></D:prop></D:set></C:mkcalendar>"""
    assert request(tree, "MKCALENDAR", "/dav/home/", body).status == 201
    home = tree.root.items["home"]
    assert isinstance(home, MemoryCollection)
    assert home.kinds == [CAL]
    assert home.displayname() == "Home"
    again = request(tree, "MKCALENDAR", "/dav/home/", body)
    assert again.status == 403
    assert b"resource-must-be-null" in again.body


def test_mkcalendar_where_calendars_are_not_allowed(tree: MemoryBackend) -> None:
    tree.root.allowed_kinds = set()
    response = request(tree, "MKCALENDAR", "/dav/home/")
    assert response.status == 403
    assert "home" not in tree.root.items


def test_bad_names_are_400(tree: MemoryBackend) -> None:
    assert request(tree, "PUT", "/dav/work/" + "x" * 300, b"x").status == 400
    assert request(tree, "PUT", "/dav/work/a\x01b", b"x").status == 400
    with pytest.raises(DavError):
        _split("/dav/work/..")
