"""The calendar in Chromium: create an event by dragging across empty time in the week view, move it by
dragging, edit one occurrence of a series, and the phone's agenda; what the grid did is checked in the store
(the same rows CalDAV serves)."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import caldav
import pytest
from playwright.sync_api import Browser, Page, expect

from calendar_app.selectors import calendar_objects, calendars_for_user
from calendar_app.services import calendar_object_put
from tests import personas
from tests.browser.conftest import DESKTOP, PHONE, PageWatch, screenshot, sign_in

pytestmark = [pytest.mark.integration, pytest.mark.browser]
ZONE = "Europe/Berlin"


@pytest.fixture
def alice(mail_stack: None) -> str:
    personas.mailbox("alice")
    personas.mailbox("bob")
    return "alice@example.test"


def _monday(today: date) -> date:
    return today - timedelta(days=today.weekday())


def _seed_series(user_address: str, day: date) -> None:
    from accounts.models import User

    user = User.objects.get(username=user_address)
    access = calendars_for_user(user=user)[0]
    start = f"{day:%Y%m%d}T083000"
    text = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Roost tests//EN\r\n"
        "BEGIN:VEVENT\r\nUID:standup@example.test\r\nDTSTAMP:20261101T000000Z\r\n"
        f"DTSTART;TZID={ZONE}:{start}\r\nDURATION:PT15M\r\nSUMMARY:Standup\r\n"
        "RRULE:FREQ=DAILY;COUNT=20\r\nLOCATION:Room 2\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    calendar_object_put(access=access, name="standup.ics", data=text)


def _open_calendar(page: Page, base: str) -> None:
    page.goto(f"{base}/calendar/")
    page.wait_for_selector("[data-calendar-page][data-ready]", state="attached")
    page.wait_for_selector(".fc-view-harness")


def _slot_point(page: Page, day: date, time: str) -> tuple[float, float]:
    column = page.locator(f'.fc-timegrid-col[data-date="{day.isoformat()}"]').bounding_box()
    slot = page.locator(f'.fc-timegrid-slot-lane[data-time="{time}"]').bounding_box()
    assert column is not None
    assert slot is not None
    return column["x"] + column["width"] / 2, slot["y"] + 4  # inside the first quarter hour of that slot


def _drag(page: Page, start: tuple[float, float], end: tuple[float, float]) -> None:
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(start[0], start[1] + 5, steps=3)
    page.mouse.move(*end, steps=12)
    page.mouse.up()


def test_drag_to_create_then_drag_to_move_on_the_desktop(alice: str, live_server, browser: Browser) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=DESKTOP, timezone_id=ZONE)
    page = context.new_page()
    watch = PageWatch(page, live_server.url)
    sign_in(page, live_server.url, alice)
    monday = _monday(datetime.now(ZoneInfo(ZONE)).date())
    _seed_series(alice, monday)
    _open_calendar(page, live_server.url)
    wednesday = monday + timedelta(days=2)
    page.locator(".fc-timegrid-body").scroll_into_view_if_needed()
    page.locator('.fc-timegrid-slot-lane[data-time="10:00:00"]').scroll_into_view_if_needed()

    _drag(page, _slot_point(page, wednesday, "10:00:00"), _slot_point(page, wednesday, "11:00:00"))
    dialog = page.get_by_role("dialog", name="New event")
    expect(dialog).to_be_visible()
    expect(dialog.locator("input[name=start_time]")).to_have_value("10:00")
    expect(dialog.locator("input[name=end_time]")).to_have_value("11:15")
    dialog.get_by_label("Title").fill("Design review")
    dialog.get_by_placeholder("Add location").fill("Blue room")
    screenshot(page, "calendar-new-event-desktop")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_be_hidden()
    event = page.locator(".fc-event", has_text="Design review")
    expect(event).to_be_visible()

    from accounts.models import User

    calendar = calendars_for_user(user=User.objects.get(username=alice))[0].obj
    (created,) = [o for o in calendar_objects(calendar=calendar) if o.summary == "Design review"]
    assert f"DTSTART;TZID={ZONE}:{wednesday:%Y%m%d}T100000" in created.data

    # Move it by an hour and a day.
    box = event.bounding_box()
    assert box is not None
    thursday = wednesday + timedelta(days=1)
    target = _slot_point(page, thursday, "11:00:00")
    _drag(page, (box["x"] + box["width"] / 2, box["y"] + 4), target)
    thursday_events = page.locator(f'.fc-timegrid-col[data-date="{thursday.isoformat()}"] .fc-event')
    expect(thursday_events.filter(has_text="Design review")).to_be_visible()
    page.wait_for_function("() => !document.querySelector('.fc-event-mirror')")
    page.wait_for_timeout(300)
    moved = next(o for o in calendar_objects(calendar=calendar) if o.summary == "Design review")
    assert f"DTSTART;TZID={ZONE}:{thursday:%Y%m%d}T110000" in moved.data
    assert moved.etag != created.etag
    screenshot(page, "calendar-week-desktop")
    watch.assert_clean()
    context.close()

    # A phone over CalDAV (the caldav client library) sees the event where the drag left it.
    dav = caldav.DAVClient(url=live_server.url + "/", username=alice, password=personas.PASSWORD)
    (personal,) = [c for c in dav.principal().calendars() if c.get_display_name() == "Personal"]
    day_start = datetime.combine(thursday, datetime.min.time(), tzinfo=ZoneInfo(ZONE))
    found = personal.search(start=day_start, end=day_start + timedelta(days=1), event=True)
    (review,) = [e for e in found if "Design review" in e.data]
    start = review.icalendar_component["DTSTART"].dt
    assert start == datetime.combine(thursday, datetime.min.time().replace(hour=11), tzinfo=ZoneInfo(ZONE))


def test_editing_one_occurrence_of_a_series(alice: str, live_server, browser: Browser) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=DESKTOP, timezone_id=ZONE)
    page = context.new_page()
    watch = PageWatch(page, live_server.url)
    sign_in(page, live_server.url, alice)
    monday = _monday(datetime.now(ZoneInfo(ZONE)).date())
    _seed_series(alice, monday)
    _open_calendar(page, live_server.url)
    tuesday = monday + timedelta(days=1)
    page.locator(f'.fc-timegrid-col[data-date="{tuesday.isoformat()}"] .fc-event', has_text="Standup").click()
    dialog = page.get_by_role("dialog", name="Edit event")
    expect(dialog.get_by_label("Title")).to_have_value("Standup")
    expect(dialog.locator("select[name=repeat]")).to_have_value("DAILY")
    dialog.get_by_label("Title").fill("Standup with guests")
    dialog.get_by_role("button", name="Save").click()
    scope = page.get_by_role("dialog", name="Save recurring event")
    expect(scope).to_be_visible()
    scope.get_by_label("This event").check()
    scope.get_by_role("button", name="OK").click()
    expect(page.locator(".fc-event", has_text="Standup with guests")).to_have_count(1)
    expect(page.locator(".fc-event", has_text="Standup")).to_have_count(7)
    watch.assert_clean()
    context.close()


def test_the_phone_opens_on_the_agenda(alice: str, live_server, browser: Browser) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=PHONE, timezone_id=ZONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    watch = PageWatch(page, live_server.url)
    sign_in(page, live_server.url, alice)
    _seed_series(alice, _monday(datetime.now(ZoneInfo(ZONE)).date()))
    _open_calendar(page, live_server.url)
    expect(page.locator(".fc-list")).to_be_visible()
    expect(page.locator(".fc-list-event", has_text="Standup").first).to_be_visible()
    expect(page.get_by_role("button", name="Agenda")).to_have_attribute("aria-pressed", "true")
    screenshot(page, "calendar-agenda-phone")
    page.get_by_role("button", name="Calendars").click()
    page.wait_for_timeout(300)
    screenshot(page, "calendar-drawer-phone")
    page.keyboard.press("Escape")
    page.locator(".cal-fab").click()  # the phone's floating new-event button
    expect(page.get_by_role("dialog", name="New event")).to_be_visible()
    screenshot(page, "calendar-new-event-phone")
    watch.assert_clean()
    context.close()
