"""Every mail URL, requested by bob while naming alice's messages, folders, drafts and outbox rows:
404 each time, and alice's mailbox and rows are exactly as they were."""

import base64
from email.message import EmailMessage
from urllib.parse import unquote

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import User
from calendar_app.models import CalendarObject
from calendar_app.selectors import calendars_for_user
from contacts.models import Contact
from contacts.selectors import addressbooks_for_user
from contacts.services import ContactFields, Photo, TypedValue, contact_save
from tests import personas
from tests.crossuser import NotOwned, Probe, assert_covered, assert_second_user_sees_nothing
from tests.mailstack import master_login
from tests.webmail.helpers import append, message, signed_in
from webmail.mailstore import mail_account_for_task
from webmail.models import ComposeDraft, Identity, Outbox
from webmail.services.drafts import draft_save, new_draft_key
from webmail.services.links import part_link

pytestmark = [pytest.mark.integration]
ALICE = "alice@example.test"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


def _alice_state() -> object:
    """Alice's whole mailbox (folders, and per folder UIDs with their flags) and her rows."""
    client = master_login(ALICE)
    try:
        folders = sorted(name for _, _, name in client.list_folders())
        mailbox = {}
        for name in folders:
            client.select_folder(name, readonly=True)
            uids = client.search("ALL")
            data = client.fetch(uids, ["FLAGS"]) if uids else {}
            mailbox[name] = {uid: sorted(item[b"FLAGS"]) for uid, item in data.items()}
    finally:
        client.logout()
    rows = (
        sorted(Outbox.objects.filter(user__username=ALICE).values_list("pk", "state")),
        sorted(ComposeDraft.objects.filter(user__username=ALICE).values_list("key", "version", "uid")),
        sorted(Identity.objects.filter(user__username=ALICE).values_list("address", "display_name")),
        sorted(Contact.objects.filter(book__owner__username=ALICE).values_list("name", "etag")),
        sorted(CalendarObject.objects.filter(calendar__owner__username=ALICE).values_list("name", "etag")),
    )
    return mailbox, rows


@pytest.fixture
def world(mail_stack: None) -> dict[str, object]:
    alice = personas.mailbox("alice")
    personas.mailbox("bob")
    client = master_login(ALICE)
    try:
        client.create_folder("Projects")
    finally:
        client.logout()
    append(ALICE, "INBOX", [message(f"Private {n}") for n in range(3)])
    append(ALICE, "Projects", [message("Plans")])
    append(ALICE, "INBOX", [_invitation()])  # UID 4: a message with a calendar file as part 2
    contact_save(
        access=addressbooks_for_user(user=alice.user)[0],
        name=None,
        fields=ContactFields(
            formatted_name="Olga", emails=[TypedValue("olga@partners.test")], photo=Photo(PNG, "image/png")
        ),
    )
    key = new_draft_key()
    saved = draft_save(
        account=mail_account_for_task(alice.user), key=key, base_version=0, state={"to": "x@example.test", "text": "hi"}
    )
    row = Outbox.objects.create(
        user=alice.user, idempotency_key="k1", message_id="<m1@example.test>", sender=ALICE,
        recipients=["x@example.test"], subject="Secret", raw=b"x", sent_copy=b"x", state=Outbox.State.FAILED,
        send_after=timezone.now(),
    )  # fmt: skip
    # The frame's links name their user: bob can only ever make one into his own mailbox.
    bob_link = part_link(user=User.objects.get(username="bob@example.test"), folder="INBOX", uid=3, part_id="1")
    bob_calendar = calendars_for_user(user=User.objects.get(username="bob@example.test"))[0].obj
    return {
        "draft_uid": saved.uid, "draft_key": key, "outbox_id": row.pk, "bob_link": bob_link.partition("t=")[2],
        "alice_calendar": calendars_for_user(user=alice.user)[0].obj.pk, "bob_calendar": bob_calendar.pk,
    }  # fmt: skip


def _invitation() -> bytes:
    msg = EmailMessage()
    msg["From"] = "Olga <olga@partners.test>"
    msg["To"] = ALICE
    msg["Subject"] = "Kick-off"
    msg.set_content("Invitation attached.")
    event = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:kickoff@partners.test\r\n"
        "DTSTAMP:20261101T000000Z\r\nDTSTART:20261202T100000Z\r\nSUMMARY:Kick-off\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    msg.add_attachment(event.encode(), maintype="text", subtype="calendar", filename="invite.ics")
    return msg.as_bytes()


def cases(world: dict[str, object]) -> list[Probe | NotOwned]:
    uid, draft_uid, outbox_id = 3, world["draft_uid"], world["outbox_id"]
    json = {"Accept": "application/json"}
    return [
        Probe("webmail:folder", args=("Projects",)),
        Probe("webmail:message", args=(uid,), query={"f": "INBOX"}),
        Probe("webmail:message", args=(1,), query={"f": "Projects"}),
        Probe("webmail:message_body", args=(uid,), query={"f": "INBOX"}),
        Probe("webmail:message_part", args=(uid, "1"), query={"f": "INBOX"}),
        Probe("webmail:message_source", args=(uid,), query={"f": "INBOX"}),
        Probe("webmail:message_print", args=(uid,), query={"f": "INBOX"}),
        Probe("webmail:inline_part", query={"t": unquote(str(world["bob_link"]))}),
        Probe("webmail:inline_part", query={"t": "forged-token"}),
        Probe("webmail:action", "post", args=("INBOX",), data={"action": "delete", "uid": [1, 2, 3]}),
        Probe("webmail:action", "post", args=("INBOX",), data={"action": "read", "uid": [uid]}, headers=json),
        Probe("webmail:action", "post", args=("Projects",), data={"action": "delete", "uid": [1]}),
        Probe("webmail:folder_change", "post", data={"op": "delete", "folder": "Projects"}),
        Probe("webmail:folder_change", "post", data={"op": "rename", "folder": "Projects", "name": "Mine"}),
        Probe("webmail:folder_change", "post", data={"op": "empty", "folder": "Projects"}),
        Probe("webmail:compose", query={"draft": str(draft_uid), "f": "Drafts"}),
        Probe("webmail:compose", query={"mode": "reply", "uid": str(uid), "f": "INBOX"}),
        Probe("webmail:compose", query={"restore": str(outbox_id)}),
        Probe("webmail:outbox_change", "post", args=(outbox_id,), data={"op": "discard"}),
        Probe("webmail:outbox_change", "post", args=(outbox_id,), data={"op": "send_again"}),
        Probe("webmail:settings", "post", data={"identity": ALICE, "display_name": "Mallory"}),
        Probe("webmail:contact_photo", query={"address": "olga@partners.test"}),
        # The calendar card of alice's invitation (calendar_app reads the part through bob's own mailbox).
        Probe("calendar_app:mail_part", args=(4, "2"), query={"f": "INBOX"}, headers=json),
        Probe(
            "calendar_app:mail_part",
            "post",
            args=(4, "2"),
            query={"f": "INBOX"},
            data={"calendar_id": world["bob_calendar"]},
            headers=json,
        ),
        Probe(
            "calendar_app:mail_part",
            "post",
            args=(4, "2"),
            query={"f": "INBOX"},
            data={"calendar_id": world["alice_calendar"]},
            headers=json,
        ),
        NotOwned(
            "webmail:contact_add",
            "adds to the signed-in user's own address book",
            "post",
            data={"name": "Olga", "email": "olga@partners.test"},
        ),
        NotOwned("webmail:home", "redirects to the signed-in user's own Inbox"),
        NotOwned("webmail:search", "searches the signed-in user's own mailbox"),
        NotOwned("webmail:outbox", "lists the signed-in user's own outbox"),
        NotOwned("webmail:folders", "lists the signed-in user's own folders"),
        NotOwned("webmail:address_complete", "suggests from the user's own history and the directory"),
        NotOwned(
            "webmail:draft_save",
            "draft keys are per user: another user's key starts a draft of one's own",
            "post",
            data={"draft_key": str(world["draft_key"]), "draft_version": "0", "text": "mine"},
        ),
        NotOwned("webmail:remote", "a signed link to a public image, not anyone's data"),
        NotOwned("webmail:remote_allow", "the user's own list of trusted senders", "post", data={"sender": ALICE}),
    ]


def test_every_mail_url_has_a_second_user_case(world: dict[str, object]) -> None:
    assert_covered("webmail", cases(world))


def test_bob_gets_404_for_alices_things_and_changes_nothing(world: dict[str, object], client: Client) -> None:
    bob = signed_in(client, "bob@example.test")
    assert_second_user_sees_nothing(bob, cases(world), _alice_state)
