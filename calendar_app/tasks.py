"""calendar_app's Celery entry points: ids in, one service call."""

from celery import shared_task
from django.utils import timezone

from calendar_app.services.alarms import alarms_deliver_due, alarms_extend_horizon
from calendar_app.services.subscriptions import subscription_refresh, subscriptions_due
from core.errors import NotFound


@shared_task(name="calendar_app.tasks.calendar_alarms_deliver_task")
def calendar_alarms_deliver_task() -> None:
    alarms_deliver_due(now=timezone.now())


@shared_task(name="calendar_app.tasks.calendar_alarms_extend_task")
def calendar_alarms_extend_task() -> None:
    alarms_extend_horizon(now=timezone.now())


@shared_task(name="calendar_app.tasks.calendar_subscriptions_refresh_task")
def calendar_subscriptions_refresh_task() -> int:
    """Every five minutes (beat): one task per subscription whose time has come."""
    due = subscriptions_due()
    for subscription_id in due:
        calendar_subscription_refresh_task.delay(subscription_id)
    return len(due)


@shared_task(name="calendar_app.tasks.calendar_subscription_refresh_task", acks_late=True)
def calendar_subscription_refresh_task(subscription_id: int) -> str:
    """The refresh locks the row without waiting, so a copy of this task queued twice runs once; it records
    a failure on the subscription for its owner, so nothing is retried here."""
    try:
        return subscription_refresh(subscription_id=subscription_id, only_if_due=True).status
    except NotFound:
        return "gone"  # unsubscribed meanwhile
