"""Seed the demo domain: users, an admin, and mail delivered through Postfix. Safe to run again:
what exists is left as it is, and a message already in a mailbox is not delivered twice."""

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.conf import settings
from django.db import transaction

from accounts.models import User
from mailadmin.models import Domain, Mailbox
from mailadmin.services import domain_create, mailbox_create
from webmail.imap.connection import imap_errors
from webmail.mailstore import mail_account_for_task, mailbox_connection
from webmail.smtp.client import SmtpEndpoint, smtp_submit

from .groupware import groupware_seed
from .messages import DOMAIN, PEOPLE, DemoMessage, demo_messages


@dataclass
class SeedReport:
    created: list[str] = field(default_factory=list)
    delivered: int = 0
    skipped: int = 0
    events: int = 0
    contacts: int = 0


def _ensure_mailboxes(password: str, report: SeedReport) -> None:
    with transaction.atomic():
        if not Domain.objects.filter(name=DOMAIN).exists():
            domain_create(name=DOMAIN)
            report.created.append(DOMAIN)
        for local, name in [*PEOPLE.items(), ("postmaster", "Postmaster")]:
            address = f"{local}@{DOMAIN}"
            if not Mailbox.objects.filter(address=address).exists():
                mailbox_create(address=address, password=password, display_name=name, is_staff=local == "postmaster")
                report.created.append(address)


def _delivered_ids(user: User) -> set[str]:
    with mailbox_connection(mail_account_for_task(user)) as conn:
        conn.select("INBOX")
        with imap_errors(conn.endpoint):
            uids = conn.client.search(["HEADER", "Message-ID", "<demo-"])
            if not uids:
                return set()
            fetched = conn.client.fetch(uids, ["BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"])
    found: set[str] = set()
    for item in fetched.values():
        raw = item.get(b"BODY[HEADER.FIELDS (MESSAGE-ID)]", b"").decode(errors="replace")
        found.update(part.strip() for part in raw.split(":", 1)[1:])
    return found


def _wait_for(user: User, wanted: set[str], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while wanted - _delivered_ids(user) and time.monotonic() < deadline:
        time.sleep(0.3)


def demo_seed(*, password: str, smtp_port: int | None = None, wait_seconds: float = 30.0) -> SeedReport:
    report = SeedReport()
    _ensure_mailboxes(password, report)
    demo_addresses = [f"{local}@{DOMAIN}" for local in [*PEOPLE, "postmaster"]]
    users = {u.username: u for u in User.objects.filter(username__in=demo_addresses)}
    delivered = {address: _delivered_ids(user) for address, user in users.items()}
    endpoint = SmtpEndpoint(host=settings.ROOST_SMTP_HOST, port=smtp_port or settings.ROOST_SMTP_INCOMING_PORT)
    expected: dict[str, set[str]] = {}
    for message in demo_messages(datetime.now(UTC)):
        missing = [r for r in message.recipients if message.message_id not in delivered.get(r, set())]
        if not missing:
            report.skipped += 1
            continue
        _deliver(endpoint, message, missing)
        report.delivered += 1
        for recipient in missing:
            expected.setdefault(recipient, set()).add(message.message_id)
    for address, ids in expected.items():
        _wait_for(users[address], ids, wait_seconds)
    groupware = groupware_seed(users=users, today=datetime.now(UTC).date())
    report.events, report.contacts = groupware.events, groupware.contacts
    return report


def _deliver(endpoint: SmtpEndpoint, message: DemoMessage, recipients: list[str]) -> None:
    """Mail from outside arrives on port 25; Postfix refuses our own domain there, so the demo people's
    mail is submitted as they would send it: on the submission port, signed in through the master user."""
    login = None
    if message.sender.endswith(f"@{DOMAIN}"):
        endpoint = SmtpEndpoint(host=settings.ROOST_SMTP_HOST, port=settings.ROOST_SMTP_PORT)
        login = (f"{message.sender}*{settings.ROOST_DOVECOT_MASTER_USER}", settings.ROOST_DOVECOT_MASTER_PASSWORD)
    smtp_submit(
        endpoint,
        login=login,
        sender=message.sender,
        recipients=recipients,
        message=message.message.as_bytes(),
        smtputf8=not all(address.isascii() for address in (message.sender, *recipients)),
    )
