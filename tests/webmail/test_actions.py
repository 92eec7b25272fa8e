"""Bulk actions on selected messages, against the real Dovecot."""

import pytest
from django.test import Client
from django.urls import reverse

from tests import personas
from tests.webmail.helpers import append, folder_flags, folder_uids, message, signed_in

pytestmark = [pytest.mark.integration]
ALICE = "alice@example.test"


@pytest.fixture
def alice(mail_stack: None, client: Client) -> Client:
    personas.mailbox("alice")
    append(ALICE, "INBOX", [message(f"Message {n}") for n in range(4)])
    return signed_in(client)


def act(client: Client, action: str, uids: list[int], folder: str = "INBOX", **extra: str):  # type: ignore[no-untyped-def]
    return client.post(reverse("webmail:action", args=[folder]), {"action": action, "uid": uids, **extra})


def test_mark_read_and_unread(alice: Client) -> None:
    act(alice, "read", [1, 2])
    assert "\\Seen" in folder_flags(ALICE, "INBOX")[1]
    assert "\\Seen" not in folder_flags(ALICE, "INBOX")[3]
    act(alice, "unread", [1])
    assert "\\Seen" not in folder_flags(ALICE, "INBOX")[1]


def test_flag_and_unflag(alice: Client) -> None:
    act(alice, "flag", [3])
    assert "\\Flagged" in folder_flags(ALICE, "INBOX")[3]
    act(alice, "unflag", [3])
    assert "\\Flagged" not in folder_flags(ALICE, "INBOX")[3]


def test_move_and_copy(alice: Client) -> None:
    act(alice, "copy", [1], target="Archive")
    assert len(folder_uids(ALICE, "Archive")) == 1
    assert len(folder_uids(ALICE, "INBOX")) == 4
    act(alice, "move", [2, 3], target="Archive")
    assert len(folder_uids(ALICE, "Archive")) == 3
    assert folder_uids(ALICE, "INBOX") == [1, 4]


def test_delete_moves_to_trash_and_from_trash_deletes_for_good(alice: Client) -> None:
    act(alice, "delete", [1, 2])
    assert folder_uids(ALICE, "INBOX") == [3, 4]
    trash = folder_uids(ALICE, "Trash")
    assert len(trash) == 2
    act(alice, "delete", trash[:1], folder="Trash")
    assert len(folder_uids(ALICE, "Trash")) == 1


def test_archive(alice: Client) -> None:
    response = act(alice, "archive", [4])
    assert response.status_code == 302
    assert len(folder_uids(ALICE, "Archive")) == 1


def test_junk_and_not_junk_move_between_junk_and_inbox(alice: Client) -> None:
    act(alice, "junk", [1])
    junk = folder_uids(ALICE, "Junk")
    assert len(junk) == 1
    assert "$Junk" in folder_flags(ALICE, "Junk")[junk[0]]
    act(alice, "notjunk", junk, folder="Junk")
    assert folder_uids(ALICE, "Junk") == []
    assert len(folder_uids(ALICE, "INBOX")) == 4
    assert any("$NotJunk" in flags for flags in folder_flags(ALICE, "INBOX").values())


def test_json_answer_for_drag_and_drop(alice: Client) -> None:
    response = alice.post(
        reverse("webmail:action", args=["INBOX"]),
        {"action": "move", "uid": [1], "target": "Archive"},
        HTTP_ACCEPT="application/json",
    )
    assert response.json() == {"ok": True, "message": "Moved 1 message to Archive."}


def test_bad_input_is_refused_with_a_reason(alice: Client) -> None:
    bad_uid = alice.post(
        reverse("webmail:action", args=["INBOX"]), {"action": "read", "uid": ["1 OR 2"]}, HTTP_ACCEPT="application/json"
    )
    assert bad_uid.status_code == 400
    assert "not valid" in bad_uid.json()["error"]
    no_folder = act(alice, "move", [1], target="Nowhere")
    assert no_folder.status_code == 302
    unknown = alice.post(
        reverse("webmail:action", args=["INBOX"]), {"action": "explode", "uid": [1]}, HTTP_ACCEPT="application/json"
    )
    assert unknown.json()["error"] == "Unknown action."
    assert len(folder_uids(ALICE, "INBOX")) == 4


def test_actions_need_post_and_csrf(mail_stack: None) -> None:
    alice = personas.mailbox("alice")
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice.user)
    assert client.get(reverse("webmail:action", args=["INBOX"])).status_code == 405
    assert act(client, "read", [1]).status_code == 403
