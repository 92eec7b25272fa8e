import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests import personas
from webmail.models import Outbox
from webmail.services.completion import address_suggestions

pytestmark = [pytest.mark.django_db]


def sent_to(user, *recipients: str, days_ago: int = 0) -> None:  # type: ignore[no-untyped-def]
    row = Outbox.objects.create(
        user=user, idempotency_key=uuid.uuid4().hex, message_id=f"<{uuid.uuid4().hex}@x>", sender=user.username,
        recipients=list(recipients), raw=b"", sent_copy=b"", send_after=timezone.now(), state=Outbox.State.FILED,
    )  # fmt: skip
    Outbox.objects.filter(pk=row.pk).update(created=timezone.now() - timedelta(days=days_ago))


def test_directory_and_recent_addresses_ranked_by_match_and_use() -> None:
    alice = personas.mailbox("alice").user
    personas.mailbox("bob")
    personas.mailbox("bobby")
    sent_to(alice, "bobby@example.test", "bob.smith@partners.test")
    sent_to(alice, "bobby@example.test")
    found = address_suggestions(user=alice, query="bob")
    emails = [s.email for s in found]
    assert emails[0] == "bobby@example.test"  # a prefix match used twice beats one never used
    assert set(emails) == {"bobby@example.test", "bob@example.test", "bob.smith@partners.test"}
    assert next(s for s in found if s.email == "bob@example.test").name == "Bob"


def test_old_use_and_non_matches_do_not_count() -> None:
    alice = personas.mailbox("alice").user
    sent_to(alice, "zed@partners.test", days_ago=400)
    assert address_suggestions(user=alice, query="zed") == []
    assert address_suggestions(user=alice, query="") == []


def test_endpoint_answers_json_for_the_signed_in_user(client: Client) -> None:
    alice = personas.mailbox("alice")
    personas.mailbox("carol")
    assert client.get(reverse("webmail:address_complete") + "?q=car").status_code == 302
    client.force_login(alice.user)
    data = client.get(reverse("webmail:address_complete") + "?q=car").json()
    assert data["suggestions"] == [
        {"label": "Carol <carol@example.test>", "email": "carol@example.test", "source": "directory"}
    ]
