from celery import shared_task
from django.core.management import call_command


@shared_task(name="accounts.tasks.sessions_clear_expired_task")
def sessions_clear_expired_task() -> None:
    call_command("clearsessions")
