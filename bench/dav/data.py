"""Deterministic calendar events and vCards for the DAV benchmark, written as plain text (standard library
only, so the generator runs in any Python and both servers get byte-identical objects).

Events spread over two years (2025 and 2026) in five time zones. Every tenth event recurs (exactly 10%):
weekly, fortnightly, monthly and daily rules, bounded by COUNT or UNTIL or not at all; a third of the recurring
ones have an EXDATE on their second instance and their third instance moved by an override (RECURRENCE-ID)
in the same resource; some events are all-day. Each object depends only on (seed, index, revision), so the
same call always gives the same text and an edit is the same object with a higher revision.
"""

import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

WINDOW_START = date(2025, 1, 1)
WINDOW_DAYS = 730
# The month the time-range REPORT asks for: the middle of the first year, so unbounded rules that began
# before it and bounded ones that began earlier and run into it both count.
QUERY_START = datetime(2025, 6, 1, tzinfo=UTC)
QUERY_END = datetime(2025, 7, 1, tzinfo=UTC)
ZONES = ("UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo", "Australia/Sydney")
RECURRING_EVERY = 10  # every tenth event recurs
DTSTAMP = "20241201T120000Z"

# Hand-written VTIMEZONEs (RFC 5545 section 3.6.5) whose rules agree with the tz database for 2025-2027.
_VTIMEZONES = {
    "Europe/Berlin": (
        ("DAYLIGHT", "19700329T020000", "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", "+0100", "+0200", "CEST"),
        ("STANDARD", "19701025T030000", "FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU", "+0200", "+0100", "CET"),
    ),
    "America/New_York": (
        ("DAYLIGHT", "19700308T020000", "FREQ=YEARLY;BYMONTH=3;BYDAY=2SU", "-0500", "-0400", "EDT"),
        ("STANDARD", "19701101T020000", "FREQ=YEARLY;BYMONTH=11;BYDAY=1SU", "-0400", "-0500", "EST"),
    ),
    "Asia/Tokyo": (("STANDARD", "19700101T000000", "", "+0900", "+0900", "JST"),),
    "Australia/Sydney": (
        ("STANDARD", "19700405T030000", "FREQ=YEARLY;BYMONTH=4;BYDAY=1SU", "+1100", "+1000", "AEST"),
        ("DAYLIGHT", "19701004T020000", "FREQ=YEARLY;BYMONTH=10;BYDAY=1SU", "+1000", "+1100", "AEDT"),
    ),
}
_TOPICS = ("Standup", "Planning", "Review", "Lunch", "Call", "Workshop", "1:1", "Retro", "Dentist", "Training")
_PLACES = ("Room A", "Room B", "Berlin office", "Video call", "Cafe", "Head office", "")
_GIVEN = ("Anna", "Ben", "Chloe", "David", "Elif", "Farid", "Greta", "Hugo", "Ines", "Jonas", "Kai", "Lena")
_FAMILY = ("Müller", "Schmidt", "Smith", "Tanaka", "García", "Nguyen", "Rossi", "Novak", "Okafor", "Berg")
_ORGS = ("Acme GmbH", "Example Corp", "Roost Labs", "Northwind", "Globex", "Initech")


@dataclass(frozen=True)
class DavObject:
    name: str  # the resource's name inside its collection, e.g. "bench-ev-000042.ics"
    uid: str
    text: str
    recurring: bool = False


@dataclass(frozen=True)
class Changes:
    """The ten changes the incremental sync is measured after: 4 adds, 3 edits, 3 deletes."""

    added: tuple[DavObject, ...]
    edited: tuple[DavObject, ...]
    deleted: tuple[str, ...]  # resource names

    @property
    def names(self) -> set[str]:
        return {o.name for o in self.added} | {o.name for o in self.edited} | set(self.deleted)


def is_recurring(index: int) -> bool:
    return index % RECURRING_EVERY == 0


def events(count: int, *, seed: int = 1) -> list[DavObject]:
    return [event(i, seed=seed) for i in range(count)]


def cards(count: int, *, seed: int = 1) -> list[DavObject]:
    return [card(i, seed=seed) for i in range(count)]


def calendar_changes(count: int, *, seed: int = 1) -> Changes:
    """Adds past the end of the loaded range; edits (one of them recurring) and deletes inside it."""
    rng = random.Random(f"changes:{seed}:{count}")
    picked = rng.sample([i for i in range(1, count) if not is_recurring(i)], 5)
    return Changes(
        added=tuple(event(count + k, seed=seed) for k in range(4)),
        edited=tuple(event(i, seed=seed, revision=1) for i in (0, *picked[:2])),
        deleted=tuple(event(i, seed=seed).name for i in picked[2:]),
    )


def card_changes(count: int, *, seed: int = 1) -> Changes:
    rng = random.Random(f"card-changes:{seed}:{count}")
    picked = rng.sample(range(count), 6)
    return Changes(
        added=tuple(card(count + k, seed=seed) for k in range(4)),
        edited=tuple(card(i, seed=seed, revision=1) for i in picked[:3]),
        deleted=tuple(card(i, seed=seed).name for i in picked[3:]),
    )


def event(index: int, *, seed: int = 1, revision: int = 0) -> DavObject:
    rng = random.Random(f"event:{seed}:{index}")
    uid = f"bench-ev-{index:06d}@roost.bench"
    recurring = is_recurring(index)
    kind = (index // RECURRING_EVERY) % 10
    all_day = (index % 50 == 7) if not recurring else ((index // RECURRING_EVERY) % 25 == 12)
    day = WINDOW_START + timedelta(days=rng.randrange(WINDOW_DAYS))
    if recurring and kind in (4, 5, 9):
        day = day.replace(day=min(day.day, 28))  # monthly rules: a day every month has
    zone = ZONES[rng.randrange(len(ZONES))]
    # Wall-clock time in the event's zone: timedelta arithmetic on it keeps the wall clock, as RRULE does.
    hour, minute = rng.randrange(7, 20), rng.choice((0, 15, 30, 45))
    start = datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo(zone))
    minutes = rng.choice((30, 45, 60, 90, 120))
    summary = f"{rng.choice(_TOPICS)} {index}" + (f" (rev {revision})" if revision else "")
    place = rng.choice(_PLACES)
    description = f"Bench event {index} of seed {seed}. " + "Agenda: " + ", ".join(rng.sample(_TOPICS, 3)) + "."

    main = [f"UID:{uid}", f"DTSTAMP:{DTSTAMP}", f"SEQUENCE:{revision}", f"SUMMARY:{summary}"]
    main += _when(start, zone, all_day, minutes, days=rng.choice((1, 1, 1, 2, 3)), use_duration=index % 7 == 3)
    overrides: list[list[str]] = []
    if recurring:
        rule, step = _rule(kind, rng)
        bounded = rule.split(";UNTIL=")
        if len(bounded) == 2:  # UNTIL holds an instance number here; make it the real last instance
            last = _nth(start, step, int(bounded[1]) - 1)
            rule = bounded[0] + ";UNTIL=" + (_date(last) if all_day else _utc(last, zone))
        main.append(f"RRULE:{rule}")
        if (index // RECURRING_EVERY) % 3 == 0:
            main.append("EXDATE" + _stamp(_nth(start, step, 1), zone, all_day))
            moved_from = _nth(start, step, 2)
            moved_to = moved_from + (timedelta(days=1) if all_day else timedelta(hours=2))
            overrides.append(
                [
                    *(f"UID:{uid}", f"DTSTAMP:{DTSTAMP}", f"SEQUENCE:{revision}", f"SUMMARY:{summary} (moved)"),
                    "RECURRENCE-ID" + _stamp(moved_from, zone, all_day),
                    *_when(moved_to, zone, all_day, minutes, days=1, use_duration=False),
                ]
            )
    if place:
        main.append(f"LOCATION:{place}")
    main.append(f"DESCRIPTION:{description}")

    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Roost//DAV bench//EN"]
    if not all_day and zone != "UTC":
        lines += _vtimezone(zone)
    for component in (main, *overrides):
        lines += ["BEGIN:VEVENT", *component, "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return DavObject(name=f"bench-ev-{index:06d}.ics", uid=uid, text=_join(lines), recurring=recurring)


def card(index: int, *, seed: int = 1, revision: int = 0) -> DavObject:
    rng = random.Random(f"card:{seed}:{index}")
    uid = f"bench-card-{index:06d}@roost.bench"
    given, family = rng.choice(_GIVEN), rng.choice(_FAMILY)
    ascii_family = family.translate(str.maketrans("üíá", "uia"))
    lines = [
        "BEGIN:VCARD",
        "VERSION:3.0",
        "PRODID:-//Roost//DAV bench//EN",
        f"UID:{uid}",
        f"FN:{given} {family}",
        f"N:{family};{given};;;",
        f"EMAIL;TYPE=INTERNET:{given.lower()}.{ascii_family.lower()}.{index}@example.net",
        f"TEL;TYPE=CELL:+49 30 {rng.randrange(1000, 9999)} {rng.randrange(1000, 9999)}",
        f"ORG:{rng.choice(_ORGS)}",
        f"NOTE:Bench card {index}, revision {revision}.",
        f"REV:2024120{1 + revision}T120000Z",
        "END:VCARD",
    ]
    return DavObject(name=f"bench-card-{index:06d}.vcf", uid=uid, text=_join(lines))


def expected_in_range(objects: Iterable[DavObject], start: datetime, end: datetime) -> set[str]:
    """The UIDs of the events with an instance overlapping [start, end), by icalendar and
    recurring-ical-events (EXDATE and moved instances included): the truth both servers are held to."""
    import icalendar
    import recurring_ical_events

    found: set[str] = set()
    for obj in objects:
        calendar = icalendar.Calendar.from_ical(obj.text)
        if recurring_ical_events.of(calendar).between(start, end):
            found.add(obj.uid)
    return found


def _rule(kind: int, rng: random.Random) -> tuple[str, timedelta | int]:
    """An RRULE and its step (a timedelta, or a number of months). UNTIL=<n> is a placeholder for
    'until the n-th instance', filled in by the caller once the start is known."""
    if kind in (0, 1):
        return f"FREQ=WEEKLY;COUNT={rng.randint(4, 30)}", timedelta(weeks=1)
    if kind == 2:
        return f"FREQ=WEEKLY;INTERVAL=2;COUNT={rng.randint(3, 15)}", timedelta(weeks=2)
    if kind == 3:
        return f"FREQ=WEEKLY;UNTIL={rng.randint(4, 40)}", timedelta(weeks=1)
    if kind in (4, 5):
        return f"FREQ=MONTHLY;COUNT={rng.randint(3, 18)}", 1
    if kind == 6:
        return f"FREQ=DAILY;COUNT={rng.randint(3, 20)}", timedelta(days=1)
    if kind == 7:
        return f"FREQ=DAILY;UNTIL={rng.randint(3, 30)}", timedelta(days=1)
    if kind == 8:
        return "FREQ=WEEKLY", timedelta(weeks=1)
    return "FREQ=MONTHLY", 1


def _nth(start: datetime, step: timedelta | int, n: int) -> datetime:
    if isinstance(step, timedelta):
        return start + step * n
    months = start.month - 1 + step * n
    return start.replace(year=start.year + months // 12, month=months % 12 + 1)


def _when(start: datetime, zone: str, all_day: bool, minutes: int, *, days: int, use_duration: bool) -> list[str]:
    if all_day:
        return [f"DTSTART;VALUE=DATE:{_date(start)}", f"DTEND;VALUE=DATE:{_date(start + timedelta(days=days))}"]
    if use_duration:
        return ["DTSTART" + _stamp(start, zone, False), f"DURATION:PT{minutes}M"]
    return ["DTSTART" + _stamp(start, zone, False), "DTEND" + _stamp(start + timedelta(minutes=minutes), zone, False)]


def _stamp(local: datetime, zone: str, all_day: bool) -> str:
    """The parameters and value of a DTSTART-like property, from ';' on."""
    if all_day:
        return f";VALUE=DATE:{_date(local)}"
    if zone == "UTC":
        return f":{local:%Y%m%dT%H%M%S}Z"
    return f";TZID={zone}:{local:%Y%m%dT%H%M%S}"


def _date(value: datetime) -> str:
    return f"{value:%Y%m%d}"


def _utc(local: datetime, zone: str) -> str:
    return f"{local.astimezone(UTC):%Y%m%dT%H%M%S}Z"


def _vtimezone(zone: str) -> list[str]:
    lines = ["BEGIN:VTIMEZONE", f"TZID:{zone}"]
    for kind, start, rule, offset_from, offset_to, name in _VTIMEZONES[zone]:
        lines += [f"BEGIN:{kind}", f"DTSTART:{start}"]
        if rule:
            lines.append(f"RRULE:{rule}")
        lines += [f"TZOFFSETFROM:{offset_from}", f"TZOFFSETTO:{offset_to}", f"TZNAME:{name}", f"END:{kind}"]
    return [*lines, "END:VTIMEZONE"]


def _join(lines: list[str]) -> str:
    return "".join(_fold(line) + "\r\n" for line in lines)


def _fold(line: str) -> str:
    """RFC 5545 section 3.1 / RFC 6350 section 3.2: lines of at most 75 octets, continued with a space."""
    raw = line.encode()
    if len(raw) <= 75:
        return line
    parts: list[str] = []
    limit = 75
    while raw:
        cut = min(limit, len(raw))
        while cut < len(raw) and (raw[cut] & 0xC0) == 0x80:  # never split a UTF-8 sequence
            cut -= 1
        parts.append(raw[:cut].decode())
        raw = raw[cut:]
        limit = 74
    return "\r\n ".join(parts)
