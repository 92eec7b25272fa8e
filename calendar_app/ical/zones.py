"""Time zones and free/busy as iCalendar text, for the DAV layer's calendar-timezone property and
free-busy-query report (RFC 4791 5.2.2 and 7.10). Plain values in, text out; like parse.py, the only place
these touch icalendar."""

import zoneinfo
from collections.abc import Iterable
from datetime import UTC, datetime

import icalendar

from .parse import PRODID, InvalidCalendarData, _load


def _calendar() -> icalendar.Calendar:
    out = icalendar.Calendar()
    out.add("VERSION", "2.0")
    out.add("PRODID", PRODID)
    return out


def timezone_calendar(name: str) -> str | None:
    """A VCALENDAR holding the VTIMEZONE of an IANA zone name, None when the name is not one."""
    if not name or name not in zoneinfo.available_timezones():
        return None
    try:
        zone = icalendar.Timezone.from_tzid(name)
    except Exception:  # noqa: BLE001 - a zone icalendar cannot describe is simply not offered
        return None
    out = _calendar()
    out.add_component(zone)
    return str(out.to_ical(sorted=False).decode("utf-8"))


def timezone_name(text: str) -> str | None:
    """The IANA name a client's calendar-timezone (a VCALENDAR with one VTIMEZONE) stands for: its TZID, or its
    X-LIC-LOCATION, or the Area/City at the end of a prefixed TZID ("/mozilla.org/20050126_1/Europe/Berlin").
    None when the text is no VCALENDAR or names no zone Roost knows."""
    try:
        cal = _load(text)
    except InvalidCalendarData:
        return None
    known = zoneinfo.available_timezones()
    for zone in cal.walk("VTIMEZONE"):
        for candidate in (str(zone.get("TZID", "")), str(zone.get("X-LIC-LOCATION", ""))):
            candidate = candidate.strip()
            if candidate in known:
                return candidate
            parts = [p for p in candidate.split("/") if p]
            for size in (3, 2):
                tail = "/".join(parts[-size:])
                if len(parts) >= size and tail in known:
                    return tail
    return None


def freebusy_calendar(
    *, periods: Iterable[tuple[datetime, datetime, str]], start: datetime, end: datetime, now: datetime
) -> str:
    """A VCALENDAR with one VFREEBUSY from start to end: a FREEBUSY line per (start, end, fbtype) period."""
    busy = icalendar.FreeBusy()
    busy.add("DTSTAMP", now.astimezone(UTC))
    busy.add("DTSTART", start.astimezone(UTC))
    busy.add("DTEND", end.astimezone(UTC))
    for begin, finish, fbtype in periods:
        busy.add("FREEBUSY", [(begin.astimezone(UTC), finish.astimezone(UTC))], parameters={"FBTYPE": fbtype})
    out = _calendar()
    out.add_component(busy)
    return str(out.to_ical(sorted=False).decode("utf-8"))
