"""calendar_app.ical and recurrence: validation, spans, time zones and expansion on golden samples."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from calendar_app import recurrence
from calendar_app.ical import parse as ical
from tests.calendar_app.samples import event, sample, vcal

BERLIN = ZoneInfo("Europe/Berlin")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def starts(text: str, start: datetime, end: datetime, uid: str | None = None) -> list[datetime | date]:
    doc = ical.Document(text)
    return [i.start for i in doc.instances(start, end) if uid is None or (i.uid == uid and i.start is not None)]  # type: ignore[misc]


def test_apple_weekly_keeps_nine_local_across_the_march_switch() -> None:
    parsed = ical.parse_object(sample("apple-weekly-berlin.ics"))
    assert parsed.uid == "5A1B7C2E-3D4F-4A5B-9C8D-7E6F5A4B3C2D"
    assert (parsed.component, parsed.summary, parsed.sequence, parsed.recurring) == ("VEVENT", "Team stand-up", 1, True)
    found = starts(parsed.text, utc(2025, 3, 1), utc(2025, 5, 1))
    assert [s.astimezone(BERLIN).strftime("%m-%d %H:%M") for s in found] == [  # type: ignore[union-attr]
        "03-12 09:00",
        "03-19 09:00",
        "03-26 09:00",
        "04-02 09:00",
    ]
    assert [s.astimezone(UTC).hour for s in found] == [8, 8, 8, 7]  # type: ignore[union-attr]
    # COUNT=4: the span ends with the last instance
    assert parsed.span_start == utc(2025, 3, 12, 8)
    assert parsed.span_end == utc(2025, 4, 2, 8)


def test_round_trip_keeps_unknown_and_x_properties() -> None:
    for name in ("apple-weekly-berlin.ics", "outlook-windows-zone.ics", "thunderbird-todo.ics"):
        source = sample(name)
        text = ical.parse_object(source).text
        unfolded = text.replace("\r\n ", "").split("\r\n")
        for line in source.split("\r\n"):
            if line.startswith(("X-", "ATTENDEE", "ORGANIZER", "DESCRIPTION")):
                assert line in unfolded, (name, line)
        assert ical.parse_object(text).text == text  # canonical text is a fixed point


def test_outlook_windows_zone_name_is_read_as_berlin() -> None:
    parsed = ical.parse_object(sample("outlook-windows-zone.ics"))
    assert parsed.span_start == utc(2025, 7, 14, 12)
    assert parsed.span_end == utc(2025, 7, 14, 13, 30)
    assert "X-MICROSOFT-CDO-BUSYSTATUS:TENTATIVE" in parsed.text
    assert "TZID:W. Europe Standard Time" in parsed.text


def test_thunderbird_todo_span_and_second_tuesday() -> None:
    todo = ical.parse_object(sample("thunderbird-todo.ics"))
    assert todo.component == "VTODO"
    assert (todo.span_start, todo.span_end) == (utc(2025, 3, 10, 8), utc(2025, 3, 31, 16))
    text = ical.parse_object(sample("thunderbird-event.ics")).text
    found = starts(text, utc(2025, 1, 1), utc(2026, 1, 1))
    assert [s.day for s in found] == [14, 11, 11, 8, 13, 10]  # type: ignore[union-attr]
    assert all(s.weekday() == 1 for s in found)  # type: ignore[union-attr]


def _edge(uid: str) -> str:
    """One object out of recurrence-edge.ics (it holds several UIDs)."""
    pieces = {p.label: p for p in ical.split_calendar(sample("recurrence-edge.ics"))}
    for piece in pieces.values():
        assert piece.text is not None
        if f"UID:{uid}" in piece.text:
            return ical.parse_object(piece.text).text
    raise AssertionError(uid)


def test_monthly_on_the_31st_skips_short_months() -> None:
    found = starts(_edge("monthly-31st@example.test"), utc(2025, 1, 1), utc(2026, 1, 1))
    assert [s.month for s in found] == [1, 3, 5, 7]  # type: ignore[union-attr]


def test_yearly_on_february_29th_only_in_leap_years() -> None:
    text = _edge("leap-day@example.test")
    found = starts(text, utc(2024, 1, 1), utc(2037, 1, 1))
    assert found == [date(2024, 2, 29), date(2028, 2, 29), date(2032, 2, 29)]
    assert ical.Document(text).instances(utc(2024, 1, 1), utc(2025, 1, 1))[0].all_day


def test_until_in_utc_for_a_zoned_series_with_exdate() -> None:
    text = _edge("until-utc@example.test")
    found = starts(text, utc(2025, 10, 1), utc(2025, 12, 1))
    local = [s.astimezone(ZoneInfo("America/New_York")) for s in found]  # type: ignore[union-attr]
    assert [d.day for d in local] == [27, 28, 30, 31, 1, 2, 3]
    assert {d.hour for d in local} == {9}
    assert ical.parse_object(text).span_end == utc(2025, 11, 3, 14, 30)


def test_overridden_occurrence_moved_to_another_day() -> None:
    text = _edge("moved@example.test")
    instances = ical.Document(text).instances(utc(2025, 6, 1), utc(2025, 7, 1))
    assert [(i.start.astimezone(BERLIN).strftime("%d %H"), i.summary) for i in instances] == [  # type: ignore[union-attr]
        ("02 10", "Weekly, one moved"),
        ("12 16", "Moved to Thursday"),
        ("16 10", "Weekly, one moved"),
    ]
    assert instances[1].recurrence_id == datetime(2025, 6, 9, 10, tzinfo=BERLIN)


def test_rdate_adds_instances_and_widens_the_span() -> None:
    parsed = ical.parse_object(_edge("rdate@example.test"))
    assert parsed.recurring
    assert parsed.span_end == utc(2025, 8, 1, 9)
    assert [s.day for s in starts(parsed.text, utc(2025, 6, 1), utc(2025, 9, 1))] == [1, 15, 1]  # type: ignore[union-attr]


def test_an_endless_series_is_indexed_up_to_its_expansion_horizon() -> None:
    parsed = ical.parse_object(event("u@x", "20250101T090000Z", "20250101T100000Z", "RRULE:FREQ=WEEKLY"))
    assert parsed.span_start == utc(2025, 1, 1, 9)
    assert parsed.span_end is not None
    assert parsed.span_end.year == 2025 + recurrence.MAX_YEARS - 1  # nothing later is ever expanded


def test_a_dense_endless_rule_stops_being_a_candidate_soon_after_it_starts() -> None:
    parsed = ical.parse_object(event("s@x", "20250101T090000Z", "20250101T090001Z", "RRULE:FREQ=SECONDLY"))
    assert parsed.span_end is not None
    assert parsed.span_end - parsed.span_start < timedelta(days=2)  # 20,000 seconds of instances, plus slack


def test_floating_and_date_values_are_widened_by_a_day() -> None:
    parsed = ical.parse_object(event("f@x", "20250310T090000", "20250310T100000"))
    assert parsed.span_start == utc(2025, 3, 10, 9) - recurrence.SLACK
    assert parsed.span_end == utc(2025, 3, 10, 10) + recurrence.SLACK


def test_hostile_secondly_rule_is_capped_not_failed() -> None:
    text = ical.parse_object(event("h@x", "20250101T000000Z", "20250101T000001Z", "RRULE:FREQ=SECONDLY")).text
    doc = ical.Document(text)
    assert len(doc.instances(utc(2025, 1, 1), utc(2026, 1, 1))) == recurrence.MAX_OCCURRENCES
    # years later the capped rule has long ended: nothing, and no endless scan
    assert doc.instances(utc(2030, 1, 1), utc(2031, 1, 1)) == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xff\xfe", "not UTF-8"),
        ("", "empty"),
        ("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:x\r\nEND:VCARD\r\n", "not a VCALENDAR"),
        ("not ical at all", "cannot be parsed"),
        ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nEND:VCALENDAR\r\n", "no VEVENT or VTODO"),
        (vcal("DTSTAMP:20250101T000000Z", "DTSTART:20250101T100000Z"), "no UID"),
        (event("a", "20250101T100000Z", "20250101T090000Z"), "DTEND is before DTSTART"),
        (event("a", "20250101T100000Z", "20250101T110000Z", "RRULE:FREQ=SOMETIMES"), "RRULE"),
        (vcal("UID:a", "DTSTAMP:20250101T000000Z"), "no DTSTART"),
        (event("a", "20250101", "20250101T110000Z"), "must both be dates"),
        (
            event("a").replace(
                "END:VCALENDAR", "BEGIN:VEVENT\r\nUID:b\r\nDTSTART:20250101T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR"
            ),
            "same UID",
        ),
        (
            event("a").replace("END:VCALENDAR", "BEGIN:VTODO\r\nUID:a\r\nEND:VTODO\r\nEND:VCALENDAR"),
            "mix VEVENT and VTODO",
        ),
        (
            event("a").replace(
                "END:VCALENDAR", "BEGIN:VEVENT\r\nUID:a\r\nDTSTART:20250102T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR"
            ),
            "without RECURRENCE-ID",
        ),
    ],
)
def test_bad_data_is_refused_with_a_clear_message(data: str | bytes, message: str) -> None:
    with pytest.raises(ical.InvalidCalendarData, match=message):
        ical.parse_object(data)


def test_component_the_calendar_does_not_accept() -> None:
    with pytest.raises(ical.UnsupportedComponent, match="does not accept VTODO"):
        ical.parse_object(sample("thunderbird-todo.ics"), accepted=("VEVENT",))
    with pytest.raises(ical.UnsupportedComponent, match="VJOURNAL"):
        ical.parse_object(vcal("UID:j", "DTSTAMP:20250101T000000Z", component="VJOURNAL"))


def test_expand_gives_utc_instances_with_recurrence_id_and_no_rule() -> None:
    text = ical.parse_object(sample("apple-weekly-berlin.ics")).text
    out = ical.Document(text).expanded(utc(2025, 3, 25), utc(2025, 4, 10))
    assert "RRULE" not in out
    assert "VTIMEZONE" not in out
    assert "DTSTART:20250326T080000Z" in out
    assert "RECURRENCE-ID:20250326T080000Z" in out
    assert "DTSTART:20250402T070000Z" in out
    assert out.count("BEGIN:VEVENT") == 2


def test_limit_recurrence_set_keeps_the_master_and_only_overrides_in_range() -> None:
    text = _edge("moved@example.test")
    doc = ical.Document(text)
    assert "Moved to Thursday" in doc.limited(utc(2025, 6, 10), utc(2025, 6, 13))
    outside = doc.limited(utc(2025, 6, 14), utc(2025, 6, 20))
    assert "Moved to Thursday" not in outside
    assert "RRULE:FREQ=WEEKLY;COUNT=3" in outside


def test_split_applies_x_wr_timezone_and_keeps_overrides_with_their_master() -> None:
    pieces = ical.split_calendar(sample("google-export.ics"))
    by_label = {p.label: p for p in pieces}
    planning = next(p for p in pieces if p.text and "7kukuqrfedlm2f9t0vpl4p8qjo" in p.text)
    assert planning.text is not None
    assert planning.text.count("BEGIN:VEVENT") == 2
    assert by_label["A journal entry"].error == "VJOURNAL is not supported"
    assert by_label["No UID here"].error == "the VEVENT has no UID"
    floating = by_label["Floating meant as Berlin"]
    assert floating.text is not None
    assert ical.parse_object(floating.text).span_start == utc(2025, 6, 10, 12)  # 14:00 Berlin summer time


def test_join_adds_each_zone_once() -> None:
    texts = [ical.parse_object(sample(n)).text for n in ("apple-weekly-berlin.ics", "thunderbird-todo.ics")]
    joined = ical.join_calendars([*texts, "broken"], name="Mine")
    assert joined.count("BEGIN:VTIMEZONE") == 1
    assert joined.count("BEGIN:VEVENT") == 1
    assert joined.count("BEGIN:VTODO") == 1
    assert "X-WR-CALNAME:Mine" in joined


def test_scan_horizon_is_short_for_dense_rules() -> None:
    assert recurrence.scan_horizon("SECONDLY", 1, {}) == timedelta(seconds=recurrence.MAX_RAW_INSTANCES)
    assert recurrence.scan_horizon("YEARLY", 1, {}) == timedelta(days=365 * recurrence.MAX_YEARS)
    assert recurrence.scan_horizon("DAILY", 1, {"BYHOUR": 24}) < recurrence.scan_horizon("DAILY", 1, {})
