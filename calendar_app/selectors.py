"""Reading calendars and their objects. Every calendar a user reaches comes through calendar_get_for_user
(or calendars_for_user), which says what they may do and gives anyone else NotFound."""

import logging
from collections.abc import Sequence
from datetime import date, datetime, tzinfo

from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.db.models import QuerySet

from accounts.models import User
from core.access import Access, Role
from core.errors import NotFound

from . import evaluate, recurrence
from .ical import parse as ical
from .ical import zones
from .ical.parse import Document, Instance
from .models import Calendar, CalendarChange, CalendarInstance, CalendarObject, CalendarShare, CalendarSubscription
from .query import CalendarQuery, TimeRange
from .services.calendars import calendar_ensure_default
from .types import Busy, ChangeSet, InvalidSyncToken, Occurrence

log = logging.getLogger(__name__)


def _subscribed(calendar_ids: Sequence[int]) -> set[int]:
    """Which of these calendars mirror a subscription (read-only for everyone)."""
    if not calendar_ids:
        return set()
    return set(
        CalendarSubscription.objects.filter(calendar_id__in=list(calendar_ids)).values_list("calendar_id", flat=True)
    )


def calendars_for_user(*, user: User) -> list[Access[Calendar]]:
    """The user's own calendars (by order), then those shared with them; the default one made on first use."""
    own = list(Calendar.objects.filter(owner=user).order_by("order", "pk"))
    if not own:
        own = [calendar_ensure_default(user=user)]
    shares = list(CalendarShare.objects.filter(user=user).select_related("calendar").order_by("calendar__name", "pk"))
    frozen = _subscribed([c.pk for c in own] + [s.calendar_id for s in shares])
    return [Access(obj=c, role=Role.OWNER, read_only=c.pk in frozen) for c in own] + [
        Access(
            obj=s.calendar,
            role=Role.SHARED_WRITE if s.can_write else Role.SHARED_READ,
            read_only=s.calendar_id in frozen,
        )
        for s in shares
    ]


def calendar_get_for_user(*, user: User, calendar_id: int) -> Access[Calendar]:
    calendar = Calendar.objects.filter(pk=calendar_id).first()
    if calendar is not None and user.is_authenticated:
        frozen = bool(_subscribed([calendar.pk]))
        if calendar.owner_id == user.pk:
            return Access(obj=calendar, role=Role.OWNER, read_only=frozen)
        share = CalendarShare.objects.filter(calendar=calendar, user=user).first()
        if share is not None:
            role = Role.SHARED_WRITE if share.can_write else Role.SHARED_READ
            return Access(obj=calendar, role=role, read_only=frozen)
    raise NotFound("This calendar does not exist.")


def calendar_get_owned(*, user: User, slug: str) -> Access[Calendar]:
    calendar = Calendar.objects.filter(owner_id=user.pk, slug=slug).first() if user.is_authenticated else None
    if calendar is None:
        raise NotFound("This calendar does not exist.")
    return Access(obj=calendar, role=Role.OWNER, read_only=bool(_subscribed([calendar.pk])))


def subscription_get_for_user(*, user: User, calendar_id: int) -> Access[CalendarSubscription]:
    """The subscription behind a calendar the user sees (the role is theirs on the calendar); NotFound for a
    calendar they cannot see or one that is no subscription."""
    calendar_access = calendar_get_for_user(user=user, calendar_id=calendar_id)
    subscription = CalendarSubscription.objects.filter(calendar_id=calendar_access.obj.pk).first()
    if subscription is None:
        raise NotFound("This calendar is not a subscription.")
    subscription.calendar = calendar_access.obj
    return Access(obj=subscription, role=calendar_access.role, read_only=True)


def calendar_subscription(*, calendar: Calendar) -> CalendarSubscription | None:
    """The subscription a calendar mirrors, if it is one (for showing; reach it through an Access first)."""
    return CalendarSubscription.objects.filter(calendar_id=calendar.pk).first()


def calendar_by_public_token(*, token: str) -> Calendar:
    calendar = Calendar.objects.filter(public_token=token).first() if token else None
    if calendar is None:
        raise NotFound("This calendar link does not exist or was revoked.")
    return calendar


def calendar_objects(*, calendar: Calendar, names: Sequence[str] | None = None) -> list[CalendarObject]:
    found = CalendarObject.objects.filter(calendar=calendar)
    if names is not None:
        found = found.filter(name__in=list(names))
    return list(found.order_by("name"))


def calendar_object_get(*, calendar: Calendar, name: str) -> CalendarObject:
    obj = CalendarObject.objects.filter(calendar=calendar, name=name).first()
    if obj is None:
        raise NotFound(f"{name} does not exist.")
    return obj


def _zone_of(calendar: Calendar) -> tzinfo | None:
    """Where floating times of this calendar are read (its own zone, if it names one)."""
    return ical.zone_named(calendar.timezone) if calendar.timezone else None


def _overlapping(
    found: QuerySet[CalendarObject], start: datetime | None, end: datetime | None
) -> QuerySet[CalendarObject]:
    if start is None and end is None:
        return found
    return found.filter(span__overlap=DateTimeTZRange(start, end, "[]"))


def _events_overlapping(
    calendars: Sequence[Calendar], start: datetime | None, end: datetime | None
) -> QuerySet[CalendarObject]:
    """VEVENT objects with an instance in [start, end), from the instance index, plus the few whose indexed
    instances stop before `end` (long series) and whose span reaches the range: a superset, by the database.
    Two indexed lookups, then the objects by key (an OR of both in one query made Postgres read every object
    of the calendar)."""
    events = CalendarObject.objects.filter(calendar__in=list(calendars), component="VEVENT")
    if start is None and end is None:
        return events
    window = DateTimeTZRange(start, end, "[)")
    hits = CalendarInstance.objects.filter(calendar__in=list(calendars), span__overlap=window)
    ids = set(hits.values_list("obj_id", flat=True))
    beyond = events.filter(instances_until__isnull=False, span__overlap=DateTimeTZRange(start, end, "[]"))
    if end is not None:
        beyond = beyond.filter(instances_until__lt=end)
    ids.update(beyond.values_list("pk", flat=True))
    return events.filter(pk__in=ids)


def _indexed_exactly(obj: CalendarObject, end: datetime | None) -> bool:
    """The object's instance rows are its exact times up to `end`: the index's answer needs no parsing."""
    if not obj.instances_exact:
        return False
    return obj.instances_until is None or (end is not None and end <= obj.instances_until)


def calendar_objects_query(*, calendar: Calendar, query: CalendarQuery) -> list[CalendarObject]:
    """RFC 4791 9.7: the database narrows by component and span; each candidate is then tested exactly.
    An object that no longer parses is logged and left out."""
    evaluate.check_collations(query.filter)
    component, time_range = evaluate.narrowing(query.filter)
    found = CalendarObject.objects.filter(calendar=calendar)
    if component is not None:
        found = found.filter(component=component)
    if time_range is not None and component == "VEVENT":
        found = _events_overlapping([calendar], time_range.start, time_range.end)
    elif time_range is not None:
        found = _overlapping(found, time_range.start, time_range.end)
    zone = _zone_of(calendar)
    # Objects are parsed anyway when their data is to be expanded, so the shortcut serves plain answers only.
    expanding = query.expand is not None or query.limit_recurrence_set is not None
    plain = None if expanding else evaluate.plain_time_range(query.filter)
    candidates = list(found.defer("span", "summary").order_by("name"))  # neither is needed to answer
    inside = _rows_inside([o for o in candidates if not _indexed_exactly(o, plain.end)], plain) if plain else set()
    result: list[CalendarObject] = []
    for obj in candidates:
        if plain is not None and (_indexed_exactly(obj, plain.end) or obj.pk in inside):
            result.append(obj)  # the index's answer is exact for this object: no parsing needed
            continue
        try:
            if evaluate.matches(Document(obj.data), query.filter, zone=zone):
                result.append(obj)
        except evaluate.UnsupportedCollation:
            raise
        except Exception:
            log.warning("calendar %s: object %s skipped in a query", calendar.pk, obj.name, exc_info=True)
    return result


def _rows_inside(objects: Sequence[CalendarObject], time_range: TimeRange) -> set[int]:
    """Of these objects, those with an index row (widened by a day if its times are dates or floating) wholly
    inside the range: the real occurrence lies within its row, so it is in the range. One query."""
    if not objects:
        return set()
    window = DateTimeTZRange(time_range.start, time_range.end, "[)")
    rows = CalendarInstance.objects.filter(obj__in=[o.pk for o in objects], span__contained_by=window)
    return set(rows.values_list("obj_id", flat=True).distinct())


def calendar_object_data(
    *, obj: CalendarObject, expand: TimeRange | None = None, limit_recurrence_set: TimeRange | None = None
) -> str:
    """The object's text as stored, or expanded (RFC 4791 9.6.5), or with its overrides limited (9.6.6)."""
    if expand is None and limit_recurrence_set is None:
        return obj.data
    doc = Document(obj.data)
    if expand is not None:
        low, high = recurrence.clamp(expand.start, expand.end)
        return doc.expanded(low, high)
    assert limit_recurrence_set is not None
    low, high = recurrence.clamp(limit_recurrence_set.start, limit_recurrence_set.end)
    return doc.limited(low, high)


def calendar_changes_since(*, calendar: Calendar, seq: int | None) -> ChangeSet:
    """What changed after sync token `seq` (RFC 6578): objects as they are now, and names deleted."""
    fresh = Calendar.objects.filter(pk=calendar.pk).values("sync_seq", "history_start").first()
    if fresh is None:
        raise NotFound("This calendar does not exist.")
    current = fresh["sync_seq"]
    if seq is None:
        return ChangeSet(seq=current, changed=calendar_objects(calendar=calendar), deleted=[])
    if seq < 0 or seq > current or seq < fresh["history_start"]:
        raise InvalidSyncToken("The sync token is not valid for this calendar; sync it again from the start.")
    names = set(
        CalendarChange.objects.filter(calendar=calendar, seq__gt=seq, seq__lte=current).values_list("name", flat=True)
    )
    changed = calendar_objects(calendar=calendar, names=sorted(names)) if names else []
    present = {obj.name for obj in changed}
    return ChangeSet(seq=current, changed=changed, deleted=sorted(names - present))


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _candidates(calendars: Sequence[Calendar], start: datetime, end: datetime) -> QuerySet[CalendarObject]:
    return _events_overlapping(calendars, start, end).order_by("calendar_id", "name")


def _instances_of(obj: CalendarObject, start: datetime, end: datetime, zone: tzinfo | None) -> list[Instance]:
    """The object's VEVENT instances overlapping [start, end); [] (logged) when it no longer parses."""
    try:
        doc = Document(obj.data)
        return [
            i
            for i in doc.instances(start, end)
            if i.start is not None and evaluate.instance_overlaps(i, start, end, zone)
        ]
    except Exception:
        log.warning("calendar %s: object %s skipped", obj.calendar_id, obj.name, exc_info=True)
        return []


def calendar_hidden_shares(*, user: User) -> set[int]:
    """Ids of calendars shared with the user that they chose not to show."""
    return set(CalendarShare.objects.filter(user=user, hidden=True).values_list("calendar_id", flat=True))


def calendar_occurrences(
    *, user: User, start: datetime, end: datetime, calendar_ids: Sequence[int] | None = None
) -> list[Occurrence]:
    """Every VEVENT occurrence in [start, end) of the calendars the user sees (own and shared, not hidden)."""
    accesses = calendars_for_user(user=user)
    hidden_shares = calendar_hidden_shares(user=user)
    visible = [
        a
        for a in accesses
        if not (a.role == Role.OWNER and a.obj.hidden)
        and a.obj.pk not in hidden_shares
        and (calendar_ids is None or a.obj.pk in set(calendar_ids))
    ]
    by_id = {a.obj.pk: a for a in visible}
    found: list[Occurrence] = []
    for obj in _candidates([a.obj for a in visible], start, end):
        access = by_id[obj.calendar_id]
        for instance in _instances_of(obj, start, end, _zone_of(access.obj)):
            assert instance.start is not None
            found.append(
                Occurrence(
                    calendar_id=obj.calendar_id,
                    name=obj.name,
                    uid=instance.uid,
                    recurrence_id=_iso(instance.recurrence_id),
                    start=instance.start,
                    end=instance.end if instance.end is not None else instance.start,
                    all_day=instance.all_day,
                    summary=instance.summary,
                    location=instance.location,
                    color=access.obj.color,
                    can_write=access.can_write,
                    recurring=obj.recurring,
                    status=instance.status,
                    transparency=instance.transparency,
                    klass=instance.klass,
                )
            )
    found.sort(key=lambda o: (recurrence.to_utc(o.start)[0], o.calendar_id, o.name))
    return found


_FBTYPE_RANK = {"BUSY-TENTATIVE": 0, "BUSY": 1, "BUSY-UNAVAILABLE": 2}


def calendar_freebusy(*, calendars: Sequence[Calendar], start: datetime, end: datetime) -> list[Busy]:
    """Busy periods in [start, end), clipped and merged per kind; transparent and cancelled events are free."""
    periods: list[Busy] = []
    zones = {c.pk: _zone_of(c) for c in calendars}
    for obj in _candidates(calendars, start, end):
        for instance in _instances_of(obj, start, end, zones.get(obj.calendar_id)):
            if instance.transparency == "TRANSPARENT" or instance.status == "CANCELLED" or instance.start is None:
                continue
            zone = zones.get(obj.calendar_id)
            begin = recurrence.to_utc(instance.start, zone)[0]
            finish = recurrence.to_utc(instance.end, zone)[0] if instance.end is not None else begin
            begin, finish = max(begin, start), min(finish, end)
            if finish <= begin:
                continue
            fbtype = "BUSY-TENTATIVE" if instance.status == "TENTATIVE" else "BUSY"
            periods.append(Busy(start=begin, end=finish, fbtype=fbtype))
    merged: list[Busy] = []
    for fbtype in _FBTYPE_RANK:
        kind = sorted((p for p in periods if p.fbtype == fbtype), key=lambda p: p.start)
        for period in kind:
            if merged and merged[-1].fbtype == fbtype and period.start <= merged[-1].end:
                last = merged[-1]
                merged[-1] = Busy(start=last.start, end=max(last.end, period.end), fbtype=fbtype)
            else:
                merged.append(period)
    merged.sort(key=lambda p: (p.start, p.fbtype))
    return merged


def calendar_freebusy_ical(*, calendars: Sequence[Calendar], start: datetime, end: datetime, now: datetime) -> str:
    """calendar_freebusy as a VCALENDAR with one VFREEBUSY (RFC 4791 7.10, the free-busy-query answer)."""
    periods = [(b.start, b.end, b.fbtype) for b in calendar_freebusy(calendars=calendars, start=start, end=end)]
    return zones.freebusy_calendar(periods=periods, start=start, end=end, now=now)


def calendar_timezone_ical(*, calendar: Calendar) -> str | None:
    """The calendar's own zone as a VCALENDAR with its VTIMEZONE; None when it names none (the owner's applies)."""
    return zones.timezone_calendar(calendar.timezone) if calendar.timezone else None


def timezone_name_from_ical(*, data: str) -> str | None:
    """The IANA zone a client's VTIMEZONE text stands for, or None (see calendar_app.ical.zones)."""
    return zones.timezone_name(data)
