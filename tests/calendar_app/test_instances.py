"""The instance index: one row per occurrence of each VEVENT, made on every put, so a time-range query is
answered by the database; exact rows need no parsing, dates and floating times are widened and parsed, and a
long series cut at the index's limit is still found later on by parsing."""

from datetime import UTC, datetime

import pytest

from accounts.models import User
from calendar_app import recurrence
from calendar_app.models import CalendarInstance, CalendarObject
from calendar_app.query import CalendarQuery, CompFilter, TimeRange
from calendar_app.selectors import calendar_objects_query, calendar_occurrences, calendars_for_user
from calendar_app.services import calendar_object_delete, calendar_object_put

pytestmark = [pytest.mark.django_db]


def vcal(*lines: str) -> str:
    body = "\r\n".join(lines)
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nDTSTAMP:20250101T000000Z\r\n"
        f"{body}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )


def month(year: int, number: int) -> CalendarQuery:
    end = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=UTC)
    window = TimeRange(datetime(year, number, 1, tzinfo=UTC), end)
    return CalendarQuery(filter=CompFilter("VCALENDAR", comp_filters=(CompFilter("VEVENT", time_range=window),)))


def rows(name: str) -> list:
    return list(CalendarInstance.objects.filter(obj__name=name).order_by("span").values_list("span", flat=True))


def test_a_weekly_series_has_one_exact_row_per_occurrence_without_the_exdate(alice: User) -> None:
    access = calendars_for_user(user=alice)[0]
    calendar_object_put(
        access=access,
        name="w.ics",
        data=vcal(
            "UID:w",
            "DTSTART;TZID=Europe/Berlin:20250303T090000",
            "DTEND;TZID=Europe/Berlin:20250303T100000",
            "RRULE:FREQ=WEEKLY;COUNT=6",
            "EXDATE;TZID=Europe/Berlin:20250317T090000",
        ),
    )
    spans = rows("w.ics")
    assert len(spans) == 5
    assert spans[0].lower == datetime(2025, 3, 3, 8, tzinfo=UTC)
    assert spans[-1].lower == datetime(2025, 4, 7, 7, tzinfo=UTC)  # summer time: 09:00 in Berlin is 07:00 UTC
    assert CalendarObject.objects.get(name="w.ics").instances_exact


def test_changing_and_deleting_replace_and_remove_the_rows(alice: User) -> None:
    access = calendars_for_user(user=alice)[0]
    calendar_object_put(
        access=access, name="e.ics", data=vcal("UID:e", "DTSTART:20250301T100000Z", "RRULE:FREQ=DAILY;COUNT=3")
    )
    assert len(rows("e.ics")) == 3
    calendar_object_put(
        access=access, name="e.ics", data=vcal("UID:e", "DTSTART:20250301T100000Z", "RRULE:FREQ=DAILY;COUNT=2")
    )
    assert len(rows("e.ics")) == 2
    calendar_object_delete(access=access, name="e.ics")
    assert not CalendarInstance.objects.exists()


def test_dates_are_widened_and_checked_by_parsing(alice: User) -> None:
    access = calendars_for_user(user=alice)[0]
    calendar_object_put(
        access=access, name="d.ics", data=vcal("UID:d", "DTSTART;VALUE=DATE:20250331", "SUMMARY:Last day")
    )
    obj = CalendarObject.objects.get(name="d.ics")
    assert not obj.instances_exact
    (span,) = rows("d.ics")
    assert span.lower == datetime(2025, 3, 30, tzinfo=UTC)  # a day of slack for any zone
    calendar = access.obj
    assert [o.name for o in calendar_objects_query(calendar=calendar, query=month(2025, 3))] == ["d.ics"]
    assert calendar_objects_query(calendar=calendar, query=month(2025, 4)) == []  # the widened row, parsed: no


def test_a_long_series_is_cut_in_the_index_and_found_later_by_parsing(alice: User) -> None:
    access = calendars_for_user(user=alice)[0]
    calendar_object_put(
        access=access,
        name="daily.ics",
        data=vcal("UID:daily", "DTSTART:20250101T080000Z", "DURATION:PT1H", "RRULE:FREQ=DAILY"),
    )
    obj = CalendarObject.objects.get(name="daily.ics")
    assert len(rows("daily.ics")) == recurrence.MAX_INDEXED_INSTANCES
    assert obj.instances_until is not None
    assert obj.instances_until.year == 2027  # 1,000 days after the start
    calendar = access.obj
    assert [o.name for o in calendar_objects_query(calendar=calendar, query=month(2025, 6))] == ["daily.ics"]
    assert [o.name for o in calendar_objects_query(calendar=calendar, query=month(2031, 6))] == ["daily.ics"]
    later = calendar_occurrences(
        user=alice, start=datetime(2031, 6, 1, tzinfo=UTC), end=datetime(2031, 6, 3, tzinfo=UTC)
    )
    assert len(later) == 2


def test_a_todo_has_no_rows_and_is_found_by_its_span(alice: User) -> None:
    from calendar_app.services import calendar_create

    tasks = calendar_create(owner=alice, name="Tasks", components=("VTODO",))
    access = next(a for a in calendars_for_user(user=alice) if a.obj.pk == tasks.pk)
    text = vcal("UID:t", "DUE:20250310T100000Z", "SUMMARY:Report").replace("VEVENT", "VTODO")
    calendar_object_put(access=access, name="t.ics", data=text)
    assert rows("t.ics") == []
    query = CalendarQuery(
        filter=CompFilter(
            "VCALENDAR",
            comp_filters=(
                CompFilter(
                    "VTODO", time_range=TimeRange(datetime(2025, 3, 1, tzinfo=UTC), datetime(2025, 4, 1, tzinfo=UTC))
                ),
            ),
        )
    )
    assert [o.name for o in calendar_objects_query(calendar=tasks, query=query)] == ["t.ics"]
