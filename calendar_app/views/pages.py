"""The calendar's pages: the grid, a calendar's own page (name, colour, sharing, the public link, export,
delete), new calendar, import and the settings. Parse -> access -> service -> render."""

import zoneinfo
from functools import cache

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import User
from calendar_app.preferences import VIEWS, WEEKDAYS, calendar_preferences_for, calendar_preferences_update
from calendar_app.selectors import (
    calendar_by_public_token,
    calendar_get_for_user,
    calendar_subscription,
    calendars_for_user,
)
from calendar_app.services import (
    calendar_create,
    calendar_delete,
    calendar_export,
    calendar_import,
    calendar_publish,
    calendar_share,
    calendar_unpublish,
    calendar_unshare,
    calendar_update,
)
from core.access import Access, Role
from core.errors import RoostError

from .forms import COLOURS, calendar_form_values, share_target, uploaded_calendar

_WEEKDAY_CODES = (("MO", "Mo"), ("TU", "Tu"), ("WE", "We"), ("TH", "Th"), ("FR", "Fr"), ("SA", "Sa"), ("SU", "Su"))


@cache
def _zones() -> list[str]:
    return sorted(z for z in zoneinfo.available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/")))


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    calendars = calendars_for_user(user=user)
    return render(
        request,
        "calendar_app/home.html",
        {
            "writable": [a.obj for a in calendars if a.can_write],
            "prefs": calendar_preferences_for(user=user),
            "zones": _zones(),
            "weekdays": _WEEKDAY_CODES,
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def calendar_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if request.method == "POST":
        values = calendar_form_values(request.POST)
        calendar_create(owner=user, name=values.name, color=values.color, description=values.description)
        messages.success(request, f"Calendar “{values.name}” created.")
        return redirect("calendar_app:home")
    return render(request, "calendar_app/calendar_new.html", {"colours": COLOURS})


@require_http_methods(["GET", "POST"])
@login_required
def calendar_page(request: HttpRequest, calendar_id: int) -> HttpResponse:
    user = _user(request)
    access = calendar_get_for_user(user=user, calendar_id=calendar_id)
    if request.method == "POST":
        values = calendar_form_values(request.POST)
        calendar_update(access=access, name=values.name, color=values.color, description=values.description)
        messages.success(request, "Saved.")
        return redirect("calendar_app:calendar", calendar_id=calendar_id)
    calendar = access.obj
    public_url = (
        request.build_absolute_uri(reverse("calendar_app:public_ics", args=[calendar.public_token]))
        if calendar.public_token and access.role == "owner"
        else ""
    )
    return render(
        request,
        "calendar_app/calendar_page.html",
        {
            "access": access,
            "calendar": calendar,
            "colours": COLOURS,
            "shares": calendar.shares.select_related("user").order_by("user__username")
            if access.role == "owner"
            else [],
            "public_url": public_url,
            "subscription": calendar_subscription(calendar=calendar),
            "caldav_url": request.build_absolute_uri(f"/dav/calendars/{calendar.owner.username}/{calendar.slug}/"),
        },
    )


@require_POST
@login_required
def calendar_share_view(request: HttpRequest, calendar_id: int) -> HttpResponse:
    access = calendar_get_for_user(user=_user(request), calendar_id=calendar_id)
    target, can_write = share_target(request.POST)
    calendar_share(access=access, user=target, can_write=can_write)
    messages.success(request, f"Shared with {target.username}.")
    return redirect("calendar_app:calendar", calendar_id=calendar_id)


@require_POST
@login_required
def calendar_unshare_view(request: HttpRequest, calendar_id: int, user_id: int) -> HttpResponse:
    access = calendar_get_for_user(user=_user(request), calendar_id=calendar_id)
    share = access.obj.shares.filter(user_id=user_id).select_related("user").first()
    if share is not None:
        calendar_unshare(access=access, user=share.user)
        messages.success(request, f"{share.user.username} no longer sees this calendar.")
    return redirect("calendar_app:calendar", calendar_id=calendar_id)


@require_POST
@login_required
def calendar_publish_view(request: HttpRequest, calendar_id: int) -> HttpResponse:
    access = calendar_get_for_user(user=_user(request), calendar_id=calendar_id)
    if request.POST.get("publish") == "off":
        calendar_unpublish(access=access)
        messages.success(request, "The public link no longer works.")
    else:
        calendar_publish(access=access)
        messages.success(request, "A new public link was made; any earlier link stopped working.")
    return redirect("calendar_app:calendar", calendar_id=calendar_id)


@require_POST
@login_required
def calendar_delete_view(request: HttpRequest, calendar_id: int) -> HttpResponse:
    access = calendar_get_for_user(user=_user(request), calendar_id=calendar_id)
    name = access.obj.name
    if request.POST.get("confirm") != "yes":
        raise RoostError("Tick the box to confirm that the calendar and all its events go.")
    calendar_delete(access=access)
    messages.success(request, f"Calendar “{name}” deleted.")
    return redirect("calendar_app:home")


@require_GET
@login_required
def calendar_export_view(request: HttpRequest, calendar_id: int) -> HttpResponse:
    access = calendar_get_for_user(user=_user(request), calendar_id=calendar_id)
    response = HttpResponse(calendar_export(access=access), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{access.obj.slug}.ics"'
    return response


@require_http_methods(["GET", "POST"])
@login_required
def import_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    writable = [a for a in calendars_for_user(user=user) if a.can_write]
    report = None
    if request.method == "POST":
        access = calendar_get_for_user(user=user, calendar_id=int(request.POST.get("calendar_id") or 0))
        report = calendar_import(access=access, data=uploaded_calendar(request.FILES.get("file")))
    return render(request, "calendar_app/import.html", {"writable": writable, "report": report})


@require_http_methods(["GET", "POST"])
@login_required
def settings_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if request.method == "POST":
        calendar_preferences_update(
            user=user,
            week_start=request.POST.get("week_start", ""),
            default_view=request.POST.get("default_view", ""),
            time_zone=request.POST.get("time_zone", ""),
        )
        messages.success(request, "Calendar settings saved.")
        return redirect("calendar_app:settings")
    return render(
        request,
        "calendar_app/settings.html",
        {"prefs": calendar_preferences_for(user=user), "weekdays": WEEKDAYS, "views": VIEWS, "zones": _zones()},
    )


@require_GET
def public_ics(request: HttpRequest, token: str) -> HttpResponse:
    """The secret read-only link: anyone holding it reads the calendar as .ics; a revoked link is a 404."""
    calendar = calendar_by_public_token(token=token)
    data = calendar_export(access=Access(calendar, Role.SHARED_READ))
    response = HttpResponse(data, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response
