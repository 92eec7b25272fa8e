"""Helpers for tests that talk to the test mail stack: deliver over SMTP, read over IMAP."""

import os
import smtplib
import time
from collections.abc import Callable
from email.message import EmailMessage

from imapclient import IMAPClient

HOST = "127.0.0.1"
IMAP_PORT = int(os.environ.get("ROOST_IMAP_PORT", "10143"))
SMTP_PORT = int(os.environ.get("ROOST_SMTP_INCOMING_PORT", "10025"))
SUBMISSION_PORT = int(os.environ.get("ROOST_SMTP_PORT", "10587"))


def make_message(sender: str, to: str, subject: str, body: str = "Hello there.") -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, to, subject
    msg.set_content(body)
    return msg


def deliver(sender: str, recipients: list[str], subject: str, body: str = "Hello there.") -> None:
    """Send through Postfix port 25, as mail from the outside world arrives."""
    with smtplib.SMTP(HOST, SMTP_PORT, timeout=10) as smtp:
        smtp.send_message(make_message(sender, ", ".join(recipients), subject, body), sender, recipients)


def imap_login(username: str, password: str) -> IMAPClient:
    client = IMAPClient(HOST, port=IMAP_PORT, ssl=False, timeout=10)
    client.login(username, password)
    return client


def master_login(address: str) -> IMAPClient:
    return imap_login(
        f"{address}*{os.environ['ROOST_DOVECOT_MASTER_USER']}", os.environ["ROOST_DOVECOT_MASTER_PASSWORD"]
    )


def inbox_subjects(address: str) -> list[str]:
    """INBOX subjects in arrival (UID) order, oldest first."""
    client = master_login(address)
    try:
        client.select_folder("INBOX", readonly=True)
        uids = client.search("ALL")
        data = client.fetch(uids, ["ENVELOPE"]) if uids else {}
        return [(data[uid][b"ENVELOPE"].subject or b"").decode() for uid in sorted(data)]
    finally:
        client.logout()


def _poll_inbox(address: str, done: Callable[[list[str]], bool], seconds: float) -> list[str]:
    deadline = time.monotonic() + seconds
    while True:
        subjects = inbox_subjects(address)
        if done(subjects) or time.monotonic() > deadline:
            return subjects
        time.sleep(0.2)


def wait_for_subject(address: str, subject: str, seconds: float = 10.0) -> list[str]:
    return _poll_inbox(address, lambda subjects: subject in subjects, seconds)


def wait_for_count(address: str, count: int, seconds: float = 15.0) -> list[str]:
    return _poll_inbox(address, lambda subjects: len(subjects) >= count, seconds)


def count_subject(address: str, folder: str, subject: str) -> int:
    client = master_login(address)
    try:
        client.select_folder(folder, readonly=True)
        return len(client.search(["SUBJECT", subject]))
    finally:
        client.logout()
