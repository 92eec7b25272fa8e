"""The instance index (CalendarInstance): every occurrence of a stored VEVENT as a row on the UTC line, made
when the object is stored, so time-range queries need no expansion (docs/calendar.md)."""

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.backends.postgresql.psycopg_any import DateTimeTZRange

from calendar_app import recurrence
from calendar_app.ical.parse import Document, zone_named
from calendar_app.models import Calendar, CalendarInstance, CalendarObject

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class InstanceIndex:
    spans: list[DateTimeTZRange] = field(default_factory=list)
    exact: bool = False  # every instance has a zoned or UTC time: the rows are its exact times
    until: datetime | None = None  # the rows stop here (a long series was cut); later ones need parsing


def _exact(value: date | datetime | None) -> bool:
    return isinstance(value, datetime) and value.tzinfo is not None


def instance_index(*, data: str, component: str, timezone: str) -> InstanceIndex:
    """The rows of one object. A VTODO has none (its time-range rules differ; its span serves it); an object
    that cannot be expanded has none and is found from its span only, by parsing."""
    if component != "VEVENT":
        return InstanceIndex()
    zone = zone_named(timezone) if timezone else None  # where floating times are read
    try:
        found = Document(data).instances(None, None, limit=recurrence.MAX_INDEXED_INSTANCES)
    except Exception:
        log.warning("an object could not be indexed", exc_info=True)
        return InstanceIndex(until=recurrence.EARLIEST)
    exact = all(_exact(i.start) and (i.end is None or _exact(i.end)) for i in found)
    spans = []
    for instance in found:
        if instance.start is None:
            continue
        begin = recurrence.to_utc(instance.start, zone)[0]
        finish = recurrence.to_utc(instance.end, zone)[0] if instance.end is not None else begin
        if instance.all_day and finish <= begin:
            finish = begin + timedelta(days=1)
        if not exact:
            begin, finish = begin - recurrence.SLACK, finish + recurrence.SLACK
        spans.append(DateTimeTZRange(begin, max(begin, finish), "[]" if finish <= begin else "[)"))
    until = spans[-1].lower if len(found) >= recurrence.MAX_INDEXED_INSTANCES and spans else None
    return InstanceIndex(spans=spans, exact=exact, until=until)


def instances_reindex(*, obj: CalendarObject, calendar: Calendar) -> None:
    """Replace the object's rows (under the calendar's lock, in the transaction of its change)."""
    index = instance_index(data=obj.data, component=obj.component, timezone=calendar.timezone)
    CalendarInstance.objects.filter(obj=obj).delete()
    CalendarInstance.objects.bulk_create(
        (CalendarInstance(calendar=calendar, obj=obj, span=span) for span in index.spans), batch_size=1000
    )
    if obj.instances_exact != index.exact or obj.instances_until != index.until:
        obj.instances_exact, obj.instances_until = index.exact, index.until
        obj.save(update_fields=["instances_exact", "instances_until"])
