"""RFC 4791 9.7 filters evaluated exactly on one stored object (after the database has narrowed the
candidates by span). Works on the plain trees and instances that calendar_app.ical gives."""

from datetime import UTC, datetime, timedelta, tzinfo

from core import textmatch
from core.errors import RoostError
from core.textmatch import UnknownCollation, collation_fold

from . import recurrence
from .ical.parse import OBJECT_COMPONENTS, Comp, DateOrTime, Document, Instance, Prop
from .query import CompFilter, ParamFilter, PropFilter, TextMatch, TimeRange


class UnsupportedCollation(RoostError):
    """RFC 4791 supported-collation: the text-match names a collation Roost does not have."""


def matches(doc: Document, flt: CompFilter | None, *, zone: tzinfo | None = None) -> bool:
    """Whether the object matches the VCALENDAR comp-filter (None matches everything)."""
    if flt is None:
        return True
    root = doc.tree()
    if flt.name != root.name:
        return flt.is_not_defined
    if flt.is_not_defined:
        return False
    return _comp_matches(doc, root, flt, zone)


def _comp_matches(doc: Document, comp: Comp, flt: CompFilter, zone: tzinfo | None) -> bool:
    """comp is named flt.name and defined; test its time-range, properties and children."""
    if flt.time_range is not None and not _comp_in_range(doc, comp, flt.time_range, zone):
        return False
    if not all(_prop_filter(comp, pf, zone) for pf in flt.prop_filters):
        return False
    for child_filter in flt.comp_filters:
        children = [c for c in comp.children if c.name == child_filter.name]
        if child_filter.is_not_defined:
            if children:
                return False
            continue
        if not any(_comp_matches(doc, child, child_filter, zone) for child in children):
            return False
    return True


def _bounds(time_range: TimeRange) -> tuple[datetime, datetime]:
    return time_range.start or recurrence.EARLIEST, time_range.end or recurrence.LATEST


def _utc(value: DateOrTime, zone: tzinfo | None) -> datetime:
    return recurrence.to_utc(value, zone)[0]


def _comp_in_range(doc: Document, comp: Comp, time_range: TimeRange, zone: tzinfo | None) -> bool:
    start, end = _bounds(time_range)
    if comp.name in OBJECT_COMPONENTS:
        if comp.name == "VTODO" and comp.first("DTSTART") is None and comp.first("DUE") is None:
            return _todo_overlaps(None, None, None, _time(comp, "COMPLETED"), _time(comp, "CREATED"), start, end, zone)
        window = time_range.start - timedelta(days=2) if time_range.start else None
        for instance in doc.instances(window, time_range.end, components=(comp.name,)):
            if instance_overlaps(instance, start, end, zone):
                return True
        return False
    if comp.name == "VALARM":
        return any(start <= moment < end for moment in doc.alarm_times(start, end, component="VEVENT")) or any(
            start <= moment < end for moment in doc.alarm_times(start, end, component="VTODO")
        )
    # VFREEBUSY, VAVAILABILITY and the like: compare DTSTART/DTEND when present.
    begin = _time(comp, "DTSTART")
    if begin is None:
        return False
    finish = _time(comp, "DTEND") or begin
    return _overlaps(_utc(begin, zone), _utc(finish, zone), start, end)


def _time(comp: Comp, name: str) -> DateOrTime | None:
    prop = comp.first(name)
    return prop.time if prop is not None else None


def _overlaps(begin: datetime, finish: datetime, start: datetime, end: datetime) -> bool:
    if finish > begin:
        return start < finish and end > begin
    return start <= begin < end


def instance_overlaps(instance: Instance, start: datetime, end: datetime, zone: tzinfo | None) -> bool:
    if instance.component == "VTODO":
        return _todo_overlaps(
            instance.start,
            instance.due,
            instance.duration,
            instance.completed,
            instance.created,
            start,
            end,
            zone,
        )
    if instance.start is None:
        return False
    begin = _utc(instance.start, zone)
    finish = _utc(instance.end, zone) if instance.end is not None else begin
    if instance.all_day and finish <= begin:
        finish = begin + timedelta(days=1)
    return _overlaps(begin, finish, start, end)


def _todo_overlaps(
    dtstart: DateOrTime | None,
    due: DateOrTime | None,
    duration: timedelta | None,
    completed: DateOrTime | None,
    created: DateOrTime | None,
    start: datetime,
    end: datetime,
    zone: tzinfo | None,
) -> bool:
    """The VTODO table of RFC 4791 9.9."""
    if dtstart is not None:
        s = _utc(dtstart, zone)
        if duration is not None:
            e = s + duration
            return start <= e and (end > s or end >= e)
        if due is not None:
            d = _utc(due, zone)
            return (start < d or start <= s) and (end > s or end >= d)
        return start <= s and end > s
    if due is not None:
        d = _utc(due, zone)
        return start < d and end >= d
    if completed is not None and created is not None:
        c, k = _utc(created, zone), _utc(completed, zone)
        return (start <= c or start <= k) and (end >= c or end >= k)
    if completed is not None:
        k = _utc(completed, zone)
        return start <= k and end >= k
    if created is not None:
        return end > _utc(created, zone)
    return True


def _prop_filter(comp: Comp, pf: PropFilter, zone: tzinfo | None) -> bool:
    props = comp.props_named(pf.name)
    if pf.is_not_defined:
        return not props
    return any(_prop_matches(prop, pf, zone) for prop in props)


def _prop_matches(prop: Prop, pf: PropFilter, zone: tzinfo | None) -> bool:
    if pf.time_range is not None:
        if prop.time is None:
            return False
        start, end = _bounds(pf.time_range)
        if not start <= _utc(prop.time, zone) < end:
            return False
    if pf.text_match is not None and not text_matches(prop.value, pf.text_match):
        return False
    return all(_param_matches(prop, param) for param in pf.param_filters)


def _param_matches(prop: Prop, pf: ParamFilter) -> bool:
    values = prop.param(pf.name)
    if pf.is_not_defined:
        return values is None
    if values is None:
        return False
    if pf.text_match is None:
        return True
    return any(text_matches(value, pf.text_match) for value in values)


def _fold(text: str, collation: str) -> str:
    try:
        return collation_fold(text, collation)
    except UnknownCollation as error:
        raise UnsupportedCollation(str(error)) from None


def check_collations(flt: CompFilter | None) -> None:
    """Raise UnsupportedCollation for any text-match in the filter whose collation Roost lacks, before any
    object is read (so an empty calendar answers the same as a full one)."""
    if flt is None:
        return
    matches = [pf.text_match for pf in flt.prop_filters]
    matches += [param.text_match for pf in flt.prop_filters for param in pf.param_filters]
    for match in matches:
        if match is not None:
            _fold("", match.collation)
    for child in flt.comp_filters:
        check_collations(child)


def text_matches(value: str, match: TextMatch) -> bool:
    _fold("", match.collation)  # an unknown collation is the query's error, not a non-match
    return textmatch.text_matches(
        value, text=match.text, collation=match.collation, match_type=match.match_type, negate=match.negate
    )


def narrowing(flt: CompFilter | None) -> tuple[str | None, TimeRange | None]:
    """What the database can narrow by: the component asked for and the time-range on it."""
    if flt is None or flt.is_not_defined:
        return None, None
    component: str | None = None
    time_range: TimeRange | None = None
    for child in flt.comp_filters:
        if child.name in OBJECT_COMPONENTS and not child.is_not_defined:
            component = child.name
            if child.time_range is not None:
                time_range = child.time_range
    return component, time_range


def plain_time_range(flt: CompFilter | None) -> TimeRange | None:
    """The range of a filter that asks nothing but "a VEVENT overlapping this range" (what phones send), else
    None: for such a filter an object whose whole span lies inside the range needs no exact test."""
    if flt is None or flt.is_not_defined or flt.time_range or flt.prop_filters or len(flt.comp_filters) != 1:
        return None
    (child,) = flt.comp_filters
    if child.name != "VEVENT" or child.is_not_defined or child.prop_filters or child.comp_filters:
        return None
    return child.time_range


def utc_now() -> datetime:
    return datetime.now(UTC)
