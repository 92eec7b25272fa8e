"""Sharing a calendar with other users, and its secret read-only .ics link. Owner only."""

import secrets

from django.db import transaction

from accounts.models import User
from calendar_app.locks import calendar_locked
from calendar_app.models import Calendar, CalendarShare
from core.access import Access
from core.errors import RoostError

from .calendars import require_owner


def calendar_share(*, access: Access[Calendar], user: User, can_write: bool) -> CalendarShare:
    calendar = require_owner(access)
    if user.pk == calendar.owner_id:
        raise RoostError("A calendar cannot be shared with its owner.")
    with transaction.atomic():
        share, _ = CalendarShare.objects.update_or_create(
            calendar=calendar, user=user, defaults={"can_write": can_write}
        )
    return share


def calendar_unshare(*, access: Access[Calendar], user: User) -> None:
    calendar = require_owner(access)
    CalendarShare.objects.filter(calendar=calendar, user=user).delete()


def calendar_publish(*, access: Access[Calendar]) -> str:
    """A new secret token for the read-only link; the previous link stops working."""
    require_owner(access)
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        calendar = calendar_locked(access.obj.pk)
        calendar.public_token = token
        calendar.save(update_fields=["public_token", "modified"])
    return token


def calendar_unpublish(*, access: Access[Calendar]) -> None:
    require_owner(access)
    Calendar.objects.filter(pk=access.obj.pk).update(public_token=None)
