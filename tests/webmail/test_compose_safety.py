"""Issue 8's compose and drafts items through the real Postfix and Dovecot: a display name that cannot
forge the From, replies that cannot gain recipients, draft links that cannot expunge other mail, send
later and recipient limits that refuse instead of sending, drafts without recipients, oversized files."""

import re
from email.message import EmailMessage

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from mailadmin.models import Mailbox
from mailadmin.services import mailbox_update
from tests import personas
from tests.mailstack import count_subject, master_login, wait_for_subject
from tests.webmail.helpers import append, folder_uids, message, signed_in
from tests.webmail.test_compose_send import ALICE, BOB, CAROL, deliver_now, fetch_by_subject, send
from webmail.mailstore import mail_account_for_task
from webmail.mime.compose import Attachment
from webmail.models import ComposeDraft, Identity, Outbox
from webmail.services.attachments import AttachmentsTooLarge
from webmail.services.compose import ComposeRefused, compose_prefill
from webmail.services.drafts import draft_save, new_draft_key

pytestmark = [pytest.mark.integration]


@pytest.fixture
def people(mail_stack: None, settings) -> User:  # type: ignore[no-untyped-def]
    settings.ROOST_UNDO_SEND_SECONDS = 0
    for local in ("alice", "bob", "carol"):
        personas.mailbox(local)
    return User.objects.get(username=ALICE)


def _hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found, name
    return found.group(1)


def test_a_display_name_cannot_make_another_address_the_sender(people: User, client: Client) -> None:
    bob = User.objects.get(username=BOB)
    signed_in(client, BOB)
    forged = "Alice <alice@example.test> ("
    page = client.post(reverse("webmail:settings"), {"identity": BOB, "display_name": forged}, follow=True)
    assert "cannot contain &lt;, &gt;, @" in page.content.decode()
    assert not Identity.objects.filter(user=bob, display_name=forged).exists()
    # A name saved before the check (or written some other way) is still only a name in the header:
    Identity.objects.create(user=bob, address=BOB, display_name=forged)
    row = deliver_now(send(bob, from_address=BOB, to=CAROL, subject="Who sent this", text="x"))
    assert row.state == Outbox.State.FILED
    wait_for_subject(CAROL, "Who sent this")
    sender = fetch_by_subject(CAROL, "INBOX", "Who sent this")["From"].addresses
    assert [a.addr_spec for a in sender] == [BOB]
    assert sender[0].display_name == forged


def test_a_reply_goes_only_to_the_sender_whatever_their_display_name_holds(people: User, client: Client) -> None:
    sneaky = '"Bob Bcc: carol@example.test" <bob@example.test>'
    append(ALICE, "INBOX", [message("Sneaky", sender=sneaky)])
    prefill = compose_prefill(account=mail_account_for_task(people), mode="reply", folder="INBOX", uid=1)
    assert prefill["to"] == sneaky
    signed_in(client)
    response = client.post(
        reverse("webmail:compose"),
        {"idempotency_key": "reply-21", "from_address": ALICE, "to": prefill["to"],
         "subject": prefill["subject"], "text": "Only for Bob", "mode": "reply", "parent_folder": "INBOX",
         "parent_uid": "1"},
    )  # fmt: skip
    assert response.status_code == 302
    row = Outbox.objects.get(idempotency_key="reply-21")
    assert row.recipients == [BOB]
    deliver_now(row)
    wait_for_subject(BOB, "Re: Sneaky")
    got = fetch_by_subject(BOB, "INBOX", "Re: Sneaky")
    assert [(a.display_name, a.addr_spec) for a in got["To"].addresses] == [("Bob Bcc: carol@example.test", BOB)]
    assert got["Cc"] is None
    assert got["Bcc"] is None
    assert count_subject(CAROL, "INBOX", "Re: Sneaky") == 0


def test_a_draft_link_to_another_folder_changes_nothing_and_autosave_cannot_expunge_it(
    people: User, client: Client
) -> None:
    append(ALICE, "INBOX", [message("Keep me")])
    append(ALICE, "Drafts", [message("Not a draft")])  # in Drafts but without the \\Draft flag
    signed_in(client)
    page = client.get(reverse("webmail:compose") + "?draft=1&f=INBOX")
    assert page.status_code == 400
    assert "Only messages in your Drafts folder" in page.content.decode()
    assert not ComposeDraft.objects.exists()  # a GET writes nothing
    key = _hidden(page.content.decode(), "draft_key")
    typed = {"draft_key": key, "draft_version": "0", "from_address": ALICE, "to": BOB, "subject": "s", "text": "t"}
    assert client.post(reverse("webmail:draft_save"), typed).json()["ok"]
    # Even a forged reference to INBOX's UID 1 is not replaced: it is not a draft in Drafts.
    forged = {**typed, "draft_key": new_draft_key(), "draft_uid": "1"}
    assert client.post(reverse("webmail:draft_save"), forged).json()["ok"]
    assert folder_uids(ALICE, "INBOX") == [1]
    # A message in Drafts without the \Draft flag is not opened as a draft either.
    refused = client.get(reverse("webmail:compose") + "?draft=1&f=Drafts")
    assert refused.status_code == 400
    assert "not a draft" in refused.content.decode()


def test_a_draft_from_another_program_is_replaced_by_the_first_save_not_by_opening_it(
    people: User, client: Client
) -> None:
    append(ALICE, "Drafts", [message("Half written", sender=ALICE, to=BOB)], flags=("\\Draft",))
    (uid,) = [u for u in folder_uids(ALICE, "Drafts")]
    signed_in(client)
    page = client.get(reverse("webmail:compose") + f"?draft={uid}&f=Drafts").content.decode()
    assert not ComposeDraft.objects.exists()
    assert _hidden(page, "draft_uid") == str(uid)
    typed = {"draft_key": _hidden(page, "draft_key"), "draft_version": _hidden(page, "draft_version"),
             "draft_uid": str(uid), "from_address": ALICE, "to": BOB, "text": "more"}  # fmt: skip
    saved = client.post(reverse("webmail:draft_save"), typed).json()
    assert saved["ok"]
    uids = folder_uids(ALICE, "Drafts")
    assert len(uids) == 1
    assert uids != [uid]


def test_send_later_with_a_date_it_cannot_read_is_refused(people: User, client: Client) -> None:
    signed_in(client)
    form = {"from_address": ALICE, "to": BOB, "subject": "Later", "text": "x", "later": "1"}
    for when, says in (("next tuesday", "is not a date and time"), ("", "Choose a date and time")):
        page = client.post(reverse("webmail:compose"), {**form, "send_at": when})
        assert page.status_code == 400
        assert says in page.content.decode()
    assert not Outbox.objects.exists()


def test_too_many_recipients_are_refused_with_the_limit(people: User, client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    assert settings.ROOST_MAX_RECIPIENTS == 500
    many = ", ".join(f"person{n}@example.test" for n in range(2999))
    with pytest.raises(ComposeRefused, match="at most 500 recipients and this one has 3,000"):
        send(people, to=BOB, bcc=many, subject="Everyone", text="x")
    signed_in(client)
    page = client.post(reverse("webmail:compose"), {"from_address": ALICE, "to": many + ", " + BOB, "text": "x"})
    assert page.status_code == 400
    assert "at most 500 recipients" in page.content.decode()
    assert not Outbox.objects.exists()


def test_a_draft_without_recipients_does_not_break_the_drafts_list(people: User, client: Client) -> None:
    state: dict[str, object] = {"from_address": ALICE, "subject": "Nobody yet", "text": "x"}
    draft_save(account=mail_account_for_task(people), key=new_draft_key(), base_version=0, state=state)
    signed_in(client)
    page = client.get(reverse("webmail:folder", args=["Drafts"]))
    assert page.status_code == 200
    assert "(no recipient)" in page.content.decode()
    assert "Nobody yet" in page.content.decode()


def test_a_draft_never_stores_files_over_the_limit(people: User, settings) -> None:  # type: ignore[no-untyped-def]
    settings.ROOST_ATTACHMENT_MAX_BYTES = 10_000
    account = mail_account_for_task(people)
    state: dict[str, object] = {"from_address": ALICE, "to": BOB, "subject": "Big file", "text": "x"}
    with pytest.raises(AttachmentsTooLarge, match="too large"):
        draft_save(account=account, key=new_draft_key(), base_version=0, state=state,
                   uploads=[Attachment("big.bin", "application/octet-stream", b"x" * 10_001)])  # fmt: skip
    # Files already in the draft count too.
    key = new_draft_key()
    first = draft_save(account=account, key=key, base_version=0, state=state,
                       uploads=[Attachment("a.bin", "application/octet-stream", b"a" * 6_000)])  # fmt: skip
    with pytest.raises(AttachmentsTooLarge, match="too large"):
        draft_save(account=account, key=key, base_version=1, state=state, keep_parts=[str(first.parts[0]["part_id"])],
                   uploads=[Attachment("b.bin", "application/octet-stream", b"b" * 6_000)])  # fmt: skip
    assert folder_uids(ALICE, "Drafts") == [first.uid]


def test_a_draft_the_server_will_not_store_gets_a_sentence_not_imap_text(people: User, client: Client) -> None:
    mailbox_update(mailbox=Mailbox.objects.get(user__username=ALICE), display_name="Alice", quota_mb=1)
    signed_in(client)
    data = {"draft_key": new_draft_key(), "draft_version": "0", "from_address": ALICE, "to": BOB, "subject": "s",
            "text": "t", "attachments": _upload("big.bin", bytes(range(256)) * 8192)}  # fmt: skip
    answer = client.post(reverse("webmail:draft_save"), data)
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error.startswith("The mail server would not store the draft")
    assert "APPEND" not in error
    assert "OVERQUOTA" not in error
    imap = master_login(ALICE)
    try:
        imap.select_folder("Drafts", readonly=True)
        assert imap.search("ALL") == []
    finally:
        imap.logout()


def _upload(name: str, data: bytes):  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def test_sending_an_opened_draft_removes_it_and_a_forged_one_removes_nothing(people: User, client: Client) -> None:
    draft = EmailMessage()
    draft["From"], draft["To"], draft["Subject"] = ALICE, BOB, "From the phone"
    draft.set_content("started elsewhere")
    draft.add_attachment(b"%PDF map", maintype="application", subtype="pdf", filename="map.pdf")
    append(ALICE, "Drafts", [draft.as_bytes()], flags=("\\Draft",))
    append(ALICE, "INBOX", [message("Keep me too")])
    signed_in(client)
    page = client.get(reverse("webmail:compose") + "?draft=1&f=Drafts").content.decode()
    part = re.search(r'name="keep_draft_part" value="([^"]+)"', page)
    assert part
    form = {"from_address": ALICE, "to": BOB, "subject": "From the phone", "text": "finished here",
            "draft_key": _hidden(page, "draft_key"), "draft_uid": "1", "keep_draft_part": part.group(1)}  # fmt: skip
    assert client.post(reverse("webmail:compose"), {**form, "idempotency_key": "opened"}).status_code == 302
    deliver_now(Outbox.objects.get(idempotency_key="opened"))
    got = fetch_by_subject(BOB, "INBOX", "From the phone")
    assert [p.get_filename() for p in got.iter_attachments()] == ["map.pdf"]
    assert folder_uids(ALICE, "Drafts") == []
    forged = {**form, "draft_key": new_draft_key(), "keep_draft_part": [], "subject": "Forged"}
    assert client.post(reverse("webmail:compose"), {**forged, "idempotency_key": "forged"}).status_code == 302
    deliver_now(Outbox.objects.get(idempotency_key="forged"))
    assert folder_uids(ALICE, "INBOX") == [1]
