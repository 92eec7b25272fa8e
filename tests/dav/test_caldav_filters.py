"""The calendar-query XML (RFC 4791 9.7) read into calendar_app.query values, and <C:calendar-data> read into
expand / limit-recurrence-set windows: the exact values, defaults and refusals, without a server."""

from datetime import UTC, datetime

import pytest

from calendar_app.query import CompFilter, ParamFilter, PropFilter, TextMatch, TimeRange
from dav.caldav import parse_calendar_data, parse_filter
from dav.webdav import DavError, parse_xml
from tests.dav.caldav_client import NS


def _filter(inner: str) -> CompFilter:
    return parse_filter(parse_xml(f"<C:calendar-query {NS}><C:filter>{inner}</C:filter></C:calendar-query>".encode()))


def test_a_full_filter_becomes_query_values() -> None:
    flt = _filter(
        '<C:comp-filter name="VCALENDAR"><C:comp-filter name="vevent">'
        '<C:time-range start="20250301T000000Z" end="20250401T000000Z"/>'
        '<C:prop-filter name="SUMMARY"><C:text-match collation="i;octet" negate-condition="yes">Lunch'
        "</C:text-match></C:prop-filter>"
        '<C:prop-filter name="LOCATION"><C:is-not-defined/></C:prop-filter>'
        '<C:prop-filter name="ATTENDEE"><C:text-match>bob@example.test</C:text-match>'
        '<C:param-filter name="partstat"><C:text-match>NEEDS-ACTION</C:text-match></C:param-filter>'
        '<C:param-filter name="RSVP"><C:is-not-defined/></C:param-filter></C:prop-filter>'
        '<C:prop-filter name="DTSTAMP"><C:time-range end="20250101T000000Z"/></C:prop-filter>'
        '<C:comp-filter name="VALARM"><C:time-range start="20250301T000000Z"/></C:comp-filter>'
        "</C:comp-filter></C:comp-filter>"
    )
    march = TimeRange(datetime(2025, 3, 1, tzinfo=UTC), datetime(2025, 4, 1, tzinfo=UTC))
    assert flt == CompFilter(
        "VCALENDAR",
        comp_filters=(
            CompFilter(
                "VEVENT",
                time_range=march,
                prop_filters=(
                    PropFilter("SUMMARY", text_match=TextMatch("Lunch", "i;octet", "contains", negate=True)),
                    PropFilter("LOCATION", is_not_defined=True),
                    PropFilter(
                        "ATTENDEE",
                        text_match=TextMatch("bob@example.test", "i;ascii-casemap"),
                        param_filters=(
                            ParamFilter("PARTSTAT", text_match=TextMatch("NEEDS-ACTION", "i;ascii-casemap")),
                            ParamFilter("RSVP", is_not_defined=True),
                        ),
                    ),
                    PropFilter("DTSTAMP", time_range=TimeRange(None, datetime(2025, 1, 1, tzinfo=UTC))),
                ),
                comp_filters=(CompFilter("VALARM", time_range=TimeRange(datetime(2025, 3, 1, tzinfo=UTC), None)),),
            ),
        ),
    )


def test_is_not_defined_and_an_empty_calendar_filter() -> None:
    assert _filter('<C:comp-filter name="VCALENDAR"/>') == CompFilter("VCALENDAR")
    flt = _filter('<C:comp-filter name="VCALENDAR"><C:comp-filter name="VTODO"><C:is-not-defined/></C:comp-filter>'
                  "</C:comp-filter>")  # fmt: skip
    assert flt.comp_filters == (CompFilter("VTODO", is_not_defined=True),)


@pytest.mark.parametrize(
    "bad",
    [
        '<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:prop-filter name="SUMMARY">'
        '<C:time-range start="20250301T000000Z"/><C:text-match>x</C:text-match></C:prop-filter></C:comp-filter>'
        "</C:comp-filter>",
        '<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:time-range start="20250230T000000Z"/>'
        "</C:comp-filter></C:comp-filter>",
        '<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:prop-filter name="SUMMARY">'
        '<C:text-match match-type="regex">x</C:text-match></C:prop-filter></C:comp-filter></C:comp-filter>',
        '<C:comp-filter name="VCALENDAR">' + '<C:prop-filter name="X"/>' * 600 + "</C:comp-filter>",
    ],
)
def test_filters_that_cannot_be_read_are_valid_filter_errors(bad: str) -> None:
    with pytest.raises(DavError) as caught:
        _filter(bad)
    assert caught.value.status == 403
    assert caught.value.precondition is not None
    assert caught.value.precondition.tag == "{urn:ietf:params:xml:ns:caldav}valid-filter"


def _calendar_data(inner: str, attributes: str = "") -> object:
    return parse_calendar_data(parse_xml(f"<C:calendar-data {NS} {attributes}>{inner}</C:calendar-data>".encode()))


def test_calendar_data_windows() -> None:
    window = TimeRange(datetime(2025, 3, 1, tzinfo=UTC), datetime(2025, 3, 8, tzinfo=UTC))
    expand = _calendar_data('<C:expand start="20250301T000000Z" end="20250308T000000Z"/>')
    assert expand.expand == window  # type: ignore[attr-defined]
    assert expand.limit_recurrence_set is None  # type: ignore[attr-defined]
    limit = _calendar_data('<C:limit-recurrence-set start="20250301T000000Z" end="20250308T000000Z"/>')
    assert limit.limit_recurrence_set == window  # type: ignore[attr-defined]
    for bad in ('<C:expand start="20250301T000000Z"/>', '<C:expand start="20250308T000000Z" end="20250301T000000Z"/>'):
        with pytest.raises(DavError) as caught:
            _calendar_data(bad)
        assert caught.value.status == 400
    with pytest.raises(DavError) as caught:
        _calendar_data("", 'content-type="application/calendar+json"')
    assert caught.value.status == 403
