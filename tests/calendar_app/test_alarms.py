"""The alarm index: built when an object is stored (relative to start or end, absolute, a series with an
EXDATE and an override, an all-day event in the owner's zone), changed on update without repeating a
delivered reminder, removed on delete, moved along by the daily run; and the parser's alarms in a window."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from accounts.models import User
from calendar_app import selectors, services
from calendar_app.ical.parse import Document
from calendar_app.models import CalendarAlarm, CalendarPreferences
from calendar_app.recurrence import MAX_OCCURRENCES
from calendar_app.services.alarms import alarms_extend_horizon, alarms_reindex
from tests.calendar_app.samples import vcal


def at(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def alarm(trigger: str, action: str = "DISPLAY", *extra: str) -> tuple[str, ...]:
    what = "SUMMARY:Reminder" if action == "EMAIL" else "DESCRIPTION:Reminder"
    return ("BEGIN:VALARM", f"ACTION:{action}", what, f"TRIGGER{trigger}", *extra, "END:VALARM")


def timed(uid: str, start: datetime, *lines: str, minutes: int = 60, summary: str = "Standup") -> str:
    return vcal(
        f"UID:{uid}", "DTSTAMP:20250101T000000Z", f"SUMMARY:{summary}", "LOCATION:Room 1",
        f"DTSTART:{at(start)}", f"DTEND:{at(start + timedelta(minutes=minutes))}", *lines,
    )  # fmt: skip


def soon(days: int = 2, hour: int = 9) -> datetime:
    """A whole hour a few days ahead, in UTC (inside the index's horizon)."""
    now = timezone.now().astimezone(UTC)
    return (now + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)


def rows(**filters: object) -> list[tuple[str, datetime, datetime]]:
    found = CalendarAlarm.objects.filter(**filters).order_by("trigger", "action")
    return [(a.action, a.trigger, a.instance_start) for a in found]


def put(user: User, name: str, data: str) -> None:
    access = selectors.calendars_for_user(user=user)[0]
    services.calendar_object_put(access=access, name=name, data=data)


# ---- the parser, over a fixed window (no database) ----


def test_document_alarms_cover_start_end_absolute_repeat_and_actions() -> None:
    start = datetime(2025, 3, 10, 9, tzinfo=UTC)
    doc = Document(
        timed(
            "p", start,
            *alarm(":-PT15M"),
            *alarm(";RELATED=END:PT5M", "EMAIL", "ATTENDEE:mailto:alice@example.test"),
            *alarm(";VALUE=DATE-TIME:20250309T120000Z", "AUDIO"),
            *alarm(":-PT1H", "DISPLAY", "REPEAT:2", "DURATION:PT10M"),
            *alarm(":-PT2H", "PROCEDURE"),
        )
    )  # fmt: skip
    found = doc.alarms(datetime(2025, 3, 1, tzinfo=UTC), datetime(2025, 4, 1, tzinfo=UTC))
    assert [(a.action, a.trigger) for a in found] == [
        ("DISPLAY", datetime(2025, 3, 9, 12, tzinfo=UTC)),  # AUDIO is shown as DISPLAY
        ("DISPLAY", datetime(2025, 3, 10, 8, tzinfo=UTC)),
        ("DISPLAY", datetime(2025, 3, 10, 8, 10, tzinfo=UTC)),
        ("DISPLAY", datetime(2025, 3, 10, 8, 20, tzinfo=UTC)),
        ("DISPLAY", datetime(2025, 3, 10, 8, 45, tzinfo=UTC)),
        ("EMAIL", datetime(2025, 3, 10, 10, 5, tzinfo=UTC)),
    ]
    assert {a.instance_start for a in found} == {start}
    assert found[1].summary == "Standup"
    assert found[1].location == "Room 1"
    # The window is half open and exact.
    assert [a.trigger for a in doc.alarms(datetime(2025, 3, 10, 8, 10, tzinfo=UTC), start)] == [
        datetime(2025, 3, 10, 8, 10, tzinfo=UTC),
        datetime(2025, 3, 10, 8, 20, tzinfo=UTC),
        datetime(2025, 3, 10, 8, 45, tzinfo=UTC),
    ]


def test_document_alarms_skip_acknowledged_cancelled_and_unreadable() -> None:
    start = datetime(2025, 3, 10, 9, tzinfo=UTC)
    window = (datetime(2025, 3, 1, tzinfo=UTC), datetime(2025, 4, 1, tzinfo=UTC))
    daily = ("RRULE:FREQ=DAILY;COUNT=3", *alarm(":-PT15M"))
    lastack = Document(timed("a", start, "X-MOZ-LASTACK:20250311T084500Z", *daily)).alarms(*window)
    assert [a.trigger.day for a in lastack] == [12]
    acked = Document(timed("b", start, *alarm(":-PT15M", "DISPLAY", "ACKNOWLEDGED:20250310T084500Z")))
    assert acked.alarms(*window) == []
    assert Document(timed("c", start, "STATUS:CANCELLED", *daily)).alarms(*window) == []
    no_trigger = ("BEGIN:VALARM", "ACTION:DISPLAY", "DESCRIPTION:x", "END:VALARM")
    assert Document(timed("d", start, *alarm(":-P500D"), *no_trigger)).alarms(*window) == []


def test_document_alarms_of_a_to_do_are_relative_to_its_due_date() -> None:
    doc = Document(
        vcal("UID:t", "DTSTAMP:20250101T000000Z", "SUMMARY:Taxes", "DUE:20250310T170000Z",
             *alarm(";RELATED=END:-PT1H"), component="VTODO")
    )  # fmt: skip
    found = doc.alarms(datetime(2025, 3, 1, tzinfo=UTC), datetime(2025, 4, 1, tzinfo=UTC))
    assert [(a.trigger, a.summary) for a in found] == [(datetime(2025, 3, 10, 16, tzinfo=UTC), "Taxes")]
    done = Document(
        vcal("UID:t", "DTSTAMP:20250101T000000Z", "DUE:20250310T170000Z", "STATUS:COMPLETED",
             *alarm(";RELATED=END:-PT1H"), component="VTODO")
    )  # fmt: skip
    assert done.alarms(datetime(2025, 3, 1, tzinfo=UTC), datetime(2025, 4, 1, tzinfo=UTC)) == []


def test_document_alarms_of_an_endless_dense_series_are_capped() -> None:
    doc = Document(timed("m", datetime(2025, 3, 10, 9, tzinfo=UTC), "RRULE:FREQ=MINUTELY", *alarm(":-PT1M")))
    found = doc.alarms(datetime(2025, 3, 10, tzinfo=UTC), datetime(2025, 4, 10, tzinfo=UTC))
    assert 0 < len(found) <= MAX_OCCURRENCES


# ---- the index, kept by the store ----


@pytest.mark.django_db
def test_put_indexes_alarms_relative_to_start_end_and_absolute(alice: User) -> None:
    start = soon()
    absolute = start - timedelta(days=1, hours=3)
    absolute_alarm = alarm(f";VALUE=DATE-TIME:{at(absolute)}")
    put(alice, "a.ics", timed("a", start, *alarm(":-PT15M"), *alarm(";RELATED=END:PT5M", "EMAIL"), *absolute_alarm))
    assert rows() == [
        ("DISPLAY", absolute, start),
        ("DISPLAY", start - timedelta(minutes=15), start),
        ("EMAIL", start + timedelta(minutes=65), start),
    ]
    row = CalendarAlarm.objects.get(action="EMAIL")
    assert (row.summary, row.location, row.all_day, row.delivered_at) == ("Standup", "Room 1", False, None)
    assert row.obj.calendar.owner == alice


@pytest.mark.django_db
def test_a_series_with_an_exdate_and_an_override(alice: User) -> None:
    start = soon()
    third = start + timedelta(days=2)
    moved = third + timedelta(hours=2)
    text = timed(
        "s", start, "RRULE:FREQ=DAILY;COUNT=5", f"EXDATE:{at(start + timedelta(days=1))}", *alarm(":-PT15M")
    ).replace(
        "END:VCALENDAR",
        "BEGIN:VEVENT\r\nUID:s\r\nDTSTAMP:20250101T000000Z\r\nSUMMARY:Moved standup\r\n"
        f"RECURRENCE-ID:{at(third)}\r\nDTSTART:{at(moved)}\r\nDTEND:{at(moved + timedelta(hours=1))}\r\n"
        + "\r\n".join(alarm(":-PT30M", "EMAIL"))
        + "\r\nEND:VEVENT\r\nEND:VCALENDAR",
    )
    put(alice, "s.ics", text)
    fifteen = timedelta(minutes=15)
    assert rows() == [
        ("DISPLAY", start - fifteen, start),
        ("EMAIL", moved - timedelta(minutes=30), moved),
        ("DISPLAY", start + timedelta(days=3) - fifteen, start + timedelta(days=3)),
        ("DISPLAY", start + timedelta(days=4) - fifteen, start + timedelta(days=4)),
    ]
    assert CalendarAlarm.objects.get(action="EMAIL").summary == "Moved standup"


@pytest.mark.django_db
def test_an_all_day_event_goes_off_in_the_owners_zone(alice: User) -> None:
    day = soon(days=3).date()
    CalendarPreferences.objects.create(user=alice, time_zone="America/New_York")
    put(
        alice, "d.ics",
        vcal("UID:d", "DTSTAMP:20250101T000000Z", "SUMMARY:Trip", f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
             f"DTEND;VALUE=DATE:{day + timedelta(days=1):%Y%m%d}", *alarm(":-PT15H")),
    )  # fmt: skip
    midnight = datetime(day.year, day.month, day.day, tzinfo=ZoneInfo("America/New_York"))
    assert rows() == [("DISPLAY", midnight - timedelta(hours=15), midnight)]
    assert CalendarAlarm.objects.get().all_day
    # The calendar's own zone, when it names one, comes first.
    access = selectors.calendars_for_user(user=alice)[0]
    services.calendar_update(access=access, timezone="Asia/Tokyo")
    put(alice, "d.ics", selectors.calendar_object_get(calendar=access.obj, name="d.ics").data)
    tokyo = datetime(day.year, day.month, day.day, tzinfo=ZoneInfo("Asia/Tokyo"))
    assert rows() == [("DISPLAY", tokyo - timedelta(hours=15), tokyo)]


@pytest.mark.django_db
def test_update_changes_the_index_and_keeps_what_was_delivered(alice: User) -> None:
    start = soon()
    put(alice, "u.ics", timed("u", start, *alarm(":-PT15M"), *alarm(":-PT1H")))
    hour_before = CalendarAlarm.objects.get(trigger=start - timedelta(hours=1))
    delivered_at = timezone.now()
    CalendarAlarm.objects.filter(pk=hour_before.pk).update(delivered_at=delivered_at, outcome="sent")
    assert alarms_reindex(obj=hour_before.obj) == 1  # what still waits for delivery
    # Stored again (a phone's sync, a new title): the delivered reminder stays delivered, the other is updated.
    put(alice, "u.ics", timed("u", start, *alarm(":-PT15M"), *alarm(":-PT1H"), summary="Daily standup"))
    kept = CalendarAlarm.objects.get(pk=hour_before.pk)
    assert (kept.delivered_at, kept.outcome) == (delivered_at, "sent")
    assert CalendarAlarm.objects.get(trigger=start - timedelta(minutes=15)).summary == "Daily standup"
    # A changed trigger replaces the row; a removed alarm is removed.
    put(alice, "u.ics", timed("u", start, *alarm(":-PT5M")))
    assert rows() == [("DISPLAY", start - timedelta(minutes=5), start)]
    put(alice, "u.ics", timed("u", start))
    assert rows() == []


@pytest.mark.django_db
def test_delete_removes_the_alarms(alice: User) -> None:
    put(alice, "x.ics", timed("x", soon(), *alarm(":-PT15M")))
    put(alice, "y.ics", timed("y", soon(), *alarm(":-PT10M")))
    access = selectors.calendars_for_user(user=alice)[0]
    services.calendar_object_delete(access=access, name="x.ics")
    assert [a.obj.name for a in CalendarAlarm.objects.all()] == ["y.ics"]
    services.calendar_delete(access=access)
    assert not CalendarAlarm.objects.exists()


@pytest.mark.django_db
def test_a_moment_already_past_when_stored_is_not_indexed(alice: User) -> None:
    start = timezone.now().replace(microsecond=0) + timedelta(minutes=10)
    put(alice, "p.ics", timed("p", start, *alarm(":-PT30M"), *alarm(":-PT5M")))
    assert rows() == [("DISPLAY", start - timedelta(minutes=5), start)]


@pytest.mark.django_db
def test_alarms_roost_cannot_deliver_are_left_out_and_never_fail_the_put(alice: User) -> None:
    no_trigger = ("BEGIN:VALARM", "ACTION:DISPLAY", "DESCRIPTION:x", "END:VALARM")
    put(alice, "b.ics", timed("b", soon(), *no_trigger, *alarm(":-P900D"), *alarm(":-PT15M", "NOISE")))
    assert selectors.calendar_object_get(calendar=selectors.calendars_for_user(user=alice)[0].obj, name="b.ics")
    assert rows() == []


@pytest.mark.django_db
def test_the_daily_run_moves_the_horizon_along(alice: User) -> None:
    start = soon(days=1)
    put(alice, "w.ics", timed("w", start, "RRULE:FREQ=WEEKLY", *alarm(":-PT15M")))
    far = soon(days=45)
    put(alice, "far.ics", timed("far", far, *alarm(":-PT15M")))
    weekly = {t for _, t, _ in rows(obj__name="w.ics")}
    assert weekly == {start + timedelta(weeks=n) - timedelta(minutes=15) for n in range(5) if n * 7 + 1 < 30}
    assert rows(obj__name="far.ics") == []
    later = timezone.now() + timedelta(days=20)
    assert alarms_extend_horizon(now=later) == 2
    assert rows(obj__name="far.ics") == [("DISPLAY", far - timedelta(minutes=15), far)]
    after = {t for _, t, _ in rows(obj__name="w.ics")}
    assert max(after) > max(weekly)
    assert min(after) >= later - timedelta(hours=2)  # the past is dropped
