"""Folder operations against the real Dovecot."""

import pytest
from django.test import Client
from django.urls import reverse

from tests import personas
from tests.mailstack import master_login
from tests.webmail.helpers import append, folder_uids, list_url, message, signed_in

pytestmark = [pytest.mark.integration]
ALICE = "alice@example.test"


@pytest.fixture
def alice(mail_stack: None, client: Client) -> Client:
    personas.mailbox("alice")
    return signed_in(client)


def change(client: Client, **data: str):  # type: ignore[no-untyped-def]
    return client.post(reverse("webmail:folder_change"), data, follow=True)


def imap_folders() -> dict[str, tuple[bytes, ...]]:
    client = master_login(ALICE)
    try:
        return {name: flags for flags, _, name in client.list_folders()}
    finally:
        client.logout()


def subscribed() -> set[str]:
    client = master_login(ALICE)
    try:
        return {name for _, _, name in client.list_sub_folders()}
    finally:
        client.logout()


def test_sidebar_lists_special_folders_first_with_unread_counts(alice: Client) -> None:
    append(ALICE, "INBOX", [message("one"), message("two")])
    change(alice, op="create", name="Projects")
    page = alice.get(list_url()).content.decode()
    order = [
        page.index(f'data-folder="{name}"')
        for name in ("INBOX", "Drafts", "Sent", "Archive", "Junk", "Trash", "Projects")
    ]
    assert order == sorted(order)
    assert 'aria-label="2 unread">2<' in page


def test_create_nested_rename_move_and_delete(alice: Client) -> None:
    assert "Created Projects." in change(alice, op="create", name="Projects").content.decode()
    change(alice, op="create", name="2026", parent="Projects")
    assert "Projects/2026" in imap_folders()
    change(alice, op="rename", folder="Projects/2026", name="Year 2026", parent="")
    folders = imap_folders()
    assert "Year 2026" in folders
    assert "Projects/2026" not in folders
    change(alice, op="rename", folder="Year 2026", name="Year 2026", parent="Projects")
    assert "Projects/Year 2026" in imap_folders()
    append(ALICE, "Projects/Year 2026", [message("inside")])
    page = change(alice, op="delete", folder="Projects").content.decode()
    assert "Deleted Projects" in page
    assert not any(name.startswith("Projects") for name in imap_folders())


def test_special_folders_cannot_be_renamed_or_deleted(alice: Client) -> None:
    assert "special folder" in change(alice, op="delete", folder="Trash").content.decode()
    assert "special folder" in change(alice, op="rename", folder="Sent", name="Outbox", parent="").content.decode()
    assert "Trash" in imap_folders()


def test_bad_names_are_refused(alice: Client) -> None:
    assert "cannot contain" in change(alice, op="create", name="a*b").content.decode()
    assert "reserved" in change(alice, op="create", name="inbox").content.decode()
    change(alice, op="create", name="Dup")
    assert "exists already" in change(alice, op="create", name="dup").content.decode()
    assert "not valid" in change(alice, op="create", name="x", parent="bad\r\nname").content.decode()


def test_subscribe_and_unsubscribe(alice: Client) -> None:
    change(alice, op="create", name="Lists")
    assert "Lists" in subscribed()
    change(alice, op="unsubscribe", folder="Lists")
    assert "Lists" not in subscribed()
    assert 'data-folder="Lists"' not in alice.get(list_url()).content.decode()
    change(alice, op="subscribe", folder="Lists")
    assert "Lists" in subscribed()


def test_empty_trash_and_junk_only(alice: Client) -> None:
    append(ALICE, "Trash", [message("old 1"), message("old 2")])
    page = change(alice, op="empty", folder="Trash").content.decode()
    assert "2 messages deleted for good" in page
    assert folder_uids(ALICE, "Trash") == []
    append(ALICE, "INBOX", [message("keep me")])
    assert "Only Trash and Junk" in change(alice, op="empty", folder="INBOX").content.decode()
    assert len(folder_uids(ALICE, "INBOX")) == 1


def test_the_folder_list_survives_a_cache_that_is_down(alice: Client, settings) -> None:  # type: ignore[no-untyped-def]
    from django.contrib.auth import get_user_model

    from webmail.mailstore import mail_account_for_task
    from webmail.services.folders import folder_tree, folder_tree_forget

    account = mail_account_for_task(get_user_model().objects.get(username="alice@example.test"))
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    names = {f.name for f in folder_tree(account=account)}  # from IMAP, the cache being unreachable
    assert {"INBOX", "Sent", "Trash"} <= names
    folder_tree_forget(user_id=account.user.pk)  # and forgetting does not raise either
