"""Subscribing to an outside calendar (.ics / webcal:// or CalDAV) and refreshing one now.
Parse -> access -> service -> render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from calendar_app.selectors import subscription_get_for_user
from calendar_app.services import calendar_subscribe_caldav, calendar_subscribe_ics, subscription_refresh_for
from calendar_app.types import RefreshReport

from .forms import COLOURS, REFRESH_CHOICES, subscription_form_values


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@require_http_methods(["GET", "POST"])
@login_required
def subscribe(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if request.method == "POST":
        values = subscription_form_values(request.POST)
        if values.kind == "caldav":
            subscription = calendar_subscribe_caldav(
                owner=user,
                url=values.url,
                username=values.username,
                password=values.password,
                name=values.name,
                color=values.color,
                refresh_interval=values.refresh_interval,
            )
        else:
            subscription = calendar_subscribe_ics(
                owner=user,
                url=values.url,
                name=values.name,
                color=values.color,
                refresh_interval=values.refresh_interval,
            )
        messages.success(request, f"Subscribed to “{subscription.calendar.name}”.")
        if subscription.last_error:
            messages.warning(request, subscription.last_error)
        return redirect("calendar_app:calendar", calendar_id=subscription.calendar_id)
    return render(
        request, "calendar_app/calendar_subscribe.html", {"colours": COLOURS, "refresh_choices": REFRESH_CHOICES}
    )


def _told(report: RefreshReport) -> str:
    if report.status == "unchanged":
        return "Refreshed: the calendar has not changed at its source."
    changes = [
        f"{n} {word}"
        for n, word in ((report.created, "new"), (report.updated, "changed"), (report.deleted, "removed"))
        if n
    ]
    return f"Refreshed: {', '.join(changes)}." if changes else "Refreshed: no event changed."


@require_POST
@login_required
def refresh(request: HttpRequest, calendar_id: int) -> HttpResponse:
    access = subscription_get_for_user(user=_user(request), calendar_id=calendar_id)
    report = subscription_refresh_for(access=access)
    if report.status in ("updated", "unchanged"):
        messages.success(request, _told(report))
        if report.error:
            messages.warning(request, report.error)
    else:
        messages.error(request, report.error or "The calendar could not be refreshed.")
    return redirect("calendar_app:calendar", calendar_id=calendar_id)
