"""Delivering due alarms: exactly once (also with two workers at the same moment), overdue ones skipped,
DISPLAY as one live event to the calendar's owner only, EMAIL as one outbox row to the owner's own address
whose Message-ID a second run cannot change; and one reminder through the real mail stack to the INBOX."""

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from accounts.models import User
from calendar_app import selectors, services
from calendar_app.models import CalendarAlarm, CalendarPreferences
from calendar_app.services.alarms import alarms_deliver_due, reminder_text
from calendar_app.tasks import calendar_alarms_deliver_task, calendar_alarms_extend_task
from tests import personas
from tests.calendar_app.test_alarms import alarm, put, soon, timed
from tests.mailstack import wait_for_subject
from webmail.models import Outbox
from webmail.services.outbox import outbox_deliver, outbox_file


class Layer:
    """A channel layer that records what event_publish sends (the real one is tested in tests/core)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []
        self.lock = threading.Lock()

    async def group_send(self, group: str, payload: dict[str, Any]) -> None:
        with self.lock:
            self.sent.append((group, payload["event"]))

    def reminders(self) -> list[tuple[str, dict[str, Any]]]:
        return [(group, event) for group, event in self.sent if event["kind"] == "calendar.reminder"]


@pytest.fixture
def layer(monkeypatch: pytest.MonkeyPatch) -> Layer:
    fake = Layer()
    monkeypatch.setattr("core.events.get_channel_layer", lambda: fake)
    return fake


Committing = Callable[..., Any]


def deliver(capture: Committing, now: datetime) -> tuple[int, int, int]:
    """One run, with its after-commit work (the events) done as a real commit would."""
    with capture(execute=True):
        report = alarms_deliver_due(now=now)
    return report.sent, report.skipped, report.failed


@pytest.mark.django_db
def test_a_due_display_alarm_is_published_once_to_the_owner_only(
    alice: User, bob: User, layer: Layer, django_capture_on_commit_callbacks: Committing
) -> None:
    access = selectors.calendars_for_user(user=alice)[0]
    services.calendar_share(access=access, user=bob, can_write=True)
    shared = selectors.calendar_get_for_user(user=bob, calendar_id=access.obj.pk)
    start = soon()
    services.calendar_object_put(access=shared, name="s.ics", data=timed("s", start, *alarm(":-PT15M")))
    trigger = start - timedelta(minutes=15)
    assert deliver(django_capture_on_commit_callbacks, trigger - timedelta(seconds=1)) == (0, 0, 0)
    assert deliver(django_capture_on_commit_callbacks, trigger + timedelta(seconds=20)) == (1, 0, 0)
    assert deliver(django_capture_on_commit_callbacks, trigger + timedelta(seconds=80)) == (0, 0, 0)
    [(group, event)] = layer.reminders()
    assert group == f"user.{alice.pk}"  # the owner, not the sharee who wrote the event
    # Alice left her zone to the browser, which the worker cannot ask: no clock time that could be wrong.
    assert event["message"] == "Standup in 15 minutes"
    assert (event["title"], event["url"], event["notify"], event["all_day"]) == ("Standup", "/calendar/", True, False)
    assert datetime.fromisoformat(event["start"]) == start
    row = CalendarAlarm.objects.get()
    assert (row.outcome, row.delivered_at) == ("sent", trigger + timedelta(seconds=20))


@pytest.mark.django_db
def test_with_the_owners_zone_the_reminder_names_the_clock_time(
    alice: User, layer: Layer, django_capture_on_commit_callbacks: Committing
) -> None:
    CalendarPreferences.objects.create(user=alice, time_zone="Europe/Berlin")
    start = soon()
    put(alice, "z.ics", timed("z", start, *alarm(":-PT15M"), *alarm(":-PT15M", "EMAIL")))
    assert deliver(django_capture_on_commit_callbacks, start - timedelta(minutes=15)) == (2, 0, 0)
    local = start.astimezone(ZoneInfo("Europe/Berlin"))
    [(_, event)] = layer.reminders()
    assert event["message"] == f"Standup at {local:%H:%M} (in 15 minutes)"
    row = Outbox.objects.get()
    assert row.subject == f"Reminder: Standup at {local:%H:%M} (in 15 minutes)"
    assert f"{local:%H:%M} (Europe/Berlin)" in bytes(row.raw).decode()


@pytest.mark.django_db
def test_an_alarm_more_than_two_hours_overdue_is_skipped(
    alice: User, layer: Layer, django_capture_on_commit_callbacks: Committing
) -> None:
    start = soon()
    put(alice, "o.ics", timed("o", start, *alarm(":-PT15M"), *alarm(":-PT10M", "EMAIL")))
    late = start + timedelta(hours=2)
    assert deliver(django_capture_on_commit_callbacks, late) == (0, 2, 0)
    assert layer.reminders() == []
    assert not Outbox.objects.exists()
    assert set(CalendarAlarm.objects.values_list("outcome", flat=True)) == {"skipped"}
    assert "late" in CalendarAlarm.objects.first().note  # type: ignore[union-attr]


@pytest.mark.django_db
def test_an_email_alarm_makes_one_outbox_row_with_a_fixed_message_id(
    alice: User, layer: Layer, django_capture_on_commit_callbacks: Committing
) -> None:
    start = soon()
    mail_alarm = alarm(":-PT30M", "EMAIL", "ATTENDEE:mailto:mallory@elsewhere.test")
    put(alice, "m.ics", timed("m", start, "DESCRIPTION:Bring the slides.", *mail_alarm))
    trigger = start - timedelta(minutes=30)
    assert deliver(django_capture_on_commit_callbacks, trigger) == (1, 0, 0)
    row = Outbox.objects.get()
    assert (row.user, row.sender, row.recipients) == (alice, "alice@example.test", ["alice@example.test"])
    assert row.subject == "Reminder: Standup in 30 minutes"
    raw = bytes(row.raw).decode()
    assert f"When: {start:%A} {start.day} {start:%B %Y}, 09:00 (UTC)" in raw
    assert "Where: Room 1" in raw
    assert "Bring the slides." in raw
    assert "mallory" not in raw  # the alarm's ATTENDEE never chooses the recipient
    assert row.send_after <= trigger + timedelta(seconds=1)  # no undo window for a reminder
    # A second run finds nothing due; a retry of the same alarm (its row made pending again) finds the same
    # outbox row, so the Message-ID cannot change and nothing is sent twice.
    assert deliver(django_capture_on_commit_callbacks, trigger + timedelta(minutes=1)) == (0, 0, 0)
    CalendarAlarm.objects.update(delivered_at=None, outcome="")
    assert deliver(django_capture_on_commit_callbacks, trigger + timedelta(minutes=2)) == (1, 0, 0)
    assert list(Outbox.objects.values_list("message_id", flat=True)) == [row.message_id]
    assert layer.reminders() == []


@pytest.mark.django_db
def test_a_reminder_that_cannot_be_mailed_fails_alone(
    alice: User, layer: Layer, django_capture_on_commit_callbacks: Committing
) -> None:
    nomail = User.objects.create_user(username="nomail@example.test", password="x")
    start = soon()
    put(nomail, "n.ics", timed("n", start, *alarm(":-PT15M", "EMAIL")))
    put(alice, "a.ics", timed("a", start, *alarm(":-PT15M", "EMAIL"), *alarm(":-PT15M")))
    assert deliver(django_capture_on_commit_callbacks, start - timedelta(minutes=14)) == (2, 0, 1)
    failed = CalendarAlarm.objects.get(outcome="failed")
    assert failed.obj.calendar.owner == nomail
    assert failed.note
    assert list(Outbox.objects.values_list("user__username", flat=True)) == ["alice@example.test"]
    assert [group for group, _ in layer.reminders()] == [f"user.{alice.pk}"]


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_the_same_moment_deliver_each_alarm_once(layer: Layer) -> None:
    alice = personas.mailbox("alice").user
    start = soon()
    for n in range(40):
        put(alice, f"e{n}.ics", timed(f"e{n}", start + timedelta(minutes=n), *alarm(":-PT15M")))
    due = start + timedelta(minutes=40)
    barrier = threading.Barrier(2)
    reports: list[tuple[int, int, int]] = []

    def worker() -> None:
        try:
            barrier.wait()
            report = alarms_deliver_due(now=due)
            reports.append((report.sent, report.skipped, report.failed))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sum(sent for sent, _, _ in reports) == 40
    assert len(reports) == 2
    tags = [event["tag"] for _, event in layer.reminders()]
    assert len(tags) == 40
    assert len(set(tags)) == 40
    assert not CalendarAlarm.objects.filter(delivered_at__isnull=True).exists()


def test_reminder_text_reads_naturally() -> None:
    now = datetime(2025, 3, 10, 9, 45, tzinfo=UTC)
    start = datetime(2025, 3, 10, 10, tzinfo=UTC)

    def text(start: datetime, all_day: bool = False, summary: str = "Standup") -> str:
        return reminder_text(summary=summary, start=start, all_day=all_day, now=now, zone=UTC)

    assert text(start) == "Standup at 10:00 (in 15 minutes)"
    assert text(start + timedelta(days=1, hours=2, minutes=5)) == "Standup tomorrow at 12:05 (in 1 day 2 hours)"
    assert text(start - timedelta(minutes=30)) == "Standup at 09:30 (started 15 minutes ago)"
    assert text(now) == "Standup at 09:45 (now)"
    assert text(datetime(2025, 3, 14, tzinfo=UTC), all_day=True, summary="") == "(no title) on Fri 14 Mar (all day)"
    assert text(datetime(2025, 3, 10, tzinfo=UTC), all_day=True) == "Standup today (all day)"
    assert text(datetime(2025, 4, 7, 8, tzinfo=UTC)) == "Standup on Mon 7 Apr at 08:00 (in 27 days 22 hours)"
    assert text(start, summary="Line\r\nBcc: x@evil.test") == "Line Bcc: x@evil.test at 10:00 (in 15 minutes)"
    unknown = {"now": now, "zone": UTC, "all_day": False, "clock": False, "summary": "Standup"}
    assert reminder_text(start=start, **unknown) == "Standup in 15 minutes"  # type: ignore[arg-type]
    assert reminder_text(start=now, **unknown) == "Standup starts now"  # type: ignore[arg-type]


def test_the_tasks_run_on_the_beat_schedule() -> None:
    schedule = {entry["task"]: entry for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert calendar_alarms_deliver_task.name in schedule
    assert calendar_alarms_extend_task.name in schedule
    assert schedule[calendar_alarms_deliver_task.name]["schedule"].remaining_estimate(timezone.now()) <= timedelta(
        minutes=1
    )


@pytest.mark.integration
def test_an_email_reminder_arrives_in_the_owners_inbox(mail_stack: None, settings) -> None:  # type: ignore[no-untyped-def]
    settings.ROOST_UNDO_SEND_SECONDS = 0
    alice = personas.mailbox("alice").user
    start = timezone.now().replace(microsecond=0) + timedelta(minutes=10, seconds=2)
    put(alice, "r.ics", timed("r", start, *alarm(":-PT10M", "EMAIL"), summary="Dentist"))
    alarm_row = CalendarAlarm.objects.get()
    assert alarm_row.trigger == start - timedelta(minutes=10)
    while timezone.now() < alarm_row.trigger:
        time.sleep(0.2)
    calendar_alarms_deliver_task()  # what beat runs every minute
    row = Outbox.objects.get()
    step = outbox_deliver(outbox_id=row.pk)
    if step.file_next:
        outbox_file(outbox_id=row.pk)
    row.refresh_from_db()
    assert row.state == Outbox.State.FILED, (row.state, row.last_error)
    subject = row.subject
    assert subject == "Reminder: Dentist in 10 minutes"
    assert subject in wait_for_subject("alice@example.test", subject)
    calendar_alarms_deliver_task()
    assert Outbox.objects.count() == 1
