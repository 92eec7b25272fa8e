"""Deleting a mailbox: the account is gone everywhere, and a new mailbox with the same address starts empty."""

import os
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from imapclient.exceptions import LoginError

from accounts.models import User
from mailadmin.models import ArchivedMailbox, Mailbox
from mailadmin.services import mailbox_create
from tests import personas
from tests.mailstack import deliver, imap_login, inbox_subjects, wait_for_subject
from tests.webmail.helpers import list_url, signed_in

pytestmark = [pytest.mark.integration]
ALICE = "alice@example.test"
VMAIL = Path(os.environ.get("ROOST_STACK_VMAIL_DIR", "/var/lib/roost-test/vmail"))


@pytest.fixture
def admin(mail_stack: None) -> Client:
    postmaster = personas.mailbox("postmaster")
    postmaster.user.is_staff = postmaster.user.is_superuser = True
    postmaster.user.save(update_fields=["is_staff", "is_superuser"])
    client = Client()
    client.force_login(postmaster.user)
    return client


def test_deleted_mailbox_signs_in_nowhere_and_its_successor_starts_empty(admin: Client, client: Client) -> None:
    old = personas.mailbox("alice")
    deliver("jose@partners.test", [ALICE], "Only for the first Alice")
    assert "Only for the first Alice" in wait_for_subject(ALICE, "Only for the first Alice")
    alice_web = signed_in(client)
    assert "Only for the first Alice" in alice_web.get(list_url()).content.decode()

    response = admin.post(f"/admin/mailadmin/mailbox/{old.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not Mailbox.objects.filter(address=ALICE).exists()
    assert not User.objects.filter(username=ALICE).exists()
    for page in (list_url(), reverse("webmail:compose")):
        assert alice_web.get(page).status_code == 302  # back to the sign-in page, not a dead end or a 500
    refused = Client().post(reverse("accounts:login"), {"address": ALICE, "password": personas.PASSWORD})
    assert refused.status_code == 400  # the form again, with its error; no session
    with pytest.raises(LoginError):
        imap_login(ALICE, personas.PASSWORD)
    archived = ArchivedMailbox.objects.get(address=ALICE)
    assert (VMAIL / archived.home / "Maildir").is_dir()  # kept on disk for the administrator

    new = mailbox_create(address=ALICE, password="another-password-42")

    assert inbox_subjects(ALICE) == []
    new_web = Client()
    new_web.post(reverse("accounts:login"), {"address": ALICE, "password": "another-password-42"})
    assert "Only for the first Alice" not in new_web.get(list_url()).content.decode()
    assert (VMAIL / "by-id" / str(new.pk) / "Maildir").is_dir()
    assert (VMAIL / archived.home / "Maildir").is_dir()


def test_bulk_delete_in_the_admin_goes_through_the_service(admin: Client) -> None:
    bob, carol = personas.mailbox("bob"), personas.mailbox("carol")

    admin.post(
        "/admin/mailadmin/mailbox/",
        {"action": "delete_selected", "_selected_action": [bob.pk, carol.pk], "post": "yes"},
    )

    assert set(ArchivedMailbox.objects.values_list("address", flat=True)) == {"bob@example.test", "carol@example.test"}
    assert not User.objects.filter(username__in=["bob@example.test", "carol@example.test"]).exists()


def test_deleting_the_user_in_the_admin_archives_the_mailbox_too(admin: Client) -> None:
    bob = personas.mailbox("bob")

    response = admin.post(f"/admin/accounts/user/{bob.user.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert ArchivedMailbox.objects.filter(address="bob@example.test").exists()
    assert not Mailbox.objects.filter(address="bob@example.test").exists()
