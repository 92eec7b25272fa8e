"""An event as the web editor sees it, in plain values, and the one parser that turns the editor's JSON into
it with a clear message for every mistake. calendar_app.ical turns these into iCalendar and back."""

import re
import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from core.errors import RoostError

FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
SCOPES = ("this", "following", "all")
_BYDAY = re.compile(r"^([+-]?[1-5])?(MO|TU|WE|TH|FR|SA|SU)$")
_MAX_TEXT = 20_000


@dataclass(frozen=True)
class Recurrence:
    freq: str
    interval: int = 1
    byday: tuple[str, ...] = ()  # "MO", or with an ordinal for monthly/yearly rules: "2TU", "-1FR"
    bymonthday: tuple[int, ...] = ()
    count: int | None = None
    until: date | None = None  # the last day an occurrence may start on, in the event's own zone


@dataclass(frozen=True)
class Alarm:
    minutes_before: int
    email: bool = False


@dataclass(frozen=True)
class EventFields:
    summary: str
    start: datetime | date  # a timed start is a naive wall time in `tzid`; an all-day start is a date
    end: datetime | date  # an all-day end is the last day (inclusive), as people say it
    all_day: bool = False
    tzid: str = ""
    location: str = ""
    description: str = ""
    rrule: Recurrence | None = None
    alarm: Alarm | None = None
    transparency: str = "OPAQUE"
    klass: str = "PUBLIC"
    categories: tuple[str, ...] = ()


def _text(value: Any, label: str, limit: int = 500) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise RoostError(f"{label} must be text.")
    if len(value) > limit:
        raise RoostError(f"{label} is too long (at most {limit} characters).")
    return value.replace("\r\n", "\n").strip() if label != "The description" else value.replace("\r\n", "\n")


def _date(value: Any, label: str) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise RoostError(f"{label} is not a date (YYYY-MM-DD).") from None


def _wall_time(value: Any, label: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        raise RoostError(f"{label} is not a date and time (YYYY-MM-DDTHH:MM).") from None
    if parsed.tzinfo is not None:
        raise RoostError(f"{label} must be a local time; the time zone is given separately.")
    return parsed.replace(second=0, microsecond=0)


def zone_check(name: str) -> str:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise RoostError(f"“{name}” is not a time zone this server knows (use a name like Europe/Berlin).") from None
    return name


def _recurrence(value: Any) -> Recurrence | None:
    if value in (None, "", {}):
        return None
    if not isinstance(value, dict):
        raise RoostError("The repeat rule is not understood.")
    freq = str(value.get("freq", "")).upper()
    if freq not in FREQUENCIES:
        raise RoostError("Repeat daily, weekly, monthly or yearly.")
    try:
        interval = int(value.get("interval") or 1)
    except (TypeError, ValueError):
        raise RoostError("The repeat interval must be a whole number.") from None
    if not 1 <= interval <= 999:
        raise RoostError("The repeat interval must be between 1 and 999.")
    byday = tuple(str(d).upper() for d in value.get("byday") or ())
    for day in byday:
        match = _BYDAY.match(day)
        if not match or (match.group(1) and freq in ("DAILY", "WEEKLY")):
            raise RoostError(f"“{day}” is not a weekday rule this repeat can use.")
    bymonthday = tuple(int(d) for d in value.get("bymonthday") or ())
    if any(not (1 <= abs(d) <= 31) for d in bymonthday):
        raise RoostError("Days of the month run from 1 to 31.")
    raw_count: Any = value.get("count")
    until = value.get("until")
    if raw_count not in (None, "") and until not in (None, ""):
        raise RoostError("A repeat ends either on a date or after a number of times, not both.")
    count: int | None = None
    if raw_count not in (None, ""):
        try:
            count = int(raw_count)
        except (TypeError, ValueError):
            raise RoostError("The number of repeats must be a whole number.") from None
        if not 1 <= count <= 1000:
            raise RoostError("An event repeats between 1 and 1,000 times.")
    return Recurrence(
        freq=freq,
        interval=interval,
        byday=byday,
        bymonthday=bymonthday,
        count=count,
        until=_date(until, "The last date") if until not in (None, "") else None,
    )


def _alarm(value: Any) -> Alarm | None:
    if value in (None, "", {}):
        return None
    if not isinstance(value, dict):
        raise RoostError("The reminder is not understood.")
    try:
        minutes = int(value.get("minutes_before", 0))
    except (TypeError, ValueError):
        raise RoostError("The reminder must be a number of minutes.") from None
    if not 0 <= minutes <= 60 * 24 * 28:
        raise RoostError("A reminder comes at most four weeks before the event.")
    return Alarm(minutes_before=minutes, email=bool(value.get("email")))


def event_fields_parse(payload: Any) -> EventFields:
    """The editor's JSON -> EventFields, or RoostError saying what to fix."""
    if not isinstance(payload, dict):
        raise RoostError("The event is not understood.")
    all_day = bool(payload.get("all_day"))
    start: datetime | date
    end: datetime | date
    tzid = ""
    if all_day:
        start = _date(payload.get("start"), "The start")
        end = _date(payload.get("end") or payload.get("start"), "The end")
        if end < start:
            raise RoostError("The event ends before it starts.")
    else:
        start = _wall_time(payload.get("start"), "The start")
        end = _wall_time(payload.get("end"), "The end")
        tzid = zone_check(_text(payload.get("tzid"), "The time zone", 64) or "UTC")
        if end < start:
            raise RoostError("The event ends before it starts.")
    if (end - start).days > 366 * 5:
        raise RoostError("An event lasts at most five years.")
    transparency = str(payload.get("transparency") or "OPAQUE").upper()
    if transparency not in ("OPAQUE", "TRANSPARENT"):
        raise RoostError("Show the event as busy or free.")
    klass = str(payload.get("klass") or "PUBLIC").upper()
    if klass not in ("PUBLIC", "PRIVATE", "CONFIDENTIAL"):
        raise RoostError("The visibility is public or private.")
    categories = payload.get("categories") or []
    if not isinstance(categories, list) or not all(isinstance(c, str) for c in categories):
        raise RoostError("Categories are a list of words.")
    rrule = _recurrence(payload.get("rrule"))
    first_day = start.date() if isinstance(start, datetime) else start
    if rrule and rrule.until and rrule.until < first_day:
        raise RoostError("The repeat ends before the event starts.")
    return EventFields(
        summary=_text(payload.get("summary"), "The title") or "(No title)",
        start=start,
        end=end,
        all_day=all_day,
        tzid=tzid,
        location=_text(payload.get("location"), "The location"),
        description=_text(payload.get("description"), "The description", _MAX_TEXT),
        rrule=rrule,
        alarm=_alarm(payload.get("alarm")),
        transparency=transparency,
        klass=klass,
        categories=tuple(c.strip()[:100] for c in categories if c.strip())[:30],
    )


def scope_parse(value: Any) -> str:
    scope = str(value or "all")
    if scope not in SCOPES:
        raise RoostError("Change this event, this and following events, or all events.")
    return scope
