"""Reminders (VALARM): an index of the moments each object's alarms go off, kept in step with the object
whenever it is stored (a calendar object's deletion takes its alarms with it: the foreign key cascades), and
the delivery of the due ones, exactly once, to the calendar's owner: DISPLAY (and AUDIO) as a live event the
open pages show as a system notification or a toast, EMAIL as one message to the owner's own address through
the outbox. The index holds the next HORIZON of triggers; a daily task moves the horizon along."""

import hashlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from email.headerregistry import Address

from django.conf import settings
from django.db import transaction
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.urls import reverse
from django.utils import timezone

from calendar_app.ical import parse as ical
from calendar_app.locks import calendar_locked
from calendar_app.models import Calendar, CalendarAlarm, CalendarObject, CalendarPreferences
from core.errors import NotFound
from core.events import event_publish
from webmail.mailstore import mail_account_for_task
from webmail.services.compose import ComposeRequest, message_send

log = logging.getLogger(__name__)

HORIZON = timedelta(days=30)  # triggers indexed ahead of now
OVERDUE = timedelta(hours=2)  # a reminder found later than this (the worker was down) is skipped, not sent
# The daily run re-indexes objects happening within HORIZON + LEAD: a reminder set further ahead of its
# occurrence than LEAD is indexed only if the object was stored within HORIZON of the reminder.
LEAD = timedelta(days=30)
KEEP_DELIVERED = timedelta(days=7)  # delivered rows of objects nobody touches are pruned after this
BATCH = 200


def owner_zone(calendar: Calendar) -> tzinfo | None:
    """The zone the owner chose for this calendar (its own, else their calendar setting); None when they left
    it to the browser, which a worker cannot ask."""
    name = calendar.timezone or (
        CalendarPreferences.objects.filter(user_id=calendar.owner_id).values_list("time_zone", flat=True).first() or ""
    )
    return ical.zone_named(name) if name else None


def alarm_zone(calendar: Calendar) -> tzinfo:
    """Where the owner's dates and floating times are read: their zone, else the site's."""
    return owner_zone(calendar) or ical.zone_named(settings.TIME_ZONE) or UTC


def _wanted(obj: CalendarObject, calendar: Calendar, now: datetime) -> list[ical.AlarmTrigger]:
    if "VALARM" not in obj.data:
        return []
    try:
        return ical.Document(obj.data).alarms(now - OVERDUE, now + HORIZON, zone=alarm_zone(calendar))
    except Exception:  # an object whose alarms cannot be read has none; its put still succeeds
        log.warning("calendar %s: the alarms of %s cannot be read", calendar.pk, obj.name, exc_info=True)
        return []


def alarms_reindex(*, obj: CalendarObject, calendar: Calendar | None = None, now: datetime | None = None) -> int:
    """Bring the object's alarm rows in step with its text (call under the calendar's lock, as store_parsed
    does). A row whose moment is still in the object keeps its delivery state, so storing the object again
    never repeats a reminder; a moment that is new but already past (the object was written after it) is
    not added. Returns how many rows wait for delivery."""
    now = now or timezone.now()
    calendar = calendar or obj.calendar
    wanted = {(a.instance_start, a.action, a.trigger): a for a in _wanted(obj, calendar, now)}
    existing = {(r.instance_start, r.action, r.trigger): r for r in CalendarAlarm.objects.filter(obj=obj)}
    gone = [row.pk for key, row in existing.items() if key not in wanted]
    if gone:
        CalendarAlarm.objects.filter(pk__in=gone).delete()
    changed = []
    for key, row in existing.items():
        alarm = wanted.get(key)
        if alarm is None or row.delivered_at is not None:
            continue
        values = _values(alarm)
        if any(getattr(row, field) != value for field, value in values.items()):
            for field, value in values.items():
                setattr(row, field, value)
            changed.append(row)
    if changed:
        CalendarAlarm.objects.bulk_update(changed, fields=list(_DESCRIBED))
    new = [
        CalendarAlarm(obj=obj, instance_start=a.instance_start, action=a.action, trigger=a.trigger, **_values(a))
        for key, a in wanted.items()
        if key not in existing and a.trigger >= now
    ]
    if new:
        CalendarAlarm.objects.bulk_create(new, ignore_conflicts=True)
    return len(new) + sum(1 for key, row in existing.items() if key in wanted and row.delivered_at is None)


_DESCRIBED = ("all_day", "summary", "location", "description")


def _values(alarm: ical.AlarmTrigger) -> dict[str, object]:
    return {
        "all_day": alarm.all_day,
        "summary": alarm.summary[:2000],
        "location": alarm.location[:2000],
        "description": alarm.description[:20_000],
    }


def alarms_extend_horizon(*, now: datetime | None = None) -> int:
    """The daily run: re-index every object with alarms that happens between now and HORIZON + LEAD ahead,
    so the horizon moves along (recurring series, events stored long before), and prune old delivered rows.
    Returns how many objects were looked at."""
    now = now or timezone.now()
    CalendarAlarm.objects.filter(delivered_at__lt=now - KEEP_DELIVERED).delete()
    window = DateTimeTZRange(now - OVERDUE, now + HORIZON + LEAD, "[]")
    candidates = list(
        CalendarObject.objects.filter(data__contains="BEGIN:VALARM", span__overlap=window)
        .order_by("calendar_id", "pk")
        .values_list("pk", "calendar_id")
    )
    count = 0
    for pk, calendar_id in candidates:
        with transaction.atomic():
            try:
                calendar = calendar_locked(calendar_id)
            except NotFound:  # deleted meanwhile
                continue
            obj = CalendarObject.objects.filter(pk=pk).first()
            if obj is not None:
                alarms_reindex(obj=obj, calendar=calendar, now=now)
                count += 1
    return count


@dataclass(frozen=True)
class DeliveryReport:
    sent: int = 0
    skipped: int = 0
    failed: int = 0


def alarms_deliver_due(*, now: datetime | None = None) -> DeliveryReport:
    """Deliver every alarm due by `now` that nobody has delivered yet. Rows are taken with FOR UPDATE SKIP
    LOCKED and marked in the same transaction as their delivery (the event goes out after the commit, the
    mail's outbox row commits with the mark), so two workers never deliver one reminder twice and a crash
    before the commit delivers nothing and leaves the row for the next run."""
    now = now or timezone.now()
    counts = {CalendarAlarm.Outcome.SENT: 0, CalendarAlarm.Outcome.SKIPPED: 0, CalendarAlarm.Outcome.FAILED: 0}
    while True:
        with transaction.atomic():
            rows = list(
                CalendarAlarm.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("obj__calendar__owner")
                .filter(delivered_at__isnull=True, trigger__lte=now)
                .order_by("trigger", "pk")[:BATCH]
            )
            for row in rows:
                outcome, note = _deliver(row, now)
                row.delivered_at, row.outcome, row.note = now, outcome, note[:1000]
                row.save(update_fields=["delivered_at", "outcome", "note"])
                counts[outcome] += 1
        if len(rows) < BATCH:
            break
    return DeliveryReport(
        sent=counts[CalendarAlarm.Outcome.SENT],
        skipped=counts[CalendarAlarm.Outcome.SKIPPED],
        failed=counts[CalendarAlarm.Outcome.FAILED],
    )


def _deliver(row: CalendarAlarm, now: datetime) -> tuple[CalendarAlarm.Outcome, str]:
    calendar = row.obj.calendar
    owner = calendar.owner
    if row.trigger < now - OVERDUE:
        return CalendarAlarm.Outcome.SKIPPED, f"found {_duration(now - row.trigger)} late"
    if not owner.is_active:
        return CalendarAlarm.Outcome.SKIPPED, "the owner's account is disabled"
    zone, known = alarm_zone(calendar), owner_zone(calendar) is not None
    if row.action == CalendarAlarm.Action.DISPLAY:
        text = reminder_text(
            summary=row.summary, start=row.instance_start, all_day=row.all_day, now=now, zone=zone, clock=known
        )
        event_publish(
            kind="calendar.reminder",
            data={
                "message": text,
                "title": _title(row.summary),
                "start": row.instance_start.isoformat(),
                "all_day": row.all_day,
                "url": reverse("calendar_app:home"),
                "notify": True,
                "tag": f"calendar-alarm-{row.pk}",
            },
            user_ids=[owner.pk],
        )
        return CalendarAlarm.Outcome.SENT, ""
    try:
        with transaction.atomic():
            _reminder_mail(row, calendar, zone, now, clock=known)
    except Exception as error:  # one reminder that cannot be mailed never stops the others
        log.warning("calendar alarm %s could not be mailed", row.pk, exc_info=True)
        return CalendarAlarm.Outcome.FAILED, str(error) or type(error).__name__
    return CalendarAlarm.Outcome.SENT, ""


def mail_key(row: CalendarAlarm) -> str:
    """The outbox idempotency key of an alarm's mail: the same moment of the same event (even one deleted and
    stored again) finds the same outbox row, so its Message-ID is fixed and a retry never sends a second mail."""
    parts = (row.obj.calendar_id, row.obj.uid, row.instance_start.isoformat(), row.trigger.isoformat(), row.action)
    return "calendar-alarm-" + hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:40]


def _reminder_mail(row: CalendarAlarm, calendar: Calendar, zone: tzinfo, now: datetime, *, clock: bool) -> None:
    owner = calendar.owner
    address = owner.username
    text = reminder_text(
        summary=row.summary, start=row.instance_start, all_day=row.all_day, now=now, zone=zone, clock=clock
    )
    local = row.instance_start.astimezone(zone)
    day = f"{local:%A} {local.day} {local:%B %Y}"
    when = f"{day}, all day" if row.all_day else f"{day}, {local:%H:%M} ({zone})"
    lines = [_title(row.summary), "", f"When: {when}"]
    if row.location.strip():
        lines.append(f"Where: {' '.join(row.location.split())}")
    lines.append(f"Calendar: {calendar.name}")
    if row.description.strip():
        lines += ["", row.description.strip()]
    lines += ["", "-- ", f"A reminder from your calendar: {settings.BASE_URL}{reverse('calendar_app:home')}"]
    message_send(
        account=mail_account_for_task(owner),
        request=ComposeRequest(
            idempotency_key=mail_key(row),
            from_address=address,
            to=[Address(addr_spec=address)],
            subject=f"Reminder: {text}"[:250],
            text="\n".join(lines) + "\n",
            send_at=now,
        ),
    )


def _title(summary: str) -> str:
    return " ".join(summary.split())[:200] or "(no title)"


def _duration(delta: timedelta) -> str:
    minutes = max(round(delta.total_seconds() / 60), 0)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} day{'s' * (days != 1)}" + (f" {hours} hour{'s' * (hours != 1)}" if hours else "")
    if hours:
        return f"{hours} hour{'s' * (hours != 1)}" + (f" {minutes} minute{'s' * (minutes != 1)}" if minutes else "")
    return f"{minutes} minute{'s' * (minutes != 1)}"


def reminder_text(
    *, summary: str, start: datetime, all_day: bool, now: datetime, zone: tzinfo, clock: bool = True
) -> str:
    """What the person reads: "Standup at 10:00 (in 15 minutes)", "Trip tomorrow (all day)". Without `clock`
    (the owner's zone is unknown, so a clock time could be another zone's) only "Standup in 15 minutes"."""
    local = start.astimezone(zone)
    today = now.astimezone(zone).date()
    if local.date() == today:
        day = "today"
    elif local.date() == today + timedelta(days=1):
        day = "tomorrow"
    else:
        day = f"on {local:%a} {local.day} {local:%b}"
    if all_day:
        return f"{_title(summary)} {day} (all day)"
    ahead = start - now
    if abs(ahead) < timedelta(minutes=1):
        relative = "now"
    elif ahead > timedelta(0):
        relative = f"in {_duration(ahead)}"
    else:
        relative = f"started {_duration(-ahead)} ago"
    if not clock:
        return f"{_title(summary)} {'starts ' if relative == 'now' else ''}{relative}"
    at = f"at {local:%H:%M}" if day == "today" else f"{day} at {local:%H:%M}"
    return f"{_title(summary)} {at} ({relative})"
