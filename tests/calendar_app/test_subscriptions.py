"""Calendar subscriptions to an .ics feed served by a real HTTP server on loopback: the address guard, the
size and time limits, subscribing, refreshing (exactly the source's changes mirrored and logged, 304 and
re-stamped feeds changing nothing, broken events skipped and named), the calendar read-only for every
other door, the pages, a second user, two refreshes at once, and the beat task through a real worker."""

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections, transaction
from django.test import Client
from django.utils import timezone

from accounts.models import User
from calendar_app import selectors, services
from calendar_app.eventfields import EventFields
from calendar_app.models import Calendar, CalendarChange, CalendarObject, CalendarSubscription
from calendar_app.services import subscriptions
from calendar_app.services.events import event_create
from core.access import Access, Role
from core.errors import Forbidden, NotFound, RoostError
from core.netguard import FetchRefused
from tests.calendar_app.feedserver import FeedServer, feed_server, ics, vevent

ROOT = Path(__file__).resolve().parents[2]
LOOPBACK = ["127.0.0.0/8", "::1/128"]
JANUARY = (datetime(2027, 1, 1, tzinfo=UTC), datetime(2027, 2, 1, tzinfo=UTC))

A = vevent("a@feed.test", "Kick-off", "20270104T090000Z", "20270104T100000Z")
B = vevent("b@feed.test", "Stand-up", "20270105T083000Z", "20270105T084500Z", "RRULE:FREQ=WEEKLY;COUNT=4")
C = vevent("c@feed.test", "Review", "20270107T140000Z", "20270107T150000Z")
A_EDITED = vevent("a@feed.test", "Kick-off (moved)", "20270111T090000Z", "20270111T100000Z", "SEQUENCE:1")
D = vevent("d@feed.test", "Retro", "20270128T160000Z", "20270128T170000Z")
BROKEN = vevent("x@feed.test", "Backwards", "20270120T100000Z", "20270120T090000Z")


@pytest.fixture(scope="module")
def server() -> Iterator[FeedServer]:
    yield from feed_server(big_size=subscriptions.MAX_SOURCE_BYTES + 1)


@pytest.fixture
def loopback(settings) -> None:  # type: ignore[no-untyped-def]
    """The tests' servers are on loopback, which the guard refuses unless told otherwise."""
    settings.ROOST_FETCH_ALLOW_NETWORKS = LOOPBACK


@pytest.fixture
def feed(server: FeedServer, loopback: None) -> FeedServer:
    server.feeds.files.clear()
    server.feeds.seen.clear()
    server.feeds.put("/team.ics", ics(A, B, C), '"v1"')
    return server


def _subscribe(user: User, feed: FeedServer, path: str = "/team.ics") -> CalendarSubscription:
    return services.calendar_subscribe_ics(owner=user, url=f"{feed.url}{path}", name="Team", color="#16a34a")


def _summaries(user: User, calendar_id: int) -> list[tuple[str, str]]:
    return [
        (o.summary, o.start.isoformat())
        for o in selectors.calendar_occurrences(user=user, start=JANUARY[0], end=JANUARY[1], calendar_ids=[calendar_id])
    ]


def _state(calendar_id: int) -> tuple[object, ...]:
    calendar = Calendar.objects.get(pk=calendar_id)
    return (
        calendar.sync_seq,
        tuple(CalendarObject.objects.filter(calendar_id=calendar_id).order_by("uid").values_list("uid", "etag")),
        CalendarChange.objects.filter(calendar_id=calendar_id).count(),
    )


# -- the guard ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://127.0.0.1/team.ics", "non-public address"),
        ("http://[::1]/team.ics", "non-public address"),
        ("http://10.1.2.3/team.ics", "non-public address"),
        ("http://192.168.0.10/team.ics", "non-public address"),
        ("http://169.254.169.254/latest/meta-data", "non-public address"),
        ("http://localhost:8000/team.ics", "non-public address"),  # a name that resolves to loopback
        ("webcal://127.0.0.1/team.ics", "non-public address"),
        ("ftp://example.org/team.ics", "Only http and https"),
        ("file:///etc/passwd", "Only http and https"),
        ("javascript:alert(1)", "Only http and https"),
        ("https://alice:secret@example.org/team.ics", "Leave the user name and password out"),
        ("", "Give the calendar's address"),
    ],
)
def test_the_guard_refuses_internal_addresses_other_schemes_and_credentials(
    alice: User, url: str, message: str
) -> None:
    before = Calendar.objects.count()
    with pytest.raises(RoostError, match=message):
        services.calendar_subscribe_ics(owner=alice, url=url, name="X")
    with pytest.raises(RoostError, match=message):
        services.calendar_subscribe_caldav(owner=alice, url=url, username="alice", password="pw", name="X")
    assert Calendar.objects.count() == before
    assert not CalendarSubscription.objects.exists()


def test_loopback_is_refused_by_default_and_other_private_networks_even_when_loopback_is_allowed(
    alice: User,
    server: FeedServer,
    settings,  # type: ignore[no-untyped-def]
) -> None:
    server.feeds.put("/team.ics", ics(A), '"v1"')
    assert settings.ROOST_FETCH_ALLOW_NETWORKS == []
    with pytest.raises(FetchRefused, match=r"non-public address \(127\.0\.0\.1\)"):
        _subscribe(alice, server)
    settings.ROOST_FETCH_ALLOW_NETWORKS = LOOPBACK
    with pytest.raises(FetchRefused, match="non-public address"):
        services.calendar_subscribe_ics(owner=alice, url="http://10.0.0.1/team.ics", name="X")
    # A redirect is checked again: the allowed server sends the client into the private network.
    with pytest.raises(FetchRefused, match=r"non-public address \(10\.0\.0\.1\)"):
        _subscribe(alice, server, "/to-private")
    assert not CalendarSubscription.objects.exists()


def test_webcal_becomes_https(loopback: None) -> None:
    assert subscriptions.source_url_clean(" webcal://127.0.0.1:8443/h.ics ") == "https://127.0.0.1:8443/h.ics"
    assert subscriptions.source_url_clean("WEBCALS://127.0.0.1/h.ics") == "https://127.0.0.1/h.ics"


# -- limits: a failed fetch changes nothing --------------------------------------------------------------


@pytest.mark.parametrize("path", ["/big.ics", "/big-declared.ics"])
def test_a_source_over_the_size_cap_fails_clearly_and_changes_nothing(alice: User, feed: FeedServer, path: str) -> None:
    with pytest.raises(FetchRefused, match="too large"):
        _subscribe(alice, feed, path)
    assert not CalendarSubscription.objects.exists()

    subscription = _subscribe(alice, feed)
    before = _state(subscription.calendar_id)
    CalendarSubscription.objects.filter(pk=subscription.pk).update(url=f"{feed.url}{path}")
    report = services.subscription_refresh(subscription_id=subscription.pk)
    assert report.status == "failed"
    assert "too large (more than 10 MB)" in report.error
    assert _state(subscription.calendar_id) == before
    subscription.refresh_from_db()
    assert "too large" in subscription.last_error


def test_a_source_slower_than_the_timeout_fails_clearly_and_changes_nothing(
    alice: User, feed: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    subscription = _subscribe(alice, feed)
    before = _state(subscription.calendar_id)
    CalendarSubscription.objects.filter(pk=subscription.pk).update(url=f"{feed.url}/slow.ics")
    monkeypatch.setattr(subscriptions, "FETCH_TIMEOUT", 1.0)
    started = time.monotonic()
    report = services.subscription_refresh(subscription_id=subscription.pk)
    assert time.monotonic() - started < 2.0
    assert (report.status, report.error) == (
        "failed",
        "The remote server was too slow (no complete answer within 1 s).",
    )
    assert _state(subscription.calendar_id) == before


def test_the_default_limits_are_ten_seconds_and_ten_megabytes() -> None:
    assert (subscriptions.FETCH_TIMEOUT, subscriptions.MAX_SOURCE_BYTES) == (10.0, 10 * 1024 * 1024)


def test_a_file_that_is_no_calendar_is_refused(alice: User, feed: FeedServer) -> None:
    feed.feeds.files["/page.html"] = (b"<html>Sign in</html>", "")
    with pytest.raises(FetchRefused, match="did not give a calendar file"):
        _subscribe(alice, feed, "/page.html")
    with pytest.raises(FetchRefused, match="answered 404"):
        _subscribe(alice, feed, "/missing.ics")
    assert not CalendarSubscription.objects.exists()


# -- subscribing and refreshing ----------------------------------------------------------------------------


def test_subscribe_mirrors_the_events_and_their_occurrences_appear(alice: User, feed: FeedServer) -> None:
    subscription = _subscribe(alice, feed)
    calendar = subscription.calendar
    assert (calendar.name, calendar.color, calendar.owner_id) == ("Team", "#16a34a", alice.pk)
    assert subscription.kind == "ics"
    assert subscription.refresh_interval == timedelta(hours=1)
    assert subscription.next_refresh > timezone.now() + timedelta(minutes=59)
    assert (subscription.etag, subscription.last_error) == ('"v1"', "")
    assert sorted(calendar.resources.values_list("uid", flat=True)) == ["a@feed.test", "b@feed.test", "c@feed.test"]
    assert _summaries(alice, calendar.pk) == [
        ("Kick-off", "2027-01-04T09:00:00+00:00"),
        ("Stand-up", "2027-01-05T08:30:00+00:00"),
        ("Review", "2027-01-07T14:00:00+00:00"),
        ("Stand-up", "2027-01-12T08:30:00+00:00"),
        ("Stand-up", "2027-01-19T08:30:00+00:00"),
        ("Stand-up", "2027-01-26T08:30:00+00:00"),
    ]


def test_refresh_mirrors_exactly_the_changes_and_logs_them(alice: User, feed: FeedServer) -> None:
    subscription = _subscribe(alice, feed)
    calendar_id = subscription.calendar_id
    seq = Calendar.objects.get(pk=calendar_id).sync_seq
    names = dict(CalendarObject.objects.filter(calendar_id=calendar_id).values_list("uid", "name"))
    etag_b = CalendarObject.objects.get(calendar_id=calendar_id, uid="b@feed.test").etag

    feed.feeds.put("/team.ics", ics(A_EDITED, B, D), '"v2"')  # A edited, C gone, D new, B as it was
    report = services.subscription_refresh(subscription_id=subscription.pk)

    assert (report.status, report.created, report.updated, report.deleted, report.skipped) == ("updated", 1, 1, 1, [])
    assert CalendarObject.objects.get(calendar_id=calendar_id, uid="b@feed.test").etag == etag_b
    changes = CalendarChange.objects.filter(calendar_id=calendar_id, seq__gt=seq).order_by("seq")
    logged = {(c.name, c.deleted) for c in changes}
    d_name = CalendarObject.objects.get(calendar_id=calendar_id, uid="d@feed.test").name
    assert logged == {(names["a@feed.test"], False), (names["c@feed.test"], True), (d_name, False)}
    assert changes.count() == 3
    sync = selectors.calendar_changes_since(calendar=Calendar.objects.get(pk=calendar_id), seq=seq)
    assert sorted(o.uid for o in sync.changed) == ["a@feed.test", "d@feed.test"]
    assert sync.deleted == [names["c@feed.test"]]
    assert [s for s, _ in _summaries(alice, calendar_id)] == [
        "Stand-up",
        "Kick-off (moved)",
        "Stand-up",
        "Stand-up",
        "Stand-up",
        "Retro",
    ]
    subscription.refresh_from_db()
    assert subscription.etag == '"v2"'
    assert feed.feeds.requests_to("/team.ics")[-1]["If-None-Match"] == '"v1"'


def test_not_modified_changes_nothing(alice: User, feed: FeedServer) -> None:
    subscription = _subscribe(alice, feed)
    before = _state(subscription.calendar_id)
    refreshed = subscription.last_refreshed
    report = services.subscription_refresh(subscription_id=subscription.pk)
    assert report.status == "unchanged"
    assert feed.feeds.requests_to("/team.ics")[-1]["If-None-Match"] == '"v1"'
    assert _state(subscription.calendar_id) == before
    subscription.refresh_from_db()
    assert subscription.last_refreshed is not None
    assert refreshed is not None
    assert subscription.last_refreshed > refreshed


def test_a_feed_that_only_restamps_its_events_changes_nothing(alice: User, feed: FeedServer) -> None:
    subscription = _subscribe(alice, feed)
    before = _state(subscription.calendar_id)
    restamped = [
        vevent("a@feed.test", "Kick-off", "20270104T090000Z", "20270104T100000Z", stamp="20261230T120000Z"),
        B.replace("DTSTAMP:20261201T000000Z", "DTSTAMP:20261230T120000Z"),
        C.replace("DTSTAMP:20261201T000000Z", "DTSTAMP:20261230T120000Z"),
    ]
    feed.feeds.put("/team.ics", ics(*restamped), "")  # and no ETag: a full download every time
    report = services.subscription_refresh(subscription_id=subscription.pk)
    assert (report.status, report.created, report.updated, report.deleted) == ("updated", 0, 0, 0)
    assert _state(subscription.calendar_id) == before


def test_a_broken_event_is_skipped_named_and_its_good_copy_kept(alice: User, feed: FeedServer) -> None:
    feed.feeds.put("/team.ics", ics(A, B, C, BROKEN), '"v1"')
    subscription = _subscribe(alice, feed)
    assert sorted(subscription.calendar.resources.values_list("uid", flat=True)) == [
        "a@feed.test",
        "b@feed.test",
        "c@feed.test",
    ]
    assert subscription.last_error.startswith("1 event was skipped: “Backwards” (")
    assert "DTEND is before DTSTART" in subscription.last_error

    # C breaks at the source: its last good copy stays, and the report names it.
    broken_c = vevent("c@feed.test", "Review", "20270107T140000Z", "20270107T130000Z", "SEQUENCE:2")
    feed.feeds.put("/team.ics", ics(A, B, broken_c), '"v2"')
    report = services.subscription_refresh(subscription_id=subscription.pk)
    assert (report.created, report.updated, report.deleted) == (0, 0, 0)
    assert [label for label, _ in report.skipped] == ["Review"]
    assert CalendarObject.objects.get(calendar_id=subscription.calendar_id, uid="c@feed.test").summary == "Review"
    subscription.refresh_from_db()
    assert "“Review”" in subscription.last_error
    assert "Backwards" not in subscription.last_error

    # Mended: the error goes.
    feed.feeds.put("/team.ics", ics(A, B, C), '"v3"')
    services.subscription_refresh(subscription_id=subscription.pk)
    subscription.refresh_from_db()
    assert subscription.last_error == ""


def test_to_dos_in_an_events_feed_are_left_out_quietly(alice: User, feed: FeedServer) -> None:
    todo = "BEGIN:VTODO\r\nUID:t@feed.test\r\nDTSTAMP:20261201T000000Z\r\nSUMMARY:Chores\r\nEND:VTODO\r\n"
    feed.feeds.put("/team.ics", ics(A, todo), '"v1"')
    subscription = _subscribe(alice, feed)
    assert list(subscription.calendar.resources.values_list("uid", flat=True)) == ["a@feed.test"]
    assert subscription.last_error == ""


def test_after_a_failed_fetch_the_next_one_is_a_full_download(alice: User, feed: FeedServer) -> None:
    subscription = _subscribe(alice, feed)
    CalendarSubscription.objects.filter(pk=subscription.pk).update(url=f"{feed.url}/missing.ics")
    assert services.subscription_refresh(subscription_id=subscription.pk).error == "The remote server answered 404."
    CalendarSubscription.objects.filter(pk=subscription.pk).update(url=f"{feed.url}/team.ics")
    report = services.subscription_refresh(subscription_id=subscription.pk)
    assert report.status == "updated"
    assert "If-None-Match" not in feed.feeds.requests_to("/team.ics")[-1]
    subscription.refresh_from_db()
    assert (subscription.last_error, subscription.etag) == ("", '"v1"')


def test_refresh_intervals_are_bounded(alice: User, feed: FeedServer) -> None:
    with pytest.raises(RoostError, match="15 minutes"):
        services.calendar_subscribe_ics(
            owner=alice, url=f"{feed.url}/team.ics", name="X", refresh_interval=timedelta(minutes=5)
        )
    subscription = services.calendar_subscribe_ics(
        owner=alice, url=f"{feed.url}/team.ics", name="", refresh_interval=timedelta(minutes=15)
    )
    assert subscription.calendar.name == "127.0.0.1"
    assert subscription.refresh_interval == timedelta(minutes=15)


# -- read-only for everyone but the refresh ----------------------------------------------------------------


def test_a_subscribed_calendar_refuses_every_write(alice: User, bob: User, feed: FeedServer) -> None:
    subscription = _subscribe(alice, feed)
    calendar = subscription.calendar
    services.calendar_share(access=Access(calendar, Role.OWNER), user=bob, can_write=True)
    before = _state(calendar.pk)
    own = selectors.calendar_get_for_user(user=alice, calendar_id=calendar.pk)
    shared = selectors.calendar_get_for_user(user=bob, calendar_id=calendar.pk)
    listed = {a.obj.pk: a for a in selectors.calendars_for_user(user=alice)}[calendar.pk]
    assert (own.role, own.can_write, shared.can_write, listed.can_write) == (Role.OWNER, False, False, False)
    name = calendar.resources.get(uid="a@feed.test").name
    handmade = Access(calendar, Role.OWNER)  # however the Access was made
    for access in (own, shared, handmade):
        with pytest.raises(Forbidden, match="subscription"):
            services.calendar_object_put(access=access, name=name, data=ics(A_EDITED))
        with pytest.raises(Forbidden, match="subscription"):
            services.calendar_object_put(access=access, name="new.ics", data=ics(D))
        with pytest.raises(Forbidden, match="subscription"):
            services.calendar_object_delete(access=access, name=name)
        with pytest.raises(Forbidden, match="subscription"):
            services.calendar_import(access=access, data=ics(D).encode())
    fields = EventFields(summary="Mine", start=datetime(2027, 1, 20, 10), end=datetime(2027, 1, 20, 11), tzid="UTC")
    with pytest.raises(Forbidden, match="subscription"):
        event_create(access=own, fields=fields, owner_email=alice.username)
    assert _state(calendar.pk) == before
    occurrence = _summaries_with_rights(alice, calendar.pk)
    assert occurrence
    assert not any(occurrence)
    # The owner still manages the calendar itself.
    services.calendar_update(access=own, name="Team (feed)")


def _summaries_with_rights(user: User, calendar_id: int) -> list[bool]:
    found = selectors.calendar_occurrences(user=user, start=JANUARY[0], end=JANUARY[1], calendar_ids=[calendar_id])
    return [o.can_write for o in found]


def test_unsubscribe_deletes_the_calendar_and_is_the_owners_alone(alice: User, bob: User, feed: FeedServer) -> None:
    subscription = _subscribe(alice, feed)
    services.calendar_share(access=Access(subscription.calendar, Role.OWNER), user=bob, can_write=True)
    bobs = selectors.subscription_get_for_user(user=bob, calendar_id=subscription.calendar_id)
    with pytest.raises(Forbidden):
        services.subscription_unsubscribe(access=bobs)
    with pytest.raises(Forbidden):
        services.subscription_refresh_for(access=bobs)
    plain = services.calendar_create(owner=alice, name="Plain")
    with pytest.raises(NotFound, match="not a subscription"):
        selectors.subscription_get_for_user(user=alice, calendar_id=plain.pk)
    services.subscription_unsubscribe(
        access=selectors.subscription_get_for_user(user=alice, calendar_id=subscription.calendar_id)
    )
    assert not Calendar.objects.filter(pk=subscription.calendar_id).exists()
    assert not CalendarSubscription.objects.exists()
    assert not CalendarObject.objects.filter(calendar_id=subscription.calendar_id).exists()


def test_the_caldav_password_is_kept_sealed(alice: User) -> None:
    calendar = services.calendar_create(owner=alice, name="Elsewhere")
    subscription = CalendarSubscription.objects.create(
        calendar=calendar,
        kind="caldav",
        url="https://dav.example.org/cal/",
        username="alice",
        password_sealed=subscriptions.secret_seal("s3cret-pw", purpose=subscriptions.SEAL_PURPOSE),
        next_refresh=timezone.now(),
    )
    assert "s3cret-pw" not in subscription.password_sealed
    assert subscriptions.secret_open(subscription.password_sealed, purpose=subscriptions.SEAL_PURPOSE) == "s3cret-pw"
    assert subscriptions.secret_open(subscription.password_sealed, purpose="mail-password") is None


# -- the pages ----------------------------------------------------------------------------------------------


def test_the_subscribe_page_and_the_calendars_page(client: Client, alice: User, feed: FeedServer) -> None:
    client.force_login(alice)
    page = client.get("/calendar/calendars/subscribe/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-subscribe="ics"' in html
    assert 'data-subscribe="caldav"' in html
    assert "Subscribe to a calendar" in client.get("/calendar/").content.decode()

    response = client.post(
        "/calendar/calendars/subscribe/",
        {"kind": "ics", "url": f"{feed.url}/team.ics", "name": "Team", "color": "#dc2626", "refresh": "360"},
    )
    subscription = CalendarSubscription.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/calendar/calendars/{subscription.calendar_id}/"
    assert subscription.refresh_interval == timedelta(hours=6)
    assert subscription.calendar.resources.count() == 3

    feed.feeds.put("/team.ics", ics(A, B, C, BROKEN), '"v2"')
    refreshed = client.post(f"/calendar/calendars/{subscription.calendar_id}/refresh/", follow=True)
    html = refreshed.content.decode()
    assert "Refreshed: no event changed." in html
    assert f"{feed.url}/team.ics" in html
    assert "Refresh now" in html
    assert "“Backwards”" in html  # the last error, on the calendar's page

    bad = client.post("/calendar/calendars/subscribe/", {"kind": "ics", "url": "http://10.0.0.7/x.ics"})
    assert bad.status_code == 400
    assert "non-public address" in bad.content.decode()
    assert client.post("/calendar/calendars/subscribe/", {"kind": "rss", "url": "x"}).status_code == 400
    assert CalendarSubscription.objects.count() == 1


def test_a_second_user_gets_404_and_cannot_refresh(client: Client, alice: User, bob: User, feed: FeedServer) -> None:
    subscription = _subscribe(alice, feed)
    feed.feeds.put("/team.ics", ics(A_EDITED, B, C, D), '"v2"')
    before = (_state(subscription.calendar_id), subscription.last_refreshed)
    client.force_login(bob)
    calendar_id = subscription.calendar_id
    assert client.get(f"/calendar/calendars/{calendar_id}/").status_code == 404
    assert client.post(f"/calendar/calendars/{calendar_id}/refresh/").status_code == 404
    assert client.post(f"/calendar/calendars/{calendar_id}/delete/", {"confirm": "yes"}).status_code == 404
    with pytest.raises(NotFound):
        selectors.subscription_get_for_user(user=bob, calendar_id=calendar_id)
    subscription.refresh_from_db()
    assert (_state(calendar_id), subscription.last_refreshed) == before
    assert len(feed.feeds.requests_to("/team.ics")) == 1  # only alice's subscribe reached the source


# -- concurrency and the scheduled refresh -----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_refreshes_never_run_at_once(alice: User, feed: FeedServer) -> None:
    subscription = _subscribe(alice, feed)
    locked, release = threading.Event(), threading.Event()

    def other_worker() -> None:
        try:
            with transaction.atomic():
                CalendarSubscription.objects.select_for_update().get(pk=subscription.pk)
                locked.set()
                release.wait(10)
        finally:
            connections.close_all()

    thread = threading.Thread(target=other_worker)
    thread.start()
    try:
        assert locked.wait(10)
        started = time.monotonic()
        report = services.subscription_refresh(subscription_id=subscription.pk)
        assert report.status == "busy"
        assert time.monotonic() - started < 1.0  # did not wait for the lock
    finally:
        release.set()
        thread.join()
    assert services.subscription_refresh(subscription_id=subscription.pk).status == "unchanged"


@pytest.mark.django_db(transaction=True)
def test_unsubscribing_during_a_refresh_waits_for_it_and_never_deadlocks(alice: User, feed: FeedServer) -> None:
    subscription = _subscribe(alice, feed)
    feed.feeds.put("/team.ics", ics(A_EDITED, B, D), '"v2"')
    CalendarSubscription.objects.filter(pk=subscription.pk).update(url=f"{feed.url}/delayed/team.ics")
    reports = []

    def refresh() -> None:
        try:
            reports.append(services.subscription_refresh(subscription_id=subscription.pk))
        finally:
            connections.close_all()

    thread = threading.Thread(target=refresh)
    thread.start()
    deadline = time.monotonic() + 5
    while not feed.feeds.requests_to("/delayed/team.ics") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert feed.feeds.requests_to("/delayed/team.ics"), "the refresh never reached the source"
    access = selectors.subscription_get_for_user(user=alice, calendar_id=subscription.calendar_id)
    services.subscription_unsubscribe(access=access)  # waits for the refresh's locks, then goes ahead
    thread.join()
    assert [(r.status, r.created, r.updated, r.deleted) for r in reports] == [("updated", 1, 1, 1)]
    assert not Calendar.objects.filter(pk=subscription.calendar_id).exists()


def test_only_due_subscriptions_are_refreshed_by_the_schedule(alice: User, feed: FeedServer) -> None:
    fresh = _subscribe(alice, feed)
    due = _subscribe(alice, feed)
    CalendarSubscription.objects.filter(pk=due.pk).update(next_refresh=timezone.now() - timedelta(minutes=1))
    assert services.subscriptions_due() == [due.pk]
    assert services.subscription_refresh(subscription_id=fresh.pk, only_if_due=True).status == "not-due"
    assert services.subscription_refresh(subscription_id=due.pk, only_if_due=True).status == "unchanged"
    assert services.subscriptions_due() == []
    with pytest.raises(NotFound):
        services.subscription_refresh(subscription_id=due.pk + 1000)


@pytest.mark.integration
def test_the_beat_task_refreshes_what_is_due_through_a_real_worker(transactional_db: None, feed: FeedServer) -> None:
    """The worker is another process with the default settings: it refuses the loopback feed, and says so on
    the subscription that was due (the one not due is left alone)."""
    from calendar_app.tasks import calendar_subscriptions_refresh_task
    from tests import personas

    alice = personas.mailbox("alice").user
    due, fresh = _subscribe(alice, feed), _subscribe(alice, feed)
    CalendarSubscription.objects.filter(pk=due.pk).update(next_refresh=timezone.now() - timedelta(minutes=1))
    env = dict(
        os.environ, DJANGO_SETTINGS_MODULE="config.settings.test", ROOST_DB_NAME=settings.DATABASES["default"]["NAME"]
    )
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo", "--loglevel", "WARNING"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        calendar_subscriptions_refresh_task.delay()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            due.refresh_from_db()
            if due.last_error:
                break
            time.sleep(0.2)
    finally:
        worker.terminate()
        _, errors = worker.communicate(timeout=20)
    assert "non-public address (127.0.0.1)" in due.last_error, errors[-2000:]
    assert due.next_refresh > timezone.now() + timedelta(minutes=50)
    fresh.refresh_from_db()
    assert fresh.last_error == ""
