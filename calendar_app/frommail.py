"""A calendar file inside a mail message (an .ics attachment or a text/calendar part): what it holds, read
through webmail's service for the part in the signed-in user's own mailbox, so another user's message is
simply not there. Each object is validated exactly as calendar_import will validate it, so the preview's
problems are the import's skips."""

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from accounts.models import User
from webmail.mailstore import MailAccount
from webmail.services.parts import is_calendar_part, message_part_content

from .ical import parse as ical
from .models import CalendarObject
from .selectors import calendars_for_user

PART_MAX_BYTES = 5 * 1024 * 1024
EVENTS_SHOWN = 50


@dataclass(frozen=True)
class MailEvent:
    uid: str
    component: str  # "VEVENT" or "VTODO"
    title: str
    start: date | datetime | None
    end: date | datetime | None  # a VTODO's due date
    all_day: bool
    location: str
    recurring: bool
    existing: tuple[int, ...]  # ids of the user's calendars that already hold this UID


@dataclass(frozen=True)
class MailCalendar:
    filename: str
    method: str  # "PUBLISH", "REQUEST", "CANCEL", ... or "" when the file names none
    events: list[MailEvent]
    problems: list[tuple[str, str]]  # (summary or UID, why it cannot be added)
    more: int  # objects past EVENTS_SHOWN, not listed


def mail_calendar_data(*, account: MailAccount, folder: str, uid: int, part_id: str) -> tuple[str, bytes]:
    """The file name and UTF-8 text of a calendar part of one of the account's messages."""
    part = message_part_content(
        account=account,
        folder=folder,
        uid=uid,
        part_id=part_id,
        as_text=True,
        max_bytes=PART_MAX_BYTES,
        accept=is_calendar_part,
        refusal="This attachment is not a calendar file.",
    )
    return part.filename, part.data


def _master(tree: ical.Comp) -> ical.Comp | None:
    objects = [c for c in tree.children if c.name in ical.OBJECT_COMPONENTS]
    return next((c for c in objects if c.first("RECURRENCE-ID") is None), objects[0] if objects else None)


def _event(parsed: ical.ParsedObject, text: str) -> MailEvent:
    master = _master(ical.Document(text).tree())
    start = end = None
    title = location = ""
    if master is not None:
        first = master.first("DTSTART")
        start = first.time if first else None
        if parsed.component == "VTODO":
            due = master.first("DUE")
            end = due.time if due else None
        else:
            dtend, duration = master.first("DTEND"), master.first("DURATION")
            if dtend is not None:
                end = dtend.time
            elif start is not None and duration is not None and duration.duration is not None:
                end = start + duration.duration
            elif start is not None and not isinstance(start, datetime):
                end = start + timedelta(days=1)
        summary, where = master.first("SUMMARY"), master.first("LOCATION")
        title = summary.value.strip() if summary else ""
        location = where.value.strip() if where else ""
    return MailEvent(
        uid=parsed.uid,
        component=parsed.component,
        title=title or parsed.summary,
        start=start,
        end=end,
        all_day=start is not None and not isinstance(start, datetime),
        location=location,
        recurring=parsed.recurring,
        existing=(),
    )


def _method(data: bytes) -> str:
    head = data[:4096].decode("utf-8", "replace").replace("\r\n", "\n")
    for line in head.split("\n"):
        if line.upper().startswith("BEGIN:V") and not line.upper().startswith("BEGIN:VCALENDAR"):
            break
        if line.upper().startswith("METHOD:"):
            return line[7:].strip().upper()[:20]
    return ""


def mail_calendar_preview(*, user: User, account: MailAccount, folder: str, uid: int, part_id: str) -> MailCalendar:
    """What a calendar part holds, each object checked as an import would check it. A file that cannot be read
    at all raises InvalidCalendarData (400)."""
    filename, data = mail_calendar_data(account=account, folder=folder, uid=uid, part_id=part_id)
    events: list[MailEvent] = []
    problems: list[tuple[str, str]] = []
    pieces = ical.split_calendar(data)
    for piece in pieces[:EVENTS_SHOWN]:
        if piece.text is None:
            problems.append((piece.label, piece.error or "unreadable"))
            continue
        try:
            parsed = ical.parse_object(piece.text)
        except ical.InvalidCalendarData as error:
            problems.append((piece.label, str(error)))
            continue
        events.append(_event(parsed, piece.text))
    if events:
        calendars = [a.obj.pk for a in calendars_for_user(user=user)]
        held: dict[str, list[int]] = {}
        for event_uid, calendar_id in CalendarObject.objects.filter(
            calendar_id__in=calendars, uid__in=[e.uid for e in events]
        ).values_list("uid", "calendar_id"):
            held.setdefault(event_uid, []).append(calendar_id)
        events = [replace(e, existing=tuple(sorted(held[e.uid]))) if e.uid in held else e for e in events]
    return MailCalendar(
        filename=filename,
        method=_method(data),
        events=events,
        problems=problems,
        more=max(0, len(pieces) - EVENTS_SHOWN),
    )
