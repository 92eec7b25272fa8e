"""Bob can reach nothing of alice's over CalDAV: every method on her home, calendars and events answers 404
(409 for a write below a parent he cannot see, as the core documents) and her data is unchanged. A calendar
she shares with him appears in his own home as shared-<id>: readable, and writable only when shared so."""

import pytest

from accounts.models import User
from calendar_app.selectors import calendar_get_owned
from calendar_app.services import calendar_share
from tests import personas
from tests.dav.caldav_client import (
    CalClient,
    D,
    calendar_query,
    event,
    free_busy,
    mkcalendar,
    multiget,
    proppatch,
    sync,
)

pytestmark = [pytest.mark.django_db(transaction=True)]

PATCH = proppatch("<D:displayname>Mine now</D:displayname>")
FREE_BUSY = free_busy("20250301T000000Z", "20250401T000000Z")
EVERYTHING = calendar_query('<C:comp-filter name="VCALENDAR"/>')


@pytest.fixture
def people(live_server) -> tuple[CalClient, CalClient]:  # type: ignore[no-untyped-def]
    personas.mailbox("alice")
    personas.mailbox("bob")
    alice, bob = CalClient(live_server.url, "alice"), CalClient(live_server.url, "bob")
    for name in ("work", "readonly", "team"):
        assert alice.request("MKCALENDAR", f"{alice.home}{name}/", mkcalendar(name.title())).status == 201
        text = event(f"a-{name}@example.test", "20250310T090000Z", "20250310T100000Z", "SUMMARY:Alice's")
        assert alice.put(f"{alice.home}{name}/a.ics", text).status == 201
    return alice, bob


def _share(slug: str, can_write: bool) -> int:
    alice = User.objects.get(username="alice@example.test")
    bob = User.objects.get(username="bob@example.test")
    access = calendar_get_owned(user=alice, slug=slug)
    calendar_share(access=access, user=bob, can_write=can_write)
    return access.obj.pk


def _snapshot(alice: CalClient) -> dict[str, str]:
    found: dict[str, str] = {}
    for href, response in alice.propfind(alice.home, "<D:displayname/><CS:getctag/>", depth="1").responses().items():
        found[href] = "".join(response.itertext())
        if href != alice.home:
            for item in alice.names(href):
                found[item] = alice.data(item)
    return found


def test_bob_sees_and_changes_nothing_of_alice(people: tuple[CalClient, CalClient]) -> None:
    alice, bob = people
    work = alice.home + "work/"
    before = _snapshot(alice)

    for path in (alice.home, work, work + "a.ics"):
        assert bob.request("GET", path).status == 404, path
        assert bob.request("HEAD", path).status == 404, path
        assert bob.propfind(path, "<D:getetag/>", depth="1").status == 404, path
        for report in (multiget([work + "a.ics"]), EVERYTHING, sync(), FREE_BUSY):
            assert bob.report(path, report).status == 404, (path, report[:30])
        assert bob.request("PROPPATCH", path, PATCH, Content_Type="application/xml").status == 404, path
        assert bob.request("DELETE", path).status == 404, path
    for path in (work + "a.ics", work + "new.ics"):
        assert bob.put(path, event("bob@example.test")).status in (404, 409), path
        assert bob.put(path, event("bob@example.test"), If_Match='"x"').status in (404, 409), path
    for path in (alice.home + "bobs/", work, work + "sub/"):
        assert bob.request("MKCALENDAR", path, mkcalendar("Bob's")).status in (404, 409), path
    # His own home never shows hers, and a shared-<id> name of a calendar not shared with him is nothing.
    work_id = calendar_get_owned(user=User.objects.get(username="alice@example.test"), slug="work").obj.pk
    assert set(bob.propfind(bob.home, "<D:resourcetype/>", depth="1").responses()) == {
        bob.home,
        bob.home + "personal/",
    }
    for method in ("GET", "PROPFIND", "DELETE"):
        assert bob.request(method, f"{bob.home}shared-{work_id}/a.ics").status == 404, method
    assert bob.put(f"{bob.home}shared-{work_id}/b.ics", event("b@example.test")).status == 409

    assert _snapshot(alice) == before


def test_a_read_only_share_is_readable_and_refuses_writes(people: tuple[CalClient, CalClient]) -> None:
    alice, bob = people
    calendar_id = _share("readonly", can_write=False)
    before = _snapshot(alice)
    shared = f"{bob.home}shared-{calendar_id}/"

    listing = bob.propfind(bob.home, "<D:displayname/><D:current-user-privilege-set/><D:owner/>", depth="1")
    entry = listing.responses()[shared]
    assert entry.findtext(f".//{D}displayname") == "Readonly"
    assert entry.findtext(f".//{D}owner/{D}href") == "/dav/principals/alice@example.test/"
    assert entry.find(f".//{D}privilege/{D}read") is not None
    assert entry.find(f".//{D}privilege/{D}write-content") is None
    assert "SUMMARY:Alice's" in bob.data(shared + "a.ics")
    assert set(bob.report(shared, EVERYTHING).responses()) == {shared + "a.ics"}
    # Alice's own path stays hers alone, and she reaches her calendar only by its slug.
    assert bob.request("GET", alice.home + "readonly/a.ics").status == 404
    assert alice.request("GET", f"{alice.home}shared-{calendar_id}/a.ics").status == 404

    for answer in (
        bob.put(shared + "b.ics", event("b@example.test")),
        bob.put(shared + "a.ics", event("a-readonly@example.test", "20250310T090000Z", "20250310T100000Z")),
        bob.request("DELETE", shared + "a.ics"),
        bob.request("DELETE", shared),
    ):
        assert answer.status == 403
        assert b"need-privileges" in answer.body
    patched = bob.request("PROPPATCH", shared, PATCH, Content_Type="application/xml")
    assert patched.status == 207
    assert b"403" in patched.body
    assert _snapshot(alice) == before


def test_a_read_write_share_takes_writes_but_not_the_calendars_settings(people: tuple[CalClient, CalClient]) -> None:
    alice, bob = people
    calendar_id = _share("team", can_write=True)
    shared = f"{bob.home}shared-{calendar_id}/"
    entry = bob.propfind(shared, "<D:current-user-privilege-set/>").responses()[shared]
    assert entry.find(f".//{D}privilege/{D}write-content") is not None

    created = bob.put(shared + "bob.ics", event("bob@example.test", "20250311T090000Z", "20250311T100000Z"))
    assert created.status == 201
    assert alice.names(alice.home + "team/") == {alice.home + "team/a.ics", alice.home + "team/bob.ics"}
    assert alice.request("GET", alice.home + "team/bob.ics").headers["ETag"] == created.headers["ETag"]
    assert bob.request("DELETE", shared + "a.ics").status == 204
    assert alice.request("GET", alice.home + "team/a.ics").status == 404

    patched = bob.request("PROPPATCH", shared, PATCH, Content_Type="application/xml")
    assert b"403" in patched.body
    deleted = bob.request("DELETE", shared)
    assert deleted.status == 403
    assert b"need-privileges" in deleted.body
    team = alice.propfind(alice.home + "team/", "<D:displayname/><A:calendar-color/>").responses()[alice.home + "team/"]
    assert team.findtext(f".//{D}displayname") == "Team"
    assert team.findtext(".//{http://apple.com/ns/ical/}calendar-color") == "#3a87ad"
