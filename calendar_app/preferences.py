"""A person's calendar settings: the first day of the week, the view the calendar opens in, and the time zone
new events get (blank: the browser's own)."""

from dataclasses import dataclass

from accounts.models import User
from core.errors import RoostError

from .eventfields import zone_check
from .models import CalendarPreferences

WEEKDAYS = ((1, "Monday"), (0, "Sunday"), (6, "Saturday"))
VIEWS = (("timeGridWeek", "Week"), ("dayGridMonth", "Month"), ("timeGridDay", "Day"), ("listWeek", "Agenda"))


@dataclass(frozen=True)
class Preferences:
    week_start: int = 1
    default_view: str = "timeGridWeek"
    time_zone: str = ""


def calendar_preferences_for(*, user: User) -> Preferences:
    row = CalendarPreferences.objects.filter(user=user).first()
    if row is None:
        return Preferences()
    return Preferences(week_start=row.week_start, default_view=row.default_view, time_zone=row.time_zone)


def calendar_preferences_update(*, user: User, week_start: str, default_view: str, time_zone: str) -> Preferences:
    try:
        start = int(week_start)
    except ValueError:
        raise RoostError("Choose the day your week starts on.") from None
    if start not in dict(WEEKDAYS):
        raise RoostError("A week starts on Monday, Sunday or Saturday.")
    if default_view not in dict(VIEWS):
        raise RoostError("Choose day, week, month or agenda as the view to open.")
    zone = time_zone.strip()
    if zone:
        zone_check(zone)
    CalendarPreferences.objects.update_or_create(
        user=user, defaults={"week_start": start, "default_view": default_view, "time_zone": zone}
    )
    return Preferences(week_start=start, default_view=default_view, time_zone=zone)
