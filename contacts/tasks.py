from celery import shared_task

from contacts.services import contacts_import_run


@shared_task(name="contacts.tasks.contacts_import_task", acks_late=True)
def contacts_import_task(job_id: int) -> None:
    contacts_import_run(job_id=job_id)
