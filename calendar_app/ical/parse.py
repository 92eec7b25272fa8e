"""The one adapter to icalendar and recurring-ical-events. Text goes in; plain values come out (ParsedObject,
Comp/Prop trees for filters, Instance for each occurrence), so the rest of calendar_app never sees a library
type. Every library failure becomes InvalidCalendarData here."""

from __future__ import annotations

import hashlib
import itertools
import logging
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

import icalendar
import recurring_ical_events
import x_wr_timezone
from dateutil.rrule import rrule, rrulestr  # type: ignore[import-untyped, unused-ignore]

from calendar_app import recurrence
from core.errors import RoostError

log = logging.getLogger(__name__)

OBJECT_COMPONENTS = ("VEVENT", "VTODO")
_TIME_PROPS = ("DTSTART", "DTEND", "DUE", "DURATION", "RRULE", "RDATE", "EXDATE", "RECURRENCE-ID", "UID")
PRODID = "-//Roost//Calendar//EN"

DateOrTime = date | datetime


class InvalidCalendarData(RoostError):
    """The text is not one valid calendar object resource (RFC 4791 valid-calendar-data)."""


class UnsupportedComponent(InvalidCalendarData):
    """A component this calendar does not hold (RFC 4791 supported-calendar-component)."""


@dataclass(frozen=True)
class ParsedObject:
    uid: str
    component: str  # "VEVENT" or "VTODO"
    summary: str
    sequence: int
    span_start: datetime | None  # None: unbounded (a VTODO without any date)
    span_end: datetime | None  # None: unbounded series
    recurring: bool
    text: str  # canonical iCalendar text, CRLF line ends

    @property
    def etag(self) -> str:
        return etag_of(self.text)


@dataclass(frozen=True)
class Prop:
    name: str
    value: str  # unescaped text for TEXT values, else the value as written
    params: tuple[tuple[str, tuple[str, ...]], ...]
    time: DateOrTime | None = None  # DATE/DATE-TIME values (the first of a list)
    duration: timedelta | None = None

    def param(self, name: str) -> tuple[str, ...] | None:
        for key, values in self.params:
            if key == name:
                return values
        return None


@dataclass(frozen=True)
class Comp:
    name: str
    props: tuple[Prop, ...]
    children: tuple[Comp, ...]

    def props_named(self, name: str) -> list[Prop]:
        return [prop for prop in self.props if prop.name == name]

    def first(self, name: str) -> Prop | None:
        found = self.props_named(name)
        return found[0] if found else None


@dataclass(frozen=True)
class Instance:
    """One occurrence of a VEVENT or VTODO (for a VTODO the dates it really has; see RFC 4791 9.9)."""

    component: str
    uid: str
    recurrence_id: DateOrTime | None  # None for a non-recurring object
    start: DateOrTime | None
    end: DateOrTime | None
    all_day: bool
    summary: str
    location: str
    status: str
    transparency: str
    klass: str
    due: DateOrTime | None = None
    duration: timedelta | None = None
    completed: DateOrTime | None = None
    created: DateOrTime | None = None
    alarm_times: tuple[datetime, ...] = ()


@dataclass(frozen=True)
class AlarmTrigger:
    """One moment a reminder goes off, for one occurrence (calendar_app.services.alarms indexes these)."""

    trigger: datetime  # UTC
    action: str  # "DISPLAY" or "EMAIL" (AUDIO is shown as DISPLAY; other actions are left out)
    instance_start: datetime  # UTC start of the occurrence (a date is midnight in the zone given)
    all_day: bool
    summary: str
    description: str
    location: str


# Reminders further than this from their occurrence, or repeated more often, are left out, not an error.
MAX_ALARM_OFFSET = timedelta(days=400)
MAX_ALARM_REPEAT = 10
_ALARM_ACTIONS = {"DISPLAY": "DISPLAY", "AUDIO": "DISPLAY", "EMAIL": "EMAIL"}


def etag_of(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


# -- parsing and validation -------------------------------------------------------------------------------


def _load(data: bytes | str) -> icalendar.Calendar:
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise InvalidCalendarData("The calendar data is not UTF-8 text.") from error
    if not data.strip():
        raise InvalidCalendarData("The calendar data is empty.")
    try:
        parsed = icalendar.Calendar.from_ical(data)
    except Exception as error:
        raise InvalidCalendarData(f"The calendar data cannot be parsed: {error}") from error
    if not isinstance(parsed, icalendar.Component) or parsed.name != "VCALENDAR":
        raise InvalidCalendarData("The calendar data is not a VCALENDAR.")
    return parsed


def _objects(cal: icalendar.Component) -> list[icalendar.Component]:
    return [sub for sub in cal.subcomponents if sub.name != "VTIMEZONE"]


def _prop_errors(component: icalendar.Component) -> list[str]:
    errors = getattr(component, "errors", None) or []
    return [f"{name}: {message}" for name, message in errors if str(name).upper() in _TIME_PROPS]


def _decoded(component: icalendar.Component, name: str) -> Any:
    try:
        return component.decoded(name) if name in component else None
    except Exception as error:
        raise InvalidCalendarData(f"{component.name} has an unreadable {name}: {error}") from error


def parse_object(data: bytes | str, *, accepted: Collection[str] = OBJECT_COMPONENTS) -> ParsedObject:
    """Validate one calendar object resource (RFC 4791 4.1) and read what the index needs."""
    cal = _load(data)
    parts = _objects(cal)
    if not parts:
        raise InvalidCalendarData("The calendar data holds no VEVENT or VTODO.")
    names = {str(part.name) for part in parts}
    unknown = names - set(OBJECT_COMPONENTS)
    if unknown:
        raise UnsupportedComponent(f"{', '.join(sorted(unknown))} is not supported here; use VEVENT or VTODO.")
    if len(names) > 1:
        raise InvalidCalendarData("One calendar object may not mix VEVENT and VTODO components.")
    component = names.pop()
    if component not in accepted:
        raise UnsupportedComponent(f"This calendar does not accept {component} components.")
    uids = {str(part.get("UID", "")).strip() for part in parts}
    if "" in uids:
        raise InvalidCalendarData(f"A {component} has no UID.")
    if len(uids) > 1:
        raise InvalidCalendarData("All components of one calendar object must have the same UID.")
    masters = [part for part in parts if "RECURRENCE-ID" not in part]
    if len(masters) > 1:
        raise InvalidCalendarData(f"There are {len(masters)} {component} components without RECURRENCE-ID.")
    for part in parts:
        errors = _prop_errors(part)
        if errors:
            raise InvalidCalendarData(f"{component} has invalid properties: {'; '.join(errors)}")
        _check_dates(part)
    uid = uids.pop()
    if len(uid) > 255:
        raise InvalidCalendarData("The UID is longer than 255 characters.")
    main = masters[0] if masters else parts[0]
    try:
        sequence = int(main.get("SEQUENCE", 0))
    except (TypeError, ValueError):
        sequence = 0
    low, high = _span(parts)
    try:
        text = cal.to_ical(sorted=False).decode("utf-8")
    except Exception as error:
        raise InvalidCalendarData(f"The calendar data cannot be written back: {error}") from error
    return ParsedObject(
        uid=uid,
        component=component,
        summary=str(main.get("SUMMARY", "")),
        sequence=sequence,
        span_start=low,
        span_end=high,
        recurring=any(key in part for part in parts for key in ("RRULE", "RDATE", "RECURRENCE-ID")),
        text=text,
    )


def _check_dates(part: icalendar.Component) -> None:
    start = _decoded(part, "DTSTART")
    if part.name == "VEVENT" and start is None:
        raise InvalidCalendarData("A VEVENT has no DTSTART.")
    for name in ("DTEND", "DUE"):
        end = _decoded(part, name)
        if start is not None and end is not None:
            if isinstance(start, datetime) != isinstance(end, datetime):
                raise InvalidCalendarData(f"DTSTART and {name} must both be dates or both date-times.")
            if _comparable(end) < _comparable(start):
                raise InvalidCalendarData(f"{name} is before DTSTART.")
    duration = _decoded(part, "DURATION")
    if duration is not None and (not isinstance(duration, timedelta) or duration < timedelta(0)):
        raise InvalidCalendarData("DURATION must not be negative.")
    rules = part.get("RRULE")
    for rule in rules if isinstance(rules, list) else [rules] if rules is not None else []:
        if start is None:
            raise InvalidCalendarData(f"A recurring {part.name} needs a DTSTART.")
        _dateutil_rule(rule, start)


def _comparable(value: DateOrTime) -> datetime:
    return recurrence.to_utc(value)[0]


# -- recurrence bounds ------------------------------------------------------------------------------------


def _rule_dict(rule: Any) -> dict[str, list[Any]]:
    return {str(key).upper(): list(value) for key, value in dict(rule).items()}


def _dateutil_rule(rule: Any, start: DateOrTime) -> rrule:
    """The RRULE as dateutil's rrule from DTSTART, UNTIL made to agree with DTSTART's kind."""
    values = _rule_dict(rule)
    until = values.pop("UNTIL", [None])[0]
    base = start if isinstance(start, datetime) else datetime.combine(start, time())
    try:
        text = icalendar.vRecur({key: value for key, value in values.items()}).to_ical().decode()
        parsed = rrulestr(text, dtstart=base)
        if not isinstance(parsed, rrule):
            raise TypeError("not a single rule")
        if until is not None:
            parsed = parsed.replace(until=_until_like(until, base))
    except Exception as error:
        raise InvalidCalendarData(f"The RRULE cannot be read: {error}") from error
    return parsed


def _until_like(until: DateOrTime, base: datetime) -> datetime:
    if not isinstance(until, datetime):
        until = datetime.combine(until, time(23, 59, 59), tzinfo=base.tzinfo)
    if base.tzinfo is None:
        return until.astimezone(UTC).replace(tzinfo=None) if until.tzinfo else until
    return until if until.tzinfo else until.replace(tzinfo=base.tzinfo)


def _by_counts(rule: Any) -> dict[str, int]:
    return {key: len(value) for key, value in _rule_dict(rule).items() if key.startswith("BY")}


@dataclass(frozen=True)
class _RuleScan:
    last: datetime | None  # the last instance generated within the horizon
    complete: bool  # the rule ended within the horizon
    horizon_end: datetime


def _scan_rule(rule: Any, start: DateOrTime) -> _RuleScan:
    values = _rule_dict(rule)
    freq = str(values.get("FREQ", ["DAILY"])[0])
    interval = int(values.get("INTERVAL", [1])[0] or 1)
    horizon = recurrence.scan_horizon(freq, interval, _by_counts(rule))
    parsed = _dateutil_rule(rule, start)
    base = start if isinstance(start, datetime) else datetime.combine(start, time())
    horizon_end = base + horizon
    last = None
    count = 0
    for count, instance in enumerate(parsed.xafter(base, inc=True), start=1):  # noqa: B007
        if instance > horizon_end:
            return _RuleScan(last=last, complete=False, horizon_end=horizon_end)
        last = instance
    # The rule ended by COUNT or UNTIL (or has no instance at all) before the horizon.
    del count
    return _RuleScan(last=last, complete=True, horizon_end=horizon_end)


def _length(part: icalendar.Component, start: DateOrTime) -> timedelta:
    end = _decoded(part, "DTEND") or _decoded(part, "DUE")
    if end is not None:
        return _comparable(end) - _comparable(start)
    duration = _decoded(part, "DURATION")
    if isinstance(duration, timedelta):
        return duration
    return timedelta(days=1) if not isinstance(start, datetime) else timedelta(0)


def _span(parts: list[icalendar.Component]) -> tuple[datetime | None, datetime | None]:
    """From the first start to the last end of the whole set, in UTC; floating values widened by a day."""
    lows: list[datetime] = []
    highs: list[datetime | None] = []
    for part in parts:
        anchor = _decoded(part, "DTSTART")
        if anchor is None and part.name == "VTODO":
            anchor = _decoded(part, "DUE")
            if anchor is None:
                created = _decoded(part, "CREATED")
                completed = _decoded(part, "COMPLETED")
                if completed is not None:
                    low = created if created is not None else completed
                    lows.append(_widen(low, -1))
                    highs.append(_widen(completed, 1))
                elif created is not None:
                    lows.append(_widen(created, -1))
                    highs.append(None)
                else:
                    return None, None  # RFC 4791 9.9: a VTODO with no date matches every range
                continue
            length = timedelta(0)
        else:
            length = _length(part, anchor)
        length = max(length, timedelta(0))
        lows.append(_widen(anchor, -1))
        highs.append(_widen(_plus(anchor, length), 1))
        rules = part.get("RRULE")
        for rule in rules if isinstance(rules, list) else [rules] if rules is not None else []:
            scan = _scan_rule(rule, anchor)
            if not scan.complete:
                # Nothing past the scan horizon is ever expanded, so the index may end there: a dense endless
                # rule (FREQ=SECONDLY) then stops being a candidate for every later query.
                horizon: DateOrTime = scan.horizon_end
                if not isinstance(anchor, datetime):
                    horizon = scan.horizon_end.date()
                elif anchor.tzinfo is not None and scan.horizon_end.tzinfo is None:
                    horizon = scan.horizon_end.replace(tzinfo=anchor.tzinfo)
                highs.append(_widen(_plus(horizon, length), 1))
            elif scan.last is not None:
                highs.append(_widen(_plus(scan.last, length), 1))
        for moment in _rdates(part):
            lows.append(_widen(moment, -1))
            highs.append(_widen(_plus(moment, length), 1))
    if any(high is None for high in highs):
        return min(lows), None
    return min(lows), max(high for high in highs if high is not None)


def _plus(value: DateOrTime, delta: timedelta) -> DateOrTime:
    """The later of exact (UTC) and wall-clock addition: a day-long DURATION across a DST switch is 23 or
    25 hours, and a span must never end too early."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return max(value.astimezone(UTC) + delta, (value + delta).astimezone(UTC))
    return value + delta


def _widen(value: DateOrTime, direction: int) -> datetime:
    moment, floating = recurrence.to_utc(value)
    return moment + recurrence.SLACK * direction if floating else moment


def _rdates(part: icalendar.Component) -> Iterator[DateOrTime]:
    values = part.get("RDATE")
    for entry in values if isinstance(values, list) else [values] if values is not None else []:
        for item in getattr(entry, "dts", []):
            moment = item.dt
            yield moment[0] if isinstance(moment, tuple) else moment


# -- trees for filters ------------------------------------------------------------------------------------


def _prop(name: str, value: Any) -> Prop:
    params = tuple(
        (str(key).upper(), tuple(str(v) for v in (val if isinstance(val, list) else [val])))
        for key, val in getattr(value, "params", {}).items()
    )
    moment: DateOrTime | None = None
    duration: timedelta | None = None
    if isinstance(value, icalendar.vText | str):
        text = str(value)
    else:
        try:
            text = value.to_ical().decode() if hasattr(value, "to_ical") else str(value)
        except Exception:  # noqa: BLE001
            text = str(value)
    dt = getattr(value, "dt", None)
    if dt is None and hasattr(value, "dts") and value.dts:
        dt = value.dts[0].dt
    if isinstance(dt, datetime | date):
        moment = dt
    elif isinstance(dt, timedelta):
        duration = dt
    elif isinstance(dt, tuple) and dt and isinstance(dt[0], datetime | date):
        moment = dt[0]
    return Prop(name=name, value=text, params=params, time=moment, duration=duration)


def _tree(component: icalendar.Component) -> Comp:
    props: list[Prop] = []
    for name in component:
        raw = component[name]
        for item in raw if isinstance(raw, list) else [raw]:
            props.append(_prop(str(name).upper(), item))
    return Comp(name=str(component.name), props=tuple(props), children=tuple(_tree(s) for s in component.subcomponents))


# -- stored objects ----------------------------------------------------------------------------------------


class Document:
    """A stored object's text, parsed once for one request: its tree, its instances and its output forms."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._cal = _load(text)
        self._capped: icalendar.Component | None = None
        self._tree: Comp | None = None

    def tree(self) -> Comp:
        if self._tree is None:
            self._tree = _tree(self._cal)
        return self._tree

    def _expandable(self) -> icalendar.Component:
        """A copy whose rules end at the scan horizon, so no expansion can run away."""
        if self._capped is None:
            capped = _load(self.text)
            for part in _objects(capped):
                rules = part.get("RRULE")
                if rules is None:
                    continue
                if isinstance(rules, list):
                    part.pop("RRULE")
                    part.add("RRULE", rules[0])
                    rules = part["RRULE"]
                start = part.decoded("DTSTART")
                scan = _scan_rule(rules, start)
                if not scan.complete:
                    rules.pop("COUNT", None)
                    rules["UNTIL"] = [_horizon_value(scan.horizon_end, start)]
            self._capped = capped
        return self._capped

    def instances(
        self,
        start: datetime | None,
        end: datetime | None,
        *,
        components: tuple[str, ...] = ("VEVENT",),
        limit: int = recurrence.MAX_OCCURRENCES,
    ) -> list[Instance]:
        low, high = recurrence.clamp(start, end)
        found: list[Instance] = []
        query = recurring_ical_events.of(self._expandable(), components=components, skip_bad_series=True)
        try:
            for occurrence in query.after(low):
                if len(found) >= limit:
                    break
                instance = self._instance(occurrence)
                if instance.start is not None and _comparable(instance.start) >= high + recurrence.SLACK:
                    break
                found.append(instance)
        except InvalidCalendarData:
            raise
        except Exception as error:
            raise InvalidCalendarData(f"The recurrence cannot be expanded: {error}") from error
        return found

    def _source(self, uid: str, recurrence_id: Any) -> icalendar.Component | None:
        parts = _objects(self._cal)
        for part in parts:
            if (
                "RECURRENCE-ID" in part
                and recurrence_id is not None
                and _comparable(part.decoded("RECURRENCE-ID")) == _comparable(recurrence_id)
            ):
                return part
        for part in parts:
            if "RECURRENCE-ID" not in part:
                return part
        return parts[0] if parts else None

    def _instance(self, occurrence: icalendar.Component) -> Instance:
        recurrence_id = _decoded(occurrence, "RECURRENCE-ID")
        source = self._source(str(occurrence.get("UID", "")), recurrence_id) or occurrence
        recurring = any(key in part for part in _objects(self._cal) for key in ("RRULE", "RDATE", "RECURRENCE-ID"))
        if not recurring:
            recurrence_id = None
        has_start = "DTSTART" in source
        start = _decoded(occurrence, "DTSTART") if has_start else None
        if occurrence.name == "VTODO":
            due = _decoded(occurrence, "DUE") if "DUE" in source else None
            end = due
        else:
            due = None
            end = _decoded(occurrence, "DTEND")
        alarms = tuple(
            _comparable(sub.decoded("TRIGGER"))
            for sub in occurrence.subcomponents
            if sub.name == "VALARM" and isinstance(_safe_decoded(sub, "TRIGGER"), datetime | date)
        )
        return Instance(
            component=str(occurrence.name),
            uid=str(occurrence.get("UID", "")),
            recurrence_id=recurrence_id,
            start=start,
            end=end,
            all_day=start is not None and not isinstance(start, datetime),
            summary=str(occurrence.get("SUMMARY", "")),
            location=str(occurrence.get("LOCATION", "")),
            status=str(occurrence.get("STATUS", "")).upper(),
            transparency=str(occurrence.get("TRANSP", "OPAQUE")).upper(),
            klass=str(occurrence.get("CLASS", "PUBLIC")).upper(),
            due=due,
            duration=_safe_decoded(source, "DURATION") if "DURATION" in source else None,
            completed=_safe_decoded(source, "COMPLETED"),
            created=_safe_decoded(source, "CREATED"),
            alarm_times=alarms,
        )

    def alarm_times(self, start: datetime | None, end: datetime | None, *, component: str) -> list[datetime]:
        """When the alarms of `component` instances go off in [start, end) (absolute and relative triggers)."""
        low, high = recurrence.clamp(start, end)
        query = recurring_ical_events.of(self._expandable(), components=["VALARM"], skip_bad_series=True)
        times: list[datetime] = []
        try:
            for occurrence in itertools.islice(query.between(low, high), recurrence.MAX_OCCURRENCES):
                if occurrence.name != component:
                    continue
                for sub in occurrence.subcomponents:
                    trigger = _safe_decoded(sub, "TRIGGER")
                    if sub.name == "VALARM" and isinstance(trigger, datetime | date):
                        times.append(_comparable(trigger))
        except Exception as error:
            raise InvalidCalendarData(f"The alarms cannot be expanded: {error}") from error
        return times

    def alarms(self, start: datetime, end: datetime, *, zone: tzinfo | None = None) -> list[AlarmTrigger]:
        """Every DISPLAY/AUDIO/EMAIL alarm going off in [start, end): triggers relative to the start or end of
        each occurrence (an override's own alarms for an overridden one, none for an EXDATE) and absolute ones,
        with REPEAT. Dates and floating times are read in `zone`. Moments already acknowledged (ACKNOWLEDGED,
        Thunderbird's X-MOZ-LASTACK) and cancelled or completed occurrences are left out. Capped like
        instances(): at most MAX_OCCURRENCES occurrences are looked at."""
        low, high = recurrence.clamp(start, end)
        found: dict[tuple[datetime, str, datetime], AlarmTrigger] = {}
        offsets: list[timedelta] = []
        try:
            for part in _objects(self._cal):
                if _inactive(part):
                    continue
                for alarm in _valarms(part):
                    for moment in alarm.moments:
                        if isinstance(moment, timedelta):
                            offsets.append(moment)
                        elif low <= moment < high and not _acknowledged(part, alarm, moment):
                            begin = _part_start(part)
                            if begin is not None:
                                self._keep(found, part, alarm.action, moment, begin, zone)
            if offsets:
                self._relative_alarms(found, low, high, min(offsets), max(offsets), zone)
        except InvalidCalendarData:
            raise
        except Exception as error:
            raise InvalidCalendarData(f"The alarms cannot be expanded: {error}") from error
        return sorted(found.values(), key=lambda a: (a.trigger, a.instance_start, a.action))

    def _relative_alarms(
        self,
        found: dict[tuple[datetime, str, datetime], AlarmTrigger],
        low: datetime,
        high: datetime,
        least: timedelta,
        most: timedelta,
        zone: tzinfo | None,
    ) -> None:
        window_low, window_high = recurrence.clamp(low - most, high - least)
        query = recurring_ical_events.of(self._expandable(), components=OBJECT_COMPONENTS, skip_bad_series=True)
        for occurrence in itertools.islice(query.after(window_low), recurrence.MAX_OCCURRENCES):
            begin = _part_start(occurrence)
            if begin is None:
                continue
            if recurrence.to_utc(begin, zone)[0] >= window_high + recurrence.SLACK:
                break
            if _inactive(occurrence):
                continue
            for alarm in _valarms(occurrence):
                base = _part_end(occurrence, begin) if alarm.related == "END" else begin
                base_utc = recurrence.to_utc(base, zone)[0]
                for offset in alarm.moments:
                    if not isinstance(offset, timedelta):
                        continue
                    moment = base_utc + offset
                    if low <= moment < high and not _acknowledged(occurrence, alarm, moment):
                        self._keep(found, occurrence, alarm.action, moment, begin, zone)

    @staticmethod
    def _keep(
        found: dict[tuple[datetime, str, datetime], AlarmTrigger],
        part: icalendar.Component,
        action: str,
        moment: datetime,
        begin: DateOrTime,
        zone: tzinfo | None,
    ) -> None:
        instance_start = recurrence.to_utc(begin, zone)[0]
        key = (moment, action, instance_start)
        if key not in found:
            found[key] = AlarmTrigger(
                trigger=moment,
                action=action,
                instance_start=instance_start,
                all_day=not isinstance(begin, datetime),
                summary=str(part.get("SUMMARY", "")),
                description=str(part.get("DESCRIPTION", "")),
                location=str(part.get("LOCATION", "")),
            )

    # -- output forms (RFC 4791 9.6.5 and 9.6.6) ----------------------------------------------------------

    def expanded(self, start: datetime, end: datetime) -> str:
        """Every instance overlapping [start, end) as its own component in UTC, each with a RECURRENCE-ID
        when the object recurs, and no RRULE, RDATE or EXDATE."""
        out = _empty_calendar(self._cal)
        low, high = recurrence.clamp(start, end)
        recurring = any(key in part for part in _objects(self._cal) for key in ("RRULE", "RDATE", "RECURRENCE-ID"))
        try:
            occurrences = list(
                itertools.islice(
                    recurring_ical_events.of(
                        self._expandable(), components=list(OBJECT_COMPONENTS), skip_bad_series=True
                    ).between(low, high),
                    recurrence.MAX_OCCURRENCES,
                )
            )
        except Exception as error:
            raise InvalidCalendarData(f"The recurrence cannot be expanded: {error}") from error
        for occurrence in occurrences:
            for name in ("RRULE", "RDATE", "EXDATE"):
                occurrence.pop(name, None)
            for name in ("DTSTART", "DTEND", "DUE", "RECURRENCE-ID"):
                if name in occurrence:
                    value = occurrence.decoded(name)
                    occurrence.pop(name)
                    if name == "RECURRENCE-ID" and not recurring:
                        continue
                    occurrence.add(name, _utc_value(value))
            out.add_component(occurrence)
        return out.to_ical(sorted=False).decode("utf-8")

    def limited(self, start: datetime, end: datetime) -> str:
        """The master with its rule, plus only the overridden instances that touch [start, end)."""
        low, high = recurrence.clamp(start, end)
        out = _empty_calendar(self._cal)
        for sub in self._cal.subcomponents:
            if sub.name in OBJECT_COMPONENTS and "RECURRENCE-ID" in sub:
                begin = _decoded(sub, "DTSTART") or _decoded(sub, "RECURRENCE-ID")
                finish = _plus(begin, max(_length(sub, begin), timedelta(0)))
                this_and_future = str(sub["RECURRENCE-ID"].params.get("RANGE", "")).upper() == "THISANDFUTURE"
                b, f = _comparable(begin), _comparable(finish)
                touches = (b < high and (f > low or (f == b and b >= low))) or (this_and_future and b < high)
                if not touches:
                    continue
            out.add_component(sub)
        return out.to_ical(sorted=False).decode("utf-8")


@dataclass(frozen=True)
class _Valarm:
    action: str
    moments: list[datetime | timedelta]  # absolute moments (UTC) or offsets from the occurrence, REPEAT unrolled
    related: str  # "START" or "END"
    acknowledged: datetime | None  # RFC 9074 ACKNOWLEDGED, UTC


def _valarms(part: icalendar.Component) -> Iterator[_Valarm]:
    """The part's alarms Roost delivers; unreadable ones, and offsets beyond MAX_ALARM_OFFSET, are skipped."""
    for sub in part.subcomponents:
        if sub.name != "VALARM":
            continue
        action = _ALARM_ACTIONS.get(str(sub.get("ACTION", "")).upper())
        trigger = _safe_decoded(sub, "TRIGGER")
        if action is None or not isinstance(trigger, datetime | timedelta):
            continue
        if isinstance(trigger, timedelta) and abs(trigger) > MAX_ALARM_OFFSET:
            continue
        if isinstance(trigger, datetime):
            trigger = recurrence.to_utc(trigger)[0]
        try:
            repeat = min(max(int(sub.get("REPEAT", 0)), 0), MAX_ALARM_REPEAT)
        except (TypeError, ValueError):
            repeat = 0
        step = _safe_decoded(sub, "DURATION")
        if not isinstance(step, timedelta) or step <= timedelta(0):
            repeat, step = 0, timedelta(0)
        acknowledged = _safe_decoded(sub, "ACKNOWLEDGED")
        yield _Valarm(
            action=action,
            moments=[trigger + step * n for n in range(repeat + 1)],
            related=str(sub["TRIGGER"].params.get("RELATED", "START")).upper(),
            acknowledged=recurrence.to_utc(acknowledged)[0] if isinstance(acknowledged, datetime) else None,
        )


def _acknowledged(part: icalendar.Component, alarm: _Valarm, moment: datetime) -> bool:
    """Whether the person already dismissed this moment: the VALARM's ACKNOWLEDGED or Thunderbird's
    X-MOZ-LASTACK on the event."""
    last_ack = _x_moment(part.get("X-MOZ-LASTACK"))
    if last_ack is not None and moment <= last_ack:
        return True
    return alarm.acknowledged is not None and moment <= alarm.acknowledged


def _x_moment(value: Any) -> datetime | None:
    """An X- property holding a UTC date-time (icalendar keeps those as text)."""
    if value is None:
        return None
    try:
        moment = icalendar.vDatetime.from_ical(str(value))
    except Exception:  # noqa: BLE001 - anything else is not an acknowledgement
        return None
    return recurrence.to_utc(moment)[0] if isinstance(moment, datetime) else None


def _inactive(part: icalendar.Component) -> bool:
    status = str(part.get("STATUS", "")).upper()
    return status == "CANCELLED" or (part.name == "VTODO" and (status == "COMPLETED" or "COMPLETED" in part))


def _part_start(part: icalendar.Component) -> DateOrTime | None:
    for name in ("DTSTART", "DUE", "RECURRENCE-ID"):
        value = _safe_decoded(part, name)
        if isinstance(value, date):
            return value
    return None


def _part_end(part: icalendar.Component, begin: DateOrTime) -> DateOrTime:
    if part.name == "VTODO":
        due = _safe_decoded(part, "DUE")
        if isinstance(due, date):
            return due
    return _plus(begin, max(_length(part, begin), timedelta(0)))


def _safe_decoded(component: icalendar.Component, name: str) -> Any:
    try:
        return component.decoded(name) if name in component else None
    except Exception:  # noqa: BLE001
        return None


def _horizon_value(horizon_end: datetime, start: DateOrTime) -> DateOrTime:
    if not isinstance(start, datetime):
        return horizon_end.date()
    if start.tzinfo is None:
        return horizon_end.replace(tzinfo=None)
    return horizon_end.astimezone(UTC)


def _utc_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return recurrence.to_utc(value)[0]
    return value


def _empty_calendar(source: icalendar.Component) -> icalendar.Calendar:
    out = icalendar.Calendar()
    out.add("VERSION", "2.0")
    out.add("PRODID", str(source.get("PRODID", PRODID)))
    return out


# -- import and export ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportPiece:
    """One object cut out of a whole .ics: its text (to be validated by parse_object), or why it failed."""

    label: str  # summary or uid, for the report
    text: str | None
    error: str | None = None
    uid: str = ""  # when the component has one
    component: str = ""  # the first component's name (VEVENT, VTODO, VJOURNAL...)


def split_calendar(data: bytes | str) -> list[ImportPiece]:
    """Cut a calendar file into one object per UID, overrides with their master and each with the
    VTIMEZONEs it uses. X-WR-TIMEZONE (Google) is applied first, since it does not survive the split."""
    cal = _load(data)
    try:
        standard = x_wr_timezone.to_standard(cal)
    except Exception:  # noqa: BLE001 - a broken X-WR-TIMEZONE leaves the file as it was
        standard = cal
    zones = {str(sub.get("TZID", "")): sub for sub in standard.subcomponents if sub.name == "VTIMEZONE"}
    groups: dict[str, list[icalendar.Component]] = {}
    pieces: list[ImportPiece] = []
    for sub in standard.subcomponents:
        if sub.name == "VTIMEZONE":
            continue
        uid = str(sub.get("UID", "")).strip()
        label = str(sub.get("SUMMARY", "")) or uid or sub.name
        if sub.name not in OBJECT_COMPONENTS:
            pieces.append(
                ImportPiece(label=label, text=None, error=f"{sub.name} is not supported", uid=uid, component=sub.name)
            )
            continue
        if not uid:
            pieces.append(ImportPiece(label=label, text=None, error=f"the {sub.name} has no UID", component=sub.name))
            continue
        groups.setdefault(uid, []).append(sub)
    for uid, parts in groups.items():
        parts.sort(key=lambda part: "RECURRENCE-ID" in part)
        out = _empty_calendar(standard)
        for part in parts:
            out.add_component(part)
        for tzid in sorted(out.get_used_tzids()):
            if tzid in zones:
                out.subcomponents.insert(0, zones[tzid])
        label = str(parts[0].get("SUMMARY", "")) or uid
        component = str(parts[0].name)
        try:
            text = out.to_ical(sorted=False).decode("utf-8")
            pieces.append(ImportPiece(label=label, text=text, uid=uid, component=component))
        except Exception as error:  # noqa: BLE001
            pieces.append(
                ImportPiece(label=label, text=None, error=f"cannot be written: {error}", uid=uid, component=component)
            )
    return pieces


def without_stamps(text: str) -> str:
    """The text without its DTSTAMP lines: feeds such as Google's stamp every event with the time of the
    download, and a mirror must not take that for a change."""
    return "\r\n".join(line for line in text.split("\r\n") if not line.upper().startswith(("DTSTAMP:", "DTSTAMP;")))


def join_calendars(texts: Iterable[str], *, name: str = "") -> str:
    """One VCALENDAR with every object's components and the time zones they use, each zone once."""
    out = icalendar.Calendar()
    out.add("VERSION", "2.0")
    out.add("PRODID", PRODID)
    if name:
        out.add("X-WR-CALNAME", name)
    zones: dict[str, icalendar.Component] = {}
    parts: list[icalendar.Component] = []
    for text in texts:
        try:
            cal = _load(text)
        except InvalidCalendarData:
            log.warning("export skipped an object that no longer parses")
            continue
        for sub in cal.subcomponents:
            if sub.name == "VTIMEZONE":
                zones.setdefault(str(sub.get("TZID", "")), sub)
            else:
                parts.append(sub)
    for zone in zones.values():
        out.add_component(zone)
    for part in parts:
        out.add_component(part)
    try:
        missing = out.get_missing_tzids()
        if missing:
            out.add_missing_timezones()
    except Exception:  # noqa: BLE001 - a zone icalendar cannot describe is left to the client
        log.info("export could not add every VTIMEZONE")
    return out.to_ical(sorted=False).decode("utf-8")


def zone_named(name: str) -> tzinfo | None:
    """An IANA or Windows zone name as a tzinfo, None when unknown."""
    if not name:
        return None
    try:
        from icalendar.timezone import tzp

        return tzp.timezone(name)
    except Exception:  # noqa: BLE001
        return None
