"""Writing and deleting calendar object resources: validated before anything is stored, checked against
If-Match / If-None-Match and the calendar's UIDs under the calendar's row lock, logged for sync."""

import logging

from django.db import transaction
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange

from calendar_app.ical import parse as ical
from calendar_app.locks import calendar_locked
from calendar_app.models import Calendar, CalendarChange, CalendarObject, CalendarSubscription
from calendar_app.services.alarms import alarms_reindex
from calendar_app.services.announce import calendar_changed_announce
from calendar_app.services.instances import instances_reindex
from calendar_app.types import PutResult, UidConflict
from core.access import Access
from core.errors import Forbidden, NotFound, PayloadTooLarge, PreconditionFailed, RoostError

log = logging.getLogger(__name__)

# Changes kept for incremental sync; an older token starts over with a full sync.
HISTORY_KEPT = 10_000
PRUNE_EVERY = 500
# The largest object stored (RFC 4791 max-resource-size): events with inline attachments stay well below.
OBJECT_MAX_BYTES = 2 * 1024 * 1024


def check_name(name: str) -> str:
    if not name or len(name) > 255 or "/" in name or "\\" in name or name in {".", ".."}:
        raise RoostError("An object name must be one path segment of 1 to 255 characters, without '/'.")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
        raise RoostError("An object name may not contain control characters.")
    return name


SUBSCRIBED_READ_ONLY = "This calendar is a subscription: it changes only when its source does."


def require_writer(access: Access[Calendar]) -> Calendar:
    """The calendar, if this access may change its objects. A subscribed calendar refuses everyone, however
    its Access was made: only the refresh writes there, and it stores under the lock itself."""
    if access.read_only or CalendarSubscription.objects.filter(calendar_id=access.obj.pk).exists():
        raise Forbidden(SUBSCRIBED_READ_ONLY)
    if not access.can_write:
        raise Forbidden("This calendar is shared with you read-only.")
    return access.obj


def _unquote(etag: str) -> str:
    etag = etag.strip()
    if etag.startswith("W/"):
        etag = etag[2:]
    return etag.strip('"')


def record_change(calendar: Calendar, name: str, *, deleted: bool) -> None:
    """Bump the (locked) calendar's sync_seq and log the change under it."""
    calendar.sync_seq += 1
    fields = ["sync_seq", "modified"]
    if calendar.sync_seq % PRUNE_EVERY == 0 and calendar.sync_seq > HISTORY_KEPT:
        floor = calendar.sync_seq - HISTORY_KEPT
        CalendarChange.objects.filter(calendar=calendar, seq__lt=floor).delete()
        calendar.history_start = floor - 1
        fields.append("history_start")
    calendar.save(update_fields=fields)
    CalendarChange.objects.create(calendar=calendar, seq=calendar.sync_seq, name=name, deleted=deleted)


def span_range(parsed: ical.ParsedObject) -> DateTimeTZRange:
    return DateTimeTZRange(parsed.span_start, parsed.span_end, "[]")


def store_parsed(
    calendar: Calendar, name: str, parsed: ical.ParsedObject, existing: CalendarObject | None
) -> PutResult:
    """Save under the calendar's lock (held by the caller); raise UidConflict when the UID is another's."""
    other = (
        CalendarObject.objects.filter(calendar=calendar, uid=parsed.uid)
        .exclude(name=name)
        .values_list("name", flat=True)
    ).first()
    if other is not None:
        raise UidConflict(f"Another object ({other}) in this calendar already has the UID {parsed.uid}.", other)
    values = {
        "uid": parsed.uid,
        "component": parsed.component,
        "data": parsed.text,
        "etag": parsed.etag,
        "sequence": parsed.sequence,
        "summary": parsed.summary[:2000],
        "recurring": parsed.recurring,
        "span": span_range(parsed),
    }
    if existing is None:
        obj = CalendarObject.objects.create(calendar=calendar, name=name, **values)
        created = True
    else:
        for field, value in values.items():
            setattr(existing, field, value)
        existing.save(update_fields=[*values, "modified"])
        obj, created = existing, False
    instances_reindex(obj=obj, calendar=calendar)
    alarms_reindex(obj=obj, calendar=calendar)
    record_change(calendar, name, deleted=False)
    return PutResult(obj=obj, created=created)


def calendar_object_put(
    *,
    access: Access[Calendar],
    name: str,
    data: bytes | str,
    if_match: str | None = None,
    if_none_match_any: bool = False,
) -> PutResult:
    check_name(name)
    require_writer(access)
    size = len(data.encode()) if isinstance(data, str) else len(data)
    if size > OBJECT_MAX_BYTES:
        raise PayloadTooLarge(f"A calendar object may be at most {OBJECT_MAX_BYTES // (1024 * 1024)} MB.")
    parsed = ical.parse_object(data, accepted=access.obj.components)
    with transaction.atomic():
        calendar = calendar_locked(access.obj.pk)
        existing = CalendarObject.objects.filter(calendar=calendar, name=name).first()
        if if_none_match_any and existing is not None:
            raise PreconditionFailed(f"{name} already exists.")
        if if_match is not None:
            wanted = _unquote(if_match)
            if existing is None or (wanted != "*" and wanted != existing.etag):
                raise PreconditionFailed(f"{name} has changed since it was read (ETag mismatch).")
        result = store_parsed(calendar, name, parsed, existing)
        calendar_changed_announce(calendar=calendar)
        return result


def calendar_object_delete(*, access: Access[Calendar], name: str, if_match: str | None = None) -> None:
    check_name(name)
    require_writer(access)
    with transaction.atomic():
        calendar = calendar_locked(access.obj.pk)
        existing = CalendarObject.objects.filter(calendar=calendar, name=name).first()
        if existing is None:
            raise NotFound(f"{name} does not exist.")
        if if_match is not None and _unquote(if_match) not in {"*", existing.etag}:
            raise PreconditionFailed(f"{name} has changed since it was read (ETag mismatch).")
        existing.delete()  # its alarms go with it (CalendarAlarm.obj cascades)
        record_change(calendar, name, deleted=True)
        calendar_changed_announce(calendar=calendar)
