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

from django.db import transaction
from django.utils import timezone

from core.errors import RoostError
from webmail.imap.changes import append_message, expunge_messages
from webmail.imap.folders import list_folders
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


def _describe(parts: list[MimePart]) -> list[dict[str, object]]:
    return [{"part_id": p.part_id, "filename": p.filename, "size": p.size} for p in parts]


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
) -> SavedDraft:
    """Save the draft; its files are the kept ones of the previous save plus the new uploads."""
    key = _clean_key(key)
    with transaction.atomic():
        row, _ = ComposeDraft.objects.select_for_update().get_or_create(user=account.user, key=key)
        if row.version != base_version:
            raise DraftConflict(row.version)
        with mailbox_connection(account) as conn:
            folder = row.folder or _drafts_folder(conn)
            kept = draft_attachments(conn, folder, row.uid, keep_parts) if row.uid and keep_parts else []
            raw = _draft_message(key, state, [*kept, *uploads])
            uid = append_message(conn, folder, raw, ["\\Draft", "\\Seen"])
            parts = _describe(draft_attachment_parts(conn, folder, uid)) if uid else []
            if row.uid:
                with contextlib.suppress(RoostError):  # the old copy may be gone (deleted in another client)
                    expunge_messages(conn, folder, [row.uid])
        row.version, row.uid, row.folder = row.version + 1, uid, folder
        row.save(update_fields=["version", "uid", "folder", "updated"])
    return SavedDraft(key=key, version=row.version, uid=uid, parts=parts)


def draft_open(*, account: MailAccount, folder: str, uid: int) -> dict[str, object]:
    """The compose form's state from a message in Drafts, with the key and version to go on saving."""
    with mailbox_connection(account) as conn:
        raw = fetch_sections(conn, folder, uid, [""], 25 * 1024 * 1024)[""]
        parts = _describe(draft_attachment_parts(conn, folder, uid)) if raw else []
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
    row, _ = ComposeDraft.objects.get_or_create(user=account.user, key=key)
    if row.uid != uid:
        row.uid, row.folder = uid, folder
        row.save(update_fields=["uid", "folder", "updated"])
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
        "draft_version": row.version,
        "draft_parts": parts,
    }


def draft_discard(*, account: MailAccount, key: str) -> None:
    """After sending: the draft's copy in Drafts goes, and so does its row."""
    row = ComposeDraft.objects.filter(user=account.user, key=key).first()
    if row is None:
        return
    if row.uid and row.folder:
        with mailbox_connection(account) as conn, contextlib.suppress(RoostError):
            expunge_messages(conn, row.folder, [row.uid])
    row.delete()
