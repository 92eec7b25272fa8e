"""The Django admin is the directory's admin door for now: it saves through mailadmin.services."""

import pytest
from django.test import Client
from imapclient import IMAPClient

from mailadmin.models import Alias, Mailbox
from tests import personas
from tests.mailstack import HOST as IMAP_HOST
from tests.mailstack import IMAP_PORT, deliver, imap_login, wait_for_subject


@pytest.fixture
def admin_client_for(client: Client) -> Client:
    postmaster = personas.mailbox("postmaster")
    postmaster.user.is_staff = postmaster.user.is_superuser = True
    postmaster.user.save(update_fields=["is_staff", "is_superuser"])
    client.force_login(postmaster.user)
    return client


@pytest.mark.integration
def test_mailbox_created_in_the_admin_receives_mail_and_logs_in_at_once(
    mail_stack: None, admin_client_for: Client
) -> None:
    response = admin_client_for.post(
        "/admin/mailadmin/mailbox/add/",
        {
            "address": "dana@example.test",
            "password": personas.PASSWORD,
            "display_name": "Dana",
            "quota_mb": 500,
            "active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Mailbox.objects.filter(address="dana@example.test").exists()

    deliver("jose@partners.test", ["dana@example.test"], "Welcome aboard, Dana")

    assert "Welcome aboard, Dana" in wait_for_subject("dana@example.test", "Welcome aboard, Dana", seconds=10)
    imap_login("dana@example.test", personas.PASSWORD).logout()


@pytest.mark.django_db
def test_admin_shows_clear_errors_for_unknown_domain_and_duplicates(admin_client_for: Client) -> None:
    unknown = admin_client_for.post(
        "/admin/mailadmin/mailbox/add/",
        {"address": "eve@nowhere.test", "password": personas.PASSWORD, "quota_mb": 500, "active": "on"},
    )
    assert "does not manage the domain nowhere.test" in unknown.content.decode()

    duplicate = admin_client_for.post(
        "/admin/mailadmin/mailbox/add/",
        {"address": "postmaster@example.test", "password": personas.PASSWORD, "quota_mb": 500, "active": "on"},
    )
    assert "already a mailbox" in duplicate.content.decode()


@pytest.mark.django_db
def test_admin_refuses_a_looping_alias(admin_client_for: Client) -> None:
    assert (
        admin_client_for.post(
            "/admin/mailadmin/alias/add/",
            {"address": "a@example.test", "destinations": "postmaster@example.test", "active": "on"},
        ).status_code
        == 302
    )
    assert (
        admin_client_for.post(
            "/admin/mailadmin/alias/add/",
            {"address": "b@example.test", "destinations": "a@example.test", "active": "on"},
        ).status_code
        == 302
    )
    alias_a = Alias.objects.get(address="a@example.test")

    response = admin_client_for.post(
        f"/admin/mailadmin/alias/{alias_a.pk}/change/", {"destinations": "b@example.test", "active": "on"}
    )

    assert "would make a loop" in response.content.decode()
    alias_a.refresh_from_db()
    assert alias_a.destinations == ["postmaster@example.test"]


@pytest.mark.django_db
def test_admin_deactivates_a_mailbox_and_its_user(admin_client_for: Client) -> None:
    alice = personas.mailbox("alice")
    response = admin_client_for.post(
        f"/admin/mailadmin/mailbox/{alice.pk}/change/", {"display_name": "Alice", "quota_mb": 100, "password": ""}
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    alice.user.refresh_from_db()
    assert not alice.active
    assert not alice.user.is_active


@pytest.mark.django_db
def test_weak_password_on_an_existing_mailbox_is_refused_before_anything_is_saved(admin_client_for: Client) -> None:
    alice = personas.mailbox("alice")
    response = admin_client_for.post(
        f"/admin/mailadmin/mailbox/{alice.pk}/change/",
        {"display_name": "Alice Changed", "quota_mb": 100, "active": "on", "password": "password"},
    )
    assert response.status_code == 200
    assert "This password is too common." in response.content.decode()
    alice.refresh_from_db()
    alice.user.refresh_from_db()
    assert (alice.display_name, alice.quota_mb) == ("Alice", 1024)
    assert alice.user.check_password(personas.PASSWORD)


@pytest.mark.django_db
@pytest.mark.parametrize("password", ["x" * 73, "é" * 37])  # 73 and 74 bytes of UTF-8
def test_passwords_bcrypt_cannot_take_are_refused_with_a_message(admin_client_for: Client, password: str) -> None:
    alice = personas.mailbox("alice")
    pages = [
        admin_client_for.post(
            f"/admin/mailadmin/mailbox/{alice.pk}/change/",
            {"display_name": "Alice", "quota_mb": 100, "active": "on", "password": password},
        ),
        admin_client_for.post(
            "/admin/mailadmin/mailbox/add/",
            {"address": "dana@example.test", "password": password, "quota_mb": 500, "active": "on"},
        ),
        admin_client_for.post(
            f"/admin/accounts/user/{alice.user.pk}/password/",
            {"password1": password, "password2": password, "usable_password": "true"},
        ),
    ]
    for page in pages:
        assert page.status_code == 200
        assert "This password is too long: at most 72 bytes" in page.content.decode()
    alice.refresh_from_db()
    assert alice.quota_mb == 1024
    assert alice.user.check_password(personas.PASSWORD)
    assert not Mailbox.objects.filter(address="dana@example.test").exists()


@pytest.mark.integration
def test_a_72_byte_password_works_for_the_web_and_for_dovecot(mail_stack: None, admin_client_for: Client) -> None:
    alice = personas.mailbox("alice")
    password = "é" * 35 + "ab"  # 72 bytes: the longest bcrypt reads in full
    response = admin_client_for.post(
        f"/admin/mailadmin/mailbox/{alice.pk}/change/",
        {"display_name": "Alice", "quota_mb": 1024, "active": "on", "password": password},
    )
    assert response.status_code == 302

    web = Client().post("/login/", {"address": "alice@example.test", "password": password})
    assert web.status_code == 302
    imap = IMAPClient(IMAP_HOST, port=IMAP_PORT, ssl=False, timeout=10)
    imap.plain_login("alice@example.test", password)  # LOGIN is ASCII only; mail programs use PLAIN for UTF-8
    imap.logout()
