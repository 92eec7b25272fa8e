"""Calendars and their objects. Each object keeps the canonical iCalendar text (what a client GETs) next to
the columns the database can search: uid, etag, component and the span of the whole recurrence set (a range
with a GiST index, so a time-range query reads only the candidates). VTODO objects share the same table:
a to-do list is a calendar whose components include "VTODO"."""

from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.fields import ArrayField, DateTimeRangeField
from django.contrib.postgres.indexes import GistIndex
from django.db import models

COMPONENTS = ("VEVENT", "VTODO")


def default_components() -> list[str]:
    return ["VEVENT"]


class Calendar(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendars")
    slug = models.CharField(max_length=64, help_text="URL segment: [a-z0-9-]+, unique per owner.")
    name = models.CharField(max_length=200)
    color = models.CharField(max_length=7, default="#3a87ad")
    description = models.TextField(blank=True)
    components = ArrayField(models.CharField(max_length=16), default=default_components)
    timezone = models.CharField(max_length=64, blank=True, help_text="IANA name; blank means the owner's.")
    order = models.IntegerField(default=0)
    hidden = models.BooleanField(default=False, help_text="Left out of the owner's calendar view.")
    # Bumped in the same transaction as every change to the calendar or its objects; the sync token.
    sync_seq = models.BigIntegerField(default=0)
    # Changes below this seq have been pruned: an older sync token must start over (RFC 6578 3.2).
    history_start = models.BigIntegerField(default=0)
    public_token = models.CharField(max_length=64, null=True, blank=True, unique=True)
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "slug"], name="calendar_slug_once_per_owner")]
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.name


class CalendarShare(models.Model):
    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="shares")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_shares")
    can_write = models.BooleanField(default=False)
    hidden = models.BooleanField(default=False, help_text="Left out of this user's calendar view.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["calendar", "user"], name="calendar_share_once_per_user")]

    def __str__(self) -> str:
        return f"{self.calendar_id} -> {self.user_id}"


class CalendarObject(models.Model):
    """One calendar object resource (RFC 4791 4.1): every component with one UID, master and overrides."""

    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="resources")
    name = models.CharField(max_length=255, help_text="The href basename the client chose, e.g. abc.ics.")
    uid = models.CharField(max_length=255)
    component = models.CharField(max_length=16)
    data = models.TextField()
    etag = models.CharField(max_length=64)
    sequence = models.IntegerField(default=0)
    summary = models.TextField(blank=True)
    recurring = models.BooleanField(default=False)
    # From the first start to the last end of the whole recurrence set, widened for floating times and
    # dates; an upper bound of None is an unbounded series. A superset: the exact test runs on candidates.
    span = DateTimeRangeField()
    # The VEVENT instances are also indexed one row each (CalendarInstance). `instances_exact`: every instance
    # has a zoned or UTC time, so its row is the exact time the event takes; dates and floating times get
    # rows widened by a day and are checked on parsing. `instances_until`: the rows stop here (a long series
    # was cut at recurrence.MAX_INDEXED_INSTANCES); later instances are found from the span, by parsing.
    instances_exact = models.BooleanField(default=False)
    instances_until = models.DateTimeField(null=True, blank=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["calendar", "name"], name="calendar_object_name_once"),
            models.UniqueConstraint(fields=["calendar", "uid"], name="calendar_object_uid_once"),
        ]
        indexes = [
            GistIndex(fields=["span"], name="calendar_object_span_gist"),
            # The few long series whose instance rows stop early (found by their span after that).
            models.Index(
                fields=["calendar", "instances_until"],
                name="calendar_object_cut_series",
                condition=models.Q(instances_until__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CalendarInstance(models.Model):
    """One occurrence of a VEVENT on the UTC line, so a time-range query over a calendar is answered by the
    database (a GiST index on the calendar and the range) instead of expanding every recurring series."""

    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="+")
    obj = models.ForeignKey(CalendarObject, on_delete=models.CASCADE, related_name="instances")
    span = DateTimeRangeField()

    class Meta:
        indexes = [GistIndex(fields=["calendar", "span"], name="calendar_instance_gist")]

    def __str__(self) -> str:
        return f"{self.obj_id}: {self.span}"


class CalendarChange(models.Model):
    """The change log behind sync tokens: one row per put or delete, numbered by the calendar's sync_seq."""

    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="changes")
    seq = models.BigIntegerField()
    name = models.CharField(max_length=255)
    deleted = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["calendar", "seq"], name="calendar_change_seq_once")]

    def __str__(self) -> str:
        return f"{self.calendar_id}@{self.seq}: {self.name}"


def default_refresh_interval() -> timedelta:
    return timedelta(hours=1)


class CalendarSubscription(models.Model):
    """A calendar whose objects mirror an outside source: an .ics URL or a CalDAV calendar. Only the refresh
    writes its objects (calendar_app.services.subscriptions); every other door finds the calendar read-only."""

    ICS = "ics"
    CALDAV = "caldav"
    KINDS = [(ICS, "iCalendar file (.ics)"), (CALDAV, "CalDAV calendar")]

    calendar = models.OneToOneField(Calendar, on_delete=models.CASCADE, related_name="subscription")
    kind = models.CharField(max_length=8, choices=KINDS)
    url = models.CharField(max_length=2000)
    username = models.CharField(max_length=255, blank=True)
    password_sealed = models.TextField(blank=True, help_text="core.crypto.secret_seal, purpose 'calendar-source'.")
    refresh_interval = models.DurationField(default=default_refresh_interval)
    next_refresh = models.DateTimeField(db_index=True)
    last_refreshed = models.DateTimeField(null=True, blank=True, help_text="The last refresh that reached the source.")
    last_error = models.TextField(blank=True, help_text="What went wrong at the last refresh; shown to the owner.")
    # The validators of the last complete fetch, sent back for a conditional GET (blank after a failed one).
    etag = models.CharField(max_length=255, blank=True)
    last_modified = models.CharField(max_length=64, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.calendar_id} <- {self.url}"

    @property
    def refresh_minutes(self) -> int:
        return int(self.refresh_interval.total_seconds() // 60)


class CalendarPreferences(models.Model):
    """A person's calendar settings (calendar_app.preferences); no row means the defaults."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_preferences")
    week_start = models.PositiveSmallIntegerField(default=1)  # 0 Sunday, 1 Monday, 6 Saturday (FullCalendar's)
    default_view = models.CharField(max_length=20, default="timeGridWeek")
    time_zone = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"calendar preferences of {self.user_id}"


class CalendarAlarm(models.Model):
    """One reminder to deliver: an alarm of an object's occurrence at its trigger moment, for the calendar's
    owner. calendar_app.services.alarms keeps these in step with the object (the next HORIZON of triggers) and
    delivers the due ones once; delivered_at is set in the same transaction as the delivery."""

    class Action(models.TextChoices):
        DISPLAY = "DISPLAY"
        EMAIL = "EMAIL"

    class Outcome(models.TextChoices):
        PENDING = ""
        SENT = "sent"
        SKIPPED = "skipped"  # found too late (the worker was down): a stale reminder is worse than none
        FAILED = "failed"

    obj = models.ForeignKey(CalendarObject, on_delete=models.CASCADE, related_name="alarms")
    instance_start = models.DateTimeField(help_text="UTC start of the occurrence the alarm belongs to.")
    trigger = models.DateTimeField(help_text="UTC moment the alarm goes off.")
    action = models.CharField(max_length=8, choices=Action.choices)
    all_day = models.BooleanField(default=False)
    summary = models.TextField(blank=True)
    location = models.TextField(blank=True)
    description = models.TextField(blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=8, choices=Outcome.choices, default=Outcome.PENDING, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["obj", "instance_start", "action", "trigger"], name="calendar_alarm_once_per_moment"
            )
        ]
        indexes = [
            models.Index(fields=["trigger"], condition=models.Q(delivered_at__isnull=True), name="calendar_alarm_due")
        ]

    def __str__(self) -> str:
        return f"{self.action} at {self.trigger:%Y-%m-%d %H:%M} for {self.obj_id}"
