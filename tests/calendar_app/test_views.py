"""The calendar's pages and the editor's JSON API through Django's test client: create, read, change this /
following / all, move, delete, stale ETags, bad input as 4xx with a message; calendar pages (share, public
link, import, export, delete, settings)."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from calendar_app.models import CalendarObject, CalendarPreferences
from calendar_app.selectors import calendar_occurrences, calendars_for_user
from calendar_app.services import calendar_share

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def web(alice: User) -> Client:
    client = Client()
    client.force_login(alice)
    return client


def post_json(client: Client, url: str, payload: object) -> tuple[int, dict]:
    response = client.post(
        url, json.dumps(payload), content_type="application/json", headers={"accept": "application/json"}
    )
    return response.status_code, response.json()


def create(client: Client, alice: User, **fields: object) -> dict:
    calendar = calendars_for_user(user=alice)[0].obj
    payload = {
        "summary": "Planning",
        "calendar_id": calendar.pk,
        "start": "2026-12-02T10:00",
        "end": "2026-12-02T11:00",
        "tzid": "Europe/Berlin",
        **fields,
    }
    status, body = post_json(client, reverse("calendar_app:event_create"), {"fields": payload})
    assert status == 201, body
    return body


def test_the_calendar_page_renders_in_the_shell(web: Client) -> None:
    response = web.get(reverse("calendar_app:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "data-calendar-page" in html
    assert "vendor/fullcalendar/index.global.min.js" in html
    assert 'name="csp-nonce"' in html
    nonce = html.split('name="csp-nonce" content="')[1].split('"')[0]
    assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]
    assert "Personal" in html  # the default calendar in the sidebar


def test_create_read_and_list_an_event(web: Client, alice: User) -> None:
    body = create(web, alice, location="Blue room", alarm={"minutes_before": 15})
    got = web.get(body["url"], headers={"accept": "application/json"}).json()
    assert got["fields"]["summary"] == "Planning"
    assert got["fields"]["start"] == "2026-12-02T10:00:00"
    assert got["fields"]["alarm"] == {"minutes_before": 15, "email": False}
    listing = web.get(
        reverse("calendar_app:occurrences"),
        {"start": "2026-11-30T00:00:00Z", "end": "2026-12-07T00:00:00Z"},
        headers={"accept": "application/json"},
    ).json()
    (event,) = listing["events"]
    assert event["title"] == "Planning"
    assert event["start"].startswith("2026-12-02T10:00:00+01:00")
    assert event["extendedProps"]["location"] == "Blue room"


def test_series_edits_this_following_and_all(web: Client, alice: User) -> None:
    body = create(web, alice, rrule={"freq": "DAILY", "count": 5})
    url = body["url"]
    # This one: the 3rd occurrence gets another title.
    status, _ = post_json(
        web,
        url,
        {
            "action": "update",
            "scope": "this",
            "recurrence_id": "2026-12-04T09:00:00Z",
            "fields": {
                "summary": "Planning (moved)",
                "start": "2026-12-04T14:00",
                "end": "2026-12-04T15:00",
                "tzid": "Europe/Berlin",
            },
        },
    )
    assert status == 200
    titles = [
        (o.start.astimezone(UTC).isoformat(), o.summary)
        for o in calendar_occurrences(
            user=alice, start=datetime(2026, 12, 1, tzinfo=UTC), end=datetime(2026, 12, 10, tzinfo=UTC)
        )
    ]
    assert ("2026-12-04T13:00:00+00:00", "Planning (moved)") in titles
    assert len(titles) == 5
    # Delete this and following from the 4th on: three left.
    status, _ = post_json(web, url, {"action": "delete", "scope": "following", "recurrence_id": "2026-12-05T09:00:00Z"})
    assert status == 200
    left = calendar_occurrences(
        user=alice, start=datetime(2026, 12, 1, tzinfo=UTC), end=datetime(2026, 12, 10, tzinfo=UTC)
    )
    assert len(left) == 3
    # Move all by an hour from the first occurrence.
    status, _ = post_json(
        web,
        url,
        {
            "action": "move",
            "scope": "all",
            "recurrence_id": "2026-12-02T09:00:00Z",
            "start": "2026-12-02T10:00:00Z",
            "end": "2026-12-02T11:00:00Z",
        },
    )
    assert status == 200
    starts = sorted(
        o.start.astimezone(UTC).hour
        for o in calendar_occurrences(
            user=alice, start=datetime(2026, 12, 1, tzinfo=UTC), end=datetime(2026, 12, 10, tzinfo=UTC)
        )
    )
    assert starts[:2] == [10, 10]


def test_a_stale_etag_is_a_conflict_and_nothing_changes(web: Client, alice: User) -> None:
    body = create(web, alice)
    obj = CalendarObject.objects.get()
    status, answer = post_json(
        web,
        body["url"],
        {
            "action": "update",
            "scope": "all",
            "etag": "not-the-etag",
            "fields": {"summary": "X", "start": "2026-12-02T10:00", "end": "2026-12-02T11:00"},
        },
    )
    assert status == 412
    assert "changed" in answer["error"]
    assert CalendarObject.objects.get().etag == obj.etag


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        (
            {"fields": {"summary": "x", "calendar_id": "nope", "start": "2026-12-02T10:00", "end": "2026-12-02T11:00"}},
            400,
        ),
        ({"fields": {"summary": "x", "start": "2026-12-02T12:00", "end": "2026-12-02T11:00"}}, 400),
        (
            {"fields": {"summary": "x", "calendar_id": 999999, "start": "2026-12-02T10:00", "end": "2026-12-02T11:00"}},
            404,
        ),
    ],
)
def test_bad_input_is_a_4xx_with_a_message(web: Client, alice: User, payload: dict, status: int) -> None:
    calendar = calendars_for_user(user=alice)[0].obj
    payload["fields"].setdefault("calendar_id", calendar.pk)
    code, answer = post_json(web, reverse("calendar_app:event_create"), payload)
    assert code == status
    assert answer["ok"] is False
    assert answer["error"]
    assert not CalendarObject.objects.exists()


def test_malformed_json_and_huge_ranges_are_refused(web: Client) -> None:
    response = web.post(
        reverse("calendar_app:event_create"),
        "{nope",
        content_type="application/json",
        headers={"accept": "application/json"},
    )
    assert response.status_code == 400
    response = web.get(
        reverse("calendar_app:occurrences"),
        {"start": "2026-01-01T00:00:00Z", "end": "2027-01-01T00:00:00Z"},
        headers={"accept": "application/json"},
    )
    assert response.status_code == 400
    assert "two months" in response.json()["error"]


def test_a_read_only_share_cannot_change_events(web: Client, alice: User, bob: User) -> None:
    body = create(web, alice)
    calendar_share(access=calendars_for_user(user=alice)[0], user=bob, can_write=False)
    as_bob = Client()
    as_bob.force_login(bob)
    got = as_bob.get(body["url"], headers={"accept": "application/json"})
    assert got.status_code == 200
    assert got.json()["can_write"] is False
    status, answer = post_json(as_bob, body["url"], {"action": "delete", "scope": "all"})
    assert status == 403
    assert "read-only" in answer["error"]
    assert CalendarObject.objects.count() == 1


def test_calendar_pages_create_share_publish_export_and_delete(web: Client, alice: User, bob: User) -> None:
    response = web.post(reverse("calendar_app:calendar_new"), {"name": "Team", "color": "#16a34a"})
    assert response.status_code == 302
    team = next(a.obj for a in calendars_for_user(user=alice) if a.obj.name == "Team")
    page = reverse("calendar_app:calendar", args=[team.pk])
    assert (
        web.post(
            reverse("calendar_app:calendar_share", args=[team.pk]), {"address": "bob@example.test", "access": "write"}
        ).status_code
        == 302
    )
    assert any(a.obj.pk == team.pk and a.can_write for a in calendars_for_user(user=bob))
    assert (
        web.post(reverse("calendar_app:calendar_share", args=[team.pk]), {"address": "nobody@example.test"}).status_code
        == 400
    )
    assert web.post(reverse("calendar_app:calendar_publish", args=[team.pk])).status_code == 302
    team.refresh_from_db()
    assert team.public_token
    html = web.get(page).content.decode()
    assert team.public_token in html
    assert "bob@example.test" in html
    public = Client().get(reverse("calendar_app:public_ics", args=[team.public_token]))
    assert public.status_code == 200
    assert public.content.startswith(b"BEGIN:VCALENDAR")
    old = team.public_token
    web.post(reverse("calendar_app:calendar_publish", args=[team.pk]), {"publish": "off"})
    assert Client().get(reverse("calendar_app:public_ics", args=[old])).status_code == 404
    export = web.get(reverse("calendar_app:calendar_export", args=[team.pk]))
    assert export["Content-Type"].startswith("text/calendar")
    assert web.post(reverse("calendar_app:calendar_delete", args=[team.pk])).status_code == 400  # not confirmed
    assert web.post(reverse("calendar_app:calendar_delete", args=[team.pk]), {"confirm": "yes"}).status_code == 302
    assert not any(a.obj.name == "Team" for a in calendars_for_user(user=alice))


def test_import_reports_what_was_skipped(web: Client, alice: User) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    calendar = calendars_for_user(user=alice)[0].obj
    ics = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n"
        b"BEGIN:VEVENT\r\nUID:a\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261201T100000Z\r\nSUMMARY:Good\r\nEND:VEVENT\r\n"
        b"BEGIN:VEVENT\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261201T100000Z\r\nSUMMARY:No UID\r\nEND:VEVENT\r\n"
        b"END:VCALENDAR\r\n"
    )
    response = web.post(
        reverse("calendar_app:import"),
        {"calendar_id": calendar.pk, "file": SimpleUploadedFile("x.ics", ics, "text/calendar")},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<strong>1</strong> imported" in html
    assert "skipped" in html
    assert CalendarObject.objects.count() == 1
    assert web.post(reverse("calendar_app:import"), {"calendar_id": calendar.pk}).status_code == 400


def test_settings_and_visibility(web: Client, alice: User) -> None:
    assert (
        web.post(
            reverse("calendar_app:settings"),
            {"week_start": "0", "default_view": "dayGridMonth", "time_zone": "Europe/Paris"},
        ).status_code
        == 302
    )
    prefs = CalendarPreferences.objects.get(user=alice)
    assert (prefs.week_start, prefs.default_view, prefs.time_zone) == (0, "dayGridMonth", "Europe/Paris")
    assert 'data-first-day="0"' in web.get(reverse("calendar_app:home")).content.decode()
    assert (
        web.post(
            reverse("calendar_app:settings"), {"week_start": "3", "default_view": "x", "time_zone": ""}
        ).status_code
        == 400
    )
    create(web, alice, start="2026-12-02T10:00", end="2026-12-02T11:00")
    calendar = calendars_for_user(user=alice)[0].obj
    status, _ = post_json(web, reverse("calendar_app:calendar_visibility", args=[calendar.pk]), {"hidden": True})
    assert status == 200
    window = (datetime(2026, 12, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC) + timedelta(days=7))
    assert calendar_occurrences(user=alice, start=window[0], end=window[1]) == []
