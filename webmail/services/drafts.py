"""Drafts saved to the IMAP Drafts folder while the user writes. A save appends the new copy before it
deletes the old one (never a moment with none, never a pile of copies) and must name the version it
replaces: a save from an older tab gets a conflict instead of overwriting newer text."""

import contextlib
import hashlib
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.headerregistry import Address

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from core.errors import RoostError, ServiceUnavailable
from webmail.imap.changes import append_message, expunge_messages
from webmail.imap.errors import ImapError
from webmail.imap.folders import list_folders
from webmail.imap.listing import search_uids
from webmail.imap.pool import PooledConnection
from webmail.imap.reading import fetch_head, fetch_sections
from webmail.mailstore import MailAccount, mailbox_connection
from webmail.mime.compose import Attachment, BadAddress, BadHeader, parse_address
from webmail.mime.drafts import DraftState, draft_message, draft_read, valid_draft_key
from webmail.mime.structure import MimePart, choose_bodies, decode_body, parts_from_bodystructure
from webmail.models import ComposeDraft
from webmail.services.attachments import (
    attachment_parts,
    attachments_check_size,
    message_attachments,
)
from webmail.services.identities import identities_for
from webmail.services.reading import MessageMissing


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
    return attachment_parts(head.structure) if head is not None else []


def draft_attachments(conn: PooledConnection, folder: str, uid: int, keep: Sequence[str]) -> list[Attachment]:
    """The files of a saved draft that the user kept, decoded, to carry into the next save or the message."""
    listed = draft_attachment_parts(conn, folder, uid) if keep else []
    return message_attachments(conn, folder, uid, listed=listed, wanted=keep)


def _decoded_size(part: MimePart) -> int:
    return part.size * 3 // 4 if part.encoding.lower() == "base64" else part.size


def _describe(parts: list[MimePart]) -> list[dict[str, object]]:
    # The decoded size, which is what the attachment limit counts and what the page adds up.
    return [{"part_id": p.part_id, "filename": p.filename, "size": _decoded_size(p)} for p in parts]


def _fingerprint(state: DraftState, part_ids: Sequence[str]) -> str:
    """What a save writes, in short: the typed state and the files it carries."""
    text = json.dumps([state.as_dict(), sorted(part_ids)], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


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


def new_draft_key() -> str:
    return uuid.uuid4().hex


def _clean_key(key: str) -> str:
    if not valid_draft_key(key):
        raise RoostError("That draft reference is not valid.")
    return key


def _drafts_folder(conn: PooledConnection) -> str:
    return next((f.name for f in list_folders(conn, with_counts=False) if f.role == "drafts"), "Drafts")


def _sender(user: User, typed: str) -> Address:
    """The From of a draft: what the form holds, or while that is not an address yet, the user's own."""
    with contextlib.suppress(BadAddress, BadHeader):
        return parse_address(typed)
    for candidate in [identity.address for identity in identities_for(user)] + [user.username]:
        with contextlib.suppress(BadAddress, BadHeader):
            return parse_address(candidate)
    raise RoostError("Your account has no address to save a draft from.")


def draft_save(
    *,
    account: MailAccount,
    key: str,
    base_version: int,
    state: DraftState | Mapping[str, object],
    uploads: Sequence[Attachment] = (),
    keep_parts: Sequence[str] = (),
    replaces: int | None = None,
) -> SavedDraft:
    """Save the draft; its files are the kept ones of the previous save plus the new uploads. (A mapping is
    the compose form's fields.) `replaces` is the message the page was opened from (Edit draft); it is
    replaced only if it is a draft in Drafts."""
    key = _clean_key(key)
    if not isinstance(state, DraftState):
        state = DraftState.from_mapping(state)
    attachments_check_size(uploads)
    sender = _sender(account.user, state.from_address)
    with transaction.atomic():
        row, _ = ComposeDraft.objects.select_for_update().get_or_create(user=account.user, key=key)
        if row.version != base_version:
            raise DraftConflict(row.version)
        if not uploads and row.uid and row.fingerprint == _fingerprint(state, keep_parts):
            # Autosave of a draft that has not changed since its last save (same text, every file kept).
            return SavedDraft(key=key, version=row.version, uid=row.uid, parts=list(row.parts))
        with mailbox_connection(account) as conn:
            if not row.uid and replaces:
                row.folder = _drafts_folder(conn)
                row.uid = replaces if _is_draft(conn, row.folder, replaces) else None
            folder = row.folder or _drafts_folder(conn)
            kept = draft_attachments(conn, folder, row.uid, keep_parts) if row.uid and keep_parts else []
            files = [*kept, *uploads]
            attachments_check_size(files)
            raw = draft_message(state, key=key, sender=sender, files=files, date=timezone.now())
            uid = _append_draft(conn, folder, raw)
            parts = _describe(draft_attachment_parts(conn, folder, uid)) if uid else []
            if row.uid:
                _expunge_draft(conn, folder, row.uid)
        row.version, row.uid, row.folder, row.parts = row.version + 1, uid, folder, parts
        row.fingerprint = _fingerprint(state, [str(p["part_id"]) for p in parts]) if uid else ""
        row.save(update_fields=["version", "uid", "folder", "parts", "fingerprint", "updated"])
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
        parts = parts_from_bodystructure(head.structure)
        plain, html = choose_bodies(parts)
        bodies = [part for part in (plain, html) if part is not None]
        limit = settings.ROOST_ATTACHMENT_MAX_BYTES
        served = fetch_sections(conn, folder, uid, ["HEADER", *(part.part_id for part in bodies)], limit)
    texts = {
        part.part_id: decode_body(served[part.part_id], encoding=part.encoding, charset=part.charset) for part in bodies
    }
    read = draft_read(
        served["HEADER"],
        text=texts[plain.part_id] if plain is not None else "",
        html=texts[html.part_id] if html is not None else "",
    )
    key = read.key or new_draft_key()
    # Opening writes nothing: the draft is bound to this key by its first save or by the send (draft_bind).
    row = ComposeDraft.objects.filter(user=account.user, key=key).first()
    files = _describe(attachment_parts(head.structure))
    return {
        **read.state.as_dict(),
        "draft_key": key,
        "draft_version": row.version if row is not None else 0,
        "draft_uid": uid,
        "draft_parts": files,
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
