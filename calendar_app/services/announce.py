"""Tell the open calendar pages of everyone who sees a calendar that it changed, whichever door changed it
(the web editor, CalDAV, an import), once the change has committed."""

from calendar_app.models import Calendar, CalendarShare
from core.events import event_publish


def calendar_changed_announce(*, calendar: Calendar) -> None:
    sharees = CalendarShare.objects.filter(calendar=calendar).values_list("user_id", flat=True)
    event_publish(kind="calendar.changed", data={"calendar_id": calendar.pk}, user_ids=[calendar.owner_id, *sharees])
