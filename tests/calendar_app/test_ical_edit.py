"""Series editing as the web editor does it: this occurrence, this and following, all; and reading back."""

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from icalendar import Calendar

from calendar_app.eventfields import event_fields_parse
from calendar_app.ical.edit import event_change, event_new, event_read, event_remove, event_times_moved

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def weekly_standup() -> str:
    fields = event_fields_parse(
        {
            "summary": "Standup",
            "start": "2026-12-01T09:00",
            "end": "2026-12-01T09:15",
            "tzid": "Europe/Berlin",
            "rrule": {"freq": "WEEKLY", "byday": ["TU", "TH"], "count": 10},
            "alarm": {"minutes_before": 10, "email": True},
            "categories": ["work"],
            "location": "Room 1",
        }
    )
    return event_new(fields=fields, uid="standup", now=NOW, owner_email="alice@example.test")


def events_of(text: str) -> list:
    return list(Calendar.from_ical(text).walk("VEVENT"))


def test_a_new_event_carries_its_zone_rule_alarms_and_a_vtimezone() -> None:
    cal = Calendar.from_ical(weekly_standup())
    (event,) = cal.walk("VEVENT")
    assert str(event["UID"]) == "standup"
    assert event["DTSTART"].dt == datetime(2026, 12, 1, 9, 0, tzinfo=event["DTSTART"].dt.tzinfo)
    assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert event["RRULE"]["COUNT"] == [10]
    assert [str(a["ACTION"]) for a in event.walk("VALARM")] == ["DISPLAY", "EMAIL"]
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/Berlin"]


def test_reading_one_occurrence_gives_its_own_times_in_the_event_zone() -> None:
    view = event_read(data=weekly_standup(), recurrence_id="2026-12-08T08:00:00+00:00")
    assert view.recurring
    assert view.fields.start == datetime(2026, 12, 8, 9, 0)
    assert view.fields.end == datetime(2026, 12, 8, 9, 15)
    assert view.fields.tzid == "Europe/Berlin"
    assert view.fields.rrule is not None
    assert view.fields.rrule.byday == ("TU", "TH")
    assert view.fields.alarm is not None
    assert view.fields.alarm.minutes_before == 10
    assert view.fields.alarm.email


def test_changing_this_occurrence_adds_an_override_and_keeps_the_series() -> None:
    text = weekly_standup()
    view = event_read(data=text, recurrence_id="2026-12-08T08:00:00Z")
    moved = replace(view.fields, summary="Moved", start=datetime(2026, 12, 8, 10, 0), end=datetime(2026, 12, 8, 10, 30))
    change = event_change(
        data=text,
        fields=moved,
        scope="this",
        recurrence_id="2026-12-08T08:00:00Z",
        now=NOW,
        owner_email="a@x",
        new_uid="n",
    )
    assert change.split is None
    assert change.data is not None
    master, override = events_of(change.data)
    assert str(master["SUMMARY"]) == "Standup"
    assert "RRULE" in master
    assert "RRULE" not in override
    assert override["RECURRENCE-ID"].dt.replace(tzinfo=None) == datetime(2026, 12, 8, 9, 0)
    assert str(override["SUMMARY"]) == "Moved"
    # Reading that occurrence again finds the override.
    again = event_read(data=change.data, recurrence_id="2026-12-08T08:00:00Z")
    assert again.fields.summary == "Moved"
    assert again.fields.start == datetime(2026, 12, 8, 10, 0)


def test_this_and_following_ends_the_old_series_and_starts_a_new_one() -> None:
    text = weekly_standup()
    view = event_read(data=text, recurrence_id="2026-12-08T08:00:00Z")
    later = replace(view.fields, start=datetime(2026, 12, 8, 9, 30), end=datetime(2026, 12, 8, 9, 45))
    change = event_change(
        data=text,
        fields=later,
        scope="following",
        recurrence_id="2026-12-08T08:00:00Z",
        now=NOW,
        owner_email="a@x",
        new_uid="next",
    )
    (old,) = events_of(change.data or "")
    assert "COUNT" not in old["RRULE"]
    assert old["RRULE"]["UNTIL"][0] < datetime(2026, 12, 8, 8, 0, tzinfo=UTC)
    (new,) = events_of(change.split or "")
    assert str(new["UID"]) == "next"
    assert new["DTSTART"].dt.replace(tzinfo=None) == datetime(2026, 12, 8, 9, 30)


def test_all_from_a_later_occurrence_moves_the_whole_series_by_the_same_amount() -> None:
    text = weekly_standup()
    view = event_read(data=text, recurrence_id="2026-12-08T08:00:00Z")
    later = replace(view.fields, start=datetime(2026, 12, 8, 10, 0), end=datetime(2026, 12, 8, 10, 15))
    change = event_change(
        data=text,
        fields=later,
        scope="all",
        recurrence_id="2026-12-08T08:00:00Z",
        now=NOW,
        owner_email="a@x",
        new_uid="n",
    )
    (master,) = events_of(change.data or "")
    assert master["DTSTART"].dt.replace(tzinfo=None) == datetime(2026, 12, 1, 10, 0)
    assert master["SEQUENCE"] == 1


def test_moving_the_series_keeps_exdates_on_the_occurrences_they_named() -> None:
    text = event_remove(data=weekly_standup(), scope="this", recurrence_id="2026-12-03T08:00:00Z", now=NOW).data or ""
    view = event_read(data=text)
    later = replace(view.fields, start=datetime(2026, 12, 1, 11, 0), end=datetime(2026, 12, 1, 11, 15))
    change = event_change(
        data=text, fields=later, scope="all", recurrence_id=None, now=NOW, owner_email="a@x", new_uid="n"
    )
    (master,) = events_of(change.data or "")
    exdates = [d.dt.replace(tzinfo=None) for d in master["EXDATE"].dts]
    assert exdates == [datetime(2026, 12, 3, 11, 0)]


def test_removing_one_occurrence_adds_an_exdate_and_removing_following_cuts_the_series() -> None:
    text = weekly_standup()
    one = event_remove(data=text, scope="this", recurrence_id="2026-12-03T08:00:00Z", now=NOW)
    (master,) = events_of(one.data or "")
    assert [d.dt.replace(tzinfo=None) for d in master["EXDATE"].dts] == [datetime(2026, 12, 3, 9, 0)]
    following = event_remove(data=text, scope="following", recurrence_id="2026-12-10T08:00:00Z", now=NOW)
    (cut,) = events_of(following.data or "")
    assert cut["RRULE"]["UNTIL"][0] < datetime(2026, 12, 10, 8, 0, tzinfo=UTC)
    assert event_remove(data=text, scope="following", recurrence_id="2026-12-01T08:00:00Z", now=NOW).data is None
    assert event_remove(data=text, scope="all", recurrence_id=None, now=NOW).data is None


def test_unknown_properties_survive_an_edit() -> None:
    text = weekly_standup().replace("LOCATION:Room 1", "LOCATION:Room 1\r\nX-APPLE-TRAVEL-ADVISORY-BEHAVIOR:AUTOMATIC")
    view = event_read(data=text)
    change = event_change(
        data=text,
        fields=replace(view.fields, summary="Renamed"),
        scope="all",
        recurrence_id=None,
        now=NOW,
        owner_email="a@x",
        new_uid="n",
    )
    assert "X-APPLE-TRAVEL-ADVISORY-BEHAVIOR:AUTOMATIC" in (change.data or "")


def test_all_day_events_store_an_exclusive_end_and_read_back_inclusive() -> None:
    fields = event_fields_parse({"summary": "Trip", "all_day": True, "start": "2026-12-24", "end": "2026-12-26"})
    (event,) = events_of(event_new(fields=fields, uid="trip", now=NOW, owner_email="a@x"))
    assert event["DTSTART"].dt == date(2026, 12, 24)
    assert event["DTEND"].dt == date(2026, 12, 27)
    view = event_read(data=event_new(fields=fields, uid="trip", now=NOW, owner_email="a@x"))
    assert view.fields.end == date(2026, 12, 26)


def test_a_drag_keeps_the_event_zone_and_converts_the_browser_times() -> None:
    view = event_read(data=weekly_standup())
    moved = event_times_moved(
        view=view, start="2026-12-01T10:00:00.000Z", end="2026-12-01T10:30:00.000Z", all_day=False
    )
    assert moved.tzid == "Europe/Berlin"
    assert moved.start == datetime(2026, 12, 1, 11, 0)
    assert moved.end == datetime(2026, 12, 1, 11, 30)
    day = event_times_moved(view=view, start="2026-12-05", end="2026-12-06", all_day=True)
    assert day.all_day
    assert day.start == date(2026, 12, 5)
    assert day.end == date(2026, 12, 5)


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"start": "2026-12-01T10:00", "end": "2026-12-01T09:00", "tzid": "UTC"}, "ends before it starts"),
        ({"start": "tomorrow", "end": "2026-12-01T09:00"}, "not a date and time"),
        ({"start": "2026-12-01T10:00", "end": "2026-12-01T11:00", "tzid": "Mars/Olympus"}, "not a time zone"),
        ({"start": "2026-12-01T10:00", "end": "2026-12-01T11:00", "rrule": {"freq": "HOURLY"}}, "Repeat daily"),
        (
            {
                "start": "2026-12-01T10:00",
                "end": "2026-12-01T11:00",
                "rrule": {"freq": "WEEKLY", "count": 5, "until": "2027-01-01"},
            },
            "not both",
        ),
        (
            {"start": "2026-12-01T10:00", "end": "2026-12-01T11:00", "rrule": {"freq": "WEEKLY", "byday": ["2TU"]}},
            "weekday rule",
        ),
        (
            {"start": "2026-12-01T10:00", "end": "2026-12-01T11:00", "alarm": {"minutes_before": "soon"}},
            "number of minutes",
        ),
        ("not an object", "not understood"),
    ],
)
def test_bad_editor_input_gets_a_clear_message(payload: object, message: str) -> None:
    from core.errors import RoostError

    with pytest.raises(RoostError, match=message):
        event_fields_parse(payload)
