"""Subscriptions: a calendar whose events mirror an outside source, an .ics feed (webcal://) or a CalDAV
calendar. Subscribing reads the source once (nothing is made when that fails); a refresh reads it again and
makes the calendar's objects equal the source's by UID (new and changed ones put, vanished ones deleted) in
one transaction, so a failed read changes nothing. Only the refresh writes there: every other door finds
the calendar read-only (objects.require_writer).

Addresses go through core.netguard: http(s) only, no credentials in the URL, and the host (and every
redirect, and for CalDAV every connection) must resolve only to public addresses; ROOST_FETCH_ALLOW_NETWORKS
lets the tests reach their local servers."""

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from calendar_app.ical import parse as ical
from calendar_app.locks import calendar_locked
from calendar_app.models import Calendar, CalendarObject, CalendarSubscription
from calendar_app.services.announce import calendar_changed_announce
from calendar_app.sources.caldav_source import caldav_events
from calendar_app.sources.ics import ics_fetch
from calendar_app.types import RefreshReport
from core.access import Access, Role
from core.crypto import secret_open, secret_seal
from core.errors import Forbidden, NotFound, RoostError
from core.netguard import FetchRefused, Network, networks, resolve_checked, url_target

from .calendars import calendar_create, calendar_delete
from .objects import record_change, store_parsed
from .transfer import object_name_for_uid

log = logging.getLogger(__name__)

SEAL_PURPOSE = "calendar-source"
FETCH_TIMEOUT = 10.0
MAX_SOURCE_BYTES = 10 * 1024 * 1024
DEFAULT_INTERVAL = timedelta(hours=1)
MIN_INTERVAL = timedelta(minutes=15)
MAX_INTERVAL = timedelta(days=7)
MAX_URL_LENGTH = 2000
SKIPPED_NAMED = 10  # skipped events named in last_error; the rest counted


@dataclass(frozen=True)
class _Source:
    """What a read of the source gave: its objects cut one per UID, or None for 304 Not Modified."""

    pieces: list[ical.ImportPiece] | None
    etag: str = ""
    last_modified: str = ""


@dataclass
class _Mirrored:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)


def _allowed() -> list[Network]:
    return networks(getattr(settings, "ROOST_FETCH_ALLOW_NETWORKS", []))


def source_url_clean(url: str) -> str:
    """The address to fetch: webcal:// becomes https://; refused unless http(s), without credentials, and
    every address of its host public."""
    url = url.strip()
    if not url:
        raise RoostError("Give the calendar's address.")
    if len(url) > MAX_URL_LENGTH:
        raise RoostError(f"A calendar's address may be at most {MAX_URL_LENGTH} characters.")
    for scheme in ("webcal://", "webcals://"):
        if url.lower().startswith(scheme):
            url = "https://" + url[len(scheme) :]
    target = url_target(url)
    if target.has_userinfo:
        raise RoostError("Leave the user name and password out of the address (CalDAV has fields for them).")
    resolve_checked(target.host, target.port, _allowed())
    return url


def _clean_interval(interval: timedelta) -> timedelta:
    if interval < MIN_INTERVAL:
        raise RoostError("A subscription is refreshed at most every 15 minutes.")
    if interval > MAX_INTERVAL:
        raise RoostError("A subscription is refreshed at least once a week.")
    return interval


def _default_name(url: str) -> str:
    return (urlsplit(url).hostname or "Subscription")[:100]


def _caldav_pieces(url: str, username: str, password: str) -> list[ical.ImportPiece]:
    objects = caldav_events(
        url,
        username=username,
        password=password,
        allowed_networks=_allowed(),
        max_bytes=MAX_SOURCE_BYTES,
        timeout=FETCH_TIMEOUT,
    )
    pieces: list[ical.ImportPiece] = []
    for obj in objects:
        try:
            pieces.extend(ical.split_calendar(obj.text))
        except ical.InvalidCalendarData as error:
            label = obj.href.rstrip("/").rsplit("/", 1)[-1] or obj.href
            pieces.append(ical.ImportPiece(label=label, text=None, error=str(error)))
    return pieces


def _ics_pieces(body: bytes) -> list[ical.ImportPiece]:
    try:
        return ical.split_calendar(body)
    except ical.InvalidCalendarData as error:
        raise FetchRefused(f"The address did not give a calendar file: {error}") from None


def _read(subscription: CalendarSubscription, *, conditional: bool) -> _Source:
    if subscription.kind == CalendarSubscription.CALDAV:
        password = (
            secret_open(subscription.password_sealed, purpose=SEAL_PURPOSE) if subscription.password_sealed else ""
        )
        if password is None:
            raise FetchRefused("The stored password can no longer be read; subscribe to the calendar again.")
        return _Source(pieces=_caldav_pieces(subscription.url, subscription.username, password))
    answer = ics_fetch(
        subscription.url,
        etag=subscription.etag if conditional else "",
        last_modified=subscription.last_modified if conditional else "",
        allowed_networks=_allowed(),
        max_bytes=MAX_SOURCE_BYTES,
        timeout=FETCH_TIMEOUT,
    )
    if not answer.changed:
        return _Source(pieces=None, etag=answer.etag, last_modified=answer.last_modified)
    return _Source(pieces=_ics_pieces(answer.body), etag=answer.etag, last_modified=answer.last_modified)


def _free_name(uid: str, taken: set[str]) -> str:
    name = object_name_for_uid(uid)
    if name in taken:
        name = f"{hashlib.sha256(uid.encode()).hexdigest()[:40]}.ics"
    taken.add(name)
    return name


def _mirror(calendar_id: int, pieces: Sequence[ical.ImportPiece]) -> tuple[Calendar, _Mirrored]:
    """Make the calendar's objects the source's, under the calendar's lock (call inside a transaction). A
    broken piece is skipped, and an earlier good copy of it (same UID) is kept."""
    calendar = calendar_locked(calendar_id)
    accepted = calendar.components
    result = _Mirrored()
    wanted: dict[str, ical.ParsedObject] = {}
    kept: set[str] = set()
    for piece in pieces:
        if piece.component and piece.component not in accepted:
            continue  # to-dos or journals in an events feed: not for this calendar, and no fault of the feed
        if piece.text is None:
            result.skipped.append((piece.label, piece.error or "unreadable"))
            kept.add(piece.uid)
            continue
        try:
            parsed = ical.parse_object(piece.text, accepted=accepted)
        except ical.InvalidCalendarData as error:
            result.skipped.append((piece.label, str(error)))
            kept.add(piece.uid)
            continue
        wanted[parsed.uid] = parsed
    existing = {obj.uid: obj for obj in CalendarObject.objects.filter(calendar=calendar)}
    taken = {obj.name for obj in existing.values()}
    for uid, parsed in wanted.items():
        current = existing.get(uid)
        if current is not None and ical.without_stamps(current.data) == ical.without_stamps(parsed.text):
            continue
        name = current.name if current is not None else _free_name(uid, taken)
        store_parsed(calendar, name, parsed, current)
        if current is None:
            result.created += 1
        else:
            result.updated += 1
    for uid, obj in existing.items():
        if uid not in wanted and uid not in kept:
            obj.delete()
            record_change(calendar, obj.name, deleted=True)
            result.deleted += 1
    return calendar, result


def _skipped_text(skipped: Sequence[tuple[str, str]]) -> str:
    if not skipped:
        return ""
    named = "; ".join(f"“{label}” ({reason})" for label, reason in skipped[:SKIPPED_NAMED])
    more = f"; and {len(skipped) - SKIPPED_NAMED} more" if len(skipped) > SKIPPED_NAMED else ""
    noun = "event was" if len(skipped) == 1 else "events were"
    return f"{len(skipped)} {noun} skipped: {named}{more}."


def _subscribe(
    *,
    owner: User,
    kind: str,
    url: str,
    name: str,
    color: str | None,
    refresh_interval: timedelta,
    username: str = "",
    password: str = "",
) -> CalendarSubscription:
    interval = _clean_interval(refresh_interval)
    probe = CalendarSubscription(kind=kind, url=url, username=username)
    if password:
        probe.password_sealed = secret_seal(password, purpose=SEAL_PURPOSE)
    source = _read(probe, conditional=False)  # before anything is made: a source that fails makes nothing
    assert source.pieces is not None
    now = timezone.now()
    with transaction.atomic():
        calendar = calendar_create(owner=owner, name=name.strip() or _default_name(url), color=color)
        probe.calendar = calendar
        probe.etag, probe.last_modified = source.etag, source.last_modified
        probe.refresh_interval = interval
        probe.last_refreshed = now
        probe.next_refresh = now + interval
        _, mirrored = _mirror(calendar.pk, source.pieces)
        probe.last_error = _skipped_text(mirrored.skipped)
        probe.save()
        calendar_changed_announce(calendar=calendar)
    return probe


def calendar_subscribe_ics(
    *, owner: User, url: str, name: str, color: str | None = None, refresh_interval: timedelta = DEFAULT_INTERVAL
) -> CalendarSubscription:
    """A new calendar mirroring the .ics feed at `url` (webcal:// taken as https://)."""
    return _subscribe(
        owner=owner,
        kind=CalendarSubscription.ICS,
        url=source_url_clean(url),
        name=name,
        color=color,
        refresh_interval=refresh_interval,
    )


def calendar_subscribe_caldav(
    *,
    owner: User,
    url: str,
    username: str,
    password: str,
    name: str,
    color: str | None = None,
    refresh_interval: timedelta = DEFAULT_INTERVAL,
) -> CalendarSubscription:
    """A new calendar mirroring the events of the CalDAV calendar at `url` (the calendar's own address)."""
    if len(username) > 255 or len(password) > 1024:
        raise RoostError("That user name or password is too long.")
    return _subscribe(
        owner=owner,
        kind=CalendarSubscription.CALDAV,
        url=source_url_clean(url),
        name=name,
        color=color,
        refresh_interval=refresh_interval,
        username=username.strip(),
        password=password,
    )


def subscription_refresh(*, subscription_id: int, only_if_due: bool = False) -> RefreshReport:
    """Read the source and mirror it. Two workers never refresh one subscription at once: its rows are locked
    for the whole refresh, and a second caller does not wait (status "busy"). The calendar's row is locked
    before the subscription's, the order a deletion of the calendar takes them in, so the two cannot
    deadlock; a rename or a deletion waits at most for one read of the source."""
    busy = RefreshReport(status="busy", error="A refresh of this calendar is already under way.")
    with transaction.atomic():
        calendar_id = (
            CalendarSubscription.objects.filter(pk=subscription_id).values_list("calendar_id", flat=True).first()
        )
        if calendar_id is None:
            raise NotFound("This subscription does not exist.")
        if (
            Calendar.objects.select_for_update(skip_locked=True).filter(pk=calendar_id).values_list("pk").first()
            is None
        ):
            return busy
        subscription = (
            CalendarSubscription.objects.select_for_update(skip_locked=True).filter(pk=subscription_id).first()
        )
        if subscription is None:
            return busy
        now = timezone.now()
        if only_if_due and subscription.next_refresh > now:
            return RefreshReport(status="not-due")
        subscription.next_refresh = now + subscription.refresh_interval
        fields = ["next_refresh", "last_refreshed", "last_error", "etag", "last_modified"]
        try:
            source = _read(subscription, conditional=True)
        except RoostError as error:
            log.info("subscription %s: %s", subscription.pk, error)
            subscription.last_error = str(error)
            subscription.etag = subscription.last_modified = ""  # the next read is a full one
            subscription.save(update_fields=["next_refresh", "last_error", "etag", "last_modified"])
            return RefreshReport(status="failed", error=str(error))
        subscription.last_refreshed = now
        if source.pieces is None:  # 304: last_error still describes the version mirrored
            subscription.save(update_fields=fields)
            return RefreshReport(status="unchanged", error=subscription.last_error)
        calendar, mirrored = _mirror(subscription.calendar_id, source.pieces)
        subscription.etag, subscription.last_modified = source.etag, source.last_modified
        subscription.last_error = _skipped_text(mirrored.skipped)
        subscription.save(update_fields=fields)
        if mirrored.created or mirrored.updated or mirrored.deleted:
            calendar_changed_announce(calendar=calendar)
    return RefreshReport(
        status="updated",
        created=mirrored.created,
        updated=mirrored.updated,
        deleted=mirrored.deleted,
        skipped=mirrored.skipped,
        error=subscription.last_error,
    )


def subscription_refresh_for(*, access: Access[CalendarSubscription]) -> RefreshReport:
    """The calendar page's "Refresh now": the calendar's owner only."""
    if access.role != Role.OWNER:
        raise Forbidden("Only the calendar's owner may refresh it.")
    return subscription_refresh(subscription_id=access.obj.pk)


def subscription_unsubscribe(*, access: Access[CalendarSubscription]) -> None:
    """Unsubscribing deletes the calendar (and with it the subscription and the mirrored events)."""
    if access.role != Role.OWNER:
        raise Forbidden("Only the calendar's owner may unsubscribe.")
    calendar = Calendar.objects.filter(pk=access.obj.calendar_id).first()
    if calendar is None:
        raise NotFound("This calendar does not exist.")
    calendar_delete(access=Access(obj=calendar, role=Role.OWNER))


def subscriptions_due(*, limit: int = 500) -> list[int]:
    """Subscriptions whose next refresh time has come, the longest waiting first."""
    return list(
        CalendarSubscription.objects.filter(next_refresh__lte=timezone.now())
        .order_by("next_refresh")
        .values_list("pk", flat=True)[:limit]
    )
