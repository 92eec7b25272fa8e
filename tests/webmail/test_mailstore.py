"""Kept IMAP connections end with the login: sign-out and a password change drop them in every
process. Each process has its own pool, so a second ImapPool stands for another web or worker process."""

import pytest
from django.test import Client
from django.urls import reverse
from imapclient.exceptions import IMAPClientError

from accounts.models import User
from mailadmin.services import mailbox_set_password
from tests import personas
from tests.webmail.helpers import list_url, signed_in
from webmail.imap.pool import ImapPool, PooledConnection
from webmail.mailstore import POOL, imap_endpoint, mail_account_for_task, pool_generation

pytestmark = [pytest.mark.integration]


def _checkout(pool: ImapPool, user: User) -> PooledConnection:
    """Check a connection out and back in, as mailbox_connection does in that process."""
    account = mail_account_for_task(user)
    with pool.connection(imap_endpoint(), account.login, generation=pool_generation(account)) as conn:
        return conn


def _kept(pool: ImapPool) -> list[PooledConnection]:
    return [c for conns in pool._idle.values() for c in conns]


def test_sign_out_drops_the_users_connections_in_every_process(mail_stack: None, client: Client) -> None:
    personas.mailbox("alice")
    alice = User.objects.get(username="alice@example.test")
    other_process = ImapPool()
    signed_in(client)
    assert client.get(list_url()).status_code == 200
    before_here = _kept(POOL)[0]
    before_there = _checkout(other_process, alice)
    assert _checkout(other_process, alice) is before_there  # kept while she is signed in

    client.post(reverse("accounts:logout"))

    after_there = _checkout(other_process, alice)
    assert after_there is not before_there
    with pytest.raises(IMAPClientError):  # closed, not just left aside
        before_there.client.noop()
    signed_in(client)
    assert client.get(list_url()).status_code == 200
    assert _kept(POOL)[0] is not before_here
    other_process.clear()


def test_a_password_change_drops_them_too_and_other_users_keep_theirs(mail_stack: None) -> None:
    alice_box = personas.mailbox("alice")
    personas.mailbox("bob")
    alice = User.objects.get(username="alice@example.test")
    bob = User.objects.get(username="bob@example.test")
    pool = ImapPool()
    alices, bobs = _checkout(pool, alice), _checkout(pool, bob)

    mailbox_set_password(mailbox=alice_box, password="a-new-long-passphrase")

    assert _checkout(pool, alice) is not alices
    assert _checkout(pool, bob) is bobs
    pool.clear()
