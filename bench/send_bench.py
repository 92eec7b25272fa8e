#!/usr/bin/env python3
"""Sending speed: from the send request (HTTP, as the compose page posts it) to the message being in the
recipient's INBOX, against raw SMTP submission to INBOX in the same run; and outbox throughput with 200
queued messages. Prints medians.

    .venv/bin/python bench/send_bench.py [--runs 20] [--queued 200]

Needs the demo stack (deploy/setup.sh). Starts its own web server and Celery worker from this checkout,
with the undo window set to 0, and uses two mailboxes of its own (benchsend@, benchrecv@example.test).
"""

import argparse
import os
import secrets
import signal
import smtplib
import statistics
import subprocess
import sys
import time
import uuid
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from webmail_bench import Web, imap_connect, load_env, start_server, stop_server  # noqa: E402

SENDER, RECIPIENT = "benchsend@example.test", "benchrecv@example.test"
PASSWORD = os.environ.get("ROOST_BENCH_PASSWORD") or secrets.token_urlsafe(15)  # set on both mailboxes each run


def ensure_mailboxes() -> None:
    import django

    django.setup()
    from mailadmin.models import Mailbox
    from mailadmin.services import mailbox_create, mailbox_set_password

    for address in (SENDER, RECIPIENT):
        mailbox = Mailbox.objects.filter(address=address).first()
        if mailbox is None:
            mailbox_create(address=address, password=PASSWORD, display_name=address.split("@")[0])
        else:
            mailbox_set_password(mailbox=mailbox, password=PASSWORD)


def wait_for(client: object, subject: str, deadline: float) -> float:
    while time.monotonic() < deadline:
        client.noop()  # type: ignore[attr-defined]
        if client.search(["SUBJECT", subject]):  # type: ignore[attr-defined]
            return time.monotonic()
        time.sleep(0.005)
    raise RuntimeError(f"{subject!r} did not arrive")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--queued", type=int, default=200)
    parser.add_argument("--port", type=int, default=8766)
    args = parser.parse_args()
    load_env()
    os.environ["ROOST_UNDO_SEND_SECONDS"] = "0"
    ensure_mailboxes()
    server = start_server(args.port)
    worker = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "celery"), "-A", "config", "worker", "-c", "2", "--loglevel", "WARNING"],
        cwd=ROOT, env=dict(os.environ), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    inbox = imap_connect(RECIPIENT)
    inbox.select_folder("INBOX")
    try:
        time.sleep(3)  # the worker connects to the broker
        web = Web(args.port)
        web.login(SENDER, PASSWORD)
        web.get("/mail/compose/")
        roost, raw = [], []
        for n in range(args.runs):
            subject = f"latency {uuid.uuid4().hex[:8]} {n}"
            fields = {
                "csrfmiddlewaretoken": web.cookies["csrftoken"], "idempotency_key": uuid.uuid4().hex,
                "from_address": SENDER, "to": RECIPIENT, "subject": subject, "text": "Timing the outbox.",
            }  # fmt: skip
            start = time.monotonic()
            status, _ = web.request("POST", "/mail/compose/", urlencode(fields))
            if status != 302:
                raise RuntimeError(f"send answered {status}")
            roost.append((wait_for(inbox, subject, start + 60) - start) * 1000)

            subject = f"raw {uuid.uuid4().hex[:8]} {n}"
            msg = EmailMessage()
            msg["From"], msg["To"], msg["Subject"] = SENDER, RECIPIENT, subject
            msg.set_content("Timing raw submission.")
            start = time.monotonic()
            with smtplib.SMTP("127.0.0.1", int(os.environ.get("ROOST_SMTP_PORT", "587"))) as smtp:
                smtp.login(
                    f"{SENDER}*{os.environ['ROOST_DOVECOT_MASTER_USER']}", os.environ["ROOST_DOVECOT_MASTER_PASSWORD"]
                )
                smtp.send_message(msg)
            raw.append((wait_for(inbox, subject, start + 60) - start) * 1000)

        from accounts.models import User
        from webmail.mailstore import mail_account_for_task
        from webmail.mime.compose import parse_address_list
        from webmail.models import Outbox
        from webmail.services.compose import ComposeRequest, message_send

        user = User.objects.get(username=SENDER)
        recipients = parse_address_list(RECIPIENT)
        tag = uuid.uuid4().hex[:8]
        start = time.monotonic()
        ids = [
            message_send(
                account=mail_account_for_task(user),
                request=ComposeRequest(idempotency_key=uuid.uuid4().hex, from_address=SENDER, to=recipients,
                                       subject=f"bulk {tag} {n}", text="Throughput run."),
            ).pk
            for n in range(args.queued)
        ]  # fmt: skip
        queued = time.monotonic()
        while Outbox.objects.filter(pk__in=ids, state=Outbox.State.FILED).count() < len(ids):
            if time.monotonic() - start > 600:
                raise RuntimeError("the outbox did not drain in 10 minutes")
            time.sleep(0.1)
        drained = time.monotonic()
        while len(inbox.search(["SUBJECT", f"bulk {tag}"])) < len(ids):
            inbox.noop()
            time.sleep(0.05)
        delivered = time.monotonic()
    finally:
        inbox.logout()
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=60)
        stop_server(server)

    print(f"send request -> recipient INBOX, {args.runs} runs (medians; ratio = Roost / raw):")
    print(f"  Roost (HTTP -> outbox -> Celery -> SMTP -> Sent): {statistics.median(roost):7.1f} ms  p95 "
          f"{sorted(roost)[int(0.95 * (len(roost) - 1))]:7.1f} ms")  # fmt: skip
    print(f"  raw SMTP submission:                              {statistics.median(raw):7.1f} ms")
    print(f"  ratio: {statistics.median(roost) / statistics.median(raw):.2f}")
    print(f"outbox throughput: {len(ids)} messages queued in {queued - start:.1f} s, all sent and filed after "
          f"{drained - start:.1f} s ({len(ids) / (drained - start):.1f} messages/s), all in the INBOX after "
          f"{delivered - start:.1f} s")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
