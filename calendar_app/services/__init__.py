"""calendar_app's state changes, one keyword-only function each, called by the web UI and the DAV layer."""

from .calendars import calendar_create, calendar_delete, calendar_ensure_default, calendar_set_hidden, calendar_update
from .objects import calendar_object_delete, calendar_object_put
from .sharing import calendar_publish, calendar_share, calendar_unpublish, calendar_unshare
from .subscriptions import (
    calendar_subscribe_caldav,
    calendar_subscribe_ics,
    subscription_refresh,
    subscription_refresh_for,
    subscription_unsubscribe,
    subscriptions_due,
)
from .transfer import calendar_export, calendar_import

__all__ = [
    "calendar_create",
    "calendar_delete",
    "calendar_ensure_default",
    "calendar_export",
    "calendar_import",
    "calendar_object_delete",
    "calendar_object_put",
    "calendar_publish",
    "calendar_set_hidden",
    "calendar_share",
    "calendar_subscribe_caldav",
    "calendar_subscribe_ics",
    "calendar_unpublish",
    "calendar_unshare",
    "calendar_update",
    "subscription_refresh",
    "subscription_refresh_for",
    "subscription_unsubscribe",
    "subscriptions_due",
]
