"""Celery: Redis as broker, JSON only (nothing a user can touch is ever unpickled)."""

from celery.schedules import crontab

from core.env import env_str

CELERY_BROKER_URL = env_str("ROOST_CELERY_BROKER_URL", env_str("ROOST_REDIS_URL", "redis://127.0.0.1:6379/0"))
CELERY_RESULT_BACKEND = None
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE = {
    "clear-expired-sessions": {"task": "accounts.tasks.sessions_clear_expired_task", "schedule": 6 * 3600},
    # Often enough that a submission whose worker died is settled within a minute (lease + period).
    "outbox-sweep": {"task": "webmail.tasks.outbox_sweep_task", "schedule": 15},
    "outbox-prune": {"task": "webmail.tasks.outbox_prune_task", "schedule": 6 * 3600},
    # At second 0 of every minute, so a reminder goes out in the minute it is due; a run the worker cannot
    # start within the minute is dropped (the next one delivers what it would have).
    "calendar-alarms-deliver": {
        "task": "calendar_app.tasks.calendar_alarms_deliver_task",
        "schedule": crontab(),
        "options": {"expires": 55},
    },
    "calendar-alarms-extend": {
        "task": "calendar_app.tasks.calendar_alarms_extend_task",
        "schedule": crontab(minute=17, hour=3),
    },
    "calendar-subscriptions-refresh": {
        "task": "calendar_app.tasks.calendar_subscriptions_refresh_task",
        "schedule": 300,
    },
}
