"""Editing events as the web editor does: build a new event from EventFields, read an event (or one
occurrence of a series) back into EventFields, and change or remove "this", "this and following" or "all"
occurrences of a series. Everything the editor does not manage (X- properties, attendees, unknown
parameters, other alarms) is kept as it was."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from icalendar import Alarm as VAlarm
from icalendar import Calendar, Event, vCalAddress, vRecur

from calendar_app.eventfields import Alarm, EventFields, Recurrence
from core.errors import NotFound, RoostError

PRODID = "-//Roost//Calendar//EN"
# Properties the editor owns; every other property of the component is left as the client wrote it.
_MANAGED = (
    "SUMMARY",
    "DTSTART",
    "DTEND",
    "DURATION",
    "LOCATION",
    "DESCRIPTION",
    "TRANSP",
    "CLASS",
    "CATEGORIES",
)


@dataclass(frozen=True)
class Attendee:
    email: str
    name: str
    partstat: str
    role: str


@dataclass(frozen=True)
class EventView:
    fields: EventFields
    recurring: bool
    attendees: tuple[Attendee, ...]
    organizer: str


@dataclass(frozen=True)
class EventChange:
    data: str | None  # the object's new text; None when nothing of it is left (delete it)
    split: str | None = None  # a new series ("this and following"), to be stored under its own UID


# ---- parsing helpers ----


def _parse(data: str) -> tuple[Calendar, Any, list[Any]]:
    try:
        calendar = Calendar.from_ical(data)
    except ValueError as error:
        raise RoostError(f"The stored event cannot be read: {error}") from None
    events = [c for c in calendar.walk("VEVENT")]
    masters = [e for e in events if "RECURRENCE-ID" not in e]
    overrides = [e for e in events if "RECURRENCE-ID" in e]
    if masters:
        return calendar, masters[0], overrides
    if overrides:  # an invitation to a single occurrence: treat it as the event
        return calendar, overrides[0], overrides[1:]
    raise RoostError("This calendar object holds no event.")


def _value(component: Any, name: str) -> Any:
    prop = component.get(name)
    return prop.dt if prop is not None and hasattr(prop, "dt") else prop


def _is_date(value: Any) -> bool:
    return isinstance(value, date) and not isinstance(value, datetime)


def _end_of(component: Any, start: Any) -> Any:
    end = _value(component, "DTEND")
    if end is None:
        duration = component.get("DURATION")
        if duration is not None:
            return start + duration.dt
        return start + timedelta(days=1) if _is_date(start) else start
    return end


def _zone_of(value: Any) -> str:
    tz = getattr(value, "tzinfo", None)
    if tz is None:
        return ""
    key = getattr(tz, "key", None) or getattr(tz, "zone", None)
    if key:
        return str(key)
    return "UTC" if value.utcoffset() == timedelta(0) else ""


def _recurrence_value(recurrence_id: str, like: Any) -> Any:
    """The client's recurrence id (an ISO date or date-time) as a value of the same kind as DTSTART."""
    try:
        if len(recurrence_id) == 10:
            day = date.fromisoformat(recurrence_id)
            if _is_date(like):
                return day
            moment: datetime = datetime.combine(day, like.time())
        else:
            moment = datetime.fromisoformat(recurrence_id.replace("Z", "+00:00"))
    except ValueError:
        raise RoostError("That occurrence is not understood.") from None
    if _is_date(like):
        return moment.date()
    if like.tzinfo is None:
        return moment.replace(tzinfo=None) if moment.tzinfo is None else moment.astimezone(UTC).replace(tzinfo=None)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=like.tzinfo)
    return moment.astimezone(like.tzinfo)


def _same_instant(a: Any, b: Any) -> bool:
    if _is_date(a) or _is_date(b):
        return (a if _is_date(a) else a.date()) == (b if _is_date(b) else b.date())
    if (a.tzinfo is None) != (b.tzinfo is None):
        return a.replace(tzinfo=None) == b.replace(tzinfo=None)
    return bool(a == b)


# ---- fields <-> components ----


def _recurrence_read(component: Any) -> Recurrence | None:
    rule = component.get("RRULE")
    if rule is None:
        return None
    if isinstance(rule, list):
        rule = rule[0]
    freq = (rule.get("FREQ") or [""])[0]
    if freq not in ("DAILY", "WEEKLY", "MONTHLY", "YEARLY"):
        return None  # a rule the editor cannot show (hourly, ...) is kept as it is
    until = (rule.get("UNTIL") or [None])[0]
    if isinstance(until, datetime):
        start = _value(component, "DTSTART")
        if isinstance(start, datetime) and start.tzinfo is not None and until.tzinfo is not None:
            until = until.astimezone(start.tzinfo)
        until = until.date()
    byday = []
    for day in rule.get("BYDAY") or ():
        byday.append(str(day).upper())
    bysetpos = rule.get("BYSETPOS") or []
    if bysetpos and len(byday) == 1 and len(bysetpos) == 1:
        byday = [f"{int(bysetpos[0])}{byday[0]}"]
    return Recurrence(
        freq=freq,
        interval=int((rule.get("INTERVAL") or [1])[0]),
        byday=tuple(byday),
        bymonthday=tuple(int(d) for d in rule.get("BYMONTHDAY") or ()),
        count=int(rule["COUNT"][0]) if rule.get("COUNT") else None,
        until=until,
    )


def _alarm_read(component: Any) -> Alarm | None:
    minutes: int | None = None
    email = False
    for alarm in component.subcomponents:
        if alarm.name != "VALARM":
            continue
        trigger = alarm.get("TRIGGER")
        if trigger is None or not isinstance(getattr(trigger, "dt", None), timedelta):
            continue
        before = int(-trigger.dt.total_seconds() // 60)
        if str(alarm.get("ACTION", "")).upper() == "EMAIL":
            email = True
        if minutes is None:
            minutes = max(before, 0)
    return Alarm(minutes_before=minutes, email=email) if minutes is not None else None


def _fields_read(component: Any, start: Any = None, end: Any = None) -> EventFields:
    start = start if start is not None else _value(component, "DTSTART")
    if start is None:
        raise RoostError("This event has no start.")
    end = end if end is not None else _end_of(component, _value(component, "DTSTART"))
    all_day = _is_date(start)
    if all_day:
        last_day = (end if _is_date(end) else end.date()) - timedelta(days=1)
        start_value: datetime | date = start
        end_value: datetime | date = max(last_day, start)
        tzid = ""
    else:
        tzid = _zone_of(start) or "UTC"
        zone = zoneinfo.ZoneInfo(tzid)
        start_value = (start.astimezone(zone) if start.tzinfo else start).replace(tzinfo=None)
        end_value = (end.astimezone(zone) if getattr(end, "tzinfo", None) else end).replace(tzinfo=None)
    categories: list[str] = []
    raw = component.get("CATEGORIES")
    for item in raw if isinstance(raw, list) else [raw] if raw is not None else []:
        categories.extend(str(c) for c in getattr(item, "cats", []) or [])
    return EventFields(
        summary=str(component.get("SUMMARY", "")),
        start=start_value,
        end=end_value,
        all_day=all_day,
        tzid=tzid,
        location=str(component.get("LOCATION", "")),
        description=str(component.get("DESCRIPTION", "")),
        rrule=_recurrence_read(component),
        alarm=_alarm_read(component),
        transparency=str(component.get("TRANSP", "OPAQUE")).upper(),
        klass=str(component.get("CLASS", "PUBLIC")).upper(),
        categories=tuple(categories),
    )


def _times(fields: EventFields) -> tuple[Any, Any]:
    if fields.all_day:
        start_day = fields.start if _is_date(fields.start) else fields.start.date()  # type: ignore[union-attr]
        end_day = fields.end if _is_date(fields.end) else fields.end.date()  # type: ignore[union-attr]
        return start_day, max(end_day, start_day) + timedelta(days=1)
    zone = zoneinfo.ZoneInfo(fields.tzid or "UTC")
    start = fields.start if isinstance(fields.start, datetime) else datetime.combine(fields.start, datetime.min.time())
    end = fields.end if isinstance(fields.end, datetime) else datetime.combine(fields.end, datetime.min.time())
    return start.replace(tzinfo=zone), end.replace(tzinfo=zone)


def _rrule(rule: Recurrence, start: Any) -> vRecur:
    value: dict[str, Any] = {"FREQ": rule.freq}
    if rule.interval > 1:
        value["INTERVAL"] = rule.interval
    if rule.byday:
        value["BYDAY"] = list(rule.byday)
    if rule.bymonthday:
        value["BYMONTHDAY"] = list(rule.bymonthday)
    if rule.count:
        value["COUNT"] = rule.count
    elif rule.until:
        if _is_date(start):
            value["UNTIL"] = rule.until
        else:
            # The whole last day counts, in the event's own zone, written in UTC as RFC 5545 requires.
            last = datetime.combine(rule.until, datetime.max.time().replace(microsecond=0), tzinfo=start.tzinfo)
            value["UNTIL"] = last.astimezone(UTC)
    return vRecur(value)


def _alarms_write(component: Any, alarm: Alarm | None, summary: str, owner_email: str) -> None:
    component.subcomponents = [c for c in component.subcomponents if c.name != "VALARM"]
    if alarm is None:
        return
    trigger = timedelta(minutes=-alarm.minutes_before)
    display = VAlarm()
    display.add("ACTION", "DISPLAY")
    display.add("TRIGGER", trigger)
    display.add("DESCRIPTION", summary or "Reminder")
    component.add_component(display)
    if alarm.email and owner_email:
        mail = VAlarm()
        mail.add("ACTION", "EMAIL")
        mail.add("TRIGGER", trigger)
        mail.add("SUMMARY", summary or "Reminder")
        mail.add("DESCRIPTION", f"Reminder: {summary}")
        mail.add("ATTENDEE", vCalAddress(f"mailto:{owner_email}"))
        component.add_component(mail)


def _fields_write(
    component: Any, fields: EventFields, *, now: datetime, owner_email: str, with_rule: bool, bump: bool = True
) -> None:
    for name in _MANAGED:
        component.pop(name, None)
    start, end = _times(fields)
    component.add("SUMMARY", fields.summary)
    component.add("DTSTART", start)
    component.add("DTEND", end)
    if fields.location:
        component.add("LOCATION", fields.location)
    if fields.description:
        component.add("DESCRIPTION", fields.description)
    component.add("TRANSP", fields.transparency)
    if fields.klass != "PUBLIC":
        component.add("CLASS", fields.klass)
    if fields.categories:
        component.add("CATEGORIES", list(fields.categories))
    if with_rule:
        component.pop("RRULE", None)
        if fields.rrule is not None:
            component.add("RRULE", _rrule(fields.rrule, start))
    _alarms_write(component, fields.alarm, fields.summary, owner_email)
    _stamp(component, now=now, bump=bump)


def _stamp(component: Any, *, now: datetime, bump: bool = True) -> None:
    for name in ("DTSTAMP", "LAST-MODIFIED"):
        component.pop(name, None)
        component.add(name, now.astimezone(UTC))
    if bump:
        sequence = int(component.get("SEQUENCE", 0))
        component.pop("SEQUENCE", None)
        component.add("SEQUENCE", sequence + 1)


def _serialise(calendar: Calendar) -> str:
    calendar.subcomponents = [c for c in calendar.subcomponents if c.name != "VTIMEZONE"]
    calendar.add_missing_timezones()
    # Time zones first, as clients expect them.
    calendar.subcomponents.sort(key=lambda c: 0 if c.name == "VTIMEZONE" else 1)
    return str(calendar.to_ical().decode("utf-8"))


def _new_calendar() -> Calendar:
    calendar = Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    return calendar


# ---- public functions ----


def event_new(*, fields: EventFields, uid: str, now: datetime, owner_email: str) -> str:
    calendar = _new_calendar()
    event = Event()
    event.add("UID", uid)
    event.add("CREATED", now.astimezone(UTC))
    _fields_write(event, fields, now=now, owner_email=owner_email, with_rule=True, bump=False)
    event.add("SEQUENCE", 0)
    calendar.add_component(event)
    return _serialise(calendar)


def event_read(*, data: str, recurrence_id: str | None = None) -> EventView:
    _calendar, master, overrides = _parse(data)
    component: Any = master
    start = end = None
    if recurrence_id:
        original = _recurrence_value(recurrence_id, _value(master, "DTSTART"))
        match = [o for o in overrides if _same_instant(_value(o, "RECURRENCE-ID"), original)]
        if match:
            component = match[0]
        elif "RRULE" in master or "RDATE" in master:
            start = original
            end = original + (_end_of(master, _value(master, "DTSTART")) - _value(master, "DTSTART"))
    fields = _fields_read(component, start, end)
    if component is not master:
        fields = replace(fields, rrule=_recurrence_read(master))
    attendees = []
    for raw in (
        component.get("ATTENDEE", [])
        if isinstance(component.get("ATTENDEE"), list)
        else ([component["ATTENDEE"]] if "ATTENDEE" in component else [])
    ):
        params = getattr(raw, "params", {})
        attendees.append(
            Attendee(
                email=str(raw).removeprefix("mailto:").removeprefix("MAILTO:"),
                name=str(params.get("CN", "")),
                partstat=str(params.get("PARTSTAT", "NEEDS-ACTION")),
                role=str(params.get("ROLE", "REQ-PARTICIPANT")),
            )
        )
    organizer = str(component.get("ORGANIZER", "")).removeprefix("mailto:").removeprefix("MAILTO:")
    return EventView(
        fields=fields,
        recurring=bool("RRULE" in master or "RDATE" in master),
        attendees=tuple(attendees),
        organizer=organizer,
    )


def _occurrence_original(master: Any, recurrence_id: str | None) -> Any:
    if not recurrence_id:
        raise RoostError("Say which occurrence to change.")
    return _recurrence_value(recurrence_id, _value(master, "DTSTART"))


def _cut_series(master: Any, overrides: list[Any], calendar: Calendar, original: Any) -> None:
    """End the series just before `original`: UNTIL replaces COUNT, later exceptions go."""
    rule = master.get("RRULE")
    if rule is not None:
        rule = dict(rule[0] if isinstance(rule, list) else rule)
        rule.pop("COUNT", None)
        if _is_date(original):
            rule["UNTIL"] = [original - timedelta(days=1)]
        else:
            moment = original if original.tzinfo else original.replace(tzinfo=UTC)
            rule["UNTIL"] = [(moment - timedelta(seconds=1)).astimezone(UTC)]
        master.pop("RRULE")
        master.add("RRULE", vRecur(rule))
    for override in overrides:
        if not _before(_value(override, "RECURRENCE-ID"), original):
            calendar.subcomponents.remove(override)


def _before(value: Any, original: Any) -> bool:
    if _is_date(value) or _is_date(original):
        a = value if _is_date(value) else value.date()
        b = original if _is_date(original) else original.date()
        return bool(a < b)
    if (value.tzinfo is None) != (original.tzinfo is None):
        return bool(value.replace(tzinfo=None) < original.replace(tzinfo=None))
    return bool(value < original)


def _is_first(master: Any, original: Any) -> bool:
    return _same_instant(_value(master, "DTSTART"), original)


def event_change(
    *,
    data: str,
    fields: EventFields,
    scope: str,
    recurrence_id: str | None,
    now: datetime,
    owner_email: str,
    new_uid: str,
) -> EventChange:
    calendar, master, overrides = _parse(data)
    recurring = "RRULE" in master or "RDATE" in master
    if not recurring or scope == "all" or recurrence_id is None:
        if recurring and recurrence_id:
            fields = _series_fields(master, fields, _occurrence_original(master, recurrence_id))
        old_start = _value(master, "DTSTART")
        _fields_write(master, fields, now=now, owner_email=owner_email, with_rule=True)
        _shift_exceptions(master, overrides, old_start, _value(master, "DTSTART"))
        return EventChange(data=_serialise(calendar))
    original = _occurrence_original(master, recurrence_id)
    if scope == "this":
        match = [o for o in overrides if _same_instant(_value(o, "RECURRENCE-ID"), original)]
        if match:
            component = match[0]
        else:
            component = Event()
            for name, value in master.property_items(recursive=False)[1:-1]:
                if name not in ("RRULE", "RDATE", "EXDATE", "BEGIN", "END"):
                    component.add(name, value, encode=False)
            component.add("RECURRENCE-ID", original)
            calendar.add_component(component)
        _fields_write(component, replace(fields, rrule=None), now=now, owner_email=owner_email, with_rule=False)
        component.pop("RRULE", None)
        return EventChange(data=_serialise(calendar))
    # this and following
    if _is_first(master, original):
        return event_change(
            data=data, fields=fields, scope="all", recurrence_id=None, now=now, owner_email=owner_email, new_uid=new_uid
        )
    old_rule = _recurrence_read(master)
    _cut_series(master, overrides, calendar, original)
    _stamp(master, now=now)
    split = _new_calendar()
    event = Event()
    for name, value in master.property_items(recursive=False)[1:-1]:
        if name not in ("UID", "RRULE", "RDATE", "EXDATE", "SEQUENCE", "CREATED", "BEGIN", "END"):
            event.add(name, value, encode=False)
    event.add("UID", new_uid)
    event.add("CREATED", now.astimezone(UTC))
    rule = fields.rrule
    if rule is not None and old_rule is not None and rule == old_rule and rule.count:
        rule = replace(rule, count=None, until=None)  # the remaining count is unknown: keep it open-ended
    _fields_write(event, replace(fields, rrule=rule), now=now, owner_email=owner_email, with_rule=True, bump=False)
    event.add("SEQUENCE", 0)
    split.add_component(event)
    return EventChange(data=_serialise(calendar), split=_serialise(split))


def _series_fields(master: Any, fields: EventFields, original: Any) -> EventFields:
    """An edit of "all" made from one occurrence moves the series by as much as that occurrence moved."""
    start = _value(master, "DTSTART")
    view = _fields_read(master)
    if fields.all_day != view.all_day:
        return fields
    delta = _wall(fields.start, fields) - _wall(_fields_read(master, original, original).start, view)
    length = _wall(fields.end, fields) - _wall(fields.start, fields)
    new_start = _wall(view.start, view) + delta
    if fields.all_day:
        return replace(fields, start=new_start.date(), end=(new_start + length).date())
    del start
    return replace(fields, start=new_start, end=new_start + length)


def _wall(value: datetime | date, fields: EventFields) -> datetime:
    return value if isinstance(value, datetime) else datetime.combine(value, datetime.min.time())


def _shift_exceptions(master: Any, overrides: list[Any], old_start: Any, new_start: Any) -> None:
    """Keep EXDATEs and overridden occurrences attached to the occurrences they name after the series moved."""
    if old_start is None or new_start is None:
        return
    if _same_instant(old_start, new_start) and type(old_start) is type(new_start):
        return
    if _is_date(old_start) != _is_date(new_start):
        master.pop("EXDATE", None)
        for override in overrides:
            override.pop("RECURRENCE-ID", None)
            override.add("RECURRENCE-ID", _value(override, "DTSTART"))
        return
    delta = (
        new_start - old_start
        if _is_date(new_start)
        else new_start.replace(tzinfo=None) - old_start.replace(tzinfo=None)
    )
    exdates = master.get("EXDATE")
    if exdates is not None:
        values: list[Any] = []
        for item in exdates if isinstance(exdates, list) else [exdates]:
            values.extend(d.dt for d in item.dts)
        master.pop("EXDATE")
        for value in values:
            master.add("EXDATE", _moved(value, delta, new_start))
    for override in overrides:
        rid = _value(override, "RECURRENCE-ID")
        override.pop("RECURRENCE-ID")
        override.add("RECURRENCE-ID", _moved(rid, delta, new_start))


def _moved(value: Any, delta: timedelta, like: Any) -> Any:
    if _is_date(like):
        return (value if _is_date(value) else value.date()) + delta
    if value.tzinfo is not None and like.tzinfo is not None:
        value = value.astimezone(like.tzinfo)
    return (value.replace(tzinfo=None) + delta).replace(tzinfo=like.tzinfo)


def event_remove(*, data: str, scope: str, recurrence_id: str | None, now: datetime) -> EventChange:
    calendar, master, overrides = _parse(data)
    recurring = "RRULE" in master or "RDATE" in master
    if not recurring or scope == "all" or recurrence_id is None:
        return EventChange(data=None)
    original = _occurrence_original(master, recurrence_id)
    if _is_first(master, original) and scope == "following":
        return EventChange(data=None)
    if scope == "following":
        _cut_series(master, overrides, calendar, original)
    else:
        for override in overrides:
            if _same_instant(_value(override, "RECURRENCE-ID"), original):
                calendar.subcomponents.remove(override)
        master.add("EXDATE", original)
    _stamp(master, now=now)
    return EventChange(data=_serialise(calendar))


def event_times_moved(*, view: EventView, start: str, end: str, all_day: bool) -> EventFields:
    """The editor's fields of an occurrence after it was dragged to [start, end) (ISO values from the browser:
    dates for all-day, UTC date-times otherwise), in the event's own time zone."""
    fields = view.fields
    try:
        if all_day:
            first = date.fromisoformat(start[:10])
            after = date.fromisoformat(end[:10])
            return replace(fields, all_day=True, tzid="", start=first, end=max(after - timedelta(days=1), first))
        zone = zoneinfo.ZoneInfo(fields.tzid or "UTC")
        begin = datetime.fromisoformat(start.replace("Z", "+00:00"))
        finish = datetime.fromisoformat(end.replace("Z", "+00:00"))
    except (ValueError, zoneinfo.ZoneInfoNotFoundError):
        raise RoostError("The new time is not understood.") from None
    if begin.tzinfo is None or finish.tzinfo is None:
        raise RoostError("The new time must carry its offset.")
    if finish < begin:
        raise RoostError("The event ends before it starts.")
    return replace(
        fields,
        all_day=False,
        tzid=fields.tzid or "UTC",
        start=begin.astimezone(zone).replace(tzinfo=None),
        end=finish.astimezone(zone).replace(tzinfo=None),
    )


def event_missing(name: str) -> NotFound:
    return NotFound(f"There is no event “{name}” in this calendar.")
