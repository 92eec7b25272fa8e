"""The core's sync-collection REPORT (RFC 6578): first sync, changes and tombstones, limits, bad tokens."""

import pytest

from .memory import TOKEN_PREFIX, MemoryBackend, MemoryCollection, parse_multistatus, request

SYNC = """<D:sync-collection xmlns:D="DAV:"><D:sync-token>{token}</D:sync-token><D:sync-level>1</D:sync-level>
<D:prop><D:getetag/></D:prop>{limit}</D:sync-collection>"""


@pytest.fixture
def tree() -> MemoryBackend:
    backend = MemoryBackend()
    backend.root.items["work"] = MemoryCollection("/dav/work/")
    for name in ("a.ics", "b.ics"):
        request(backend, "PUT", f"/dav/work/{name}", name.encode())
    return backend


def _sync(tree: MemoryBackend, token: str = "", limit: str = "") -> tuple[int, dict, str]:  # type: ignore[type-arg]
    response = request(tree, "REPORT", "/dav/work/", SYNC.format(token=token, limit=limit), depth="0")
    if response.status != 207:
        return response.status, {"body": response.body}, ""
    from xml.etree import ElementTree as ET

    new_token = str(ET.fromstring(response.body).findtext("{DAV:}sync-token"))
    return response.status, parse_multistatus(response.body), new_token


def test_first_sync_lists_every_member_with_a_token(tree: MemoryBackend) -> None:
    status, result, token = _sync(tree)
    assert status == 207
    assert sorted(result) == ["/dav/work/a.ics", "/dav/work/b.ics"]
    assert result["/dav/work/a.ics"]["{DAV:}getetag"][0] == 200
    assert token == f"{TOKEN_PREFIX}2"


def test_later_sync_gives_changes_and_tombstones(tree: MemoryBackend) -> None:
    _, _, token = _sync(tree)
    request(tree, "PUT", "/dav/work/a.ics", b"changed")
    request(tree, "DELETE", "/dav/work/b.ics")
    status, result, new_token = _sync(tree, token)
    assert status == 207
    assert result["/dav/work/a.ics"]["{DAV:}getetag"][0] == 200
    assert result["/dav/work/b.ics"]["status"][0] == 404
    assert new_token != token
    assert _sync(tree, new_token)[1] == {}


def test_limit_truncates_with_507_and_continues(tree: MemoryBackend) -> None:
    _, result, token = _sync(tree, f"{TOKEN_PREFIX}0", "<D:limit><D:nresults>1</D:nresults></D:limit>")
    assert result["/dav/work/"]["status"][0] == 507
    assert list(result) == ["/dav/work/a.ics", "/dav/work/"]
    _, rest, _ = _sync(tree, token)
    assert list(rest) == ["/dav/work/b.ics"]


@pytest.mark.parametrize("token", ["http://other.invalid/1", f"{TOKEN_PREFIX}99", "garbage"])
def test_invalid_token_is_403_valid_sync_token(tree: MemoryBackend, token: str) -> None:
    status, result, _ = _sync(tree, token)
    assert status == 403
    assert b"<D:valid-sync-token/>" in result["body"]


def test_bad_limit_and_missing_token_are_400(tree: MemoryBackend) -> None:
    assert _sync(tree, "", "<D:limit><D:nresults>0</D:nresults></D:limit>")[0] == 400
    body = '<D:sync-collection xmlns:D="DAV:"><D:prop/></D:sync-collection>'
    assert request(tree, "REPORT", "/dav/work/", body).status == 400


def test_sync_on_a_collection_without_tokens_is_unsupported(tree: MemoryBackend) -> None:
    request(tree, "PUT", "/dav/work/a.ics", b"x")
    response = request(tree, "REPORT", "/dav/work/a.ics", SYNC.format(token="", limit=""))
    assert response.status == 403
    assert b"supported-report" in response.body
