"""RFC 4791 9.7 filter evaluation on single objects (calendar_app.evaluate)."""

from datetime import UTC, datetime

import pytest

from calendar_app.evaluate import UnsupportedCollation, matches, text_matches
from calendar_app.ical import parse as ical
from calendar_app.query import CompFilter, ParamFilter, PropFilter, TextMatch, TimeRange
from tests.calendar_app.samples import event, sample, vcal


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def doc(text: str) -> ical.Document:
    return ical.Document(ical.parse_object(text).text)


def events(
    *,
    time_range: TimeRange | None = None,
    props: tuple[PropFilter, ...] = (),
    subs: tuple[CompFilter, ...] = (),
    name: str = "VEVENT",
) -> CompFilter:
    return CompFilter(
        name="VCALENDAR",
        comp_filters=(CompFilter(name=name, time_range=time_range, prop_filters=props, comp_filters=subs),),
    )


def test_no_filter_and_bare_component_filters() -> None:
    d = doc(event())
    assert matches(d, None)
    assert matches(d, events())
    assert not matches(d, events(name="VTODO"))
    assert matches(d, CompFilter(name="VCALENDAR", comp_filters=(CompFilter(name="VTODO", is_not_defined=True),)))


def test_time_range_on_a_single_event_is_half_open() -> None:
    d = doc(event(start="20250310T090000Z", end="20250310T100000Z"))
    assert matches(d, events(time_range=TimeRange(utc(2025, 3, 10, 9, 30), utc(2025, 3, 10, 11))))
    assert not matches(d, events(time_range=TimeRange(utc(2025, 3, 10, 10), utc(2025, 3, 10, 11))))
    assert not matches(d, events(time_range=TimeRange(utc(2025, 3, 10, 8), utc(2025, 3, 10, 9))))
    assert matches(d, events(time_range=TimeRange(start=utc(2025, 3, 10, 9, 59))))  # open end
    assert matches(d, events(time_range=TimeRange(end=utc(2025, 3, 10, 9, 1))))  # open start


def test_time_range_finds_recurring_instances_and_respects_exdate() -> None:
    text = ical.split_calendar(sample("recurrence-edge.ics"))
    series = next(p.text for p in text if p.text and "until-utc@" in p.text)
    assert series is not None
    d = doc(series)
    assert matches(d, events(time_range=TimeRange(utc(2025, 11, 3, 14), utc(2025, 11, 3, 15))))
    # the excluded 29 October is free
    assert not matches(d, events(time_range=TimeRange(utc(2025, 10, 29, 12), utc(2025, 10, 29, 15))))
    assert matches(d, events(time_range=TimeRange(utc(2025, 10, 30, 12), utc(2025, 10, 30, 15))))


def test_overridden_occurrence_matches_where_it_moved_to() -> None:
    moved = next(p.text for p in ical.split_calendar(sample("recurrence-edge.ics")) if p.text and "moved@" in p.text)
    assert moved is not None
    d = doc(moved)
    assert matches(d, events(time_range=TimeRange(utc(2025, 6, 12, 14), utc(2025, 6, 12, 15))))
    assert not matches(d, events(time_range=TimeRange(utc(2025, 6, 9, 8), utc(2025, 6, 9, 9))))


def test_all_day_event_covers_its_day() -> None:
    d = doc(vcal("UID:d", "DTSTAMP:20250101T000000Z", "DTSTART;VALUE=DATE:20250601"))
    assert matches(d, events(time_range=TimeRange(utc(2025, 6, 1, 23), utc(2025, 6, 2))))
    assert not matches(d, events(time_range=TimeRange(utc(2025, 6, 2), utc(2025, 6, 3))))


@pytest.mark.parametrize(
    ("lines", "inside", "outside"),
    [
        (("DTSTART:20250310T090000Z", "DUE:20250312T090000Z"), (2025, 3, 11), (2025, 3, 13)),
        (("DTSTART:20250310T090000Z", "DURATION:P1D"), (2025, 3, 10), (2025, 3, 12)),
        (("DTSTART:20250310T090000Z",), (2025, 3, 10), (2025, 3, 11)),
        (("DUE:20250310T090000Z",), (2025, 3, 10), (2025, 3, 11)),
        (("COMPLETED:20250310T090000Z",), (2025, 3, 10), (2025, 3, 11)),
        (("CREATED:20250310T090000Z",), (2025, 3, 11), (2025, 3, 9)),
    ],
)
def test_vtodo_time_range_rules_of_9_9(
    lines: tuple[str, ...], inside: tuple[int, ...], outside: tuple[int, ...]
) -> None:
    d = doc(vcal("UID:t", "DTSTAMP:20250101T000000Z", *lines, component="VTODO"))
    day = lambda y, m, dd: TimeRange(utc(y, m, dd), utc(y, m, dd, 23, 59))  # noqa: E731
    assert matches(d, events(name="VTODO", time_range=day(*inside)))
    assert not matches(d, events(name="VTODO", time_range=day(*outside)))


def test_vtodo_without_dates_matches_every_range() -> None:
    d = doc(vcal("UID:t", "DTSTAMP:20250101T000000Z", "SUMMARY:someday", component="VTODO"))
    assert matches(d, events(name="VTODO", time_range=TimeRange(utc(2090, 1, 1), utc(2090, 1, 2))))


def test_prop_filters_text_match_and_params() -> None:
    d = doc(sample("outlook-windows-zone.ics"))
    summary = lambda text, **kw: PropFilter(name="SUMMARY", text_match=TextMatch(text=text, **kw))  # noqa: E731
    assert matches(d, events(props=(summary("quarterly"),)))
    assert not matches(d, events(props=(summary("quarterly", collation="i;octet"),)))
    assert matches(d, events(props=(summary("Quarterly review", match_type="equals"),)))
    assert matches(d, events(props=(summary("weekly", negate=True),)))
    assert not matches(d, events(props=(PropFilter(name="LOCATION", is_not_defined=True),)))
    assert matches(d, events(props=(PropFilter(name="RRULE", is_not_defined=True),)))
    partstat = PropFilter(
        name="ATTENDEE",
        text_match=TextMatch(text="alice@example.test", match_type="ends-with"),
        param_filters=(ParamFilter(name="PARTSTAT", text_match=TextMatch(text="needs-action", match_type="equals")),),
    )
    assert matches(d, events(props=(partstat,)))
    missing_param = PropFilter(name="ATTENDEE", param_filters=(ParamFilter(name="DELEGATED-TO", is_not_defined=True),))
    assert matches(d, events(props=(missing_param,)))


def test_prop_time_range_and_valarm() -> None:
    d = doc(sample("apple-weekly-berlin.ics"))
    stamp = PropFilter(name="DTSTAMP", time_range=TimeRange(utc(2025, 2, 10), utc(2025, 2, 11)))
    assert matches(d, events(props=(stamp,)))
    alarm = lambda tr: CompFilter(name="VALARM", time_range=tr)  # noqa: E731
    # the 19 March instance (08:00 UTC) rings at 07:50 UTC
    assert matches(d, events(subs=(alarm(TimeRange(utc(2025, 3, 19, 7, 45), utc(2025, 3, 19, 7, 55))),)))
    assert not matches(d, events(subs=(alarm(TimeRange(utc(2025, 3, 19, 7, 55), utc(2025, 3, 19, 8, 5))),)))


def test_collations() -> None:
    assert text_matches("STRASSE", TextMatch(text="straße", collation="i;unicode-casemap"))
    assert not text_matches("ÄRGER", TextMatch(text="ärger", collation="i;ascii-casemap"))
    assert text_matches("ÄRGER", TextMatch(text="Ärger", collation="i;ascii-casemap"))
    with pytest.raises(UnsupportedCollation):
        text_matches("x", TextMatch(text="x", collation="i;klingon"))
