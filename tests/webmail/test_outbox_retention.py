"""The Outbox page loads no stored messages, and filed rows lose theirs after the retention period."""

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from tests import personas
from webmail.models import Outbox
from webmail.tasks import outbox_prune_task

State = Outbox.State


def _row(user: User, state: str, *, age_days: float, subject: str = "Hello") -> Outbox:
    row = Outbox.objects.create(
        user=user, idempotency_key=uuid.uuid4().hex, message_id=f"<{uuid.uuid4().hex}@example.test>", state=state,
        sender=user.username, recipients=["bob@example.test"], subject=subject, raw=b"raw message " * 100,
        sent_copy=b"sent copy " * 100, send_after=timezone.now(), compose_state={"text": "typed text"},
    )  # fmt: skip
    # `updated` is auto_now: set the filing time with an update, which leaves it as given.
    Outbox.objects.filter(pk=row.pk).update(updated=timezone.now() - timedelta(days=age_days))
    return row


@pytest.mark.django_db
def test_outbox_page_selects_no_stored_message(client: Client) -> None:
    user = personas.mailbox("alice").user
    _row(user, State.FILED, age_days=0, subject="Shown in the list")
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("webmail:outbox"))
    assert response.status_code == 200
    assert "Shown in the list" in response.content.decode()
    outbox_selects = [q["sql"] for q in queries.captured_queries if 'FROM "webmail_outbox"' in q["sql"]]
    assert any('"webmail_outbox"."subject"' in sql for sql in outbox_selects), outbox_selects
    for sql in outbox_selects:
        for column in ('"raw"', '"sent_copy"', '"compose_state"'):
            assert column not in sql


@pytest.mark.django_db
def test_prune_blanks_only_filed_rows_past_the_retention(settings) -> None:  # type: ignore[no-untyped-def]
    settings.ROOST_OUTBOX_RETENTION_DAYS = 30
    user = personas.mailbox("alice").user
    old_filed = _row(user, State.FILED, age_days=31)
    new_filed = _row(user, State.FILED, age_days=29)
    old_failed = _row(user, State.FAILED, age_days=90)
    old_cancelled = _row(user, State.CANCELLED, age_days=90)
    outbox_prune_task()
    old_filed.refresh_from_db()
    assert bytes(old_filed.raw) == b""
    assert bytes(old_filed.sent_copy) == b""
    assert old_filed.compose_state == {}
    assert old_filed.subject == "Hello"  # the row stays as history
    assert old_filed.recipients == ["bob@example.test"]
    for kept in (new_filed, old_failed, old_cancelled):
        kept.refresh_from_db()
        assert bytes(kept.raw) == b"raw message " * 100
        assert bytes(kept.sent_copy) == b"sent copy " * 100
        assert kept.compose_state == {"text": "typed text"}


def test_prune_runs_on_the_beat_schedule() -> None:
    from django.conf import settings

    schedule = {entry["task"]: entry for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "webmail.tasks.outbox_prune_task" in schedule
    assert outbox_prune_task.name == "webmail.tasks.outbox_prune_task"
