from datetime import timedelta

from celery import shared_task
from django.conf import settings

from webmail.services.outbox import outbox_deliver, outbox_file, outbox_prune, outbox_sweep
from webmail.services.queueing import outbox_queue


@shared_task(bind=True, name="webmail.tasks.outbox_send_task", max_retries=None, acks_late=True)
def outbox_send_task(self, outbox_id: int) -> None:  # type: ignore[no-untyped-def]
    step = outbox_deliver(outbox_id=outbox_id)
    if step.file_next:
        outbox_file_task.delay(outbox_id)
    elif step.retry_in is not None:
        raise self.retry(countdown=step.retry_in)


@shared_task(bind=True, name="webmail.tasks.outbox_file_task", max_retries=None, acks_late=True)
def outbox_file_task(self, outbox_id: int) -> None:  # type: ignore[no-untyped-def]
    try:
        outbox_file(outbox_id=outbox_id)
    except Exception as error:  # noqa: BLE001 - filing is retried whatever went wrong; sending never is
        raise self.retry(countdown=30, exc=error) from None


@shared_task(name="webmail.tasks.outbox_sweep_task")
def outbox_sweep_task() -> None:
    found = outbox_sweep()
    for outbox_id in found["send"]:
        outbox_queue(outbox_id)
    for outbox_id in found["file"]:
        outbox_file_task.delay(outbox_id)


@shared_task(name="webmail.tasks.outbox_prune_task")
def outbox_prune_task() -> None:
    outbox_prune(older_than=timedelta(days=settings.ROOST_OUTBOX_RETENTION_DAYS))
