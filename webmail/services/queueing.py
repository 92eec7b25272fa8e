from datetime import datetime

from celery import current_app


def outbox_queue(outbox_id: int, *, eta: datetime | None = None) -> None:
    """Queue the submission by task name (services never import the task module)."""
    current_app.send_task("webmail.tasks.outbox_send_task", args=[outbox_id], eta=eta)
