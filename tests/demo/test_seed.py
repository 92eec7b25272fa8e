import pytest
from django.core.management import call_command

from accounts.models import User
from demo.seed import demo_seed
from mailadmin.models import Mailbox
from tests.mailstack import imap_login, inbox_subjects, master_login

pytestmark = [pytest.mark.integration]

PASSWORD = "demo-password-123"


def test_seeding_creates_users_and_delivers_mail_once(mail_stack: None) -> None:
    first = demo_seed(password=PASSWORD)

    assert set(first.created) >= {"example.test", "alice@example.test", "bob@example.test", "carol@example.test"}
    assert first.delivered >= 30
    alice_subjects = inbox_subjects("alice@example.test")
    assert len(alice_subjects) >= 20
    assert "Planning the spring open day" in alice_subjects
    imap_login("bob@example.test", PASSWORD).logout()
    assert User.objects.get(username="postmaster@example.test").is_superuser

    second = demo_seed(password="another-password-456")

    assert first.events >= 8
    assert first.contacts >= 7
    assert second.created == []
    assert second.delivered == 0
    assert (second.events, second.contacts) == (0, 0)
    assert second.skipped == first.delivered
    assert sorted(inbox_subjects("alice@example.test")) == sorted(alice_subjects)
    imap_login("bob@example.test", PASSWORD).logout()  # an existing password is left alone


def test_seeding_tops_up_what_is_missing(mail_stack: None) -> None:
    demo_seed(password=PASSWORD)
    Mailbox.objects.filter(address="carol@example.test").delete()
    User.objects.filter(username="carol@example.test").delete()
    bob = master_login("bob@example.test")
    bob.select_folder("INBOX")
    bob.delete_messages(bob.search("ALL"))
    bob.expunge()
    bob.logout()

    again = demo_seed(password=PASSWORD)

    assert again.created == ["carol@example.test"]
    assert again.delivered > 0
    assert len(inbox_subjects("bob@example.test")) > 0


def test_command_prints_a_summary(mail_stack: None, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("demo_seed", "--password", PASSWORD)
    assert "delivered" in capsys.readouterr().out


def test_seeding_only_looks_at_the_demo_mailboxes(mail_stack: None) -> None:
    from tests import personas
    from tests.webmail.helpers import append, message

    personas.mailbox("dana")
    bulk = [message(f"bulk {n}", Message_ID=f"<bulk-{n}@example.test>") for n in range(30)]
    append("dana@example.test", "INBOX", bulk)

    report = demo_seed(password=PASSWORD)

    assert "dana@example.test" not in report.created
    assert len(inbox_subjects("dana@example.test")) == 30
