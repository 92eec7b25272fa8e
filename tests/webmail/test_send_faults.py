"""Real faults: the test instance's Postfix and Dovecot are stopped and started, and a real Celery
worker is killed, while messages are on their way. Nothing is lost, nothing is sent twice."""

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from accounts.models import User
from tests import personas
from tests.mailstack import count_subject, wait_for_subject
from webmail.mailstore import mail_account_for_task
from webmail.mime.compose import parse_address_list
from webmail.models import Outbox
from webmail.services.compose import ComposeRequest, message_send
from webmail.services.drafts import draft_save, new_draft_key
from webmail.services.outbox import outbox_deliver, outbox_file, outbox_sweep

ROOT = Path(__file__).resolve().parents[2]
CONFIG = Path(os.environ.get("ROOST_STACK_CONFIG_DIR", "/etc/roost-test/stack"))
pytestmark = [pytest.mark.integration]
ALICE, BOB = "alice@example.test", "bob@example.test"


def restart_stack() -> None:
    subprocess.run([sys.executable, str(ROOT / "deploy" / "stack.py"), "start", "--instance", "test"], check=True)


@pytest.fixture
def stack_restored(mail_stack: None) -> Iterator[None]:
    yield
    restart_stack()


@pytest.fixture
def alice(mail_stack: None, settings) -> User:  # type: ignore[no-untyped-def]
    settings.ROOST_UNDO_SEND_SECONDS = 0
    personas.mailbox("alice")
    personas.mailbox("bob")
    return User.objects.get(username=ALICE)


def send(user: User, subject: str) -> Outbox:
    request = ComposeRequest(
        idempotency_key=uuid.uuid4().hex, from_address=ALICE, to=parse_address_list(BOB), subject=subject, text="x"
    )
    return message_send(account=mail_account_for_task(user), request=request)


def test_postfix_stopped_while_sending_then_delivered_exactly_once(alice: User, stack_restored: None) -> None:
    subprocess.run(["postfix", "-c", str(CONFIG / "postfix"), "stop"], check=True, capture_output=True)
    row = send(alice, "Through the Postfix outage")
    step = outbox_deliver(outbox_id=row.pk)
    row.refresh_from_db()
    assert step.retry_in is not None
    assert row.state == Outbox.State.QUEUED
    assert "Cannot reach the SMTP server" in row.last_error
    restart_stack()
    step = outbox_deliver(outbox_id=row.pk)
    assert step.file_next
    outbox_file(outbox_id=row.pk)
    wait_for_subject(BOB, "Through the Postfix outage")
    time.sleep(1)  # room for a duplicate to show up, if there were one
    assert count_subject(BOB, "INBOX", "Through the Postfix outage") == 1
    assert count_subject(ALICE, "Sent", "Through the Postfix outage") == 1


def test_dovecot_down_keeps_the_draft_and_saves_it_when_back(alice: User, stack_restored: None) -> None:
    subprocess.run(["doveadm", "-c", str(CONFIG / "dovecot" / "dovecot.conf"), "stop"], check=True, capture_output=True)
    time.sleep(0.5)
    key = new_draft_key()
    state = {"from_address": ALICE, "to": BOB, "subject": "Written during the outage", "text": "kept"}
    with pytest.raises(Exception, match="Cannot reach the IMAP server"):
        draft_save(account=mail_account_for_task(alice), key=key, base_version=0, state=state)
    restart_stack()
    from webmail.mailstore import POOL

    POOL.clear()
    saved = draft_save(account=mail_account_for_task(alice), key=key, base_version=0, state=state)
    assert saved.version == 1
    assert count_subject(ALICE, "Drafts", "Written during the outage") == 1


def test_worker_killed_between_submission_and_sent_append(alice: User, settings) -> None:  # type: ignore[no-untyped-def]
    env = dict(
        os.environ, DJANGO_SETTINGS_MODULE="config.settings.test", ROOST_DB_NAME=settings.DATABASES["default"]["NAME"]
    )
    # This worker can submit but cannot reach IMAP, so it stops after SMTP accepted the message...
    no_imap = {**env, "ROOST_IMAP_PORT": "1", "ROOST_TEST_ENV_WINS": "ROOST_IMAP_PORT"}
    doomed = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo", "--loglevel", "WARNING"],
        cwd=ROOT, env=no_imap, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    row = send(alice, "Worker dies before filing")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        row.refresh_from_db()
        if row.state == Outbox.State.ACCEPTED:
            break
        time.sleep(0.2)
    doomed.send_signal(signal.SIGKILL)  # ...and dies there
    doomed.wait(timeout=10)
    assert row.state == Outbox.State.ACCEPTED
    Outbox.objects.filter(pk=row.pk).update(updated=row.updated.replace(year=2000))
    # A healthy worker and the sweeper finish the job: filing only, never a second submission.
    found = outbox_sweep()
    assert found == {"send": [], "file": [row.pk]}
    outbox_file(outbox_id=row.pk)
    row.refresh_from_db()
    assert row.state == Outbox.State.FILED
    wait_for_subject(BOB, "Worker dies before filing")
    time.sleep(1)
    assert count_subject(BOB, "INBOX", "Worker dies before filing") == 1
    assert count_subject(ALICE, "Sent", "Worker dies before filing") == 1
