"""Compose and send through the real Postfix and Dovecot: the outbox state machine, threading,
Bcc, identities, undo, send later, failures that keep the message and never send it twice."""

import email
import email.policy
import re
import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from mailadmin.services import alias_create
from tests import personas
from tests.mailstack import count_subject, master_login, wait_for_subject
from tests.webmail.helpers import append, folder_flags, imap_traffic, message, signed_in
from webmail.mailstore import mail_account_for_task
from webmail.mime.compose import Attachment, parse_address_list
from webmail.models import Outbox
from webmail.services.compose import ComposeRefused, ComposeRequest, compose_prefill, message_send
from webmail.services.outbox import outbox_cancel, outbox_deliver, outbox_file, outbox_sweep

pytestmark = [pytest.mark.integration]
ALICE, BOB, CAROL = "alice@example.test", "bob@example.test", "carol@example.test"


@pytest.fixture
def people(mail_stack: None, settings) -> User:  # type: ignore[no-untyped-def]
    settings.ROOST_UNDO_SEND_SECONDS = 0
    for local in ("alice", "bob", "carol"):
        personas.mailbox(local)
    return User.objects.get(username=ALICE)


def send(user: User, **fields: object) -> Outbox:
    """message_send with recipients written as text, parsed as the compose view parses them."""
    fields.setdefault("idempotency_key", uuid.uuid4().hex)
    fields.setdefault("from_address", ALICE)
    for name in ("to", "cc", "bcc"):
        fields[name] = parse_address_list(str(fields.get(name, "")))
    row = message_send(account=mail_account_for_task(user), request=ComposeRequest(**fields))  # type: ignore[arg-type]
    return row


def deliver_now(row: Outbox) -> Outbox:
    step = outbox_deliver(outbox_id=row.pk)
    if step.file_next:
        outbox_file(outbox_id=row.pk)
    row.refresh_from_db()
    return row


def fetch_by_subject(address: str, folder: str, subject: str) -> email.message.EmailMessage:
    client = master_login(address)
    try:
        client.select_folder(folder, readonly=True)
        uids = client.search(["SUBJECT", subject])
        assert uids, f"{subject!r} not in {address}'s {folder}"
        raw = client.fetch(uids[-1:], ["BODY.PEEK[]"])[uids[-1]][b"BODY[]"]
        return email.message_from_bytes(raw, policy=email.policy.default)  # type: ignore[return-value]
    finally:
        client.logout()


def test_send_to_a_local_user_with_both_parts_and_a_sent_copy(people: User) -> None:
    row = send(people, to="Bob <bob@example.test>", subject="Hello Bob", text="Café at 10?",
               attachments=[Attachment("plan.txt", "text/plain", b"step 1")])  # fmt: skip
    assert deliver_now(row).state == Outbox.State.FILED
    wait_for_subject(BOB, "Hello Bob")
    got = fetch_by_subject(BOB, "INBOX", "Hello Bob")
    assert got["From"] == "Alice <alice@example.test>"
    assert got["Message-ID"] == row.message_id
    assert got.get_body(("plain",)).get_content().strip() == "Café at 10?"
    assert [p.get_filename() for p in got.iter_attachments()] == ["plan.txt"]
    assert "250" in row.smtp_reply
    assert count_subject(ALICE, "Sent", "Hello Bob") == 1


def test_reply_threads_and_flags_the_original(people: User) -> None:
    append(ALICE, "INBOX", [message("Trip plan", sender="Bob <bob@example.test>", Message_ID="<trip@example.test>",
                                    References="<root@example.test>")])  # fmt: skip
    prefill = compose_prefill(account=mail_account_for_task(people), mode="reply", folder="INBOX", uid=1)
    assert prefill["to"] == "Bob <bob@example.test>"
    assert prefill["subject"] == "Re: Trip plan"
    assert "> Hello." in str(prefill["text"])
    row = send(people, to=prefill["to"], subject=prefill["subject"], text="Sounds good",
               mode="reply", parent_folder="INBOX", parent_uid=1)  # fmt: skip
    deliver_now(row)
    got = fetch_by_subject(BOB, "INBOX", "Re: Trip plan")
    assert got["In-Reply-To"] == "<trip@example.test>"
    assert got["References"] == "<root@example.test> <trip@example.test>"
    assert "\\Answered" in folder_flags(ALICE, "INBOX")[1]


def test_reply_all_leaves_out_the_users_own_addresses(people: User) -> None:
    alias_create(address="team@example.test", destinations=[ALICE])
    to = "Alice <alice@example.test>, team@example.test"
    append(ALICE, "INBOX", [message("Plan", sender="Bob <bob@example.test>", to=to, Cc="Carol <carol@example.test>")])
    prefill = compose_prefill(account=mail_account_for_task(people), mode="reply_all", folder="INBOX", uid=1)
    assert prefill["to"] == "Bob <bob@example.test>"
    assert prefill["cc"] == "Carol <carol@example.test>"
    assert prefill["from_address"] == ALICE


def test_forward_as_attachment_keeps_the_original_whole(people: User) -> None:
    append(ALICE, "INBOX", [message("Report Q1", sender="Bob <bob@example.test>", body="numbers")])
    row = send(people, to=CAROL, subject="Fwd: Report Q1", text="FYI", mode="forward_attachment",
               parent_folder="INBOX", parent_uid=1)  # fmt: skip
    deliver_now(row)
    got = fetch_by_subject(CAROL, "INBOX", "Fwd: Report Q1")
    attached = [p for p in got.iter_attachments() if p.get_content_type() == "message/rfc822"]
    assert len(attached) == 1
    assert attached[0].get_content()["Subject"] == "Report Q1"
    assert "$Forwarded" in folder_flags(ALICE, "INBOX")[1]


def test_bcc_is_delivered_but_not_shown_to_others(people: User) -> None:
    deliver_now(send(people, to=BOB, bcc=CAROL, subject="Quiet copy", text="x"))
    wait_for_subject(CAROL, "Quiet copy")
    assert fetch_by_subject(CAROL, "INBOX", "Quiet copy")["Bcc"] is None
    assert fetch_by_subject(BOB, "INBOX", "Quiet copy")["Bcc"] is None
    assert fetch_by_subject(ALICE, "Sent", "Quiet copy")["Bcc"] == CAROL


def test_the_server_refuses_a_from_address_the_user_does_not_own(people: User) -> None:
    with pytest.raises(ComposeRefused, match="not one of your addresses"):
        send(people, from_address=BOB, to=CAROL, subject="spoof", text="x")
    alias_create(address="sales@example.test", destinations=[ALICE])
    row = deliver_now(send(people, from_address="sales@example.test", to=BOB, subject="From sales", text="x"))
    assert row.state == Outbox.State.FILED


def test_a_repeated_request_makes_one_message(people: User) -> None:
    first = send(people, idempotency_key="k1", to=BOB, subject="Once only", text="x")
    again = send(people, idempotency_key="k1", to=BOB, subject="Once only", text="x")
    assert first.pk == again.pk
    deliver_now(first)
    deliver_now(again)
    assert count_subject(BOB, "INBOX", "Once only") == 1


def test_undo_send_keeps_the_text_and_sends_nothing(people: User, settings) -> None:  # type: ignore[no-untyped-def]
    settings.ROOST_UNDO_SEND_SECONDS = 10
    row = send(people, to=BOB, subject="Oops", text="never mind")
    assert outbox_deliver(outbox_id=row.pk).retry_in is not None  # inside the undo window
    outbox_cancel(user=people, outbox_id=row.pk)
    row.refresh_from_db()
    assert row.state == Outbox.State.CANCELLED
    assert row.compose_state["text"] == "never mind"
    assert deliver_now(row).state == Outbox.State.CANCELLED
    assert count_subject(BOB, "INBOX", "Oops") == 0


def test_send_later_waits_for_its_time(people: User) -> None:
    row = send(people, to=BOB, subject="Tomorrow", text="x", send_at=timezone.now() + timedelta(hours=20))
    step = outbox_deliver(outbox_id=row.pk)
    assert step.retry_in is not None
    assert step.retry_in > 19 * 3600
    Outbox.objects.filter(pk=row.pk).update(send_after=timezone.now())
    assert deliver_now(row).state == Outbox.State.FILED


def test_permanent_refusal_fails_with_the_reason_and_keeps_the_message(people: User) -> None:
    row = deliver_now(send(people, to="nobody@example.test", subject="To nobody", text="kept"))
    assert row.state == Outbox.State.FAILED
    assert "550" in row.last_error
    assert "nobody@example.test" in row.last_error
    assert row.compose_state["text"] == "kept"


def test_postfix_down_means_retry_later_then_exactly_one_delivery(people: User, settings) -> None:  # type: ignore[no-untyped-def]
    port = settings.ROOST_SMTP_PORT
    settings.ROOST_SMTP_PORT = 1  # nothing listens: as if Postfix were stopped
    row = send(people, to=BOB, subject="Despite the outage", text="x")
    step = outbox_deliver(outbox_id=row.pk)
    row.refresh_from_db()
    assert step.retry_in is not None
    assert row.state == Outbox.State.QUEUED
    assert "Cannot reach the SMTP server" in row.last_error
    settings.ROOST_SMTP_PORT = port
    assert deliver_now(row).state == Outbox.State.FILED
    deliver_now(row)
    assert count_subject(BOB, "INBOX", "Despite the outage") == 1


def test_a_worker_that_died_after_acceptance_files_once_and_never_resends(people: User) -> None:
    row = send(people, to=BOB, subject="Crash after accept", text="x")
    assert outbox_deliver(outbox_id=row.pk).file_next  # accepted; the worker "dies" before filing
    Outbox.objects.filter(pk=row.pk).update(updated=timezone.now() - timedelta(minutes=5))
    found = outbox_sweep()
    assert found == {"send": [], "file": [row.pk]}
    outbox_file(outbox_id=row.pk)
    Outbox.objects.filter(pk=row.pk).update(state=Outbox.State.ACCEPTED)
    outbox_file(outbox_id=row.pk)  # a second filing attempt finds the copy already there
    wait_for_subject(BOB, "Crash after accept")
    assert count_subject(BOB, "INBOX", "Crash after accept") == 1
    assert count_subject(ALICE, "Sent", "Crash after accept") == 1


def test_sweeper_requeues_lost_rows_and_marks_interrupted_submissions_uncertain(people: User, settings) -> None:  # type: ignore[no-untyped-def]
    settings.ROOST_POSTFIX_LOG = ""  # nothing to ask, as with an external server
    lost = send(people, to=BOB, subject="Lost task", text="x")
    before_dot = send(people, to=BOB, subject="Died before the dot", text="x")
    after_dot = send(people, to=BOB, subject="Died after the dot", text="x")
    long_ago = timezone.now() - timedelta(minutes=10)
    Outbox.objects.filter(pk=lost.pk).update(send_after=long_ago, updated=long_ago)
    Outbox.objects.filter(pk=before_dot.pk).update(state=Outbox.State.SENDING, lease_until=long_ago)
    Outbox.objects.filter(pk=after_dot.pk).update(state=Outbox.State.SUBMITTING, lease_until=long_ago)
    found = outbox_sweep()
    assert sorted(found["send"]) == sorted([lost.pk, before_dot.pk])
    after_dot.refresh_from_db()
    assert after_dot.state == Outbox.State.UNCERTAIN
    assert "did not confirm it. Check with the recipient or in Sent" in after_dot.last_error
    assert not after_dot.credential


def test_sweeper_asks_postfix_and_never_calls_an_accepted_message_not_sent(people: User, settings) -> None:  # type: ignore[no-untyped-def]
    assert settings.ROOST_MAIL_MODE == "managed"
    assert settings.ROOST_POSTFIX_LOG
    queued = deliver_now(send(people, to=BOB, subject="Queued, reply lost", text="x"))
    assert queued.state == Outbox.State.FILED
    never = send(people, to=BOB, subject="Never reached Postfix", text="x")
    # As a dead worker leaves them: both "submitting" with a lease run out; `updated` is when the dot began.
    began = timezone.now() - timedelta(seconds=60)
    Outbox.objects.filter(pk__in=[queued.pk, never.pk]).update(
        state=Outbox.State.SUBMITTING, lease_until=timezone.now() - timedelta(seconds=1), updated=began
    )
    found = outbox_sweep()
    queued.refresh_from_db()
    never.refresh_from_db()
    assert queued.state == Outbox.State.ACCEPTED  # Postfix's log shows it queued: sent, never resent
    assert queued.pk in found["file"]
    assert queued.pk not in found["send"]
    assert never.state == Outbox.State.QUEUED  # the log covers the time and never saw it: safe to send
    assert never.pk in found["send"]
    outbox_file(outbox_id=queued.pk)
    deliver_now(never)
    wait_for_subject(BOB, "Never reached Postfix")
    assert count_subject(BOB, "INBOX", "Queued, reply lost") == 1
    assert count_subject(ALICE, "Sent", "Queued, reply lost") == 1
    assert count_subject(BOB, "INBOX", "Never reached Postfix") == 1


def test_an_unreadable_postfix_log_leaves_the_message_uncertain(people: User, settings) -> None:  # type: ignore[no-untyped-def]
    settings.ROOST_POSTFIX_LOG = "/nonexistent/postfix.log"
    row = send(people, to=BOB, subject="Nobody can tell", text="x")
    Outbox.objects.filter(pk=row.pk).update(
        state=Outbox.State.SUBMITTING, lease_until=timezone.now() - timedelta(seconds=1)
    )
    assert outbox_sweep()["send"] == []
    row.refresh_from_db()
    assert row.state == Outbox.State.UNCERTAIN


def test_header_injection_is_refused(people: User, client: Client) -> None:
    with pytest.raises(ComposeRefused, match="line breaks"):
        send(people, to=BOB, subject="Hi\r\nBcc: mallory@evil.test", text="x")
    signed_in(client)
    for to, says in (("bob@example.test\r\nBcc: mallory@evil.test", "line breaks"),
                     ("not an address", "is not an email address")):  # fmt: skip
        page = client.post(
            reverse("webmail:compose"), {"from_address": ALICE, "to": to, "subject": "x", "text": "kept"}
        )
        assert page.status_code == 400
        assert says in page.content.decode()
        assert ">kept</textarea>" in page.content.decode()  # what was typed survives
    assert not Outbox.objects.exists()


def test_international_domain_names_are_encoded(people: User) -> None:
    row = send(people, to="Jo <jo@bücher.test>", subject="IDN", text="x")
    assert row.recipients == ["jo@xn--bcher-kva.test"]


def test_compose_page_send_and_undo_in_the_browser_flow(people: User, client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.ROOST_UNDO_SEND_SECONDS = 10
    signed_in(client)
    page = client.get(reverse("webmail:compose")).content.decode()
    assert 'name="idempotency_key"' in page
    response = client.post(
        reverse("webmail:compose"),
        {"idempotency_key": "page-1", "from_address": ALICE, "to": BOB, "subject": "Via the page", "text": "hi"},
    )
    row = Outbox.objects.get(idempotency_key="page-1")
    assert response["Location"] == reverse("webmail:outbox") + f"?sent={row.pk}"
    assert "Undo" in client.get(response["Location"]).content.decode()
    undo = client.post(reverse("webmail:outbox_change", args=[row.pk]), {"op": "undo"})
    restored = client.get(undo["Location"]).content.decode()
    assert "Via the page" in restored
    assert ">hi</textarea>" in restored


def test_identity_name_and_signature_are_used(people: User, client: Client) -> None:
    alias_create(address="sales@example.test", destinations=[ALICE])
    signed_in(client)
    client.post(
        reverse("webmail:settings"),
        {
            "identity": "sales@example.test",
            "display_name": "Alice (Sales)",
            "signature": "Alice, Sales team",
            "is_default": "on",
        },
    )
    page = client.get(reverse("webmail:compose")).content.decode()
    assert '<option value="sales@example.test" selected>Alice (Sales) &lt;sales@example.test&gt;</option>' in page
    assert "-- \nAlice, Sales team</textarea>" in page
    refused = client.post(reverse("webmail:settings"), {"identity": BOB, "display_name": "Not me"}, follow=True)
    assert "not one of your addresses" in refused.content.decode()
    row = deliver_now(send(people, from_address="sales@example.test", to=BOB, subject="Signed", text="x"))
    sender = fetch_by_subject(BOB, "INBOX", "Signed")["From"].addresses[0]
    assert (sender.display_name, sender.addr_spec) == ("Alice (Sales)", "sales@example.test")
    assert row.state == Outbox.State.FILED


def test_rich_text_goes_with_a_plain_alternative_and_is_sanitised(people: User) -> None:
    html = "<div>Hello <strong>Bob</strong><script>alert(1)</script></div><blockquote>earlier words</blockquote>"
    deliver_now(send(people, to=BOB, subject="Formatted", text="", html=html))
    got = fetch_by_subject(BOB, "INBOX", "Formatted")
    assert got.get_content_type() == "multipart/alternative"
    plain = got.get_body(("plain",)).get_content()
    rich = got.get_body(("html",)).get_content()
    assert "Hello Bob" in plain
    assert "> earlier words" in plain
    assert "<strong>Bob</strong>" in rich
    assert "<script" not in rich


def test_forward_keeps_the_originals_attachments_without_uploading_them(people: User) -> None:
    from email.message import EmailMessage

    original = EmailMessage()
    original["From"], original["To"], original["Subject"] = "bob@example.test", ALICE, "Slides"
    original.set_content("see attached")
    original.add_attachment(b"%PDF-1.4 slides", maintype="application", subtype="pdf", filename="slides.pdf")
    original.add_attachment(b"old notes", maintype="text", subtype="plain", filename="notes.txt")
    append(ALICE, "INBOX", [original.as_bytes()])
    prefill = compose_prefill(account=mail_account_for_task(people), mode="forward", folder="INBOX", uid=1)
    parts = {p["filename"]: p["part_id"] for p in prefill["forward_parts"]}  # type: ignore[union-attr]
    assert set(parts) == {"slides.pdf", "notes.txt"}
    row = send(people, to=CAROL, subject=str(prefill["subject"]), text="FYI", mode="forward",
               parent_folder="INBOX", parent_uid=1, keep_parts=[parts["slides.pdf"]])  # fmt: skip
    deliver_now(row)
    got = fetch_by_subject(CAROL, "INBOX", "Fwd: Slides")
    files = {p.get_filename(): p.get_content() for p in got.iter_attachments()}
    assert files == {"slides.pdf": b"%PDF-1.4 slides"}


def test_edit_as_new_copies_the_message_and_its_attachments(people: User) -> None:
    from email.message import EmailMessage

    original = EmailMessage()
    original["From"], original["To"], original["Subject"] = ALICE, "Bob <bob@example.test>", "Weekly report"
    original.set_content("Numbers are up.")
    original.add_attachment(b"a,b\n1,2\n", maintype="text", subtype="csv", filename="numbers.csv")
    append(ALICE, "Sent", [original.as_bytes()])
    prefill = compose_prefill(account=mail_account_for_task(people), mode="edit_as_new", folder="Sent", uid=1)
    assert (prefill["to"], prefill["subject"], prefill["from_address"]) == (
        "Bob <bob@example.test>",
        "Weekly report",
        ALICE,
    )
    assert "Numbers are up." in str(prefill["text"])
    part = prefill["forward_parts"][0]["part_id"]  # type: ignore[index]
    row = send(people, to=str(prefill["to"]), subject="Weekly report", text="Numbers are up again.",
               mode="edit_as_new", parent_folder="Sent", parent_uid=1, keep_parts=[part])  # fmt: skip
    deliver_now(row)
    got = fetch_by_subject(BOB, "INBOX", "Weekly report")
    assert [p.get_filename() for p in got.iter_attachments()] == ["numbers.csv"]
    assert got["In-Reply-To"] is None


def test_files_carried_from_a_message_keep_to_the_one_size_limit(people: User, settings) -> None:  # type: ignore[no-untyped-def]
    from email.message import EmailMessage

    from webmail.services.attachments import AttachmentsTooLarge

    # Given a message with a 40 kB file (as base64 on the server) and a 30 kB limit
    settings.ROOST_ATTACHMENT_MAX_BYTES = 30_000
    original = EmailMessage()
    original["From"], original["To"], original["Subject"] = "bob@example.test", ALICE, "Big file"
    original.set_content("see attached")
    original.add_attachment(bytes(range(256)) * 160, maintype="application", subtype="zip", filename="big.zip")
    original.add_attachment(b"small", maintype="text", subtype="plain", filename="small.txt")
    append(ALICE, "INBOX", [original.as_bytes()])
    parts = {p["filename"]: p["part_id"] for p in compose_prefill(  # type: ignore[union-attr]
        account=mail_account_for_task(people), mode="forward", folder="INBOX", uid=1)["forward_parts"]}  # fmt: skip
    # When it is forwarded with the big file, or forwarded whole as an attachment
    for extra in ({"mode": "forward", "keep_parts": [parts["big.zip"]]}, {"mode": "forward_attachment"}):
        # Then it is refused with the limit named, rather than sent cut short
        with pytest.raises(AttachmentsTooLarge, match="at most 29 kB"):
            send(people, to=CAROL, subject="Fwd: Big file", text="FYI", parent_folder="INBOX", parent_uid=1, **extra)
    assert not Outbox.objects.filter(user=people).exists()
    # And the small file alone goes on, decoded
    row = send(people, to=CAROL, subject="Fwd: Big file", text="FYI", mode="forward", parent_folder="INBOX",
               parent_uid=1, keep_parts=[parts["small.txt"]])  # fmt: skip
    deliver_now(row)
    got = fetch_by_subject(CAROL, "INBOX", "Fwd: Big file")
    assert {p.get_filename(): p.get_content() for p in got.iter_attachments()} == {"small.txt": "small"}


def test_formatted_signature_is_sanitised_and_starts_the_rich_editor(people: User, client: Client) -> None:
    signed_in(client)
    client.post(
        reverse("webmail:settings"),
        {"identity": ALICE, "display_name": "Alice", "signature": "Alice",
         "signature_html": '<b>Alice Martin</b><img src="https://tracker.test/x.gif" onerror="alert(1)">'},
    )  # fmt: skip
    page = client.get(reverse("webmail:compose")).content.decode()
    assert "&lt;b&gt;Alice Martin&lt;/b&gt;" in page  # in the editor's hidden input, escaped once by the template
    assert "onerror" not in page
    assert "tracker.test" not in page


def test_a_failed_message_is_announced_on_every_mail_page(people: User, client: Client) -> None:
    deliver_now(send(people, to="nobody@example.test", subject="Bounced", text="x"))
    signed_in(client)
    page = client.get(reverse("webmail:folder", args=["INBOX"])).content.decode()
    assert "1 message could not be sent" in page


def test_a_message_on_its_way_says_how_long_it_has_been_trying(people: User, client: Client) -> None:
    row = send(people, to=BOB, subject="Slow server", text="x")
    started = timezone.now() - timedelta(seconds=40)
    Outbox.objects.filter(pk=row.pk).update(
        state=Outbox.State.SENDING, send_after=started, attempts=2, lease_until=timezone.now() + timedelta(seconds=5)
    )
    signed_in(client)
    page = client.get(reverse("webmail:outbox")).content.decode()
    assert re.search(r"Sending…</span>\s*<div[^>]*data-trying>trying for (40|41|42) s \(try 2\)", page)
    assert "data-outbox-live" in page  # the page refreshes itself until the message is through


def test_reply_fetches_the_body_to_quote_and_sends_with_only_the_thread_headers(
    people: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    append(ALICE, "INBOX", [message("Lunch", sender="Bob <bob@example.test>", Message_ID="<lunch@example.test>",
                                    References="<a@example.test> <b@example.test>")])  # fmt: skip
    account = mail_account_for_task(people)
    prefill_traffic = imap_traffic(monkeypatch)
    prefill = compose_prefill(account=account, mode="reply", folder="INBOX", uid=1)
    assert "> Hello." in str(prefill["text"])
    assert prefill_traffic.checkouts == 1
    assert len(prefill_traffic.body_fetches) == 1  # the text it quotes
    send_traffic = imap_traffic(monkeypatch)
    row = send(people, to=str(prefill["to"]), subject=str(prefill["subject"]), text="Yes",
               mode="reply", parent_folder="INBOX", parent_uid=1)  # fmt: skip
    assert send_traffic.checkouts == 1
    assert send_traffic.fetches == [["BODY.PEEK[HEADER.FIELDS (MESSAGE-ID REFERENCES)]"]]
    deliver_now(row)
    got = fetch_by_subject(BOB, "INBOX", "Re: Lunch")
    assert got["In-Reply-To"] == "<lunch@example.test>"
    assert got["References"] == "<a@example.test> <b@example.test> <lunch@example.test>"


def test_forward_as_attachment_prefill_fetches_no_body_and_edit_as_new_one_connection(
    people: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    append(ALICE, "INBOX", [message("Minutes", sender="Bob <bob@example.test>", body="long minutes")])
    account = mail_account_for_task(people)
    traffic = imap_traffic(monkeypatch)
    prefill = compose_prefill(account=account, mode="forward_attachment", folder="INBOX", uid=1)
    assert prefill["subject"] == "Fwd: Minutes"
    assert traffic.checkouts == 1
    assert traffic.body_fetches == []
    traffic = imap_traffic(monkeypatch)
    prefill = compose_prefill(account=account, mode="edit_as_new", folder="INBOX", uid=1)
    assert "long minutes" in str(prefill["text"])
    assert traffic.checkouts == 1


def test_plain_forward_without_kept_files_sends_without_asking_imap(
    people: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    append(ALICE, "INBOX", [message("Agenda", sender="Bob <bob@example.test>")])
    traffic = imap_traffic(monkeypatch)
    row = send(people, to=CAROL, subject="Fwd: Agenda", text="see below", mode="forward",
               parent_folder="INBOX", parent_uid=1)  # fmt: skip
    assert traffic.checkouts == 0
    assert deliver_now(row).state == Outbox.State.FILED
    assert "$Forwarded" in folder_flags(ALICE, "INBOX")[1]
