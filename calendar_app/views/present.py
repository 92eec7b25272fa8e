"""How the calendar page receives occurrences and event fields (JSON shapes for FullCalendar and the editor)."""

from datetime import date, datetime
from typing import Any

from django.urls import reverse

from calendar_app.ical.edit import EventView


def _iso(value: datetime | date) -> str:
    return value.isoformat()


def _text_colour(background: str) -> str:
    try:
        r, g, b = (int(background[i : i + 2], 16) for i in (1, 3, 5))
    except (ValueError, IndexError):
        return "#ffffff"
    return "#1d2330" if (0.299 * r + 0.587 * g + 0.114 * b) > 170 else "#ffffff"


def occurrence_json(o: Any) -> dict[str, Any]:
    colour = o.color or "#2f6fdf"
    classes = []
    if getattr(o, "status", "") == "TENTATIVE":
        classes.append("is-tentative")
    if getattr(o, "status", "") == "CANCELLED":
        classes.append("is-cancelled")
    return {
        "id": f"{o.calendar_id}/{o.name}/{o.recurrence_id or ''}",
        "title": o.summary or "(No title)",
        "start": _iso(o.start),
        "end": _iso(o.end) if o.end is not None else None,
        "allDay": o.all_day,
        "backgroundColor": colour,
        "borderColor": colour,
        "textColor": _text_colour(colour),
        "editable": o.can_write,
        "classNames": classes,
        "extendedProps": {
            "calendar_id": o.calendar_id,
            "name": o.name,
            "uid": o.uid,
            "recurrence_id": o.recurrence_id,
            "recurring": o.recurring,
            "can_write": o.can_write,
            "location": o.location,
            "url": reverse("calendar_app:event", args=[o.calendar_id, o.name]),
        },
    }


def event_fields_json(view: EventView, calendar_id: int) -> dict[str, Any]:
    f = view.fields
    rule = f.rrule
    return {
        "recurring": view.recurring,
        "organizer": view.organizer,
        "fields": {
            "summary": f.summary,
            "calendar_id": calendar_id,
            "all_day": f.all_day,
            "start": _iso(f.start),
            "end": _iso(f.end),
            "tzid": f.tzid,
            "location": f.location,
            "description": f.description,
            "transparency": f.transparency,
            "klass": f.klass,
            "categories": list(f.categories),
            "alarm": {"minutes_before": f.alarm.minutes_before, "email": f.alarm.email} if f.alarm else None,
            "rrule": (
                {
                    "freq": rule.freq,
                    "interval": rule.interval,
                    "byday": list(rule.byday),
                    "bymonthday": list(rule.bymonthday),
                    "count": rule.count,
                    "until": rule.until.isoformat() if rule.until else None,
                }
                if rule
                else None
            ),
            "attendees": [
                {"email": a.email, "name": a.name, "partstat": a.partstat, "role": a.role} for a in view.attendees
            ],
        },
    }
