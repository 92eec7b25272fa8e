from celery import shared_task
from django.utils import timezone

from calendar_app.services.alarms import alarms_deliver_due, alarms_extend_horizon


@shared_task(name="calendar_app.tasks.calendar_alarms_deliver_task")
def calendar_alarms_deliver_task() -> None:
    alarms_deliver_due(now=timezone.now())


@shared_task(name="calendar_app.tasks.calendar_alarms_extend_task")
def calendar_alarms_extend_task() -> None:
    alarms_extend_horizon(now=timezone.now())
