"""Real faults: the test instance's Postfix and Dovecot are stopped and started, and a real Celery
worker is killed, while messages are on their way. Nothing is lost, nothing is sent twice."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from tests import personas
from tests.mailstack import count_subject, wait_for_subject
from tests.webmail.helpers import signed_in
from webmail.mailstore import MailAccount, mail_account_for_task, mail_account_with_password
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


def send(user: User, subject: str, account: MailAccount | None = None) -> Outbox:
    request = ComposeRequest(
        idempotency_key=uuid.uuid4().hex, from_address=ALICE, to=parse_address_list(BOB), subject=subject, text="x"
    )
    return message_send(account=account or mail_account_for_task(user), request=request)


class FinalReplyWithheld:
    """A loopback relay between one worker and the test Postfix that passes every byte both ways except
    Postfix's reply to the final dot: Postfix has accepted the message, the worker waits for an answer
    that never comes, and the test kills it right there."""

    def __init__(self, upstream_port: int) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.upstream_port = upstream_port
        self.withheld = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        worker, postfix = self._connect()
        data_said = False
        while reply := postfix.recv(65536):
            if data_said:
                self.withheld.set()  # the reply to the final dot: "250 2.0.0 Ok: queued as ..."
                continue
            worker.sendall(reply)
            data_said = reply.startswith(b"354")

    def _connect(self) -> tuple[socket.socket, socket.socket]:
        """The worker's connection and one to Postfix, with the worker's bytes passed on as they come."""
        worker, _ = self.listener.accept()
        postfix = socket.create_connection(("127.0.0.1", self.upstream_port))
        threading.Thread(target=self._pass, args=(worker, postfix), daemon=True).start()
        return worker, postfix

    @staticmethod
    def _pass(source: socket.socket, target: socket.socket) -> None:
        while chunk := source.recv(65536):
            target.sendall(chunk)
        target.close()

    def close(self) -> None:
        self.listener.close()


class GoAheadHeld(FinalReplyWithheld):
    """Holds Postfix's 354 (go ahead) until released: the worker stands just before its final dot."""

    def __init__(self, upstream_port: int) -> None:
        self.release = threading.Event()
        super().__init__(upstream_port)

    def _serve(self) -> None:
        worker, postfix = self._connect()
        while reply := postfix.recv(65536):
            if reply.startswith(b"354"):
                self.withheld.set()
                self.release.wait(timeout=30)
            worker.sendall(reply)


class DroppedAfterDot(FinalReplyWithheld):
    """Postfix accepts; the worker's connection is cut instead of getting the reply (a broken network)."""

    def _serve(self) -> None:
        worker, postfix = self._connect()
        data_said = False
        while reply := postfix.recv(65536):
            if data_said:
                time.sleep(0.5)  # Postfix logs the queueing a moment after its reply
                worker.shutdown(socket.SHUT_RDWR)
                worker.close()
                self.withheld.set()
                return
            worker.sendall(reply)
            data_said = reply.startswith(b"354")


def killed_between_dot_and_reply(  # type: ignore[no-untyped-def]
    user: User, subject: str, settings, account: MailAccount | None = None, **worker_env: str
) -> Outbox:
    """Send through a real worker whose reply to the final dot is withheld, and SIGKILL it there."""
    relay = FinalReplyWithheld(settings.ROOST_SMTP_PORT)
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="config.settings.test",
        ROOST_DB_NAME=settings.DATABASES["default"]["NAME"],
        ROOST_MAIL_MODE=settings.ROOST_MAIL_MODE,
        ROOST_SMTP_PORT=str(relay.port),
        ROOST_OUTBOX_LEASE_SECONDS="3",  # so the sweeper may look at once, as it would after a real lease
        **worker_env,
    )
    env["ROOST_TEST_ENV_WINS"] = ",".join(["ROOST_SMTP_PORT", "ROOST_MAIL_MODE", *worker_env])
    doomed = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo", "--loglevel", "WARNING"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        row = send(user, subject, account)
        assert relay.withheld.wait(timeout=30), "the worker never got to the final dot"
        row.refresh_from_db()
        assert row.state == Outbox.State.SUBMITTING
    finally:
        doomed.send_signal(signal.SIGKILL)
        doomed.wait(timeout=10)
        relay.close()
    while row.lease_until is not None and row.lease_until > timezone.now():
        time.sleep(0.2)
        row.refresh_from_db()
    return row


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


def test_managed_worker_killed_between_dot_and_reply_is_settled_from_postfix_log(alice: User, settings) -> None:  # type: ignore[no-untyped-def]
    assert settings.ROOST_MAIL_MODE == "managed"
    assert Path(settings.ROOST_POSTFIX_LOG).is_file()
    row = killed_between_dot_and_reply(alice, "Killed before the reply", settings)
    wait_for_subject(BOB, "Killed before the reply")  # Postfix had it: it is delivered
    found = outbox_sweep()
    row.refresh_from_db()
    assert row.state == Outbox.State.ACCEPTED, (row.state, row.last_error)
    assert found["file"] == [row.pk]
    assert row.pk not in found["send"]
    outbox_file(outbox_id=row.pk)
    row.refresh_from_db()
    assert row.state == Outbox.State.FILED  # no question for the user
    time.sleep(1)  # room for a duplicate to show up, if there were one
    assert count_subject(BOB, "INBOX", "Killed before the reply") == 1
    assert count_subject(ALICE, "Sent", "Killed before the reply") == 1


def test_external_worker_killed_between_dot_and_reply_asks_the_user_plainly(alice: User, settings) -> None:  # type: ignore[no-untyped-def]
    settings.ROOST_MAIL_MODE = "external"  # a server Roost does not run: its log is not Roost's to read
    settings.AUTHENTICATION_BACKENDS = ["webmail.auth_backend.ImapLoginBackend"]
    account = mail_account_with_password(alice, personas.PASSWORD)
    # A master password that cannot work proves the worker signs in with the user's own.
    row = killed_between_dot_and_reply(
        alice, "Killed, external", settings, account, ROOST_DOVECOT_MASTER_PASSWORD="not-the-master-password"
    )
    assert row.credential  # the worker needed the sealed password
    wait_for_subject(BOB, "Killed, external")
    assert outbox_sweep()["send"] == []
    row.refresh_from_db()
    assert row.state == Outbox.State.UNCERTAIN
    assert not row.credential  # wiped: going again takes the user's own decision and sign-in

    client = signed_in(Client())
    page = client.get(reverse("webmail:outbox")).content.decode()
    assert "The server received the message but did not confirm it." in page
    assert "Check with the recipient or in Sent before sending it again." in page
    change = reverse("webmail:outbox_change", args=[row.pk])
    asked = client.post(change, {"op": "send_again"})
    assert asked["Location"] == reverse("webmail:outbox") + f"?confirm={row.pk}#outbox-{row.pk}"
    row.refresh_from_db()
    assert row.state == Outbox.State.UNCERTAIN  # nothing goes without the confirmation
    page = client.get(asked["Location"]).content.decode()
    assert "sending it again can give them a second copy" in page
    assert 'name="confirmed" value="yes"' in page
    client.post(change, {"op": "send_again", "confirmed": "yes"})
    row.refresh_from_db()
    assert row.state == Outbox.State.QUEUED
    assert row.credential
    assert count_subject(BOB, "INBOX", "Killed, external") == 1


def _expire_lease(row: Outbox) -> None:
    Outbox.objects.filter(pk=row.pk).update(lease_until=timezone.now() - timedelta(seconds=1))


def _deliver_held_at_go_ahead(row: Outbox, relay: "GoAheadHeld", while_held: Callable[[], None]) -> None:
    """Deliver row in a thread of its own, held just before its final dot while while_held() runs."""

    def slow_worker() -> None:
        try:
            outbox_deliver(outbox_id=row.pk)
        finally:
            connection.close()

    worker = threading.Thread(target=slow_worker)
    worker.start()
    try:
        assert relay.withheld.wait(timeout=30)
        while_held()
    finally:
        relay.release.set()
        worker.join(timeout=30)
        relay.close()


def test_a_worker_whose_lease_was_taken_back_sends_no_final_dot(alice: User, settings) -> None:  # type: ignore[no-untyped-def]
    postfix_port = settings.ROOST_SMTP_PORT
    relay = GoAheadHeld(postfix_port)
    settings.ROOST_SMTP_PORT = relay.port
    row = send(alice, "Lease taken back")

    def lease_taken_back() -> None:
        # The slow worker's lease runs out; the sweeper takes the row back and queues it for another.
        _expire_lease(row)
        assert outbox_sweep()["send"] == [row.pk]

    _deliver_held_at_go_ahead(row, relay, lease_taken_back)
    row.refresh_from_db()
    assert row.state == Outbox.State.QUEUED  # the slow worker withdrew and left the row alone
    settings.ROOST_SMTP_PORT = postfix_port
    assert outbox_deliver(outbox_id=row.pk).file_next  # the worker that took over
    outbox_file(outbox_id=row.pk)
    wait_for_subject(BOB, "Lease taken back")
    time.sleep(1)
    assert count_subject(BOB, "INBOX", "Lease taken back") == 1


def test_a_worker_whose_lease_ran_out_withdraws_before_the_sweeper_comes(alice: User, settings) -> None:  # type: ignore[no-untyped-def]
    relay = GoAheadHeld(settings.ROOST_SMTP_PORT)
    settings.ROOST_SMTP_PORT = relay.port
    row = send(alice, "Lease ran out")
    _deliver_held_at_go_ahead(row, relay, lambda: _expire_lease(row))
    row.refresh_from_db()
    assert row.state == Outbox.State.SENDING  # left for the sweeper, which sends it again: nothing went
    assert outbox_sweep()["send"] == [row.pk]
    time.sleep(1)
    assert count_subject(BOB, "INBOX", "Lease ran out") == 0


def test_a_live_worker_whose_connection_broke_after_the_dot_asks_postfix_at_once(alice: User, settings) -> None:  # type: ignore[no-untyped-def]
    relay = DroppedAfterDot(settings.ROOST_SMTP_PORT)
    settings.ROOST_SMTP_PORT = relay.port
    row = send(alice, "Reply cut off")
    try:
        step = outbox_deliver(outbox_id=row.pk)
    finally:
        relay.close()
    assert relay.withheld.is_set()
    row.refresh_from_db()
    assert row.state == Outbox.State.ACCEPTED, (row.state, row.last_error)
    assert step.file_next
    outbox_file(outbox_id=row.pk)
    wait_for_subject(BOB, "Reply cut off")
    time.sleep(1)
    assert count_subject(BOB, "INBOX", "Reply cut off") == 1
    assert count_subject(ALICE, "Sent", "Reply cut off") == 1
