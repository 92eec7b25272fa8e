"""Subscriptions to a CalDAV calendar through the caldav library. The guard and the limits are tested against
a local HTTP server that misbehaves; the subscription itself against Roost's own CalDAV endpoint under the
live server, once that endpoint answers in this checkout (it is checked at run time, and the test says so
when it skips)."""

import time
from collections.abc import Iterator

import pytest

from accounts.models import User
from calendar_app import selectors, services
from calendar_app.models import Calendar, CalendarChange, CalendarObject, CalendarSubscription
from calendar_app.services import subscriptions
from core.access import Access, Role
from core.errors import Forbidden
from core.netguard import FetchRefused
from tests import personas
from tests.calendar_app.feedserver import FeedServer, feed_server, ics, vevent
from tests.dav.carddav_client import Client, D

LOOPBACK = ["127.0.0.0/8", "::1/128"]
CALDAV_NS = "{urn:ietf:params:xml:ns:caldav}"

A = vevent("a@dav.test", "Planning", "20270104T090000Z", "20270104T100000Z")
B = vevent("b@dav.test", "Stand-up", "20270105T083000Z", "20270105T084500Z", "RRULE:FREQ=WEEKLY;COUNT=4")
C = vevent("c@dav.test", "Review", "20270107T140000Z", "20270107T150000Z")
A_EDITED = vevent("a@dav.test", "Planning (moved)", "20270111T090000Z", "20270111T100000Z", "SEQUENCE:1")
D_NEW = vevent("d@dav.test", "Retro", "20270128T160000Z", "20270128T170000Z")


@pytest.fixture(scope="module")
def server() -> Iterator[FeedServer]:
    yield from feed_server(big_size=subscriptions.MAX_SOURCE_BYTES + 1)


def _subscribe(user: User, url: str) -> CalendarSubscription:
    return services.calendar_subscribe_caldav(
        owner=user, url=url, username="someone", password="their password", name="Elsewhere"
    )


# -- the guard and the limits, against a server that misbehaves --------------------------------------------


def test_loopback_is_refused_by_default(alice: User, server: FeedServer, settings) -> None:  # type: ignore[no-untyped-def]
    assert settings.ROOST_FETCH_ALLOW_NETWORKS == []
    server.feeds.seen.clear()
    with pytest.raises(FetchRefused, match=r"non-public address \(127\.0\.0\.1\)"):
        _subscribe(alice, f"{server.url}/calendars/someone/work/")
    assert not server.feeds.seen, "the guard let a request through"
    assert not CalendarSubscription.objects.exists()


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/to-private/", r"non-public address \(10\.0\.0\.1\)"),  # a redirect, caught where the library connects
        ("/big/", r"too large \(more than 10 MB\)"),  # no Content-Length: cut off while reading
        ("/big-declared/", r"too large \(more than 10 MB\)"),
        ("/nothing/", "There is no calendar at that CalDAV address"),
    ],
)
def test_caldav_failures_are_clear_and_make_nothing(
    alice: User,
    server: FeedServer,
    settings,  # type: ignore[no-untyped-def]
    path: str,
    message: str,
) -> None:
    settings.ROOST_FETCH_ALLOW_NETWORKS = LOOPBACK
    with pytest.raises(FetchRefused, match=message):
        _subscribe(alice, f"{server.url}{path}")
    assert not Calendar.objects.filter(owner=alice).exists()


def test_a_trickling_caldav_server_is_cut_off_at_the_deadline(
    alice: User,
    server: FeedServer,
    settings,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings.ROOST_FETCH_ALLOW_NETWORKS = LOOPBACK
    monkeypatch.setattr(subscriptions, "FETCH_TIMEOUT", 1.0)
    started = time.monotonic()
    with pytest.raises(FetchRefused, match="too slow"):
        _subscribe(alice, f"{server.url}/slow/")
    assert time.monotonic() - started < 3.0
    assert not CalendarSubscription.objects.exists()


# -- against Roost's own CalDAV server -------------------------------------------------------------------


def _caldav_calendar_answers(client: Client, path: str) -> bool:
    answer = client.propfind(path, "<D:resourcetype/>")
    if answer.status != 207:
        return False
    response = answer.responses().get(path)
    return response is not None and response.find(f".//{D}resourcetype/{CALDAV_NS}calendar") is not None


@pytest.mark.django_db(transaction=True)
def test_subscribe_to_a_calendar_on_roosts_own_caldav_server(live_server, settings) -> None:  # type: ignore[no-untyped-def]
    alice = personas.mailbox("alice").user
    source = services.calendar_create(owner=alice, name="Work", slug="work")
    owner = Access(source, Role.OWNER)
    for name, text in (("a.ics", A), ("b.ics", B), ("c.ics", C)):
        services.calendar_object_put(access=owner, name=name, data=ics(text))
    dav = Client(live_server.url, "alice")
    source_path = f"/dav/calendars/{dav.address}/work/"
    if not _caldav_calendar_answers(dav, source_path):
        pytest.skip(
            f"Roost's CalDAV endpoint does not answer in this checkout (PROPFIND {source_path} gave no calendar); "
            "this test runs once the CalDAV branch is merged"
        )
    settings.ROOST_FETCH_ALLOW_NETWORKS = LOOPBACK

    subscription = services.calendar_subscribe_caldav(
        owner=alice,
        url=f"{live_server.url}{source_path}",
        username=dav.address,
        password=personas.PASSWORD,
        name="Work (mirror)",
    )
    mirror = subscription.calendar
    assert subscription.kind == "caldav"
    assert personas.PASSWORD not in subscription.password_sealed
    assert sorted(mirror.resources.values_list("uid", flat=True)) == ["a@dav.test", "b@dav.test", "c@dav.test"]
    window = (
        CalendarObject.objects.get(calendar=mirror, uid="a@dav.test").span.lower,
        CalendarObject.objects.get(calendar=mirror, uid="b@dav.test").span.upper,
    )
    seen = selectors.calendar_occurrences(user=alice, start=window[0], end=window[1], calendar_ids=[mirror.pk])
    assert [o.summary for o in seen].count("Stand-up") == 4

    # Changed at the source: one edited, one removed, one added.
    seq = Calendar.objects.get(pk=mirror.pk).sync_seq
    services.calendar_object_put(access=owner, name="a.ics", data=ics(A_EDITED))
    services.calendar_object_delete(access=owner, name="c.ics")
    services.calendar_object_put(access=owner, name="d.ics", data=ics(D_NEW))
    report = services.subscription_refresh(subscription_id=subscription.pk)
    assert (report.status, report.created, report.updated, report.deleted) == ("updated", 1, 1, 1)
    assert sorted(mirror.resources.values_list("uid", "summary")) == [
        ("a@dav.test", "Planning (moved)"),
        ("b@dav.test", "Stand-up"),
        ("d@dav.test", "Retro"),
    ]
    assert CalendarChange.objects.filter(calendar=mirror, seq__gt=seq).count() == 3
    again = services.subscription_refresh(subscription_id=subscription.pk)
    assert (again.created, again.updated, again.deleted) == (0, 0, 0)

    # The mirror is read-only over CalDAV too.
    mirror_path = f"/dav/calendars/{dav.address}/{mirror.slug}/"
    put = dav.request(
        "PUT",
        mirror_path + "new.ics",
        ics(vevent("n@dav.test", "Mine", "20270120T100000Z", "20270120T110000Z")),
        Content_Type="text/calendar",
    )
    assert put.status == 403
    name = CalendarObject.objects.get(calendar=mirror, uid="b@dav.test").name
    assert dav.request("DELETE", mirror_path + name).status == 403
    assert sorted(mirror.resources.values_list("uid", flat=True)) == ["a@dav.test", "b@dav.test", "d@dav.test"]
    with pytest.raises(Forbidden):
        services.calendar_object_delete(
            access=selectors.calendar_get_for_user(user=alice, calendar_id=mirror.pk), name=name
        )

    # A wrong password is a clear failure that changes nothing.
    with pytest.raises(FetchRefused, match="refused the user name or password"):
        services.calendar_subscribe_caldav(
            owner=alice, url=f"{live_server.url}{source_path}", username=dav.address, password="wrong", name="X"
        )
    assert CalendarSubscription.objects.count() == 1
