"""Creating, changing and deleting calendars. The owner alone changes a calendar's properties."""

import re
import zoneinfo
from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.utils.text import slugify

from accounts.models import User
from calendar_app.locks import calendar_locked
from calendar_app.models import COMPONENTS, Calendar
from core.access import Access, Role
from core.errors import Forbidden, RoostError

SLUG_RE = re.compile(r"^[a-z0-9-]{1,64}$")
COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
DEFAULT_COLOR = "#3a87ad"
DEFAULT_NAME = "Personal"
DEFAULT_SLUG = "personal"


def _clean_color(color: str | None) -> str:
    if color is None:
        return DEFAULT_COLOR
    if not COLOR_RE.match(color):
        raise RoostError(f"{color!r} is not a colour; use the form #rrggbb.")
    return color.lower()


def _clean_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise RoostError("A calendar needs a name.")
    if len(name) > 200:
        raise RoostError("A calendar name may be at most 200 characters.")
    return name


def _clean_components(components: Sequence[str]) -> list[str]:
    cleaned = list(dict.fromkeys(str(c).upper() for c in components))
    if not cleaned:
        raise RoostError("A calendar must hold events or to-dos.")
    unknown = [c for c in cleaned if c not in COMPONENTS]
    if unknown:
        raise RoostError(f"A calendar can hold VEVENT and VTODO, not {', '.join(unknown)}.")
    return cleaned


def _unique_slug(owner: User, base: str) -> str:
    taken = set(Calendar.objects.filter(owner=owner, slug__startswith=base).values_list("slug", flat=True))
    if base not in taken:
        return base
    for number in range(2, 10_000):
        candidate = f"{base[:58]}-{number}"
        if candidate not in taken:
            return candidate
    raise RoostError("Too many calendars with this name.")


def require_owner(access: Access[Calendar]) -> Calendar:
    if access.role != Role.OWNER:
        raise Forbidden("Only the calendar's owner may do this.")
    return access.obj


def calendar_create(
    *,
    owner: User,
    name: str,
    color: str | None = None,
    components: Sequence[str] = ("VEVENT",),
    slug: str | None = None,
    description: str = "",
) -> Calendar:
    name = _clean_name(name)
    cleaned_color = _clean_color(color)
    cleaned_components = _clean_components(components)
    if slug is not None and not SLUG_RE.match(slug):
        raise RoostError("A calendar's address may hold only a-z, 0-9 and '-' (at most 64).")
    with transaction.atomic():
        if slug is None:
            slug = _unique_slug(owner, slugify(name)[:64].strip("-") or "calendar")
        elif Calendar.objects.filter(owner=owner, slug=slug).exists():
            raise RoostError(f"You already have a calendar at {slug!r}.")
        last = Calendar.objects.filter(owner=owner).order_by("-order").values_list("order", flat=True).first()
        return Calendar.objects.create(
            owner=owner,
            slug=slug,
            name=name,
            color=cleaned_color,
            components=cleaned_components,
            description=description,
            order=(last or 0) + 1 if last is not None else 0,
        )


def calendar_ensure_default(*, user: User) -> Calendar:
    """The user's first calendar, made ("Personal") when they own none."""
    existing = Calendar.objects.filter(owner=user).order_by("order", "pk").first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return calendar_create(owner=user, name=DEFAULT_NAME, slug=DEFAULT_SLUG)
    except (IntegrityError, RoostError):  # made at the same moment by another request
        found = Calendar.objects.filter(owner=user).order_by("order", "pk").first()
        if found is None:
            raise
        return found


def calendar_update(
    *,
    access: Access[Calendar],
    name: str | None = None,
    color: str | None = None,
    description: str | None = None,
    order: int | None = None,
    timezone: str | None = None,
) -> Calendar:
    require_owner(access)
    changes: dict[str, object] = {}
    if name is not None:
        changes["name"] = _clean_name(name)
    if color is not None:
        changes["color"] = _clean_color(color)
    if description is not None:
        changes["description"] = description
    if order is not None:
        changes["order"] = int(order)
    if timezone is not None:
        if timezone and timezone not in zoneinfo.available_timezones():
            raise RoostError(f"{timezone!r} is not a time zone name (such as Europe/Berlin).")
        changes["timezone"] = timezone
    with transaction.atomic():
        calendar = calendar_locked(access.obj.pk)
        for field, value in changes.items():
            setattr(calendar, field, value)
        calendar.sync_seq += 1
        calendar.save(update_fields=[*changes, "sync_seq", "modified"])
    return calendar


def calendar_set_hidden(*, user: User, access: Access[Calendar], hidden: bool) -> None:
    """Show or hide a calendar in this user's own view (the owner's flag, or the user's share)."""
    from calendar_app.models import CalendarShare

    if access.role == Role.OWNER and access.obj.owner_id == user.pk:
        Calendar.objects.filter(pk=access.obj.pk).update(hidden=hidden)
    else:
        CalendarShare.objects.filter(calendar_id=access.obj.pk, user=user).update(hidden=hidden)


def calendar_delete(*, access: Access[Calendar]) -> None:
    require_owner(access)
    with transaction.atomic():
        calendar = calendar_locked(access.obj.pk)
        calendar.delete()
