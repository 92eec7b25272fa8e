"""Every calendar URL, requested by bob while naming alice's calendars and events: 404 each time, and alice's
calendars, events, shares and public link are exactly as they were."""

import pytest
from django.test import Client

from accounts.models import User
from calendar_app.models import Calendar, CalendarObject, CalendarShare
from calendar_app.selectors import calendars_for_user
from calendar_app.services import calendar_create, calendar_object_put, calendar_publish, calendar_share
from tests.crossuser import NotOwned, Probe, assert_covered, assert_second_user_sees_nothing

pytestmark = [pytest.mark.django_db]
JSON = "application/json"
EVENT = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:private@example.test\r\n"
    "DTSTAMP:20261101T000000Z\r\nDTSTART:20261202T100000Z\r\nDTEND:20261202T110000Z\r\nRRULE:FREQ=DAILY;COUNT=3\r\n"
    "SUMMARY:Private\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)


def _alice_state() -> object:
    return (
        sorted(
            Calendar.objects.filter(owner__username="alice@example.test").values_list(
                "pk", "name", "color", "sync_seq", "public_token", "hidden"
            )
        ),
        sorted(
            CalendarObject.objects.filter(calendar__owner__username="alice@example.test").values_list("name", "etag")
        ),
        sorted(
            CalendarShare.objects.filter(calendar__owner__username="alice@example.test").values_list(
                "calendar_id", "user_id", "can_write"
            )
        ),
    )


def test_bob_reaches_none_of_alices_calendar_urls(alice: User, bob: User, mallory: User) -> None:
    personal = calendars_for_user(user=alice)[0]
    team = calendar_create(owner=alice, name="Team")
    calendar_object_put(access=personal, name="private.ics", data=EVENT)
    calendar_share(access=calendars_for_user(user=alice)[1], user=mallory, can_write=False)
    calendar_publish(access=personal)
    cal = personal.obj.pk
    fields = {"summary": "Mine now", "calendar_id": cal, "start": "2026-12-02T10:00", "end": "2026-12-02T11:00"}
    cases = [
        NotOwned("calendar_app:home", "bob's own calendar page"),
        NotOwned(
            "calendar_app:settings",
            "bob's own settings",
            method="post",
            data={"week_start": "0", "default_view": "listWeek", "time_zone": ""},
        ),
        NotOwned("calendar_app:calendar_new", "creates a calendar of bob's own", method="post", data={"name": "Bob's"}),
        NotOwned("calendar_app:occurrences", "lists bob's own calendars only"),
        NotOwned(
            "calendar_app:calendar_subscribe",
            "subscribes bob himself (an outside address the guard refuses)",
            method="post",
            data={"kind": "ics", "url": "https://127.0.0.1/x.ics", "name": "X"},
        ),
        Probe("calendar_app:calendar_refresh", "post", args=(cal,)),
        NotOwned(
            "calendar_app:public_ics",
            "the secret link is public by design (tested in test_views)",
            args=("wrong-token",),
        ),
        Probe("calendar_app:import", "post", data={"calendar_id": cal, "file": ""}),
        Probe("calendar_app:calendar", args=(cal,)),
        Probe("calendar_app:calendar", "post", args=(cal,), data={"name": "Hacked", "color": "#000000"}),
        Probe(
            "calendar_app:calendar_share",
            "post",
            args=(team.pk,),
            data={"address": "bob@example.test", "access": "write"},
        ),
        Probe("calendar_app:calendar_unshare", "post", args=(team.pk, mallory.pk)),
        Probe("calendar_app:calendar_publish", "post", args=(cal,), data={"publish": "off"}),
        Probe("calendar_app:calendar_visibility", "post", args=(cal,), data={"hidden": True}, content_type=JSON),
        Probe("calendar_app:calendar_delete", "post", args=(cal,), data={"confirm": "yes"}),
        Probe("calendar_app:calendar_export", args=(cal,)),
        Probe("calendar_app:event_create", "post", data={"fields": fields}, content_type=JSON),
        Probe("calendar_app:event", args=(cal, "private.ics")),
        Probe(
            "calendar_app:event",
            "post",
            args=(cal, "private.ics"),
            data={"action": "delete", "scope": "all"},
            content_type=JSON,
        ),
        Probe(
            "calendar_app:event",
            "post",
            args=(cal, "private.ics"),
            data={"action": "update", "scope": "all", "fields": fields},
            content_type=JSON,
        ),
        Probe(
            "calendar_app:event",
            "post",
            args=(cal, "private.ics"),
            data={
                "action": "move",
                "scope": "this",
                "recurrence_id": "2026-12-03T10:00:00Z",
                "start": "2026-12-03T12:00:00Z",
                "end": "2026-12-03T13:00:00Z",
            },
            content_type=JSON,
        ),
        # Importing a mail's calendar file into alice's calendar: refused before any mail is read. Reading
        # alice's message part itself is probed on the mail stack (tests/webmail/test_cross_user.py).
        Probe("calendar_app:mail_part", "post", args=(1, "2"), query={"f": "INBOX"}, data={"calendar_id": cal}),
    ]
    assert_covered("calendar_app", cases)
    intruder = Client()
    intruder.force_login(bob)
    assert_second_user_sees_nothing(intruder, cases, _alice_state)
