"""Writing a message: prefilled replies and forwards, and message_send, which commits the message
to the outbox before anything is submitted."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.headerregistry import Address
from email.parser import BytesHeaderParser
from email.policy import compat32, default
from email.utils import make_msgid

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from core.errors import RoostError
from webmail.imap.pool import PooledConnection
from webmail.imap.reading import MessageHead, fetch_head, fetch_header_fields, fetch_sections
from webmail.mailstore import MailAccount, mailbox_connection
from webmail.mime.compose import (
    Attachment,
    BadHeader,
    Draft,
    build_message,
    clean_header_text,
    format_address_list,
    forward_subject,
    html_to_text,
    needs_smtputf8,
    quote_text,
    references_for,
    reply_subject,
)
from webmail.mime.sanitize import sanitize_html, text_snippet
from webmail.mime.structure import choose_bodies, decode_body, parts_from_bodystructure
from webmail.models import ComposeDraft, Outbox
from webmail.services.attachments import (
    AttachmentsTooLarge,
    attachment_parts,
    attachments_check_size,
    message_attachments,
)
from webmail.services.drafts import draft_attachments, draft_bind
from webmail.services.identities import identities_for
from webmail.services.queueing import outbox_queue
from webmail.services.reading import MessageMissing

MODES = ("reply", "reply_all", "forward", "forward_attachment", "edit_as_new")
PARENT_FLAGS = {
    "reply": "\\Answered",
    "reply_all": "\\Answered",
    "forward": "$Forwarded",
    "forward_attachment": "$Forwarded",
}


class ComposeRefused(RoostError):
    pass


@dataclass
class ComposeRequest:
    """A message to send, as domain values: recipients are parsed addresses (the view parses the form), so
    nothing between the original message and the outgoing one turns them back into text and re-reads it."""

    idempotency_key: str
    from_address: str
    to: list[Address]
    cc: list[Address] = field(default_factory=list)
    bcc: list[Address] = field(default_factory=list)
    subject: str = ""
    text: str = ""
    html: str = ""
    attachments: list[Attachment] = field(default_factory=list)
    send_at: datetime | None = None
    mode: str = ""
    parent_folder: str = ""
    parent_uid: int | None = None
    draft_key: str = ""
    draft_uid: int | None = None  # the message in Drafts the page was opened from
    keep_parts: list[str] = field(default_factory=list)  # a forwarded message's attachments to send on
    keep_draft_parts: list[str] = field(default_factory=list)  # files already saved with the draft

    def as_state(self) -> dict[str, object]:
        """What the user typed, kept with the outbox row so an undone or failed send loses nothing."""
        return {
            "from_address": self.from_address, "to": format_address_list(self.to),
            "cc": format_address_list(self.cc), "bcc": format_address_list(self.bcc),
            "subject": self.subject, "text": self.text, "html": self.html, "mode": self.mode,
            "parent_folder": self.parent_folder, "parent_uid": self.parent_uid, "draft_key": self.draft_key,
        }  # fmt: skip


def _parent_head(conn: PooledConnection, folder: str, uid: int) -> MessageHead:
    head = fetch_head(conn, folder, uid)
    if head is None:
        raise MessageMissing("The message you are answering is no longer there.")
    return head


def _parent_text(conn: PooledConnection, folder: str, head: MessageHead) -> str:
    """The parent's text for quoting: its plain body, else its HTML body as text."""
    plain, html = choose_bodies(parts_from_bodystructure(head.structure))
    chosen = plain or html
    if chosen is None:
        return ""
    body = fetch_sections(conn, folder, head.uid, [chosen.part_id], 1 << 20)[chosen.part_id]
    text = decode_body(body, encoding=chosen.encoding, charset=chosen.charset)
    return text_snippet(text, length=100_000) if chosen is html else text


def _parent_thread_ids(conn: PooledConnection, folder: str, uid: int) -> tuple[str, list[str]]:
    """What a reply needs of its parent: the Message-ID and References headers, nothing else."""
    raw = fetch_header_fields(conn, folder, uid, ["MESSAGE-ID", "REFERENCES"])
    if not raw:
        raise MessageMissing("The message you are answering is no longer there.")
    headers = BytesHeaderParser(policy=compat32).parsebytes(raw)
    message_id = next((t for t in str(headers.get("Message-ID", "")).split() if t.startswith("<")), "")
    references = [t for t in str(headers.get("References", "")).split() if t.startswith("<")]
    return message_id, references


def _parent_raw(conn: PooledConnection, folder: str, uid: int) -> bytes:
    """The whole message to forward as an attachment; one byte over the limit is enough to refuse it
    rather than send it cut short."""
    limit = settings.ROOST_ATTACHMENT_MAX_BYTES
    raw = fetch_sections(conn, folder, uid, [""], limit + 1)[""]
    if not raw:
        raise MessageMissing("The message you are forwarding is no longer there.")
    if len(raw) > limit:
        raise AttachmentsTooLarge
    return raw


def compose_prefill(*, account: MailAccount, mode: str, folder: str, uid: int) -> dict[str, object]:
    """The compose form for a reply, reply-all or forward of a message."""
    if mode not in MODES:
        raise ComposeRefused("Unknown way to answer a message.")
    with mailbox_connection(account) as conn:
        head = _parent_head(conn, folder, uid)
        # Forwarding as an attachment quotes nothing: its body is never fetched.
        text = "" if mode == "forward_attachment" else _parent_text(conn, folder, head)
    own = [i.address for i in identities_for(account.user)]  # the mailbox first, then its aliases
    mine = set(own)
    sender = head.sender[0] if head.sender else None
    who = str(sender) if sender else "someone"
    prefill: dict[str, object] = {"mode": mode, "parent_folder": folder, "parent_uid": uid}
    if mode in ("reply", "reply_all"):
        reply_to = list(head.reply_to or head.sender)
        to = [a for a in reply_to if a.email.lower() not in mine] or reply_to
        prefill["to"] = ", ".join(str(a) for a in to)
        if mode == "reply_all":
            seen = {a.email.lower() for a in to} | mine
            others = [a for a in (*head.to, *head.cc) if a.email.lower() not in seen]
            prefill["cc"] = ", ".join(str(a) for a in others)
        prefill["subject"] = reply_subject(head.subject)
        prefill["text"] = quote_text(text, who=who, when=head.date)
        recipients = {a.email.lower() for a in (*head.to, *head.cc)}
        prefill["from_address"] = next((a for a in own if a in recipients), "")
    elif mode == "edit_as_new":
        prefill["to"] = ", ".join(str(a) for a in head.to)
        prefill["cc"] = ", ".join(str(a) for a in head.cc)
        prefill["subject"] = head.subject
        prefill["text"] = text
        sender_address = head.sender[0].email.lower() if head.sender else ""
        prefill["from_address"] = sender_address if sender_address in mine else ""
        prefill["forward_parts"] = [
            {"part_id": p.part_id, "filename": p.filename, "size": p.size} for p in attachment_parts(head.structure)
        ]
    else:
        prefill["subject"] = forward_subject(head.subject)
        if mode == "forward":
            lines = [
                "", "", "---------- Forwarded message ----------", f"From: {who}",
                f"Date: {head.date:%a, %d %b %Y %H:%M}" if head.date else "",
                f"Subject: {head.subject}", f"To: {', '.join(str(a) for a in head.to)}", "", text,
            ]  # fmt: skip
            prefill["text"] = "\n".join(line for line in lines if line is not None)
        prefill["forward_parts"] = [
            {"part_id": p.part_id, "filename": p.filename, "size": p.size} for p in attachment_parts(head.structure)
        ]
    return prefill


def _sender(user: User, address: str) -> Address:
    """The From of an identity, built from its parts: a display name is only ever a display name."""
    for identity in identities_for(user):
        if identity.address == address:
            local, _, domain = identity.address.rpartition("@")
            try:
                name = " ".join(clean_header_text(identity.display_name, name="display name").split())
                return Address(display_name=name, username=local, domain=domain)
            except (BadHeader, ValueError, IndexError):
                raise ComposeRefused(
                    f"Your display name for {address} cannot be used; change it in Settings."
                ) from None
    raise ComposeRefused(f"You cannot send as {address}: it is not one of your addresses.")


def _check_from(raw: bytes, address: str) -> None:
    """What a recipient will read as the sender must be exactly the identity's address, whatever its name."""
    found = BytesHeaderParser(policy=default).parsebytes(raw)["From"]
    addresses: tuple[Address, ...] = getattr(found, "addresses", ())
    if len(addresses) != 1 or addresses[0].addr_spec.lower() != address.lower():
        raise ComposeRefused(f"Your display name for {address} cannot be used; change it in Settings.")


def message_send(*, account: MailAccount, request: ComposeRequest) -> Outbox:
    """Commit the message to the outbox (once per idempotency key) and queue its submission."""
    user = account.user
    existing = Outbox.objects.filter(user=user, idempotency_key=request.idempotency_key).first()
    if existing is not None:
        return existing
    sender = _sender(user, request.from_address)
    address = request.from_address
    to, cc, bcc = request.to, request.cc, request.bcc
    if not (to or cc or bcc):
        raise ComposeRefused("Add at least one recipient.")
    count = len({a.addr_spec.lower() for a in (*to, *cc, *bcc)})
    if count > settings.ROOST_MAX_RECIPIENTS:
        raise ComposeRefused(
            f"A message can go to at most {settings.ROOST_MAX_RECIPIENTS:,} recipients and this one has {count:,}. "
            "Send it to a mailing list, or in smaller groups."
        )
    if request.draft_key and request.draft_uid:
        draft_bind(account=account, key=request.draft_key, uid=request.draft_uid)
    saved = None
    if request.draft_key and request.keep_draft_parts:
        saved = ComposeDraft.objects.filter(user=user, key=request.draft_key).first()
        if saved is not None and not (saved.uid and saved.folder):
            saved = None
    attachments_check_size(request.attachments)
    parent_mode = request.mode if request.parent_uid else ""
    forward_parts = parent_mode in ("forward", "edit_as_new") and bool(request.keep_parts)
    in_reply_to, references, attached = "", [], []
    # One connection for all that IMAP holds for this message, and only what goes into it.
    if saved is not None or parent_mode in ("reply", "reply_all", "forward_attachment") or forward_parts:
        with mailbox_connection(account) as conn:
            if saved is not None:
                from_draft = draft_attachments(conn, saved.folder, saved.uid or 0, request.keep_draft_parts)
                request.attachments = [*from_draft, *request.attachments]
            folder, uid = request.parent_folder, request.parent_uid or 0
            if parent_mode in ("reply", "reply_all"):
                in_reply_to, parent_references = _parent_thread_ids(conn, folder, uid)
                references = references_for(parent_references, in_reply_to)
            elif parent_mode == "forward_attachment":
                attached = [_parent_raw(conn, folder, uid)]
            elif forward_parts:
                listed = attachment_parts(_parent_head(conn, folder, uid).structure)
                kept = message_attachments(conn, folder, uid, listed=listed, wanted=request.keep_parts)
                request.attachments = [*kept, *request.attachments]
    attachments_check_size(request.attachments)
    now = timezone.now()
    text, html = request.text, ""
    if request.html.strip():
        # What the editor wrote goes through the same sanitiser as incoming mail; the plain part is made from it.
        html = sanitize_html(request.html, cid_url=lambda _: None, proxy_url=None).html
        text = html_to_text(html)
    draft = Draft(
        sender=sender, to=to, cc=cc, bcc=bcc, subject=request.subject, text=text, html=html,
        message_id=make_msgid(domain=address.rpartition("@")[2]), date=now, in_reply_to=in_reply_to,
        references=references, attachments=request.attachments, attached_messages=attached,
    )  # fmt: skip
    try:
        raw = build_message(draft, include_bcc=False)
    except RoostError as error:
        raise ComposeRefused(str(error)) from None
    _check_from(raw, address)
    undo = timedelta(seconds=settings.ROOST_UNDO_SEND_SECONDS)
    send_after = max(request.send_at, now) if request.send_at else now + undo
    credential = account.sealed_credential()
    try:
        with transaction.atomic():
            row = Outbox.objects.create(
                user=user, idempotency_key=request.idempotency_key, message_id=draft.message_id,
                sender=address, recipients=[a.addr_spec for a in (*to, *cc, *bcc)], bcc=[str(a) for a in bcc],
                subject=request.subject[:998], raw=raw, sent_copy=build_message(draft, include_bcc=True),
                smtputf8=needs_smtputf8(draft), send_after=send_after, compose_state=request.as_state(),
                parent_folder=request.parent_folder if request.parent_uid else "", parent_uid=request.parent_uid,
                parent_flag=PARENT_FLAGS.get(request.mode, ""), credential=credential,
            )  # fmt: skip
            transaction.on_commit(lambda: outbox_queue(row.pk, eta=send_after))
    except IntegrityError:
        return Outbox.objects.get(user=user, idempotency_key=request.idempotency_key)
    return row
