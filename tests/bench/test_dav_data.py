"""The DAV benchmark's data is the same on every run, parses, and has the promised mix; the client reads
multistatus answers and iCalendar components the same way for any server."""

from datetime import UTC, datetime, timedelta

import icalendar
import pytest
import recurring_ical_events

from bench.dav import data
from bench.dav.client import calendar_data, components, parse_multistatus


def test_events_and_cards_are_the_same_on_every_call() -> None:
    assert data.events(300) == data.events(300)
    assert data.cards(100) == data.cards(100)
    assert data.event(7, seed=1) != data.event(7, seed=2)


def test_a_larger_calendar_starts_with_the_smaller_one() -> None:
    assert data.events(500)[:200] == data.events(200)


def test_exactly_one_event_in_ten_recurs() -> None:
    events = data.events(1000)
    parsed = [icalendar.Calendar.from_ical(e.text) for e in events]
    with_rule = [e for e, cal in zip(events, parsed, strict=True) if cal.walk("VEVENT")[0].get("RRULE")]

    assert len(with_rule) == 100
    assert all(e.recurring for e in with_rule)
    assert sum(e.recurring for e in events) == 100


def test_every_event_parses_with_one_uid_and_its_own_name() -> None:
    events = data.events(1000)
    for obj in events:
        calendar = icalendar.Calendar.from_ical(obj.text)
        uids = {str(component["UID"]) for component in calendar.walk("VEVENT")}
        assert uids == {obj.uid}
        assert obj.text.endswith("\r\n")
        assert all(len(line.encode()) <= 75 for line in obj.text.split("\r\n"))
    assert len({e.name for e in events}) == len({e.uid for e in events}) == 1000


def test_the_mix_has_all_day_zones_exdates_overrides_and_every_bound() -> None:
    texts = [e.text for e in data.events(1000)]
    joined = "".join(texts)

    assert sum("DTSTART;VALUE=DATE" in t for t in texts) >= 10
    for zone in data.ZONES[1:]:
        assert f"TZID:{zone}\r\n" in joined
    assert "DTSTART:2025" in joined  # UTC
    assert sum("EXDATE" in t for t in texts) >= 30
    assert sum("RECURRENCE-ID" in t for t in texts) >= 30
    rules = [line for line in joined.split("\r\n") if line.startswith("RRULE:FREQ=") and "BYDAY" not in line]
    assert any("COUNT=" in r for r in rules)
    assert any("UNTIL=" in r for r in rules)
    assert any("COUNT=" not in r and "UNTIL=" not in r for r in rules)
    assert {r.split(";")[0] for r in rules} == {"RRULE:FREQ=WEEKLY", "RRULE:FREQ=MONTHLY", "RRULE:FREQ=DAILY"}


def test_until_ends_a_rule_on_its_last_instance() -> None:
    # Event 30 is weekly with UNTIL; recurring-ical-events must find an instance on the UNTIL day itself.
    obj = data.event(30)
    until = next(line for line in obj.text.split("\r\n") if line.startswith("RRULE")).split("UNTIL=")[1]
    last = datetime.strptime(until, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    instances = recurring_ical_events.of(icalendar.Calendar.from_ical(obj.text)).between(
        last.replace(hour=0, minute=0), last.replace(hour=23, minute=59)
    )

    assert len(instances) == 1


def test_the_exdate_drops_an_instance_and_the_override_moves_one() -> None:
    obj = data.event(0)  # recurring, with an EXDATE and an override
    calendar = icalendar.Calendar.from_ical(obj.text)
    master, moved = calendar.walk("VEVENT")
    first = master.decoded("DTSTART")
    week = timedelta(weeks=1)
    instances = recurring_ical_events.of(calendar)

    assert len(instances.between(first, first + week / 2)) == 1
    assert not instances.between(first + week / 2, first + week * 3 / 2)  # the EXDATE'd second week
    assert moved.decoded("RECURRENCE-ID") == first + 2 * week
    assert moved.decoded("DTSTART") - moved.decoded("RECURRENCE-ID") == timedelta(hours=2)
    [third] = instances.between(first + week * 3 / 2, first + week * 5 / 2)
    assert third.decoded("DTSTART") == first + 2 * week + timedelta(hours=2)


def test_the_month_holds_single_and_recurring_events() -> None:
    events = data.events(2000)
    inside = data.expected_in_range(events, data.QUERY_START, data.QUERY_END)
    recurring = {e.uid for e in events if e.recurring}

    assert 50 < len(inside) < 300
    assert inside & recurring
    assert inside - recurring


def test_changes_add_edit_and_delete_ten_distinct_resources() -> None:
    for changes, count in ((data.calendar_changes(1000), 1000), (data.card_changes(500), 500)):
        assert (len(changes.added), len(changes.edited), len(changes.deleted)) == (4, 3, 3)
        assert len(changes.names) == 10
        loaded = {o.name for o in (data.events(count) if count == 1000 else data.cards(count))}
        assert not {o.name for o in changes.added} & loaded
        assert {o.name for o in changes.edited} | set(changes.deleted) <= loaded
    edited = data.calendar_changes(1000).edited
    assert any(o.recurring for o in edited)
    assert all(o.text != data.event(int(o.name[9:15])).text for o in edited)


def test_cards_parse_as_vcards_with_their_uid() -> None:
    for obj in data.cards(50):
        lines = obj.text.split("\r\n")
        assert lines[:2] == ["BEGIN:VCARD", "VERSION:3.0"]
        assert f"UID:{obj.uid}" in lines
        assert lines[-2:] == ["END:VCARD", ""]


def test_a_multistatus_gives_hrefs_statuses_props_and_the_token() -> None:
    body = (
        b'<?xml version="1.0"?><D:multistatus xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
        b"<D:response><D:href>/dav/calendars/a%40example.test/work/x.ics</D:href><D:propstat><D:prop>"
        b'<D:getetag>"1"</D:getetag><C:calendar-data>BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\n'
        b"END:VEVENT\r\nBEGIN:VEVENT\r\nUID:a\r\nRECURRENCE-ID;TZID=Europe/Berlin:20250603T090000\r\n"
        b"END:VEVENT\r\nEND:VCALENDAR\r\n</C:calendar-data></D:prop><D:status>HTTP/1.1 200 OK</D:status>"
        b"</D:propstat></D:response>"
        b"<D:response><D:href>/dav/calendars/a%40example.test/work/gone.ics</D:href>"
        b"<D:status>HTTP/1.1 404 Not Found</D:status></D:response>"
        b"<D:sync-token>http://example.test/sync/7</D:sync-token></D:multistatus>"
    )

    status = parse_multistatus(body)

    assert [(e.href, e.status) for e in status.entries] == [
        ("/dav/calendars/a@example.test/work/x.ics", 200),
        ("/dav/calendars/a@example.test/work/gone.ics", 404),
    ]
    assert status.sync_token == "http://example.test/sync/7"
    assert list(components(calendar_data(status.entries[0]))) == [("a", None), ("a", "20250603T090000")]


@pytest.mark.parametrize("newline", ["\r\n", "\n"])
def test_components_unfold_long_lines(newline: str) -> None:
    text = newline.join(["BEGIN:VEVENT", "UID:bench-ev-000001@roost", " .bench", "END:VEVENT", ""])

    assert list(components(text)) == [("bench-ev-000001@roost.bench", None)]
