"""The "Add to calendar" card of the mail reader. The mail page (webmail, which may not import calendar_app)
asks this view about one calendar part of a message: GET says what the file holds and into which calendars it
can go, POST adds it to the chosen one. Both answer JSON; errors come as {"ok": false, "error": ...} from the
error middleware, since the card's script asks for JSON."""

from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_http_methods

from accounts.models import User
from calendar_app.frommail import MailCalendar, MailEvent, mail_calendar_preview
from calendar_app.models import Calendar
from calendar_app.selectors import calendar_get_for_user, calendars_for_user
from calendar_app.services.frommail import calendar_import_from_mail
from calendar_app.types import ImportReport
from core.access import Access
from core.errors import RoostError
from webmail.mailstore import mail_account_for_request


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _local(value: date | datetime) -> date | datetime:
    """An aware time in the viewer's zone; a date or a floating time as written."""
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def _day(value: date | datetime) -> str:
    return date_format(value, "D j M Y")


def _time(value: date | datetime) -> str:
    return date_format(value, "H:i") if isinstance(value, datetime) else ""


def when_text(event: MailEvent) -> str:
    """The event's dates as the card shows them, in the viewer's time zone."""
    if event.start is None:
        return f"Due {_day(_local(event.end))}" if event.component == "VTODO" and event.end else ""
    start = _local(event.start)
    end = _local(event.end) if event.end is not None else None
    if event.component == "VTODO":
        due = f"due {_day(end)}{', ' + _time(end) if _time(end) else ''}" if end is not None else ""
        return f"{_day(start)}{', ' + _time(start) if _time(start) else ''}{' – ' + due if due else ''}"
    if event.all_day or not isinstance(start, datetime):
        # DTEND of an all-day event is the day after its last.
        last = end - timedelta(days=1) if isinstance(end, date) and end > start else start
        return f"{_day(start)}, all day" if last == start else f"{_day(start)} – {_day(last)}"
    if not isinstance(end, datetime) or end == start:
        return f"{_day(start)}, {_time(start)}"
    if end.date() == start.date():
        return f"{_day(start)}, {_time(start)} – {_time(end)}"
    return f"{_day(start)}, {_time(start)} – {_day(end)}, {_time(end)}"


def _preview_json(preview: MailCalendar, calendars: list[Access[Calendar]]) -> dict[str, Any]:
    names = {a.obj.pk: a.obj.name for a in calendars}
    kinds = {e.component for e in preview.events}
    usable = [a.obj for a in calendars if a.can_write and (not kinds or kinds & set(a.obj.components))]
    holding = next((cid for e in preview.events for cid in e.existing if cid in {c.pk for c in usable}), None)
    selected = holding or (usable[0].pk if usable else None)
    return {
        "ok": True,
        "filename": preview.filename,
        "method": preview.method,
        "zone": timezone.get_current_timezone_name(),
        "events": [
            {
                "uid": e.uid,
                "kind": "task" if e.component == "VTODO" else "event",
                "title": e.title or "(No title)",
                "when": when_text(e),
                "start": e.start.isoformat() if e.start is not None else None,
                "end": e.end.isoformat() if e.end is not None else None,
                "all_day": e.all_day,
                "location": e.location,
                "recurring": e.recurring,
                "existing": [{"id": cid, "name": names.get(cid, "")} for cid in e.existing if cid in names],
            }
            for e in preview.events
        ],
        "problems": [{"label": label, "reason": reason} for label, reason in preview.problems],
        "more": preview.more,
        "calendars": [{"id": c.pk, "name": c.name, "color": c.color, "selected": c.pk == selected} for c in usable],
        "calendar_url": reverse("calendar_app:home"),
    }


def _events(count: int) -> str:
    return f"{count} event{'' if count == 1 else 's'}"


def report_message(report: ImportReport, calendar: Calendar) -> str:
    """What the card and its toast say after an import."""
    skipped = len(report.skipped)
    if not report.created and not report.updated:
        return f"Nothing was added: the {'event' if skipped == 1 else 'events'} could not be read."
    if report.created and report.updated:
        done = f"{_events(report.created + report.updated)} added to or updated in “{calendar.name}”."
    elif report.created:
        done = f"{_events(report.created)} added to “{calendar.name}”."
    else:
        done = f"{_events(report.updated)} updated in “{calendar.name}”."
    return done + (f" {skipped} could not be read." if skipped else "")


def _report_json(report: ImportReport, calendar: Calendar) -> dict[str, Any]:
    ok = bool(report.created or report.updated) or not report.skipped
    message = report_message(report, calendar)
    body: dict[str, Any] = {
        "ok": ok,
        "created": report.created,
        "updated": report.updated,
        "skipped": [{"label": label, "reason": reason} for label, reason in report.skipped],
        "calendar": {"id": calendar.pk, "name": calendar.name},
        "calendar_url": reverse("calendar_app:home"),
        "message": message,
    }
    if not ok:
        body["error"] = message
    return body


def _calendar_id(value: str | None) -> int:
    try:
        return int(value or "")
    except ValueError:
        raise RoostError("Choose a calendar to add the events to.") from None


@require_http_methods(["GET", "POST"])
@login_required
def mail_part(request: HttpRequest, uid: int, part_id: str) -> JsonResponse:
    user = _user(request)
    folder = request.GET.get("f", "INBOX")
    if request.method == "POST":
        access = calendar_get_for_user(user=user, calendar_id=_calendar_id(request.POST.get("calendar_id")))
        report = calendar_import_from_mail(
            access=access, account=mail_account_for_request(request), folder=folder, uid=uid, part_id=part_id
        )
        body = _report_json(report, access.obj)
        return JsonResponse(body, status=200 if body["ok"] else 400)
    preview = mail_calendar_preview(
        user=user, account=mail_account_for_request(request), folder=folder, uid=uid, part_id=part_id
    )
    return JsonResponse(_preview_json(preview, calendars_for_user(user=user)))
