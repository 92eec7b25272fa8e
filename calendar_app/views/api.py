"""The calendar page's JSON: occurrences for the visible range, one event's fields for the editor, and the
editor's changes. Errors are raised; the middleware answers them as {"ok": false, "error": ...}."""

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from calendar_app.eventfields import event_fields_parse, scope_parse
from calendar_app.selectors import calendar_get_for_user, calendar_occurrences
from calendar_app.services import calendar_set_hidden
from calendar_app.services.events import event_create, event_delete, event_move, event_update, event_view
from core.errors import RoostError

from .present import event_fields_json, occurrence_json

_MAX_RANGE = timedelta(days=62)


def _instant(value: str | None, label: str) -> datetime:
    try:
        moment = datetime.fromisoformat((value or "").replace("Z", "+00:00"))
    except ValueError:
        raise RoostError(f"The {label} of the range is not a date and time.") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _body(request: HttpRequest) -> dict[str, Any]:
    try:
        payload = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise RoostError("The request is not valid JSON.") from None
    if not isinstance(payload, dict):
        raise RoostError("The request is not understood.")
    return payload


def _calendar_id(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise RoostError("Choose a calendar.") from None


@require_GET
@login_required
def occurrences(request: HttpRequest) -> JsonResponse:
    start = _instant(request.GET.get("start"), "start")
    end = _instant(request.GET.get("end"), "end")
    if end <= start or end - start > _MAX_RANGE:
        raise RoostError("Ask for at most two months at a time.")
    found = calendar_occurrences(user=request.user, start=start, end=end)  # type: ignore[arg-type]
    return JsonResponse({"ok": True, "events": [occurrence_json(o) for o in found]})


@require_POST
@login_required
def event_new(request: HttpRequest) -> JsonResponse:
    payload = _body(request)
    raw = payload.get("fields") or {}
    access = calendar_get_for_user(user=request.user, calendar_id=_calendar_id(raw.get("calendar_id")))  # type: ignore[arg-type]
    ref = event_create(access=access, fields=event_fields_parse(raw), owner_email=request.user.get_username())
    url = reverse("calendar_app:event", args=[ref.calendar_id, ref.name])
    return JsonResponse({"ok": True, "url": url, "etag": ref.etag}, status=201)


@require_http_methods(["GET", "POST"])
@login_required
def event_detail(request: HttpRequest, calendar_id: int, name: str) -> JsonResponse:
    access = calendar_get_for_user(user=request.user, calendar_id=calendar_id)  # type: ignore[arg-type]
    if request.method == "GET":
        view, obj = event_view(access=access, name=name, recurrence_id=request.GET.get("recurrence_id") or None)
        return JsonResponse(
            {"ok": True, "etag": obj.etag, "can_write": access.can_write, **event_fields_json(view, calendar_id)}
        )
    payload = _body(request)
    action = payload.get("action")
    scope = scope_parse(payload.get("scope"))
    recurrence_id = payload.get("recurrence_id") or None
    if recurrence_id is not None and not isinstance(recurrence_id, str):
        raise RoostError("That occurrence is not understood.")
    owner = request.user.get_username()
    if action == "delete":
        event_delete(access=access, name=name, scope=scope, recurrence_id=recurrence_id, etag=payload.get("etag"))
        return JsonResponse({"ok": True})
    if action == "move":
        ref = event_move(
            access=access,
            name=name,
            scope=scope,
            recurrence_id=recurrence_id,
            start=str(payload.get("start", "")),
            end=str(payload.get("end", "")),
            all_day=bool(payload.get("all_day")),
            owner_email=owner,
        )
    elif action == "update":
        raw = payload.get("fields") or {}
        target_id = _calendar_id(raw.get("calendar_id", calendar_id))
        target = None
        if target_id != calendar_id:
            target = calendar_get_for_user(user=request.user, calendar_id=target_id)  # type: ignore[arg-type]
        ref = event_update(
            access=access,
            name=name,
            fields=event_fields_parse(raw),
            scope=scope,
            recurrence_id=recurrence_id,
            etag=payload.get("etag"),
            owner_email=owner,
            target=target,
        )
    else:
        raise RoostError("Update, move or delete the event.")
    return JsonResponse({"ok": True, "url": reverse("calendar_app:event", args=[ref.calendar_id, ref.name])})


@require_POST
@login_required
def calendar_visibility(request: HttpRequest, calendar_id: int) -> JsonResponse:
    """Show or hide a calendar in the grid (each person's own choice, kept on the server for every device)."""
    access = calendar_get_for_user(user=request.user, calendar_id=calendar_id)  # type: ignore[arg-type]
    hidden = _body(request).get("hidden")
    if not isinstance(hidden, bool):
        raise RoostError("Say whether the calendar is hidden (true or false).")
    calendar_set_hidden(user=request.user, access=access, hidden=hidden)  # type: ignore[arg-type]
    return JsonResponse({"ok": True, "hidden": hidden})
