"""Row locks for the outbox, in one place: short transactions, one row at a time, skipping rows
another worker holds (it is already doing the work)."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction

from webmail.models import Outbox


@contextmanager
def outbox_locked(outbox_id: int) -> Iterator[Outbox | None]:
    with transaction.atomic():
        yield Outbox.objects.select_for_update(skip_locked=True).filter(pk=outbox_id).first()
