"""The managed directory, as Dovecot and Postfix see it: live, with no reload."""

import os
import smtplib
import subprocess
from pathlib import Path

import pytest
from django.db import connection
from imapclient.exceptions import LoginError

from mailadmin.services import alias_create, mailbox_set_active, mailbox_set_password
from tests import personas
from tests.mailstack import (
    HOST,
    SMTP_PORT,
    SUBMISSION_PORT,
    deliver,
    imap_login,
    make_message,
    master_login,
    wait_for_subject,
)

pytestmark = [pytest.mark.integration]


def test_alias_delivers_to_all_its_targets(mail_stack: None) -> None:
    personas.mailbox("alice")
    personas.mailbox("bob")
    alias_create(address="team@example.test", destinations=["alice@example.test", "bob@example.test"])

    deliver("jose@partners.test", ["team@example.test"], "For the whole team")

    assert "For the whole team" in wait_for_subject("alice@example.test", "For the whole team")
    assert "For the whole team" in wait_for_subject("bob@example.test", "For the whole team")


def test_catch_all_catches_unknown_addresses_but_not_mailboxes(mail_stack: None) -> None:
    personas.mailbox("alice")
    personas.mailbox("bob")
    alias_create(address="@example.test", destinations=["alice@example.test"])

    deliver("jose@partners.test", ["whoever@example.test"], "Caught by the catch-all")
    deliver("jose@partners.test", ["bob@example.test"], "Straight to Bob")

    assert "Caught by the catch-all" in wait_for_subject("alice@example.test", "Caught by the catch-all")
    assert "Straight to Bob" in wait_for_subject("bob@example.test", "Straight to Bob")
    assert "Straight to Bob" not in wait_for_subject("alice@example.test", "Straight to Bob", seconds=1)


def test_unknown_recipient_in_managed_domain_is_refused_during_the_dialogue(mail_stack: None) -> None:
    personas.mailbox("alice")
    with smtplib.SMTP(HOST, SMTP_PORT, timeout=10) as smtp:
        smtp.ehlo()
        smtp.mail("jose@partners.test")
        code, reply = smtp.rcpt("nobody@example.test")
    assert 500 <= code < 600, reply
    assert b"nobody@example.test" in reply


def test_mail_for_a_domain_roost_does_not_manage_is_not_relayed(mail_stack: None) -> None:
    personas.mailbox("alice")
    with smtplib.SMTP(HOST, SMTP_PORT, timeout=10) as smtp:
        smtp.ehlo()
        smtp.mail("jose@partners.test")
        code, reply = smtp.rcpt("someone@elsewhere.test")
    assert 500 <= code < 600
    assert b"Relay access denied" in reply


@pytest.mark.parametrize("sender", ["alice@example.test", "sales@example.test", "nobody@example.test"])
def test_port_25_refuses_our_own_domain_as_sender(mail_stack: None, sender: str) -> None:
    personas.mailbox("alice")
    alias_create(address="sales@example.test", destinations=["alice@example.test"])
    with smtplib.SMTP(HOST, SMTP_PORT, timeout=10) as smtp:
        smtp.ehlo()
        smtp.mail(sender)
        code, reply = smtp.rcpt("alice@example.test")
    assert 500 <= code < 600, reply
    assert b"accepted only with a login" in reply


def test_submission_refuses_the_null_sender(mail_stack: None) -> None:
    personas.mailbox("alice")
    with smtplib.SMTP(HOST, SUBMISSION_PORT, timeout=10) as smtp:
        smtp.login("alice@example.test", personas.PASSWORD)
        smtp.mail("")
        code, reply = smtp.rcpt("alice@example.test")
    assert 500 <= code < 600, reply
    assert b"null sender" in reply


def test_same_password_for_imap_and_submission_and_wrong_one_fails(mail_stack: None) -> None:
    personas.mailbox("alice")
    imap_login("alice@example.test", personas.PASSWORD).logout()
    with pytest.raises(LoginError):
        imap_login("alice@example.test", "wrong-password")
    with smtplib.SMTP(HOST, SUBMISSION_PORT, timeout=10) as smtp:
        smtp.login("alice@example.test", personas.PASSWORD)
    with smtplib.SMTP(HOST, SUBMISSION_PORT, timeout=10) as smtp, pytest.raises(smtplib.SMTPAuthenticationError):
        smtp.login("alice@example.test", "wrong-password")


def test_deactivated_mailbox_cannot_log_in_over_imap_smtp_or_master_user(mail_stack: None) -> None:
    alice = personas.mailbox("alice")
    mailbox_set_active(mailbox=alice, active=False)
    with pytest.raises(LoginError):
        imap_login("alice@example.test", personas.PASSWORD)
    with pytest.raises(LoginError):
        master_login("alice@example.test")
    with smtplib.SMTP(HOST, SUBMISSION_PORT, timeout=10) as smtp, pytest.raises(smtplib.SMTPAuthenticationError):
        smtp.login("alice@example.test", personas.PASSWORD)


def test_submission_refuses_a_sender_address_the_login_does_not_own(mail_stack: None) -> None:
    personas.mailbox("alice")
    personas.mailbox("bob")
    with smtplib.SMTP(HOST, SUBMISSION_PORT, timeout=10) as smtp:
        smtp.login("alice@example.test", personas.PASSWORD)
        with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
            smtp.send_message(make_message("bob@example.test", "bob@example.test", "Spoofed"))
    assert "not owned by user" in str(refused.value)


def test_submission_refuses_a_header_from_other_than_the_envelope_sender(mail_stack: None) -> None:
    personas.mailbox("alice")
    personas.mailbox("bob")
    with smtplib.SMTP(HOST, SUBMISSION_PORT, timeout=10) as smtp:
        smtp.login("alice@example.test", personas.PASSWORD)
        with pytest.raises(smtplib.SMTPDataError) as refused:
            smtp.send_message(make_message("bob@example.test", "bob@example.test", "Pretending"), "alice@example.test")
    assert refused.value.smtp_code == 550
    assert b"From header must be the address you send from" in refused.value.smtp_error


def test_submission_accepts_own_address_and_owned_alias(mail_stack: None) -> None:
    personas.mailbox("alice")
    personas.mailbox("bob")
    alias_create(address="sales@example.test", destinations=["alice@example.test"])
    with smtplib.SMTP(HOST, SUBMISSION_PORT, timeout=10) as smtp:
        smtp.login("alice@example.test", personas.PASSWORD)
        smtp.send_message(make_message("alice@example.test", "bob@example.test", "From Alice herself"))
        smtp.send_message(make_message("sales@example.test", "bob@example.test", "From the sales alias"))
    subjects = wait_for_subject("bob@example.test", "From the sales alias")
    assert {"From Alice herself", "From the sales alias"} <= set(subjects)


def test_every_mailbox_has_the_special_use_folders(mail_stack: None) -> None:
    personas.mailbox("alice")
    client = imap_login("alice@example.test", personas.PASSWORD)
    try:
        folders = {name: flags for flags, _, name in client.list_folders()}
    finally:
        client.logout()
    for name, flag in [
        ("Drafts", b"\\Drafts"),
        ("Sent", b"\\Sent"),
        ("Trash", b"\\Trash"),
        ("Junk", b"\\Junk"),
        ("Archive", b"\\Archive"),
    ]:
        assert flag in folders[name]


def test_stored_password_hash_is_verified_by_dovecot_itself(mail_stack: None) -> None:
    alice = personas.mailbox("alice")
    dovecot_hash = "{BLF-CRYPT}" + alice.user.password.removeprefix("bcrypt$")
    ok = subprocess.run(["doveadm", "pw", "-t", dovecot_hash, "-p", personas.PASSWORD], capture_output=True, text=True)
    bad = subprocess.run(["doveadm", "pw", "-t", dovecot_hash, "-p", "wrong"], capture_output=True, text=True)
    assert "(verified)" in ok.stdout
    assert bad.returncode != 0


def test_password_change_takes_effect_at_once(mail_stack: None) -> None:
    alice = personas.mailbox("alice")
    mailbox_set_password(mailbox=alice, password="a-brand-new-password")
    imap_login("alice@example.test", "a-brand-new-password").logout()
    with pytest.raises(LoginError):
        imap_login("alice@example.test", personas.PASSWORD)


def auth_from(remote_ip: str, username: str, password: str) -> bool:
    """Dovecot's own answer to a login from remote_ip (IMAP from anywhere but 127.0.0.1 would first
    meet the no-plaintext-without-TLS rule)."""
    conf = Path(os.environ.get("ROOST_STACK_CONFIG_DIR", "/etc/roost-test/stack")) / "dovecot" / "dovecot.conf"
    command = ["doveadm", "-c", str(conf), "auth", "test", "-x", "service=imap", "-x", f"rip={remote_ip}"]
    return subprocess.run([*command, username, password], capture_output=True, text=True).returncode == 0


def test_master_user_works_only_from_its_networks(mail_stack: None) -> None:
    personas.mailbox("alice")
    master = (
        f"alice@example.test*{os.environ['ROOST_DOVECOT_MASTER_USER']}",
        os.environ["ROOST_DOVECOT_MASTER_PASSWORD"],
    )
    assert auth_from("127.0.0.1", *master)
    assert auth_from("10.1.2.3", "alice@example.test", personas.PASSWORD)
    assert not auth_from("10.1.2.3", *master)


def test_postfix_role_cannot_read_password_hashes(mail_stack: None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT has_table_privilege('roost_postfix', 'roost_mail_users', 'SELECT'),"
            " has_table_privilege('roost_postfix', 'accounts_user', 'SELECT'),"
            " has_table_privilege('roost_postfix', 'roost_mail_mailboxes', 'SELECT')"
        )
        assert cursor.fetchone() == (False, False, True)
    postfix = Path(os.environ.get("ROOST_STACK_CONFIG_DIR", "/etc/roost-test/stack")) / "postfix"
    for lookup in postfix.glob("pgsql-*.cf"):
        assert "user = roost_postfix" in lookup.read_text(), lookup  # and delivery still works: the tests above
