"""Events as the web editor changes them: create, update, move and delete one occurrence, the following ones or
a whole series. Each change is one calendar_object_put/delete, the same doors CalDAV uses, so a phone sees it
at its next sync and the editor's ETag check protects against a change made meanwhile on another device."""

import uuid
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from calendar_app.eventfields import EventFields
from calendar_app.ical.edit import EventView, event_change, event_new, event_read, event_remove, event_times_moved
from calendar_app.models import Calendar, CalendarObject
from calendar_app.selectors import calendar_object_get
from core.access import Access

from .objects import calendar_object_delete, calendar_object_put, require_writer


@dataclass(frozen=True)
class EventRef:
    calendar_id: int
    name: str
    etag: str


def _writable(access: Access[Calendar]) -> Calendar:
    return require_writer(access)


def event_create(*, access: Access[Calendar], fields: EventFields, owner_email: str) -> EventRef:
    calendar = _writable(access)
    uid = str(uuid.uuid4())
    data = event_new(fields=fields, uid=uid, now=timezone.now(), owner_email=owner_email)
    result = calendar_object_put(access=access, name=f"{uid}.ics", data=data, if_none_match_any=True)
    return EventRef(calendar_id=calendar.pk, name=result.obj.name, etag=result.obj.etag)


def event_view(*, access: Access[Calendar], name: str, recurrence_id: str | None) -> tuple[EventView, CalendarObject]:
    obj = calendar_object_get(calendar=access.obj, name=name)
    return event_read(data=obj.data, recurrence_id=recurrence_id), obj


def event_update(
    *,
    access: Access[Calendar],
    name: str,
    fields: EventFields,
    scope: str,
    recurrence_id: str | None,
    etag: str | None,
    owner_email: str,
    target: Access[Calendar] | None = None,
) -> EventRef:
    """Change an event; `target` (another calendar the user may write) moves the whole event there."""
    calendar = _writable(access)
    obj = calendar_object_get(calendar=calendar, name=name)
    new_uid = str(uuid.uuid4())
    change = event_change(
        data=obj.data,
        fields=fields,
        scope=scope,
        recurrence_id=recurrence_id,
        now=timezone.now(),
        owner_email=owner_email,
        new_uid=new_uid,
    )
    with transaction.atomic():
        if target is not None and target.obj.pk != calendar.pk and change.split is None:
            _writable(target)
            calendar_object_delete(access=access, name=name, if_match=etag or obj.etag)
            result = calendar_object_put(access=target, name=name, data=change.data or obj.data, if_none_match_any=True)
        else:
            result = calendar_object_put(
                access=access, name=name, data=change.data or obj.data, if_match=etag or obj.etag
            )
            if change.split is not None:
                calendar_object_put(access=access, name=f"{new_uid}.ics", data=change.split, if_none_match_any=True)
    return EventRef(calendar_id=result.obj.calendar_id, name=result.obj.name, etag=result.obj.etag)


def event_move(
    *,
    access: Access[Calendar],
    name: str,
    scope: str,
    recurrence_id: str | None,
    start: str,
    end: str,
    all_day: bool,
    owner_email: str,
) -> EventRef:
    """A drag or a resize in the grid: the occurrence's new times, in the event's own zone."""
    view, obj = event_view(access=access, name=name, recurrence_id=recurrence_id)
    fields = event_times_moved(view=view, start=start, end=end, all_day=all_day)
    return event_update(
        access=access,
        name=name,
        fields=fields,
        scope=scope,
        recurrence_id=recurrence_id,
        etag=obj.etag,
        owner_email=owner_email,
    )


def event_delete(
    *, access: Access[Calendar], name: str, scope: str, recurrence_id: str | None, etag: str | None
) -> None:
    calendar = _writable(access)
    obj = calendar_object_get(calendar=calendar, name=name)
    change = event_remove(data=obj.data, scope=scope, recurrence_id=recurrence_id, now=timezone.now())
    with transaction.atomic():
        if change.data is None:
            calendar_object_delete(access=access, name=name, if_match=etag or obj.etag)
        else:
            calendar_object_put(access=access, name=name, data=change.data, if_match=etag or obj.etag)
