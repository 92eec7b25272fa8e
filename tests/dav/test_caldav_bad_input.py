"""CalDAV refuses bad input with a 4xx and the right precondition, and stores nothing; a hostile recurrence
rule is stored but every query over it stays capped and quick."""

import time

import pytest

from calendar_app.models import CalendarObject
from tests import personas
from tests.dav.caldav_client import (
    NS,
    CalClient,
    calendar_data_of,
    calendar_query,
    event,
    events_between,
    free_busy,
    mkcalendar,
    multiget,
    proppatch,
    todo,
    vcal,
    vevent,
)

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def alice(live_server) -> CalClient:  # type: ignore[no-untyped-def]
    personas.mailbox("alice")
    client = CalClient(live_server.url, "alice")
    client.propfind(client.home, "<D:resourcetype/>", depth="1")  # makes the default calendar
    return client


def _calendar(alice: CalClient) -> str:
    return alice.home + "personal/"


def _refused(answer_status: int, body: bytes, precondition: bytes) -> None:
    assert answer_status == 403, body
    assert precondition in body, body


def test_broken_calendar_data_is_refused_with_valid_calendar_data(alice: CalClient) -> None:
    calendar = _calendar(alice)
    unterminated = event("cut@example.test").replace("END:VEVENT\r\nEND:VCALENDAR\r\n", "")
    no_uid = event("x").replace("UID:x\r\n", "")
    two_uids = vcal(vevent("one@example.test"), vevent("two@example.test", "20250311T090000Z", "20250311T100000Z"))
    no_start = event("nostart@example.test").replace("DTSTART:20250310T090000Z\r\n", "")
    backwards = event("back@example.test", "20250310T100000Z", "20250310T090000Z")
    bad_rule = event("rule@example.test", "20250310T090000Z", "20250310T100000Z", "RRULE:FREQ=SOMETIMES")
    for broken in ("not a calendar at all", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", unterminated, no_uid, two_uids,
                   no_start, backwards, bad_rule):  # fmt: skip
        answer = alice.put(calendar + "broken.ics", broken)
        _refused(answer.status, answer.body, b"valid-calendar-data")
    not_utf8 = alice.request("PUT", calendar + "broken.ics", b"\xff\xfe\x00B", Content_Type="text/calendar")
    _refused(not_utf8.status, not_utf8.body, b"valid-calendar-data")
    assert alice.names(calendar) == set()


def test_a_component_the_calendar_does_not_take_is_refused(alice: CalClient) -> None:
    calendar = _calendar(alice)
    answer = alice.put(calendar + "task.ics", todo("task@example.test"))
    _refused(answer.status, answer.body, b"supported-calendar-component")
    journal = vcal("BEGIN:VJOURNAL\r\nUID:j@example.test\r\nDTSTAMP:20250101T000000Z\r\nEND:VJOURNAL\r\n")
    answer = alice.put(calendar + "journal.ics", journal)
    _refused(answer.status, answer.body, b"supported-calendar-component")
    answer = alice.put(calendar + "typed.ics", event("typed@example.test"), Content_Type="text/plain")
    _refused(answer.status, answer.body, b"supported-calendar-data")
    assert alice.names(calendar) == set()

    # A to-do list takes VTODO and refuses VEVENT.
    made = alice.request("MKCALENDAR", alice.home + "todo/", mkcalendar("To do", ("VTODO",)))
    assert made.status == 201
    assert alice.put(alice.home + "todo/task.ics", todo("task@example.test")).status == 201
    answer = alice.put(alice.home + "todo/event.ics", event("event@example.test"))
    _refused(answer.status, answer.body, b"supported-calendar-component")
    assert alice.names(alice.home + "todo/") == {alice.home + "todo/task.ics"}


def test_a_uid_clash_is_refused_with_the_existing_href(alice: CalClient) -> None:
    calendar = _calendar(alice)
    assert alice.put(calendar + "first.ics", event("same@example.test")).status == 201
    answer = alice.put(calendar + "second.ics", event("same@example.test", "20250311T090000Z", "20250311T100000Z"))
    _refused(answer.status, answer.body, b"no-uid-conflict")
    assert f"<D:href>{calendar}first.ics</D:href>".encode() in answer.body
    assert alice.names(calendar) == {calendar + "first.ics"}


def test_an_oversized_object_is_refused(alice: CalClient) -> None:
    calendar = _calendar(alice)
    description = "DESCRIPTION:" + "x" * (2200 * 1024)
    answer = alice.put(calendar + "big.ics", event("big@example.test", "20250310T090000Z", "20250310T100000Z",
                                                   description))  # fmt: skip
    _refused(answer.status, answer.body, b"max-resource-size")
    assert alice.names(calendar) == set()


def test_an_unbounded_secondly_rule_is_stored_and_queries_stay_capped(alice: CalClient) -> None:
    calendar = _calendar(alice)
    hostile = event("hostile@example.test", "20250310T090000Z", "20250310T090001Z", "RRULE:FREQ=SECONDLY")
    assert alice.put(calendar + "hostile.ics", hostile).status == 201
    assert alice.put(calendar + "plain.ics", event("plain@example.test", "20300101T090000Z",
                                                   "20300101T100000Z")).status == 201  # fmt: skip

    started = time.monotonic()
    far = alice.report(calendar, calendar_query(events_between("20300101T000000Z", "20300102T000000Z")))
    assert far.status == 207
    assert calendar + "plain.ics" in far.responses()
    expand = '<C:calendar-data><C:expand start="20250310T000000Z" end="20250311T000000Z"/></C:calendar-data>'
    near = alice.report(calendar, calendar_query(events_between("20250310T000000Z", "20250311T000000Z"), expand))
    assert near.status == 207
    data = calendar_data_of(near.responses()[calendar + "hostile.ics"])
    instances = data.count("BEGIN:VEVENT")
    assert 0 < instances <= 3000  # cut at the store's cap, not 86,400
    busy = alice.report(calendar, free_busy("20250310T000000Z", "20250317T000000Z"))
    assert busy.status == 200
    assert time.monotonic() - started < 20
    # The rest of the calendar still answers normally.
    assert alice.request("GET", calendar + "plain.ics").status == 200


def test_hostile_or_broken_xml_in_a_report_is_a_400(alice: CalClient) -> None:
    calendar = _calendar(alice)
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
        f"<C:calendar-query {NS}><C:filter>&b;</C:filter></C:calendar-query>"
    )
    assert alice.report(calendar, bomb).status == 400
    external = (
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        f"<C:calendar-query {NS}><C:filter>&e;</C:filter></C:calendar-query>"
    )
    assert alice.report(calendar, external).status == 400
    assert alice.report(calendar, "<C:calendar-query").status == 400
    assert alice.report(calendar, b"\x00\x01binary").status == 400
    bad_expand = '<C:calendar-data><C:expand start="yesterday" end="20250311T000000Z"/></C:calendar-data>'
    assert alice.report(calendar, calendar_query(events_between("20250310T000000Z", "20250311T000000Z"),
                                                 bad_expand)).status == 400  # fmt: skip


@pytest.mark.parametrize(
    "filter_xml",
    [
        "",  # no comp-filter at all
        '<C:comp-filter name="VEVENT"/>',  # the outer one must be VCALENDAR
        '<C:comp-filter name="VCALENDAR"/><C:comp-filter name="VCALENDAR"/>',
        '<C:comp-filter name="VCALENDAR"><C:comp-filter/></C:comp-filter>',  # no name
        events_between("2025-03-10", "20250311T000000Z"),  # not a UTC time
        events_between("20250311T000000Z", "20250310T000000Z"),  # ends before it starts
        '<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:time-range/></C:comp-filter></C:comp-filter>',
        '<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:prop-filter name="SUMMARY">'
        '<C:text-match negate-condition="maybe">x</C:text-match></C:prop-filter></C:comp-filter></C:comp-filter>',
        '<C:comp-filter name="VCALENDAR">' + '<C:comp-filter name="VEVENT">' * 50 + "</C:comp-filter>" * 51,
    ],
)
def test_an_invalid_filter_is_403_valid_filter(alice: CalClient, filter_xml: str) -> None:
    answer = alice.report(_calendar(alice), calendar_query(filter_xml))
    _refused(answer.status, answer.body, b"valid-filter")


def test_an_unknown_collation_is_403_supported_collation(alice: CalClient) -> None:
    calendar = _calendar(alice)
    text = (
        '<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:prop-filter name="SUMMARY">'
        '<C:text-match collation="i;klingon">x</C:text-match></C:prop-filter></C:comp-filter></C:comp-filter>'
    )
    answer = alice.report(calendar, calendar_query(text))  # an empty calendar: refused all the same
    _refused(answer.status, answer.body, b"supported-collation")
    assert alice.put(calendar + "one.ics", event("one@example.test", "20250310T090000Z", "20250310T100000Z",
                                                 "SUMMARY:x")).status == 201  # fmt: skip
    answer = alice.report(calendar, calendar_query(text))
    _refused(answer.status, answer.body, b"supported-collation")


def test_bad_calendar_settings_change_nothing(alice: CalClient) -> None:
    calendar = _calendar(alice)
    patch = proppatch("<A:calendar-color>blue</A:calendar-color><D:displayname>Renamed</D:displayname>")
    answer = alice.request("PROPPATCH", calendar, patch, Content_Type="application/xml")
    assert answer.status == 207
    assert b"409" in answer.body
    assert b"424" in answer.body
    found = alice.propfind(calendar, "<D:displayname/>").responses()[calendar]
    assert "Personal" in "".join(found.itertext())
    protected = proppatch(
        '<C:supported-calendar-component-set><C:comp name="VTODO"/></C:supported-calendar-component-set>'
    )
    assert b"403" in alice.request("PROPPATCH", calendar, protected, Content_Type="application/xml").body

    assert alice.request("MKCALENDAR", alice.home + "a.b/", mkcalendar("Dots")).status == 400
    assert alice.request("MKCALENDAR", alice.home + "shared-1/", mkcalendar("Sneaky")).status == 403
    assert alice.request("MKCALENDAR", calendar, mkcalendar("Again")).status == 403
    journal_only = alice.request("MKCALENDAR", alice.home + "journal/", mkcalendar("Journal", ("VJOURNAL",)))
    assert journal_only.status == 403
    plain_mkcol = alice.request("MKCOL", alice.home + "plain/")
    assert plain_mkcol.status == 403
    assert b"valid-resourcetype" in plain_mkcol.body
    homes = alice.propfind(alice.home, "<D:resourcetype/>", depth="1").responses()
    assert set(homes) == {alice.home, calendar}


def test_a_stored_object_that_no_longer_parses_takes_nothing_down(alice: CalClient) -> None:
    calendar = _calendar(alice)
    assert alice.put(calendar + "good.ics", event("good@example.test")).status == 201
    good = CalendarObject.objects.get(name="good.ics")
    CalendarObject.objects.create(
        calendar=good.calendar, name="rotten.ics", uid="rotten@example.test", component="VEVENT",
        data="BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:garbage\r\n", etag="rotten", span=good.span,
    )  # fmt: skip

    assert alice.names(calendar) == {calendar + "good.ics", calendar + "rotten.ics"}
    expand = '<C:calendar-data><C:expand start="20250301T000000Z" end="20250401T000000Z"/></C:calendar-data>'
    found = alice.report(calendar, calendar_query(events_between("20250301T000000Z", "20250401T000000Z"), expand))
    assert found.status == 207
    assert set(found.responses()) == {calendar + "good.ics"}
    asked = multiget([calendar + "good.ics", calendar + "rotten.ics"]).replace("<C:calendar-data/>", expand)
    both = alice.report(calendar, asked)
    assert both.status == 207
    assert "DTSTART:garbage" in calendar_data_of(both.responses()[calendar + "rotten.ics"])  # served as stored
    assert "DTSTART:20250310T090000Z" in calendar_data_of(both.responses()[calendar + "good.ics"])
    assert alice.report(calendar, free_busy("20250301T000000Z", "20250401T000000Z")).status == 200
    assert alice.request("GET", calendar + "rotten.ics").status == 200
