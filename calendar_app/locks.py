"""Row locks for calendars, in one place: a change to a calendar's objects or properties locks the calendar
row first (ordered by pk when there are several), so sync_seq and the change log advance one at a time."""

from collections.abc import Iterable

from .models import Calendar


def calendars_locked(calendar_ids: Iterable[int]) -> list[Calendar]:
    """Call inside transaction.atomic()."""
    return list(Calendar.objects.select_for_update().filter(pk__in=sorted(set(calendar_ids))).order_by("pk"))


def calendar_locked(calendar_id: int) -> Calendar:
    from core.errors import NotFound

    found = calendars_locked([calendar_id])
    if not found:
        raise NotFound("This calendar does not exist.")
    return found[0]
