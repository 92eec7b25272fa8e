"""The page shell: every mail page, the Settings page included, has the folder sidebar from one cached
provider; the app switcher shows the apps a person may use."""

import pytest
from django.test import Client
from django.urls import reverse

from tests import personas
from tests.webmail.helpers import signed_in

pytestmark = [pytest.mark.integration]


@pytest.fixture
def people(mail_stack: None) -> None:
    personas.mailbox("alice")
    postmaster = personas.mailbox("postmaster")
    postmaster.user.is_staff = True
    postmaster.user.save(update_fields=["is_staff"])


@pytest.mark.parametrize(
    "url",
    [reverse("webmail:settings"), reverse("webmail:outbox"), reverse("webmail:folders"), reverse("webmail:compose")],
)
def test_every_mail_page_has_the_folder_sidebar(people: None, client: Client, url: str) -> None:
    page = signed_in(client).get(url).content.decode()
    assert 'data-folder="INBOX"' in page
    assert 'data-folder="Sent"' in page
    assert "Keyboard shortcuts" in page


def test_sidebar_folders_come_from_a_short_cache(people: None, client: Client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import webmail.imap.pool as pool
    from webmail.mailstore import POOL

    alice = signed_in(client)
    alice.get(reverse("webmail:settings"))
    POOL.clear()
    opened: list[object] = []
    real_connect = pool.imap_connect
    monkeypatch.setattr(pool, "imap_connect", lambda *args: opened.append(args) or real_connect(*args))
    page = alice.get(reverse("webmail:settings")).content.decode()
    assert 'data-folder="INBOX"' in page
    assert opened == []  # the second page was served from the cache: no IMAP connection at all


def test_a_person_sees_their_apps_but_not_the_admin(people: None, client: Client) -> None:
    page = signed_in(client).get(reverse("webmail:settings")).content.decode()
    assert "data-app-switcher" in page
    assert 'data-app-link="mail"' in page
    assert 'data-app-link="calendar"' in page
    assert 'data-app-link="admin"' not in page


def test_an_admin_sees_the_admin_app_in_the_switcher(people: None, client: Client) -> None:
    page = signed_in(client, "postmaster@example.test").get(reverse("webmail:settings")).content.decode()
    assert "data-app-switcher" in page
    assert 'data-app-link="mail"' in page
    assert 'data-app-link="admin"' in page
    assert 'aria-current="page"' in page


def test_the_sign_in_page_promises_only_what_exists(client: Client, db: None) -> None:
    page = client.get(reverse("accounts:login")).content.decode()
    for missing in ("calendar", "contacts", "people", "tasks"):
        assert missing not in page.lower()
