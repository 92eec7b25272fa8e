"""Reminders in Chromium: the settings page asks for notification permission; the event a due DISPLAY alarm
publishes (made by the same service beat runs) becomes a system notification on an open page when the person
allowed them, and a toast when not. The live server has no websockets, so the page's socket is a stand-in the
test hands the published event to; the socket itself is tested in tests/core/test_events.py."""

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, expect

from accounts.models import User
from calendar_app.selectors import calendars_for_user
from calendar_app.services import calendar_object_put
from calendar_app.services.alarms import alarms_deliver_due
from tests import personas
from tests.browser.conftest import DESKTOP, PHONE, PageWatch, screenshot, sign_in
from tests.calendar_app.test_alarms import alarm, timed

pytestmark = [pytest.mark.integration, pytest.mark.browser]

# The shell's socket, replaced by one the test can hand events to.
FAKE_SOCKET = """
window.__sockets = [];
window.WebSocket = class extends EventTarget {
  constructor(url) {
    super();
    this.url = url;
    window.__sockets.push(this);
    setTimeout(() => this.dispatchEvent(new Event("open")));
  }
  send() {}
  close() {}
};
"""

# Records each notification the page makes (headless Chromium shows none), keeping the real permission.
RECORD_NOTIFICATIONS = """
(() => {
  const Real = window.Notification;
  if (!Real) return;
  window.__notes = [];
  class Recording extends Real {
    constructor(title, options) { super(title, options); window.__notes.push({ title, ...options }); }
  }
  Object.defineProperty(Recording, "permission", { get: () => Real.permission });
  Recording.requestPermission = (...args) => Real.requestPermission(...args);
  window.Notification = Recording;
})();
"""


@pytest.fixture
def alice(mail_stack: None) -> str:
    personas.mailbox("alice")
    return "alice@example.test"


def _signed_in(browser: Browser, base: str, address: str, **options: object) -> tuple[BrowserContext, Page, PageWatch]:
    context = browser.new_context(**options)  # type: ignore[arg-type]
    context.add_init_script(FAKE_SOCKET)
    context.add_init_script(RECORD_NOTIFICATIONS)
    page = context.new_page()
    watch = PageWatch(page, base)
    sign_in(page, base, address)
    return context, page, watch


class Layer:
    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    async def group_send(self, group: str, payload: dict[str, Any]) -> None:
        self.events.append(payload["event"])


@pytest.fixture
def layer(monkeypatch: pytest.MonkeyPatch) -> Layer:
    fake = Layer()
    monkeypatch.setattr("core.events.get_channel_layer", lambda: fake)
    return fake


def _deliver_one_reminder(page: Page, layer: Layer, address: str, uid: str) -> None:
    """A due DISPLAY alarm through alarms_deliver_due; what it publishes goes to the page's socket."""

    def deliver() -> int:
        # In a thread of its own: Playwright's loop in this one would stop event_publish's async_to_sync.
        try:
            access = calendars_for_user(user=User.objects.get(username=address))[0]
            start = timezone.now().replace(microsecond=0) + timedelta(hours=1)
            calendar_object_put(access=access, name=f"{uid}.ics", data=timed(uid, start, *alarm(":-PT15M")))
            return alarms_deliver_due(now=start - timedelta(minutes=15)).sent
        finally:
            connection.close()

    with ThreadPoolExecutor(1) as pool:
        assert pool.submit(deliver).result() == 1
    [event] = [e for e in layer.events if e["kind"] == "calendar.reminder"]
    layer.events.clear()
    page.wait_for_function("() => window.__sockets.length > 0")
    page.evaluate(
        "(data) => window.__sockets.at(-1).dispatchEvent(new MessageEvent('message', { data }))", json.dumps(event)
    )


def test_settings_asks_for_permission_and_a_reminder_becomes_a_notification(
    alice: str,
    live_server,  # type: ignore[no-untyped-def]
    browser: Browser,
    layer: Layer,
) -> None:
    context, page, watch = _signed_in(browser, live_server.url, alice, viewport=DESKTOP)
    page.goto(f"{live_server.url}/calendar/settings/")
    allow = page.get_by_role("button", name="Allow browser notifications")
    expect(allow).to_be_visible()
    screenshot(page, "calendar-settings-reminders-desktop")
    context.grant_permissions(["notifications"], origin=live_server.url)
    allow.click()
    expect(page.get_by_role("status").filter(has_text="Notifications are on")).to_be_visible()
    expect(allow).to_be_hidden()

    _deliver_one_reminder(page, layer, alice, "n1")
    page.wait_for_function("() => window.__notes.length === 1")
    note = page.evaluate("() => window.__notes[0]")
    assert note["title"] == "Standup"
    assert note["body"] == "Standup in 15 minutes"
    assert note["tag"].startswith("calendar-alarm-")
    expect(page.locator(".toast", has_text="Standup")).to_have_count(0)
    watch.assert_clean()
    context.close()


def test_without_permission_a_reminder_is_a_toast_on_the_phone(
    alice: str, live_server, browser: Browser, layer: Layer
) -> None:  # type: ignore[no-untyped-def]
    context, page, watch = _signed_in(browser, live_server.url, alice, viewport=PHONE, is_mobile=True)
    page.goto(f"{live_server.url}/calendar/")
    _deliver_one_reminder(page, layer, alice, "t1")
    expect(page.locator(".toast", has_text="Standup")).to_be_visible()
    assert page.evaluate("() => (window.__notes || []).length") == 0
    screenshot(page, "calendar-reminder-toast-phone")
    watch.assert_clean()
    context.close()
