"""The outbox through a real Celery worker and broker: send, undo window, Sent copy."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from accounts.models import User
from tests import personas
from tests.mailstack import wait_for_subject
from webmail.mailstore import mail_account_for_task
from webmail.mime.compose import parse_address_list
from webmail.models import Outbox
from webmail.services.compose import ComposeRequest, message_send

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.integration]


def test_a_real_worker_sends_and_files_the_message(mail_stack: None, settings) -> None:  # type: ignore[no-untyped-def]
    settings.ROOST_UNDO_SEND_SECONDS = 1
    personas.mailbox("alice")
    personas.mailbox("bob")
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="config.settings.test",
        ROOST_DB_NAME=settings.DATABASES["default"]["NAME"],
    )
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo", "--loglevel", "WARNING"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        alice = User.objects.get(username="alice@example.test")
        row = message_send(
            account=mail_account_for_task(alice),
            request=ComposeRequest(
                idempotency_key=uuid.uuid4().hex,
                from_address="alice@example.test",
                to=parse_address_list("bob@example.test"),
                subject="Through the worker",
                text="hello",
            ),
        )
        deadline = time.monotonic() + 45
        while time.monotonic() < deadline:
            row.refresh_from_db()
            if row.state in (Outbox.State.FILED, Outbox.State.FAILED):
                break
            time.sleep(0.3)
    finally:
        worker.terminate()
        _, errors = worker.communicate(timeout=30)
    assert row.state == Outbox.State.FILED, (row.state, row.last_error, errors[-2000:])
    assert "Through the worker" in wait_for_subject("bob@example.test", "Through the worker")
