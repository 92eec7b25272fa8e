"""Drafts saved to the IMAP Drafts folder while the user writes. A save appends the new copy before it
deletes the old one (never a moment with none, never a pile of copies) and must name the version it
replaces: a save from an older tab gets a conflict instead of overwriting newer text."""

import base64
import binascii
import contextlib
import hashlib
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


def draft_attachments(
    conn: PooledConnection, folder: str, uid: int, keep: Sequence[str], known: list[dict[str, object]] | None = None
) -> list[Attachment]:
    """The files of a saved draft that the user kept, decoded, to carry into the message; one FETCH of just
    those parts (known: the parts as the draft's row describes them, else they are asked for)."""
    found = []
    for file in _kept_files(conn, folder, uid, known or [], keep):
        if isinstance(file, _EncodedFile):
            decoder = stream_decoder(file.encoding)
            file = Attachment(file.filename, file.content_type, decoder.feed(file.data) + decoder.finish())
        found.append(file)
    return found


def _describe(parts: list[MimePart]) -> list[dict[str, object]]:
    """A saved draft's files as the row keeps them; the page is shown part_id, filename and size."""
    return [
        {"part_id": p.part_id, "filename": p.filename, "size": p.size, "type": p.content_type, "encoding": p.encoding}
        for p in parts
    ]


def _public(parts: list[dict[str, object]]) -> list[dict[str, object]]:
    return [{"part_id": p["part_id"], "filename": p["filename"], "size": p["size"]} for p in parts]


@dataclass(frozen=True)
class _EncodedFile:
    """A file of the previous copy as IMAP holds it, still in its transfer encoding: it goes into the next
    copy as it is, with no decoding and encoding again."""

    filename: str
    content_type: str
    encoding: str
    data: bytes


# Transfer encodings whose bytes are plain ASCII lines and can be carried over unchanged.
_CARRIED_ENCODINGS = {"base64", "quoted-printable", "7bit"}


def _kept_files(
    conn: PooledConnection, folder: str, uid: int, known: list[dict[str, object]], keep: Sequence[str]
) -> list[Attachment | _EncodedFile]:
    """The kept files of the previous copy, in one FETCH of just those parts (no BODYSTRUCTURE when the row
    knows them from the save that made that copy)."""
    described = known or _describe(draft_attachment_parts(conn, folder, uid))
    wanted = [p for p in described if str(p["part_id"]) in keep]
    if not wanted:
        return []
    sections = fetch_sections(conn, folder, uid, [str(p["part_id"]) for p in wanted], 64 * 1024 * 1024)
    found: list[Attachment | _EncodedFile] = []
    for part in wanted:
        raw = sections[str(part["part_id"])]
        if not raw and int(str(part.get("size") or 0)):
            raise MessageMissing("The draft's previous copy is gone; add its files again.")
        name, ctype, encoding = str(part["filename"] or "attachment"), str(part["type"]), str(part["encoding"]).lower()
        if encoding in _CARRIED_ENCODINGS:
            found.append(_EncodedFile(name, ctype, encoding, raw))
        else:
            decoder = stream_decoder(encoding)
            found.append(Attachment(name, ctype, decoder.feed(raw) + decoder.finish()))
    return found


def _fingerprint(state: dict[str, object], part_ids: Sequence[str]) -> str:
    """What a save writes, in short: the typed state and the files it carries."""
    text = json.dumps([state, sorted(part_ids)], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def new_draft_key() -> str:
    return uuid.uuid4().hex


def _clean_key(key: str) -> str:
    if not _KEY.match(key):
        raise RoostError("That draft reference is not valid.")
    return key


def _drafts_folder(conn: PooledConnection) -> str:
    return next((f.name for f in list_folders(conn, with_counts=False) if f.role == "drafts"), "Drafts")


def _draft_message(
    key: str, state: dict[str, object], files: Sequence[Attachment | _EncodedFile] = ()
) -> tuple[bytes, list[dict[str, object]]]:
    """The draft's message, and its files as the row keeps them: the text (or text and HTML) is part 1 of
    multipart/mixed, the files are parts 2, 3, ... in order."""
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
    described: list[dict[str, object]] = []
    for number, file in enumerate(files, start=2):
        maintype, _, subtype = file.content_type.partition("/")
        if isinstance(file, _EncodedFile):
            if msg.get_content_type() != "multipart/mixed":
                msg.make_mixed()
            msg.attach(_encoded_part(file))
            encoding, size = file.encoding, len(file.data)
        else:
            msg.add_attachment(file.data, maintype=maintype or "application", subtype=subtype or "octet-stream",
                               filename=file.filename)  # fmt: skip
            # The size IMAP will report (BODYSTRUCTURE): the encoded lines, each ended by CRLF in the copy.
            payload = str(msg.get_payload()[-1].get_payload())  # type: ignore[index, union-attr]
            encoding, size = "base64", len(payload.encode()) + payload.count("\n")
        described.append(
            {"part_id": str(number), "filename": file.filename, "size": size, "type": file.content_type,
             "encoding": encoding}
        )  # fmt: skip
    return msg.as_bytes(policy=SMTP), described


def _encoded_part(file: _EncodedFile) -> EmailMessage:
    part = EmailMessage(policy=default)
    part["Content-Type"] = file.content_type if "/" in file.content_type else "application/octet-stream"
    part.set_param("name", file.filename)
    part["Content-Disposition"] = "attachment"
    part.set_param("filename", file.filename, header="Content-Disposition")
    part["Content-Transfer-Encoding"] = file.encoding
    # The generator writes the lines with the policy's line ends; IMAP gave them with CRLF.
    part.set_payload(file.data.decode("ascii", errors="replace").replace("\r\n", "\n"))
    return part


def draft_save(
    *,
    account: MailAccount,
    key: str,
    base_version: int,
    state: dict[str, object],
    uploads: Sequence[Attachment] = (),
    keep_parts: Sequence[str] = (),
) -> SavedDraft:
    """Save the draft; its files are the kept ones of the previous save plus the new uploads. A save that
    changes nothing (same state, every file kept, nothing uploaded) touches neither IMAP nor the version;
    otherwise the kept files are fetched alone, still encoded, and go into the new copy as they are."""
    key = _clean_key(key)
    with transaction.atomic():
        row, _ = ComposeDraft.objects.select_for_update().get_or_create(user=account.user, key=key)
        if row.version != base_version:
            raise DraftConflict(row.version)
        if not uploads and row.uid and row.fingerprint == _fingerprint(state, keep_parts):
            return SavedDraft(key=key, version=row.version, uid=row.uid, parts=_public(row.parts))
        with mailbox_connection(account) as conn:
            folder = row.folder or _drafts_folder(conn)
            kept = _kept_files(conn, folder, row.uid, row.parts, keep_parts) if row.uid and keep_parts else []
            raw, parts = _draft_message(key, state, [*kept, *uploads])
            uid = append_message(conn, folder, raw, ["\\Draft", "\\Seen"])
            if row.uid:
                with contextlib.suppress(RoostError):  # the old copy may be gone (deleted in another client)
                    expunge_messages(conn, folder, [row.uid])
        if uid is None:  # no APPENDUID: the copy cannot be named, so its files cannot be kept from it
            parts = []
        row.version, row.uid, row.folder, row.parts = row.version + 1, uid, folder, parts
        row.fingerprint = _fingerprint(state, [str(p["part_id"]) for p in parts]) if uid else ""
        row.save(update_fields=["version", "uid", "folder", "parts", "fingerprint", "updated"])
    return SavedDraft(key=key, version=row.version, uid=uid, parts=_public(parts))


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
    if row.uid != uid or row.parts != parts:
        row.uid, row.folder, row.parts, row.fingerprint = uid, folder, parts, ""
        row.save(update_fields=["uid", "folder", "parts", "fingerprint", "updated"])
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
        "draft_parts": _public(parts),
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
