"""The CalDAV layer's door to the calendar store: calendars and their objects as plain values, the calls that
read and change them, and `calendar_errors`, the one place where the store's errors become DAV preconditions.
Imported through dav/resources.py; dav/caldav.py knows only the values and functions here.

A user's home holds their own calendars under their slugs and every calendar shared with them as
"shared-<calendar id>", reached through calendar_get_for_user (so the share decides read or read-write)."""

import logging
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from calendar_app.models import Calendar, CalendarObject
from calendar_app.query import CalendarQuery, TimeRange
from calendar_app.selectors import (
    calendar_changes_since,
    calendar_freebusy_ical,
    calendar_get_for_user,
    calendar_get_owned,
    calendar_object_data,
    calendar_objects,
    calendar_objects_query,
    calendar_timezone_ical,
    calendars_for_user,
    timezone_name_from_ical,
)
from calendar_app.services import (
    calendar_create,
    calendar_delete,
    calendar_object_delete,
    calendar_object_put,
    calendar_update,
)
from calendar_app.services.objects import OBJECT_MAX_BYTES
from calendar_app.types import (
    InvalidCalendarData,
    InvalidSyncToken,
    UidConflict,
    UnsupportedCollation,
    UnsupportedComponent,
)
from core.access import Access, Role
from core.errors import Forbidden, NotFound, PayloadTooLarge
from dav.webdav import (
    CALDAV,
    DavError,
    Preconditions,
    dav,
    element,
    hrefs,
    invalid_sync_token,
    qname,
    sync_token_make,
    sync_token_seq,
)

log = logging.getLogger(__name__)

CALENDAR_MAX_RESOURCE_SIZE = OBJECT_MAX_BYTES
SHARED = re.compile(r"^shared-([1-9][0-9]{0,17})$")


@dataclass(frozen=True)
class Cal:
    """One calendar as a home member: `name` is its segment in the home (slug, or shared-<id>)."""

    name: str
    display_name: str
    description: str
    color: str  # "#rrggbb"
    order: int
    components: tuple[str, ...]
    timezone: str  # IANA name or ""
    seq: int  # the CTag and the number in the sync token
    access: Access[Calendar]

    @property
    def writable(self) -> bool:
        return self.access.can_write

    @property
    def owned(self) -> bool:
        return self.access.role == Role.OWNER

    @property
    def owner_address(self) -> str:
        return self.access.obj.owner.get_username().lower()

    @property
    def key(self) -> str:
        return f"cal-{self.access.obj.pk}"


@dataclass(frozen=True)
class Item:
    """One calendar object resource."""

    name: str
    etag: str
    data: str
    component: str
    last_modified: datetime | None
    obj: CalendarObject


@dataclass(frozen=True)
class CalChanges:
    seq: int
    changed: list[Item]
    deleted: list[str]


# ---------------------------------------------------------------------------------------------------------
# Errors: the one mapping from the store's errors to DAV's


def calendar_need_privileges(path: str, privilege: str = "write-content", what: str = "calendar") -> DavError:
    resource = element(
        dav("resource"), children=[*hrefs(path), element(dav("privilege"), children=[element(dav(privilege))])]
    )
    return DavError(
        403,
        f"This {what} is read-only for you.",
        precondition=element(dav("need-privileges"), children=[resource]),
    )


def _c(local: str) -> str:
    return qname(CALDAV, local)


@contextmanager
def calendar_errors(path: str, calendar_path: str = "", privilege: str = "write-content") -> Iterator[None]:
    """Run a store call for the resource at path (an object, or a calendar); calendar_path names the object's
    calendar, for the href of a no-uid-conflict."""
    try:
        yield
    except UidConflict as error:
        href = hrefs(calendar_path + error.existing_name)
        raise DavError(403, str(error), precondition=element(_c("no-uid-conflict"), children=href)) from None
    except UnsupportedComponent as error:
        raise DavError(403, str(error), precondition=_c("supported-calendar-component")) from None
    except InvalidCalendarData as error:
        raise DavError(403, str(error), precondition=_c("valid-calendar-data")) from None
    except PayloadTooLarge as error:
        raise DavError(403, str(error), precondition=_c("max-resource-size")) from None
    except UnsupportedCollation as error:
        raise DavError(403, str(error), precondition=_c("supported-collation")) from None
    except InvalidSyncToken:
        raise invalid_sync_token() from None
    except Forbidden:
        raise calendar_need_privileges(path, privilege) from None
    # Every other Roost error (412, 404 ...) becomes its status in the core's one mapping (dav_error_from).


# ---------------------------------------------------------------------------------------------------------
# Reads


def _cal(name: str, access: Access[Calendar]) -> Cal:
    calendar = access.obj
    return Cal(
        name=name,
        display_name=calendar.name,
        description=calendar.description,
        color=calendar.color,
        order=calendar.order,
        components=tuple(calendar.components),
        timezone=calendar.timezone,
        seq=calendar.sync_seq,
        access=access,
    )


def _member_name(access: Access[Calendar]) -> str:
    return access.obj.slug if access.role == Role.OWNER else f"shared-{access.obj.pk}"


def calendars(user: Any) -> list[Cal]:
    """The user's own calendars (the default one made on first use), then those shared with them."""
    return [_cal(_member_name(a), a) for a in calendars_for_user(user=user)]


def calendar(user: Any, name: str) -> Cal | None:
    """The home member called name. Own slugs are matched without regard to case (Apple names new calendars
    with upper-case UUIDs; slugs are lower case); shared-<id> names a calendar shared with the user."""
    try:
        return _cal(name, calendar_get_owned(user=user, slug=name.lower()))
    except NotFound:
        pass
    shared = SHARED.match(name)
    if shared is None:
        return None
    try:
        access = calendar_get_for_user(user=user, calendar_id=int(shared.group(1)))
    except NotFound:
        return None
    return _cal(name, access) if access.role != Role.OWNER else None


def _item(obj: CalendarObject) -> Item:
    return Item(obj.name, obj.etag, obj.data, obj.component, obj.modified, obj)


def items(cal: Cal, names: Sequence[str] | None = None) -> list[Item]:
    return [_item(obj) for obj in calendar_objects(calendar=cal.access.obj, names=names)]


def item(cal: Cal, name: str) -> Item | None:
    found = items(cal, [name])
    return found[0] if found else None


def calendar_query(cal: Cal, wanted: CalendarQuery, path: str) -> list[Item]:
    with calendar_errors(path):
        return [_item(obj) for obj in calendar_objects_query(calendar=cal.access.obj, query=wanted)]


def calendar_data(found: Item, expand: TimeRange | None, limit_recurrence_set: TimeRange | None) -> str:
    """The object's text, expanded or limited as asked; an object that no longer parses is served as stored."""
    try:
        return calendar_object_data(obj=found.obj, expand=expand, limit_recurrence_set=limit_recurrence_set)
    except Exception:  # one broken object never takes down a REPORT
        log.warning("calendar object %s served as stored: it cannot be expanded", found.name, exc_info=True)
        return found.data


def calendar_freebusy_text(cal: Cal, start: datetime, end: datetime) -> str:
    return calendar_freebusy_ical(calendars=[cal.access.obj], start=start, end=end, now=timezone.now())


def calendar_timezone(cal: Cal) -> str | None:
    return calendar_timezone_ical(calendar=cal.access.obj)


def timezone_name(data: str) -> str | None:
    return timezone_name_from_ical(data=data)


def calendar_with_seq(cal: Cal, seq: int) -> Cal:
    return replace(cal, seq=seq)


def calendar_sync_token(cal: Cal) -> str:
    return sync_token_make(cal.key, cal.seq)


def calendar_changes(cal: Cal, token: str | None, path: str) -> CalChanges:
    seq = sync_token_seq(token, cal.key)
    with calendar_errors(path):
        change_set = calendar_changes_since(calendar=cal.access.obj, seq=seq)
    return CalChanges(change_set.seq, [_item(obj) for obj in change_set.changed], list(change_set.deleted))


# ---------------------------------------------------------------------------------------------------------
# Writes


def _one_etag(tags: tuple[str, ...] | None, current: str | None) -> str | None:
    """The store takes one If-Match ETag: the current one when it is among several, else the first."""
    if tags is None:
        return None
    if "*" in tags:
        return "*"
    return current if current in tags else tags[0]


def put_item(
    cal: Cal, name: str, body: bytes, conditions: Preconditions, path: str, calendar_path: str
) -> tuple[str, bool]:
    if not cal.writable:
        raise calendar_need_privileges(path)
    current = item(cal, name) if conditions.if_match and len(conditions.if_match) > 1 else None
    if conditions.if_none_match is not None and not conditions.if_none_match_any:
        existing = current or item(cal, name)
        conditions.check(existing.etag if existing else None)
    with calendar_errors(path, calendar_path):
        result = calendar_object_put(
            access=cal.access,
            name=name,
            data=body,
            if_match=_one_etag(conditions.if_match, current.etag if current else None),
            if_none_match_any=conditions.if_none_match_any,
        )
    return result.obj.etag, result.created


def delete_item(cal: Cal, name: str, conditions: Preconditions, path: str) -> None:
    if not cal.writable:
        raise calendar_need_privileges(path, "unbind")
    current = item(cal, name) if conditions.if_match and len(conditions.if_match) > 1 else None
    if conditions.if_none_match is not None:
        existing = current or item(cal, name)
        conditions.check(existing.etag if existing else None)
    with calendar_errors(path, privilege="unbind"):
        calendar_object_delete(
            access=cal.access, name=name, if_match=_one_etag(conditions.if_match, current.etag if current else None)
        )


@dataclass(frozen=True)
class CalendarSettings:
    """What a MKCALENDAR or PROPPATCH sets (None: left as it is)."""

    display_name: str | None = None
    description: str | None = None
    color: str | None = None
    order: int | None = None
    timezone: str | None = None
    components: tuple[str, ...] | None = None


def create_calendar(user: Any, slug: str, settings: CalendarSettings, path: str) -> Cal:
    with calendar_errors(path), transaction.atomic():
        created = calendar_create(
            owner=user,
            name=settings.display_name or slug,
            color=settings.color,
            components=settings.components or ("VEVENT",),
            slug=slug,
            description=settings.description or "",
        )
        access = Access(obj=created, role=Role.OWNER)
        if settings.order is not None or settings.timezone:
            created = calendar_update(access=access, order=settings.order, timezone=settings.timezone or None)
    return _cal(slug, Access(obj=created, role=Role.OWNER))


def update_calendar(cal: Cal, settings: CalendarSettings, path: str) -> None:
    if not cal.owned:
        raise calendar_need_privileges(path, "write-properties")
    with calendar_errors(path, privilege="write-properties"):
        calendar_update(
            access=cal.access,
            name=settings.display_name,
            description=settings.description,
            color=settings.color,
            order=settings.order,
            timezone=settings.timezone,
        )


def delete_calendar(cal: Cal, path: str) -> None:
    if not cal.owned:
        raise calendar_need_privileges(path, "unbind", "shared calendar")
    with calendar_errors(path, privilege="unbind"):
        calendar_delete(access=cal.access)
