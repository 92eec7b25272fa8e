"""CalDAV against the live server with the real `caldav` client library: discovery from the server's address
alone, calendars made and listed, plain, all-day and recurring events (EXDATE, an overridden occurrence, a DST
switch) found by time range with expansion on either side, a stale ETag refused, sync tokens that report
exactly what changed, and the web UI's door and CalDAV's seeing each other's changes."""

from datetime import UTC, date, datetime
from urllib.parse import unquote

import caldav
import icalendar
import pytest
from caldav.lib import error

from accounts.models import User
from calendar_app.eventfields import EventFields
from calendar_app.selectors import calendar_get_owned, calendar_occurrences, calendar_timezone_ical
from calendar_app.services.events import event_create
from tests import personas
from tests.dav.caldav_client import (
    C,
    CalClient,
    D,
    calendar_data_of,
    calendar_query,
    event,
    events_between,
    mkcalendar,
    prop,
    proppatch,
    sync,
    todo,
    vcal,
    vevent,
)

pytestmark = [pytest.mark.django_db(transaction=True)]

APPLE = "{http://apple.com/ns/ical/}"
CS = "{http://calendarserver.org/ns/}"
MARCH = (datetime(2025, 3, 1, tzinfo=UTC), datetime(2025, 4, 1, tzinfo=UTC))

BERLIN = """BEGIN:VTIMEZONE\r
TZID:Europe/Berlin\r
BEGIN:DAYLIGHT\r
TZOFFSETFROM:+0100\r
TZOFFSETTO:+0200\r
TZNAME:CEST\r
DTSTART:19700329T020000\r
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r
END:DAYLIGHT\r
BEGIN:STANDARD\r
TZOFFSETFROM:+0200\r
TZOFFSETTO:+0100\r
TZNAME:CET\r
DTSTART:19701025T030000\r
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r
END:STANDARD\r
END:VTIMEZONE\r
"""

PLAIN = event("plain@example.test", "20250310T090000Z", "20250310T100000Z", "SUMMARY:Plain")
ALL_DAY = event("allday@example.test", "X", "X", "SUMMARY:All day").replace(
    "DTSTART:X\r\nDTEND:X", "DTSTART;VALUE=DATE:20250312\r\nDTEND;VALUE=DATE:20250313"
)
# Mondays 10:00 Berlin from 3 March, six times: the 17th excluded, the 24th moved to Tuesday 25th 14:00, and
# Europe's DST switch on 30 March puts the 31st at 08:00 UTC instead of 09:00.
WEEKLY = vcal(
    BERLIN,
    "\r\n".join(
        [
            "BEGIN:VEVENT",
            "UID:weekly@example.test",
            "DTSTAMP:20250101T000000Z",
            "DTSTART;TZID=Europe/Berlin:20250303T100000",
            "DTEND;TZID=Europe/Berlin:20250303T110000",
            "RRULE:FREQ=WEEKLY;COUNT=6",
            "EXDATE;TZID=Europe/Berlin:20250317T100000",
            "SUMMARY:Weekly",
            "END:VEVENT",
            "BEGIN:VEVENT",
            "UID:weekly@example.test",
            "DTSTAMP:20250101T000000Z",
            "RECURRENCE-ID;TZID=Europe/Berlin:20250324T100000",
            "DTSTART;TZID=Europe/Berlin:20250325T140000",
            "DTEND;TZID=Europe/Berlin:20250325T150000",
            "SUMMARY:Weekly (moved)",
            "END:VEVENT",
            "",
        ]
    ),
)
EXPECTED_MARCH = {
    ("plain@example.test", datetime(2025, 3, 10, 9, tzinfo=UTC)),
    ("allday@example.test", date(2025, 3, 12)),
    ("weekly@example.test", datetime(2025, 3, 3, 9, tzinfo=UTC)),
    ("weekly@example.test", datetime(2025, 3, 10, 9, tzinfo=UTC)),
    ("weekly@example.test", datetime(2025, 3, 25, 13, tzinfo=UTC)),
    ("weekly@example.test", datetime(2025, 3, 31, 8, tzinfo=UTC)),
}


@pytest.fixture
def client(live_server) -> caldav.DAVClient:  # type: ignore[no-untyped-def]
    personas.mailbox("alice")
    personas.mailbox("bob")
    return caldav.DAVClient(url=live_server.url + "/", username="alice@example.test", password=personas.PASSWORD)


@pytest.fixture
def raw(live_server) -> CalClient:  # type: ignore[no-untyped-def]
    return CalClient(live_server.url, "alice")


def _path(url: object) -> str:
    """A URL's decoded path (the library writes the "@" of an address as %40 in URLs it builds)."""
    return unquote(getattr(url, "path", ""))


def _utc(start: object) -> object:
    return start.astimezone(UTC) if isinstance(start, datetime) else start


def _instances(found: list[caldav.CalendarObjectResource]) -> set[tuple[str, object]]:
    seen: set[tuple[str, object]] = set()
    for obj in found:
        for component in obj.icalendar_instance.walk("VEVENT"):
            seen.add((str(component["UID"]), _utc(component.decoded("DTSTART"))))
    return seen


def test_discovery_from_the_server_address_and_calendar_properties(client: caldav.DAVClient, raw: CalClient) -> None:
    principal = client.principal()
    assert _path(principal.url) == "/dav/principals/alice@example.test/"
    assert _path(principal.calendar_home_set.url) == "/dav/calendars/alice@example.test/"
    assert [c.get_display_name() for c in principal.calendars()] == ["Personal"]  # made on first use

    work = principal.make_calendar(name="Work", cal_id="work")
    tasks = principal.make_calendar(name="Tasks", cal_id="tasks", supported_calendar_component_set=["VTODO"])
    assert {_path(c.url) for c in principal.calendars()} == {
        raw.home + "personal/",
        raw.home + "work/",
        raw.home + "tasks/",
    }
    assert work.get_supported_components() == ["VEVENT"]
    assert tasks.get_supported_components() == ["VTODO"]

    patch = proppatch(
        "<A:calendar-color>#FF2968FF</A:calendar-color><A:calendar-order>3</A:calendar-order>"
        "<C:calendar-description>Office hours</C:calendar-description><D:displayname>Office</D:displayname>"
    )
    answer = raw.request("PROPPATCH", raw.home + "work/", patch, Content_Type="application/xml")
    assert answer.status == 207
    assert b"403" not in answer.body
    assert b"409" not in answer.body
    props = (
        "<D:displayname/><D:resourcetype/><C:calendar-description/><A:calendar-color/><A:calendar-order/>"
        "<C:supported-calendar-component-set/><C:supported-calendar-data/><C:max-resource-size/><CS:getctag/>"
        "<D:sync-token/><D:owner/><D:current-user-privilege-set/><D:supported-report-set/>"
    )
    body = f'<D:propfind xmlns:D="DAV:" xmlns:C="{C[1:-1]}" xmlns:CS="{CS[1:-1]}" xmlns:A="{APPLE[1:-1]}">'
    body += f"<D:prop>{props}</D:prop></D:propfind>"
    found = raw.request("PROPFIND", raw.home + "work/", body, Depth="0").responses()[raw.home + "work/"]
    assert prop(found, f"{D}displayname").text == "Office"  # type: ignore[union-attr]
    assert prop(found, f"{C}calendar-description").text == "Office hours"  # type: ignore[union-attr]
    assert prop(found, f"{APPLE}calendar-color").text == "#ff2968"  # type: ignore[union-attr]
    assert prop(found, f"{APPLE}calendar-order").text == "3"  # type: ignore[union-attr]
    assert found.find(f".//{D}resourcetype/{C}calendar") is not None
    assert found.find(f".//{C}supported-calendar-data/{C}calendar-data").get("content-type") == "text/calendar"  # type: ignore[union-attr]
    assert int(prop(found, f"{C}max-resource-size").text or 0) > 0  # type: ignore[union-attr]
    assert (prop(found, f"{D}sync-token").text or "").startswith("http")  # type: ignore[union-attr]
    assert prop(found, f"{CS}getctag").text  # type: ignore[union-attr]
    assert found.findtext(f".//{D}owner/{D}href") == "/dav/principals/alice@example.test/"
    assert found.find(f".//{D}current-user-privilege-set/{D}privilege/{D}write-content") is not None
    reports = {str(r[0].tag) for r in found.iter(f"{D}report")}
    wanted = {f"{C}calendar-multiget", f"{C}calendar-query", f"{C}free-busy-query", f"{D}sync-collection"}
    assert wanted <= reports

    zone = (
        "<C:calendar-timezone>"
        + vcal(BERLIN).replace("&", "&amp;").replace("<", "&lt;").replace("\r", "&#13;")
        + "</C:calendar-timezone>"
    )
    assert b"200" in raw.request("PROPPATCH", raw.home + "work/", proppatch(zone), Content_Type="text/xml").body
    user = User.objects.get(username="alice@example.test")
    stored = calendar_timezone_ical(calendar=calendar_get_owned(user=user, slug="work").obj)
    assert stored is not None
    assert "TZID:Europe/Berlin" in stored


def test_events_found_by_time_range_with_expansion(client: caldav.DAVClient, raw: CalClient) -> None:
    calendar = client.principal().make_calendar(name="Work", cal_id="work")
    for text in (PLAIN, ALL_DAY, WEEKLY):
        calendar.save_event(text)
    outside = event("april@example.test", "20250415T090000Z", "20250415T100000Z")
    calendar.save_event(outside)

    client_side = calendar.search(start=MARCH[0], end=MARCH[1], event=True, expand=True)
    assert _instances(client_side) == EXPECTED_MARCH
    server_side = calendar.search(start=MARCH[0], end=MARCH[1], event=True, expand=True, server_expand=True)
    assert _instances(server_side) == EXPECTED_MARCH

    # The server's own expansion (RFC 4791 9.6.5), read raw: one component per instance, in UTC, no rules.
    expand = '<C:calendar-data><C:expand start="20250301T000000Z" end="20250401T000000Z"/></C:calendar-data>'
    answer = raw.report(raw.home + "work/", calendar_query(events_between("20250301T000000Z", "20250401T000000Z"),
                                                            expand))  # fmt: skip
    assert answer.status == 207
    expanded = [icalendar.Calendar.from_ical(calendar_data_of(r)) for r in answer.responses().values()]
    components = [c for cal in expanded for c in cal.walk("VEVENT")]
    assert {(str(c["UID"]), _utc(c.decoded("DTSTART"))) for c in components} == EXPECTED_MARCH
    assert not any("RRULE" in c or "EXDATE" in c for c in components)
    moved = [c for c in components if str(c.get("SUMMARY")) == "Weekly (moved)"]
    assert len(moved) == 1
    assert moved[0].decoded("RECURRENCE-ID") == datetime(2025, 3, 24, 9, tzinfo=UTC)

    unexpanded = calendar.search(start=MARCH[0], end=MARCH[1], event=True)
    assert sorted(str(o.icalendar_component["UID"]) for o in unexpanded) == [
        "allday@example.test",
        "plain@example.test",
        "weekly@example.test",
    ]
    # Only the excluded Monday in range: the series does not match.
    excluded = calendar.search(
        start=datetime(2025, 3, 17, 8, tzinfo=UTC), end=datetime(2025, 3, 17, 11, tzinfo=UTC), event=True
    )
    assert excluded == []
    assert str(calendar.event_by_uid("weekly@example.test").icalendar_component["SUMMARY"]) == "Weekly"


def test_free_busy_query(client: caldav.DAVClient, raw: CalClient) -> None:
    calendar = client.principal().make_calendar(name="Work", cal_id="work")
    calendar.save_event(PLAIN)
    calendar.save_event(event("free@example.test", "20250310T120000Z", "20250310T130000Z", "TRANSP:TRANSPARENT"))
    body = (
        f'<C:free-busy-query xmlns:C="{C[1:-1]}"><C:time-range start="20250310T000000Z" end="20250311T000000Z"/>'
        "</C:free-busy-query>"
    )
    answer = raw.report(raw.home + "work/", body)
    assert answer.status == 200
    assert answer.headers["Content-Type"].startswith("text/calendar")
    text = answer.body.decode()
    assert "BEGIN:VFREEBUSY" in text
    busy = [line for line in text.splitlines() if line.startswith("FREEBUSY")]
    assert len(busy) == 1
    assert busy[0].endswith(":20250310T090000Z/20250310T100000Z")


def test_update_delete_and_a_stale_etag(client: caldav.DAVClient, raw: CalClient) -> None:
    calendar = client.principal().make_calendar(name="Work", cal_id="work")
    saved = calendar.save_event(PLAIN)
    path = saved.url.path
    first_etag = raw.request("GET", path).headers["ETag"]

    saved.icalendar_component["SUMMARY"] = "Plain, renamed"
    saved.save()
    current = raw.request("GET", path)
    assert "SUMMARY:Plain\\, renamed" in current.body.decode()
    assert current.headers["ETag"] != first_etag

    # A PUT with the ETag read before the rename: 412, and the event is as it was.
    answer = client.put(
        str(saved.url),
        PLAIN.replace("SUMMARY:Plain", "SUMMARY:Lost update"),
        {"If-Match": first_etag, "Content-Type": "text/calendar; charset=utf-8"},
    )
    assert answer.status == 412
    after = raw.request("GET", path)
    assert after.body == current.body
    assert after.headers["ETag"] == current.headers["ETag"]
    good = client.put(str(saved.url), PLAIN, {"If-Match": current.headers["ETag"], "Content-Type": "text/calendar"})
    assert good.status == 204

    calendar.event_by_uid("plain@example.test").delete()
    assert raw.request("GET", path).status == 404
    with pytest.raises(error.NotFoundError):
        calendar.event_by_uid("plain@example.test")


def test_sync_token_reports_exactly_what_changed(client: caldav.DAVClient) -> None:
    calendar = client.principal().make_calendar(name="Work", cal_id="work")
    one = calendar.save_event(event("one@example.test"))
    two = calendar.save_event(event("two@example.test"))
    start = calendar.get_objects_by_sync_token(disable_fallback=True)
    assert {o.url.path for o in start} == {one.url.path, two.url.path}

    three = calendar.save_event(event("three@example.test"))
    four = calendar.save_event(event("four@example.test"))
    one.icalendar_component["SUMMARY"] = "Edited"
    one.save()
    two.delete()
    changes = calendar.get_objects_by_sync_token(start.sync_token, load_objects=True, disable_fallback=True)
    assert changes.sync_token != start.sync_token
    deleted = {u.path for u in changes.deleted_urls}
    assert deleted == {two.url.path}
    changed = {o.url.path: o for o in changes if o.url.canonical() not in changes.deleted_urls}
    assert set(changed) == {one.url.path, three.url.path, four.url.path}
    assert str(changed[one.url.path].icalendar_component["SUMMARY"]) == "Edited"

    nothing = calendar.get_objects_by_sync_token(changes.sync_token, disable_fallback=True)
    assert list(nothing) == []
    assert nothing.sync_token == changes.sync_token


def test_the_web_ui_and_caldav_see_each_others_changes(client: caldav.DAVClient, raw: CalClient) -> None:
    principal = client.principal()
    personal = principal.calendars()[0]
    token = personal.get_objects_by_sync_token(disable_fallback=True).sync_token

    user = User.objects.get(username="alice@example.test")
    access = calendar_get_owned(user=user, slug="personal")
    fields = EventFields(
        summary="From the web", start=datetime(2025, 3, 20, 10), end=datetime(2025, 3, 20, 11), tzid="Europe/Berlin"
    )
    ref = event_create(access=access, fields=fields, owner_email=user.username)
    changes = personal.get_objects_by_sync_token(token, disable_fallback=True)
    assert [_path(o.url) for o in changes] == [raw.home + "personal/" + ref.name]
    listed = raw.propfind(raw.home + "personal/", "<D:getetag/>", depth="1").responses()
    assert prop(listed[raw.home + "personal/" + ref.name], f"{D}getetag").text == f'"{ref.etag}"'  # type: ignore[union-attr]
    assert "SUMMARY:From the web" in raw.data(raw.home + "personal/" + ref.name)

    personal.save_event(vcal(vevent("phone@example.test", "20250321T080000Z", "20250321T090000Z", "SUMMARY:Phone")))
    seen = calendar_occurrences(user=user, start=MARCH[0], end=MARCH[1])
    assert [(o.summary, o.start) for o in seen] == [
        ("From the web", datetime(2025, 3, 20, 9, tzinfo=UTC)),  # 10:00 in Berlin
        ("Phone", datetime(2025, 3, 21, 8, tzinfo=UTC)),
    ]


def test_a_calendar_is_deleted_by_its_owner(client: caldav.DAVClient, raw: CalClient) -> None:
    calendar = client.principal().make_calendar(name="Old", cal_id="old")
    saved = calendar.save_event(PLAIN)
    calendar.delete()
    assert raw.request("PROPFIND", raw.home + "old/", Depth="0").status == 404
    assert raw.home + "old/" not in {_path(c.url) for c in client.principal().calendars()}
    assert raw.request("GET", saved.url.path).status == 404


def _hrefs(raw: CalClient, calendar: str, filter_xml: str, calendar_data: str = "<C:calendar-data/>") -> set[str]:
    answer = raw.report(calendar, calendar_query(filter_xml, calendar_data))
    assert answer.status == 207, answer.body
    return {href.removeprefix(calendar) for href in answer.responses()}


def _events_where(inner: str) -> str:
    return f'<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">{inner}</C:comp-filter></C:comp-filter>'


def test_calendar_query_filters_limited_recurrence_and_bad_sync_tokens(
    raw: CalClient, client: caldav.DAVClient
) -> None:
    calendar = raw.home + "mixed/"
    made = raw.request("MKCALENDAR", calendar, mkcalendar("Mixed", ("VEVENT", "VTODO")))
    assert made.status == 201
    lunch = event(
        "lunch@example.test", "20250312T110000Z", "20250312T120000Z", "SUMMARY:Team Lunch", "LOCATION:Cafe",
        "ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:bob@example.test",
    )  # fmt: skip
    meeting = event("meeting@example.test", "20250313T090000Z", "20250313T100000Z", "SUMMARY:Meeting")
    for name, text in (("lunch.ics", lunch), ("meeting.ics", meeting), ("weekly.ics", WEEKLY),
                       ("task.ics", todo("task@example.test", "Buy lunch"))):  # fmt: skip
        assert raw.put(calendar + name, text).status == 201

    summary = '<C:prop-filter name="SUMMARY"><C:text-match{}>LUNCH</C:text-match></C:prop-filter>'
    assert _hrefs(raw, calendar, _events_where(summary.format(""))) == {"lunch.ics"}
    assert _hrefs(raw, calendar, _events_where(summary.format(' collation="i;octet"'))) == set()
    negated = summary.format(' negate-condition="yes"')
    assert _hrefs(raw, calendar, _events_where(negated)) == {"meeting.ics", "weekly.ics"}
    no_location = '<C:prop-filter name="LOCATION"><C:is-not-defined/></C:prop-filter>'
    assert _hrefs(raw, calendar, _events_where(no_location)) == {"meeting.ics", "weekly.ics"}
    partstat = (
        '<C:prop-filter name="ATTENDEE"><C:param-filter name="PARTSTAT"><C:text-match>needs-action</C:text-match>'
        "</C:param-filter></C:prop-filter>"
    )
    assert _hrefs(raw, calendar, _events_where(partstat)) == {"lunch.ics"}
    todos = '<C:comp-filter name="VCALENDAR"><C:comp-filter name="VTODO"/></C:comp-filter>'
    assert _hrefs(raw, calendar, todos) == {"task.ics"}
    no_events = '<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT"><C:is-not-defined/></C:comp-filter>'
    assert _hrefs(raw, calendar, no_events + "</C:comp-filter>") == {"task.ics"}

    # limit-recurrence-set: the master with its rule, and only the overrides that touch the window.
    weekly_only = _events_where('<C:prop-filter name="UID"><C:text-match>weekly</C:text-match></C:prop-filter>')
    for start, end, override_kept in (
        ("20250301T000000Z", "20250310T000000Z", False),
        ("20250320T000000Z", "20250330T000000Z", True),
    ):
        limited = f'<C:calendar-data><C:limit-recurrence-set start="{start}" end="{end}"/></C:calendar-data>'
        answer = raw.report(calendar, calendar_query(weekly_only, limited))
        data = calendar_data_of(answer.responses()[calendar + "weekly.ics"])
        assert "RRULE:FREQ=WEEKLY;COUNT=6" in data
        assert ("RECURRENCE-ID" in data) == override_kept

    # A sync token this calendar never gave: 403 valid-sync-token, for made-up ones and another calendar's.
    other = client.principal().make_calendar(name="Other", cal_id="other")
    other_token = other.get_objects_by_sync_token(disable_fallback=True).sync_token
    for token in (other_token, "http://roost.invalid/ns/sync/cal-1/999999", "urn:nonsense"):
        answer = raw.report(calendar, sync(token))
        assert answer.status == 403, token
        assert b"valid-sync-token" in answer.body
