"""Drafts saved to the IMAP Drafts folder while the user writes. A save appends the new copy before it
deletes the old one (never a moment with none, never a pile of copies) and must name the version it
replaces: a save from an older tab gets a conflict instead of overwriting newer text."""

import base64
import binascii
import contextlib
import json
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import SMTP, default
from email.utils import format_datetime, make_msgid

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.errors import RoostError, ServiceUnavailable
from webmail.imap.changes import append_message, expunge_messages
from webmail.imap.errors import ImapError
from webmail.imap.folders import list_folders
from webmail.imap.listing import search_uids
from webmail.imap.pool import PooledConnection
from webmail.imap.reading import fetch_head, fetch_sections
from webmail.mailstore import MailAccount, mailbox_connection
from webmail.mime.compose import Attachment, clean_header_text
from webmail.mime.stream import stream_decoder
from webmail.mime.structure import MimePart, attachments, choose_bodies, parts_from_bodystructure
from webmail.models import ComposeDraft
from webmail.services.reading import MessageMissing

KEY_HEADER = "X-Roost-Draft-Key"
STATE_HEADER = "X-Roost-Draft-State"
_KEY = re.compile(r"^[0-9a-f]{32}$")


class NotADraft(RoostError):
    pass


class DraftRefused(RoostError):
    pass


class DraftConflict(RoostError):
    def __init__(self, version: int) -> None:
        super().__init__("This draft was saved from another window since; reload to see the newer text.")
        self.version = version


@dataclass(frozen=True)
class SavedDraft:
    key: str
    version: int
    uid: int | None
    parts: list[dict[str, object]]


def draft_attachment_parts(conn: PooledConnection, folder: str, uid: int) -> list[MimePart]:
    head = fetch_head(conn, folder, uid)
    if head is None:
        return []
    parts = parts_from_bodystructure(head.structure)
    return attachments(parts, bodies=choose_bodies(parts), referenced_cids=set())


def draft_attachments(conn: PooledConnection, folder: str, uid: int, keep: Sequence[str]) -> list[Attachment]:
    """The files of a saved draft that the user kept, decoded, to carry into the next save or the message."""
    found = []
    for part in draft_attachment_parts(conn, folder, uid):
        if part.part_id not in keep:
            continue
        raw = fetch_sections(conn, folder, uid, [part.part_id], 64 * 1024 * 1024)[part.part_id]
        decoder = stream_decoder(part.encoding)
        found.append(Attachment(part.filename or "attachment", part.content_type, decoder.feed(raw) + decoder.finish()))
    return found


def _decoded_size(part: MimePart) -> int:
    return part.size * 3 // 4 if part.encoding.lower() == "base64" else part.size


def _describe(parts: list[MimePart]) -> list[dict[str, object]]:
    # The decoded size, which is what the attachment limit counts and what the page adds up.
    return [{"part_id": p.part_id, "filename": p.filename, "size": _decoded_size(p)} for p in parts]


def _is_draft(conn: PooledConnection, folder: str, uid: int) -> bool:
    """Drafts code writes only to \\Draft messages: a crafted UID or folder can never make it expunge mail."""
    return uid in search_uids(conn, folder, ["UID", str(int(uid)), "DRAFT"])


def _expunge_draft(conn: PooledConnection, folder: str, uid: int) -> None:
    with contextlib.suppress(RoostError):  # the old copy may be gone (deleted in another client)
        if _is_draft(conn, folder, uid):
            expunge_messages(conn, folder, [uid])


def _append_draft(conn: PooledConnection, folder: str, raw: bytes) -> int | None:
    try:
        return append_message(conn, folder, raw, ["\\Draft", "\\Seen"])
    except ServiceUnavailable:
        raise
    except ImapError:
        # The server's own words (quota, a broken session) mean nothing to the person writing.
        raise DraftRefused(
            "The mail server would not store the draft (your mailbox may be full). "
            "Your text is kept in this browser; the next save tries again."
        ) from None


def _too_large(total: int) -> None:
    if total > settings.ROOST_ATTACHMENT_MAX_BYTES:
        limit = settings.ROOST_ATTACHMENT_MAX_BYTES // (1024 * 1024)
        raise DraftRefused(
            f"The attachments are too large: together they may be at most {limit} MB. "
            "Remove one; the draft is saved once they fit."
        )


def new_draft_key() -> str:
    return uuid.uuid4().hex


def _clean_key(key: str) -> str:
    if not _KEY.match(key):
        raise RoostError("That draft reference is not valid.")
    return key


def _drafts_folder(conn: PooledConnection) -> str:
    return next((f.name for f in list_folders(conn, with_counts=False) if f.role == "drafts"), "Drafts")


def _draft_message(key: str, state: dict[str, object], files: Sequence[Attachment] = ()) -> bytes:
    msg = EmailMessage()
    for header, name in (("From", "from_address"), ("To", "to"), ("Cc", "cc"), ("Bcc", "bcc"), ("Subject", "subject")):
        value = clean_header_text(str(state.get(name) or ""), name=header.lower())
        if value:
            msg[header] = value
    msg["Date"] = format_datetime(timezone.now())
    msg["Message-ID"] = make_msgid(domain="drafts.roost")
    msg[KEY_HEADER] = key
    extra = {k: state.get(k) for k in ("mode", "parent_folder", "parent_uid")}
    msg[STATE_HEADER] = base64.b64encode(json.dumps(extra).encode()).decode()
    msg.set_content(str(state.get("text") or ""))
    if state.get("html"):
        msg.add_alternative(str(state["html"]), subtype="html")
    for file in files:
        maintype, _, subtype = file.content_type.partition("/")
        msg.add_attachment(file.data, maintype=maintype or "application", subtype=subtype or "octet-stream",
                           filename=file.filename)  # fmt: skip
    return msg.as_bytes(policy=SMTP)


def draft_save(
    *,
    account: MailAccount,
    key: str,
    base_version: int,
    state: dict[str, object],
    uploads: Sequence[Attachment] = (),
    keep_parts: Sequence[str] = (),
    replaces: int | None = None,
) -> SavedDraft:
    """Save the draft; its files are the kept ones of the previous save plus the new uploads. `replaces` is
    the message the page was opened from (Edit draft); it is replaced only if it is a draft in Drafts."""
    key = _clean_key(key)
    _too_large(sum(len(u.data) for u in uploads))
    with transaction.atomic():
        row, _ = ComposeDraft.objects.select_for_update().get_or_create(user=account.user, key=key)
        if row.version != base_version:
            raise DraftConflict(row.version)
        with mailbox_connection(account) as conn:
            if not row.uid and replaces:
                row.folder = _drafts_folder(conn)
                row.uid = replaces if _is_draft(conn, row.folder, replaces) else None
            folder = row.folder or _drafts_folder(conn)
            kept = draft_attachments(conn, folder, row.uid, keep_parts) if row.uid and keep_parts else []
            _too_large(sum(len(f.data) for f in (*kept, *uploads)))
            raw = _draft_message(key, state, [*kept, *uploads])
            uid = _append_draft(conn, folder, raw)
            parts = _describe(draft_attachment_parts(conn, folder, uid)) if uid else []
            if row.uid:
                _expunge_draft(conn, folder, row.uid)
        row.version, row.uid, row.folder = row.version + 1, uid, folder
        row.save(update_fields=["version", "uid", "folder", "updated"])
    return SavedDraft(key=key, version=row.version, uid=uid, parts=parts)


def draft_open(*, account: MailAccount, folder: str, uid: int) -> dict[str, object]:
    """The compose form's state from a message in Drafts, with the key and version to go on saving.
    Reads only: the draft is bound to the page's key by its first save (or the send), not by opening it."""
    with mailbox_connection(account) as conn:
        if folder != _drafts_folder(conn):
            raise NotADraft("Only messages in your Drafts folder can be edited as drafts.")
        head = fetch_head(conn, folder, uid)
        if head is None:
            raise MessageMissing("This draft is no longer there.")
        if "\\Draft" not in head.flags:
            raise NotADraft("This message is not a draft; use Edit as new to write a copy of it.")
        raw = fetch_sections(conn, folder, uid, [""], 25 * 1024 * 1024)[""]
        structure = parts_from_bodystructure(head.structure)
        parts = _describe(attachments(structure, bodies=choose_bodies(structure), referenced_cids=set()))
    if not raw:
        raise MessageMissing("This draft is no longer there.")
    msg = message_from_bytes(raw, policy=default)
    key = str(msg.get(KEY_HEADER, "")).strip()
    key = key if _KEY.match(key) else new_draft_key()
    try:
        extra = json.loads(base64.b64decode(str(msg.get(STATE_HEADER, "")) or b"e30="))
    except (binascii.Error, ValueError):
        extra = {}
    body = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    row = ComposeDraft.objects.filter(user=account.user, key=key).first()
    return {
        "from_address": str(msg.get("From", "")),
        "to": str(msg.get("To", "")),
        "cc": str(msg.get("Cc", "")),
        "bcc": str(msg.get("Bcc", "")),
        "subject": str(msg.get("Subject", "")),
        "text": body.get_content() if body is not None else "",
        "html": html.get_content() if html is not None else "",
        "mode": extra.get("mode") or "",
        "parent_folder": extra.get("parent_folder") or "",
        "parent_uid": extra.get("parent_uid"),
        "draft_key": key,
        "draft_version": row.version if row is not None else 0,
        "draft_uid": uid,
        "draft_parts": parts,
    }


def draft_bind(*, account: MailAccount, key: str, uid: int) -> None:
    """Sending an opened draft that was never saved: the message it came from goes once this one is filed,
    and its files can be sent on. Only a \\Draft message in Drafts is bound."""
    key = _clean_key(key)
    with transaction.atomic():
        row, _ = ComposeDraft.objects.select_for_update().get_or_create(user=account.user, key=key)
        if row.uid:
            return  # a save already replaced it
        with mailbox_connection(account) as conn:
            folder = _drafts_folder(conn)
            if not _is_draft(conn, folder, uid):
                return
        row.uid, row.folder = uid, folder
        row.save(update_fields=["uid", "folder", "updated"])


def draft_discard(*, account: MailAccount, key: str) -> None:
    """After sending: the draft's copy in Drafts goes, and so does its row."""
    row = ComposeDraft.objects.filter(user=account.user, key=key).first()
    if row is None:
        return
    if row.uid and row.folder:
        with mailbox_connection(account) as conn, contextlib.suppress(RoostError):
            _expunge_draft(conn, row.folder, row.uid)
    row.delete()
