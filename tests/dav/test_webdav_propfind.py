"""PROPFIND, OPTIONS, GET and REPORT dispatch through the core, against the in-memory tree."""

import pytest

from dav.webdav import Principal, element

from .memory import ALICE, MemoryBackend, MemoryCollection, parse_multistatus, request

PROP_BODY = """<D:propfind xmlns:D="DAV:" xmlns:X="http://example.test/x"><D:prop>
<D:resourcetype/><D:getetag/><D:displayname/><D:current-user-principal/><X:unknown/><D:sync-token/>
</D:prop></D:propfind>"""


@pytest.fixture
def backend() -> MemoryBackend:
    tree = MemoryBackend()
    work = MemoryCollection("/dav/work/", ["{urn:ietf:params:xml:ns:caldav}calendar"])
    work.props["{DAV:}displayname"] = element("{DAV:}displayname", "Work")
    tree.root.items["work"] = work
    request(tree, "PUT", "/dav/work/a b.ics", b"BEGIN:VCALENDAR", content_type="text/calendar")
    return tree


def test_depth_0_answers_the_collection_only_with_404_for_unknown(backend: MemoryBackend) -> None:
    response = request(backend, "PROPFIND", "/dav/work/", PROP_BODY, depth="0")
    assert response.status == 207
    result = parse_multistatus(response.body)
    assert list(result) == ["/dav/work/"]
    props = result["/dav/work/"]
    kinds = [child.tag for child in props["{DAV:}resourcetype"][1]]
    assert kinds == ["{DAV:}collection", "{urn:ietf:params:xml:ns:caldav}calendar"]
    assert props["{DAV:}displayname"] == (200, props["{DAV:}displayname"][1])
    assert props["{DAV:}displayname"][1].text == "Work"
    assert props["{DAV:}current-user-principal"][1].findtext("{DAV:}href") == "/dav/principals/alice@example.test/"
    assert props["{http://example.test/x}unknown"][0] == 404
    assert props["{DAV:}getetag"][0] == 404  # a collection without an ETag
    assert props["{DAV:}sync-token"][1].text == "http://roost.invalid/sync/1"


def test_depth_1_lists_members_with_encoded_hrefs(backend: MemoryBackend) -> None:
    response = request(backend, "PROPFIND", "/dav/work/", PROP_BODY, depth="1")
    result = parse_multistatus(response.body)
    assert list(result) == ["/dav/work/", "/dav/work/a%20b.ics"]
    member = result["/dav/work/a%20b.ics"]
    etag = backend.root.items["work"].items["a b.ics"].etag()  # type: ignore[attr-defined]
    assert member["{DAV:}getetag"][1].text == f'"{etag}"'
    assert member["{DAV:}resourcetype"][0] == 200
    assert len(member["{DAV:}resourcetype"][1]) == 0


def test_depth_infinity_is_refused_with_finite_depth_precondition(backend: MemoryBackend) -> None:
    response = request(backend, "PROPFIND", "/dav/work/", PROP_BODY, depth="infinity")
    assert response.status == 403
    assert b"propfind-finite-depth" in response.body


def test_allprop_and_empty_body_leave_out_what_is_missing(backend: MemoryBackend) -> None:
    for body in ("", '<D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>'):
        result = parse_multistatus(request(backend, "PROPFIND", "/dav/work/a b.ics", body, depth="0").body)
        props = result["/dav/work/a%20b.ics"]
        assert props["{DAV:}getcontenttype"][1].text == "text/calendar"
        assert props["{DAV:}getlastmodified"][1].text == "Fri, 02 Jan 2026 03:04:05 GMT"
        assert all(status == 200 for status, _ in props.values())


def test_propname_lists_names_without_values(backend: MemoryBackend) -> None:
    body = '<D:propfind xmlns:D="DAV:"><D:propname/></D:propfind>'
    props = parse_multistatus(request(backend, "PROPFIND", "/dav/work/", body, depth="0").body)["/dav/work/"]
    assert "{DAV:}displayname" in props
    assert "{DAV:}supported-report-set" in props
    assert props["{DAV:}displayname"][1].text is None


def test_supported_report_set_comes_from_the_registry(backend: MemoryBackend) -> None:
    body = '<D:propfind xmlns:D="DAV:"><D:prop><D:supported-report-set/></D:prop></D:propfind>'
    props = parse_multistatus(request(backend, "PROPFIND", "/dav/work/", body, depth="0").body)["/dav/work/"]
    reports = [r.tag for r in props["{DAV:}supported-report-set"][1].iter() if r.tag.startswith("{DAV:}sync")]
    assert reports == ["{DAV:}sync-collection"]


def test_unknown_path_and_other_principal_get_404(backend: MemoryBackend) -> None:
    assert request(backend, "PROPFIND", "/dav/nothing/", PROP_BODY, depth="0").status == 404
    bob = Principal(name="bob@example.test")
    assert request(backend, "PROPFIND", "/dav/work/", PROP_BODY, principal=bob, depth="0").status == 404
    assert request(backend, "GET", "/dav/work/a b.ics", principal=bob).status == 404


def test_options_advertises_the_dav_classes(backend: MemoryBackend) -> None:
    response = request(backend, "OPTIONS", "/dav/")
    assert response.status == 200
    assert "calendar-access" in response.headers["DAV"]
    assert "extended-mkcol" in response.headers["DAV"]
    assert "REPORT" in response.headers["Allow"]


def test_get_and_head(backend: MemoryBackend) -> None:
    got = request(backend, "GET", "/dav/work/a b.ics")
    assert (got.status, got.body, got.headers["Content-Type"]) == (200, b"BEGIN:VCALENDAR", "text/calendar")
    assert got.headers["ETag"].startswith('"')
    assert got.headers["Last-Modified"].endswith("GMT")
    head = request(backend, "HEAD", "/dav/work/a b.ics")
    assert (head.status, head.body, head.headers["Content-Length"]) == (200, b"", "15")
    unchanged = request(backend, "GET", "/dav/work/a b.ics", if_none_match=got.headers["ETag"])
    assert unchanged.status == 304


def test_unknown_report_is_403_supported_report(backend: MemoryBackend) -> None:
    body = '<C:calendar-query xmlns:C="urn:ietf:params:xml:ns:caldav"/>'
    response = request(backend, "REPORT", "/dav/work/", body, depth="1")
    assert response.status == 403
    assert b"<D:supported-report/>" in response.body
    assert response.headers["Content-Type"].startswith("application/xml")


def test_unknown_method_is_405_with_allow(backend: MemoryBackend) -> None:
    response = request(backend, "LOCK", "/dav/work/")
    assert response.status == 405
    assert "PROPFIND" in response.headers["Allow"]


def test_bad_depth_is_400(backend: MemoryBackend) -> None:
    assert request(backend, "PROPFIND", "/dav/work/", PROP_BODY, depth="2").status == 400


def test_registered_report_is_dispatched_by_root_element() -> None:
    from dav.webdav import DavResponse, Reports

    seen: list[str] = []
    reports = Reports()
    reports.register(
        "{http://example.test/x}echo",
        lambda res, root, req, ctx: (seen.append(res.path), DavResponse(200, b"echo"))[1],
        applies_to=lambda r: r.is_collection,
    )
    from dav.webdav import DavRequest, handle

    tree = MemoryBackend()
    ask = DavRequest(method="REPORT", path="/dav/", principal=ALICE, body=b'<x:echo xmlns:x="http://example.test/x"/>')
    assert handle(ask, tree, reports).body == b"echo"
    assert seen == ["/dav/"]
