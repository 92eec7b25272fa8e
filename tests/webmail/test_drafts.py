"""Drafts in the IMAP Drafts folder: replaced, never piled up, never overwritten by an older window,
reopened intact, kept through an IMAP outage, gone once the message is sent."""

import uuid

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests import personas
from tests.webmail.helpers import folder_flags, folder_uids, imap_traffic, signed_in
from webmail.mailstore import mail_account_for_task
from webmail.mime.compose import parse_address
from webmail.models import Outbox
from webmail.services.compose import ComposeRequest, message_send
from webmail.services.drafts import DraftConflict, draft_open, draft_save, new_draft_key
from webmail.services.outbox import outbox_deliver, outbox_file

pytestmark = [pytest.mark.integration]
ALICE = "alice@example.test"
BOB_ADDRESS = parse_address("bob@example.test")


@pytest.fixture
def alice(mail_stack: None) -> User:
    personas.mailbox("alice")
    personas.mailbox("bob")
    return User.objects.get(username=ALICE)


def state(text: str, **extra: object) -> dict[str, object]:
    return {"from_address": ALICE, "to": "Bob <bob@example.test>", "subject": "Plans", "text": text, **extra}


def test_each_save_replaces_the_previous_copy(alice: User) -> None:
    key = new_draft_key()
    first = draft_save(account=mail_account_for_task(alice), key=key, base_version=0, state=state("v1"))
    second = draft_save(account=mail_account_for_task(alice), key=key, base_version=first.version, state=state("v2"))
    assert second.version == 2
    uids = folder_uids(ALICE, "Drafts")
    assert uids == [second.uid]
    assert {"\\Draft", "\\Seen"} <= folder_flags(ALICE, "Drafts")[second.uid]
    assert draft_open(account=mail_account_for_task(alice), folder="Drafts", uid=second.uid)["text"].strip() == "v2"


def test_an_older_window_gets_a_conflict_not_an_overwrite(alice: User) -> None:
    key = new_draft_key()
    draft_save(account=mail_account_for_task(alice), key=key, base_version=0, state=state("from window A"))
    newer = draft_save(account=mail_account_for_task(alice), key=key, base_version=1, state=state("newer, window A"))
    with pytest.raises(DraftConflict) as conflict:
        draft_save(account=mail_account_for_task(alice), key=key, base_version=1, state=state("stale window B"))
    assert conflict.value.version == 2
    opened = draft_open(account=mail_account_for_task(alice), folder="Drafts", uid=newer.uid)  # type: ignore[arg-type]
    assert opened["text"].strip() == "newer, window A"  # type: ignore[union-attr]


def test_a_draft_reopens_with_everything_and_goes_on_with_the_same_key(alice: User) -> None:
    key = new_draft_key()
    written = state(
        "Dear Bob", cc="carol@example.test", bcc="dana@example.test", mode="reply", parent_folder="INBOX", parent_uid=7
    )
    saved = draft_save(account=mail_account_for_task(alice), key=key, base_version=0, state=written)
    opened = draft_open(account=mail_account_for_task(alice), folder="Drafts", uid=saved.uid)  # type: ignore[arg-type]
    assert opened["to"] == "Bob <bob@example.test>"
    assert opened["cc"] == "carol@example.test"
    assert opened["bcc"] == "dana@example.test"
    assert opened["subject"] == "Plans"
    assert opened["mode"] == "reply"
    assert opened["parent_uid"] == 7
    assert opened["draft_key"] == key
    assert opened["draft_version"] == 1


def test_imap_down_keeps_the_draft_for_later(alice: User, settings) -> None:  # type: ignore[no-untyped-def]
    key = new_draft_key()
    port = settings.ROOST_IMAP_PORT
    settings.ROOST_IMAP_PORT = 1  # Dovecot "down"
    with pytest.raises(Exception, match="Cannot reach the IMAP server"):
        draft_save(account=mail_account_for_task(alice), key=key, base_version=0, state=state("written offline"))
    settings.ROOST_IMAP_PORT = port
    saved = draft_save(account=mail_account_for_task(alice), key=key, base_version=0, state=state("written offline"))
    assert saved.version == 1
    assert len(folder_uids(ALICE, "Drafts")) == 1


def test_sending_removes_the_draft(alice: User, settings) -> None:  # type: ignore[no-untyped-def]
    settings.ROOST_UNDO_SEND_SECONDS = 0
    key = new_draft_key()
    draft_save(account=mail_account_for_task(alice), key=key, base_version=0, state=state("final text"))
    row = message_send(
        account=mail_account_for_task(alice),
        request=ComposeRequest(idempotency_key=uuid.uuid4().hex, from_address=ALICE, to=[BOB_ADDRESS],
                               subject="Plans", text="final text", draft_key=key),
    )  # fmt: skip
    assert outbox_deliver(outbox_id=row.pk).file_next
    outbox_file(outbox_id=row.pk)
    row.refresh_from_db()
    assert row.state == Outbox.State.FILED
    assert folder_uids(ALICE, "Drafts") == []


def test_autosave_endpoint_answers_versions_and_conflicts(alice: User, client: Client) -> None:
    signed_in(client)
    key = new_draft_key()
    data = {
        "draft_key": key,
        "draft_version": "0",
        "from_address": ALICE,
        "to": "bob@example.test",
        "subject": "s",
        "text": "t",
    }
    first = client.post(reverse("webmail:draft_save"), data)
    assert first.json()["version"] == 1
    stale = client.post(reverse("webmail:draft_save"), data)
    assert stale.status_code == 409
    assert stale.json()["conflict"] is True
    bad = client.post(reverse("webmail:draft_save"), {**data, "draft_key": "../../x"})
    assert bad.status_code == 400


def test_files_saved_with_a_draft_go_on_to_the_next_save_the_reopened_draft_and_the_message(
    alice: User,
    settings,  # type: ignore[no-untyped-def]
) -> None:
    from tests.webmail.test_compose_send import fetch_by_subject
    from webmail.mime.compose import Attachment

    settings.ROOST_UNDO_SEND_SECONDS = 0
    key = new_draft_key()
    first = draft_save(
        account=mail_account_for_task(alice), key=key, base_version=0, state=state("with files"),
        uploads=[Attachment("plan.pdf", "application/pdf", b"%PDF plan"), Attachment("old.txt", "text/plain", b"x")],
    )  # fmt: skip
    names = {p["filename"]: p["part_id"] for p in first.parts}
    assert set(names) == {"plan.pdf", "old.txt"}
    second = draft_save(
        account=mail_account_for_task(alice), key=key, base_version=1, state=state("with one file"),
        keep_parts=[str(names["plan.pdf"])],
    )  # fmt: skip
    assert [p["filename"] for p in second.parts] == ["plan.pdf"]
    opened = draft_open(account=mail_account_for_task(alice), folder="Drafts", uid=second.uid)  # type: ignore[arg-type]
    assert [p["filename"] for p in opened["draft_parts"]] == ["plan.pdf"]  # type: ignore[union-attr]
    row = message_send(
        account=mail_account_for_task(alice),
        request=ComposeRequest(idempotency_key=uuid.uuid4().hex, from_address=ALICE, to=[BOB_ADDRESS],
                               subject="Plans with files", text="see file", draft_key=key,
                               keep_draft_parts=[str(second.parts[0]["part_id"])]),
    )  # fmt: skip
    outbox_deliver(outbox_id=row.pk)
    outbox_file(outbox_id=row.pk)
    got = fetch_by_subject("bob@example.test", "INBOX", "Plans with files")
    assert {p.get_filename(): p.get_content() for p in got.iter_attachments()} == {"plan.pdf": b"%PDF plan"}
    assert folder_uids(ALICE, "Drafts") == []


def test_half_typed_recipients_and_a_chosen_sender_reopen_as_written(alice: User) -> None:
    key = new_draft_key()
    written = state("still writing", to="Bob <bob@example.test>, ca", cc="dana@bücher.example", from_address="")
    saved = draft_save(account=mail_account_for_task(alice), key=key, base_version=0, state=written)
    opened = draft_open(account=mail_account_for_task(alice), folder="Drafts", uid=saved.uid)  # type: ignore[arg-type]
    assert (opened["to"], opened["cc"]) == ("Bob <bob@example.test>, ca", "dana@bücher.example")
    # A draft saved before a sender was chosen is from the user's own address
    assert opened["from_address"] == ALICE
    assert opened["text"] == "still writing\n"


def test_draft_files_keep_to_the_one_size_limit(alice: User, settings) -> None:  # type: ignore[no-untyped-def]
    from webmail.mime.compose import Attachment
    from webmail.services.attachments import AttachmentsTooLarge

    settings.ROOST_ATTACHMENT_MAX_BYTES = 1000
    with pytest.raises(AttachmentsTooLarge, match="too large"):
        draft_save(account=mail_account_for_task(alice), key=new_draft_key(), base_version=0, state=state("big"),
                   uploads=[Attachment("big.bin", "application/octet-stream", b"x" * 1001)])  # fmt: skip
    assert folder_uids(ALICE, "Drafts") == []


PDF = bytes(range(256)) * 64  # binary, so it travels base64-encoded


def _draft_files(uid: int) -> dict[str, bytes]:
    from tests.mailstack import master_login

    imap = master_login(ALICE)
    try:
        imap.select_folder("Drafts", readonly=True)
        raw = imap.fetch([uid], ["BODY.PEEK[]"])[uid][b"BODY[]"]
    finally:
        imap.logout()
    import email
    import email.policy

    msg = email.message_from_bytes(raw, policy=email.policy.default)
    return {str(p.get_filename()): p.get_payload(decode=True) for p in msg.iter_attachments()}  # type: ignore[attr-defined]


def test_a_save_that_changes_nothing_does_nothing(alice: User, monkeypatch: pytest.MonkeyPatch) -> None:
    from webmail.mime.compose import Attachment

    account, key = mail_account_for_task(alice), new_draft_key()
    first = draft_save(account=account, key=key, base_version=0, state=state("same"),
                       uploads=[Attachment("plan.pdf", "application/pdf", PDF)])  # fmt: skip
    kept = [str(p["part_id"]) for p in first.parts]
    traffic = imap_traffic(monkeypatch)
    again = draft_save(account=account, key=key, base_version=first.version, state=state("same"), keep_parts=kept)
    assert traffic.checkouts == 0
    assert (again.version, again.uid, again.parts) == (first.version, first.uid, first.parts)
    assert folder_uids(ALICE, "Drafts") == [first.uid]
    dropped = draft_save(account=account, key=key, base_version=first.version, state=state("same"), keep_parts=[])
    assert dropped.version == first.version + 1  # unticking the file is a change
    assert dropped.parts == []


def test_changed_text_carries_the_kept_files_in_one_fetch_of_just_those_parts(
    alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from webmail.mime.compose import Attachment

    account, key = mail_account_for_task(alice), new_draft_key()
    files = [Attachment("plan é.pdf", "application/pdf", PDF), Attachment("notes.txt", "text/plain", b"caf\xc3\xa9\n")]
    first = draft_save(account=account, key=key, base_version=0, state=state("v1"), uploads=files)
    ids = {p["filename"]: str(p["part_id"]) for p in first.parts}
    assert draft_open(account=account, folder="Drafts", uid=first.uid or 0)["draft_parts"] == first.parts
    traffic = imap_traffic(monkeypatch)
    second = draft_save(account=account, key=key, base_version=first.version, state=state("v2"),
                        keep_parts=[ids["plan é.pdf"], ids["notes.txt"]])  # fmt: skip
    assert traffic.checkouts == 1
    # The kept files' text in one FETCH of just those parts (the structure is read first, no bodies with it).
    assert [[item.partition("<")[0] for item in items] for items in traffic.body_fetches] == [
        [f"BODY.PEEK[{ids['plan é.pdf']}]", f"BODY.PEEK[{ids['notes.txt']}]"]
    ]
    assert [p["filename"] for p in second.parts] == ["plan é.pdf", "notes.txt"]
    assert _draft_files(second.uid or 0) == {"plan é.pdf": PDF, "notes.txt": b"caf\xc3\xa9\n"}
    opened = draft_open(account=account, folder="Drafts", uid=second.uid or 0)
    assert opened["draft_parts"] == second.parts
    assert str(opened["text"]).strip() == "v2"
