"""calendar_app.selectors: queries (narrowed by span, then exact), sync changes, occurrences, free/busy."""

from datetime import UTC, date, datetime

import pytest

from accounts.models import User
from calendar_app import selectors, services
from calendar_app.ical import parse as ical
from calendar_app.models import CalendarObject
from calendar_app.query import CalendarQuery, CompFilter, PropFilter, TextMatch, TimeRange
from calendar_app.types import InvalidSyncToken
from core.errors import NotFound
from tests.calendar_app.samples import event, sample, vcal

pytestmark = pytest.mark.django_db


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def in_range(start: datetime, end: datetime, *, summary: str | None = None) -> CalendarQuery:
    props = (PropFilter(name="SUMMARY", text_match=TextMatch(text=summary)),) if summary else ()
    return CalendarQuery(
        filter=CompFilter(
            name="VCALENDAR",
            comp_filters=(CompFilter(name="VEVENT", time_range=TimeRange(start, end), prop_filters=props),),
        )
    )


@pytest.fixture
def filled(alice: User):  # type: ignore[no-untyped-def]
    access = selectors.calendars_for_user(user=alice)[0]
    services.calendar_object_put(
        access=access, name="march.ics", data=event("m", "20250310T090000Z", "20250310T100000Z", "SUMMARY:March thing")
    )
    services.calendar_object_put(access=access, name="weekly.ics", data=sample("apple-weekly-berlin.ics"))
    services.calendar_object_put(
        access=access,
        name="forever.ics",
        data=event("f", "20200106T120000Z", "20200106T130000Z", "RRULE:FREQ=WEEKLY;BYDAY=MO", "SUMMARY:Every Monday"),
    )
    services.calendar_object_put(
        access=access,
        name="moved.ics",
        data=next(p.text for p in ical.split_calendar(sample("recurrence-edge.ics")) if p.text and "moved@" in p.text),
    )
    return access


def names(objs: list[CalendarObject]) -> list[str]:
    return [o.name for o in objs]


def test_query_narrows_by_span_and_tests_instances_exactly(filled) -> None:  # type: ignore[no-untyped-def]
    cal = filled.obj
    # Monday 10 March: the one-off, the unbounded Monday series; the weekly stand-up starts on the 12th
    assert names(
        selectors.calendar_objects_query(calendar=cal, query=in_range(utc(2025, 3, 10), utc(2025, 3, 11)))
    ) == ["forever.ics", "march.ics"]
    assert names(
        selectors.calendar_objects_query(calendar=cal, query=in_range(utc(2025, 3, 19, 8), utc(2025, 3, 19, 9)))
    ) == ["weekly.ics"]
    # far future: only the unbounded series
    assert names(selectors.calendar_objects_query(calendar=cal, query=in_range(utc(2040, 1, 1), utc(2040, 1, 31)))) == [
        "forever.ics"
    ]
    assert names(
        selectors.calendar_objects_query(
            calendar=cal, query=in_range(utc(2025, 1, 1), utc(2026, 1, 1), summary="monday")
        )
    ) == ["forever.ics"]
    assert len(selectors.calendar_objects_query(calendar=cal, query=CalendarQuery())) == 4
    todos = CalendarQuery(filter=CompFilter(name="VCALENDAR", comp_filters=(CompFilter(name="VTODO"),)))
    assert selectors.calendar_objects_query(calendar=cal, query=todos) == []


def test_a_broken_stored_object_is_skipped_not_fatal(filled) -> None:  # type: ignore[no-untyped-def]
    CalendarObject.objects.filter(name="march.ics").update(data="BEGIN:VCALENDAR\r\nthis is not ical")
    # A plain time range is answered from the index alone: the broken object comes back as stored (as it does
    # in a sync), and nothing fails. A filter that must read the objects leaves it out.
    plain = selectors.calendar_objects_query(calendar=filled.obj, query=in_range(utc(2025, 3, 10), utc(2025, 3, 11)))
    assert names(plain) == ["forever.ics", "march.ics"]
    reading = CalendarQuery(
        filter=CompFilter(
            "VCALENDAR",
            comp_filters=(
                CompFilter(
                    "VEVENT",
                    time_range=TimeRange(utc(2025, 3, 10), utc(2025, 3, 11)),
                    prop_filters=(PropFilter("UID"),),
                ),
            ),
        )
    )
    assert names(selectors.calendar_objects_query(calendar=filled.obj, query=reading)) == ["forever.ics"]
    occurrences = selectors.calendar_occurrences(user=filled.obj.owner, start=utc(2025, 3, 10), end=utc(2025, 3, 11))
    assert [o.name for o in occurrences] == ["forever.ics"]


def test_changes_since_reports_adds_edits_and_deletes_exactly(alice: User) -> None:
    access = selectors.calendars_for_user(user=alice)[0]
    cal = access.obj
    initial = selectors.calendar_changes_since(calendar=cal, seq=None)
    assert (initial.seq, initial.changed, initial.deleted) == (0, [], [])
    services.calendar_object_put(access=access, name="a.ics", data=event("a"))
    services.calendar_object_put(access=access, name="b.ics", data=event("b"))
    token = selectors.calendar_changes_since(calendar=cal, seq=None)
    assert token.seq == 2
    assert names(token.changed) == ["a.ics", "b.ics"]
    services.calendar_object_put(access=access, name="a.ics", data=event("a", "20250311T090000Z", "20250311T100000Z"))
    services.calendar_object_delete(access=access, name="b.ics")
    services.calendar_object_put(access=access, name="c.ics", data=event("c"))
    later = selectors.calendar_changes_since(calendar=cal, seq=token.seq)
    assert (later.seq, names(later.changed), later.deleted) == (5, ["a.ics", "c.ics"], ["b.ics"])
    assert selectors.calendar_changes_since(calendar=cal, seq=later.seq).changed == []
    with pytest.raises(InvalidSyncToken):
        selectors.calendar_changes_since(calendar=cal, seq=99)
    type(cal).objects.filter(pk=cal.pk).update(history_start=3)
    with pytest.raises(InvalidSyncToken):
        selectors.calendar_changes_since(calendar=cal, seq=2)


def test_occurrences_for_the_web_ui(alice: User, bob: User) -> None:
    access = selectors.calendars_for_user(user=alice)[0]
    services.calendar_object_put(access=access, name="weekly.ics", data=sample("apple-weekly-berlin.ics"))
    services.calendar_object_put(
        access=access,
        name="day.ics",
        data=vcal(
            "UID:d", "DTSTAMP:20250101T000000Z", "DTSTART;VALUE=DATE:20250313", "SUMMARY:Day off", "TRANSP:TRANSPARENT"
        ),
    )
    found = selectors.calendar_occurrences(user=alice, start=utc(2025, 3, 12), end=utc(2025, 3, 20))
    assert [(o.name, o.summary, o.all_day) for o in found] == [
        ("weekly.ics", "Team stand-up", False),
        ("day.ics", "Day off", True),
        ("weekly.ics", "Team stand-up", False),
    ]
    assert found[0].recurrence_id == "2025-03-12T09:00:00+01:00"
    assert found[0].recurring
    assert found[0].can_write
    assert found[1].start == date(2025, 3, 13)
    assert found[1].transparency == "TRANSPARENT"
    assert found[1].recurrence_id is None
    # shared read-only with bob: he sees them, without write access; hidden, he does not
    services.calendar_share(access=access, user=bob, can_write=False)
    seen = selectors.calendar_occurrences(user=bob, start=utc(2025, 3, 12), end=utc(2025, 3, 20))
    assert len(seen) == 3
    assert not any(o.can_write for o in seen)
    shared = selectors.calendar_get_for_user(user=bob, calendar_id=access.obj.pk)
    services.calendar_set_hidden(user=bob, access=shared, hidden=True)
    assert selectors.calendar_occurrences(user=bob, start=utc(2025, 3, 12), end=utc(2025, 3, 20)) == []
    assert len(selectors.calendar_occurrences(user=alice, start=utc(2025, 3, 12), end=utc(2025, 3, 20))) == 3


def test_hostile_rule_is_capped_in_occurrences(alice: User) -> None:
    access = selectors.calendars_for_user(user=alice)[0]
    services.calendar_object_put(
        access=access, name="h.ics", data=event("h", "20250101T000000Z", "20250101T000001Z", "RRULE:FREQ=SECONDLY")
    )
    found = selectors.calendar_occurrences(user=alice, start=utc(2025, 1, 1), end=utc(2025, 2, 1))
    assert len(found) == 3000


def test_freebusy_merges_and_leaves_out_free_time(alice: User) -> None:
    access = selectors.calendars_for_user(user=alice)[0]
    put = lambda n, *lines: services.calendar_object_put(access=access, name=n, data=event(n, *lines))  # noqa: E731
    put("a", "20250310T090000Z", "20250310T100000Z")
    put("b", "20250310T093000Z", "20250310T110000Z")
    put("c", "20250310T120000Z", "20250310T130000Z", "TRANSP:TRANSPARENT")
    put("d", "20250310T140000Z", "20250310T150000Z", "STATUS:CANCELLED")
    put("e", "20250310T160000Z", "20250310T170000Z", "STATUS:TENTATIVE")
    busy = selectors.calendar_freebusy(calendars=[access.obj], start=utc(2025, 3, 10, 9, 15), end=utc(2025, 3, 11))
    assert [(b.start.hour, b.start.minute, b.end.hour, b.fbtype) for b in busy] == [
        (9, 15, 11, "BUSY"),
        (16, 0, 17, "BUSY-TENTATIVE"),
    ]


def test_object_data_expand_and_get(alice: User) -> None:
    access = selectors.calendars_for_user(user=alice)[0]
    services.calendar_object_put(access=access, name="w.ics", data=sample("apple-weekly-berlin.ics"))
    obj = selectors.calendar_object_get(calendar=access.obj, name="w.ics")
    assert selectors.calendar_object_data(obj=obj) == obj.data
    expanded = selectors.calendar_object_data(obj=obj, expand=TimeRange(utc(2025, 3, 1), utc(2025, 3, 20)))
    assert expanded.count("BEGIN:VEVENT") == 2
    assert "RRULE" not in expanded
    limited = selectors.calendar_object_data(obj=obj, limit_recurrence_set=TimeRange(utc(2025, 3, 1), utc(2025, 3, 20)))
    assert "RRULE" in limited
    with pytest.raises(NotFound):
        selectors.calendar_object_get(calendar=access.obj, name="nope.ics")
    assert names(selectors.calendar_objects(calendar=access.obj, names=["w.ics", "nope.ics"])) == ["w.ics"]
