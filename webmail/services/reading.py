"""Opening a message: headers, the chosen body made safe, attachments streamed by part."""

import base64
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from core.errors import NotFound
from mailadmin.selectors import managed_domain_names
from webmail.imap.changes import add_flags
from webmail.imap.pool import PooledConnection
from webmail.imap.reading import MessageHead, fetch_head, fetch_sections, iter_section
from webmail.mailstore import MailAccount, mailbox_connection, mailbox_opens_without_session
from webmail.mime.sanitize import SanitizedHtml, plain_to_html, sanitize_html
from webmail.mime.stream import stream_decoder
from webmail.mime.structure import MimePart, attachments, choose_bodies, decode_body, parts_from_bodystructure
from webmail.mime.trace import sender_unverified
from webmail.services.folders import folder_tree_forget

BODY_LIMIT = 2 * 1024 * 1024
# Inline images carried inside the body as data: URLs (encoded size, all of one message's together).
EMBED_LIMIT = 2 * 1024 * 1024
EMBEDDABLE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}
SOURCE_LIMIT = 20 * 1024 * 1024


class MessageMissing(NotFound):
    pass


@dataclass(frozen=True)
class MessageView:
    folder: str
    head: MessageHead
    plain: MimePart | None
    html: MimePart | None
    attachments: list[MimePart]
    blocked_remote: int
    body_html: str  # sanitised with remote content blocked (the print view shows it as it is)
    sender_unverified: bool = False  # From is one of our domains, but no signed-in owner sent it


def _head(conn: PooledConnection, folder: str, uid: int) -> MessageHead:
    head = fetch_head(conn, folder, uid)
    if head is None:
        raise MessageMissing("This message is no longer there: it may have been moved or deleted.")
    return head


def _body(
    conn: PooledConnection,
    folder: str,
    head: MessageHead,
    parts: list[MimePart],
    *,
    cid_url: Callable[[str], str | None],
    proxy_url: Callable[[str], str] | None,
) -> tuple[SanitizedHtml, MimePart | None, MimePart | None]:
    plain, html = choose_bodies(parts)
    chosen = html or plain
    if chosen is None or chosen.size == 0:
        # Broken structure (a boundary that never comes, say): show the raw text of the body rather than nothing.
        raw = fetch_sections(conn, folder, head.uid, ["TEXT"], BODY_LIMIT)["TEXT"]
        markup = plain_to_html(decode_body(raw, encoding="8bit", charset=None))
        return sanitize_html(markup, cid_url=cid_url, proxy_url=None), plain, html
    raw = fetch_sections(conn, folder, head.uid, [chosen.part_id], BODY_LIMIT)[chosen.part_id]
    text = decode_body(raw, encoding=chosen.encoding, charset=chosen.charset)
    markup = text if chosen is html else plain_to_html(text)
    return sanitize_html(markup, cid_url=cid_url, proxy_url=proxy_url), plain, html


def _embedded_images(conn: PooledConnection, folder: str, uid: int, parts: list[MimePart]) -> dict[str, str]:
    """Inline images as data: URLs, by Content-ID. For external mode: the IMAP password lives in the
    session, which the sandboxed frame's requests do not carry, so a link to the part could not be opened."""
    chosen, total = [], 0
    for part in parts:
        if part.content_id and part.content_type in EMBEDDABLE_TYPES and total + part.size <= EMBED_LIMIT:
            chosen.append(part)
            total += part.size
    raw = fetch_sections(conn, folder, uid, [p.part_id for p in chosen], EMBED_LIMIT)
    embedded = {}
    for part in chosen:
        decoder = stream_decoder(part.encoding)
        data = decoder.feed(raw[part.part_id]) + decoder.finish()
        if data and part.content_id:
            embedded[part.content_id] = f"data:{part.content_type};base64,{base64.b64encode(data).decode('ascii')}"
    return embedded


def message_open(
    *,
    account: MailAccount,
    folder: str,
    uid: int,
    mark_read: bool,
    cid_url: Callable[[str, str], str],
) -> MessageView:
    with mailbox_connection(account) as conn:
        head = _head(conn, folder, uid)
        parts = parts_from_bodystructure(head.structure)
        cids = {p.content_id: p.part_id for p in parts if p.content_id}
        body, plain, html = _body(
            conn, folder, head, parts, cid_url=lambda cid: cids.get(cid) and cid_url(cid, cids[cid]), proxy_url=None
        )
        if mark_read and "\\Seen" not in head.flags:
            add_flags(conn, folder, [uid], ["\\Seen"])
            folder_tree_forget(user_id=account.user.pk)
    referenced = {cid for cid in cids if f"part/{cids[cid]}/" in body.html}
    return MessageView(
        folder=folder,
        head=head,
        plain=plain,
        html=html,
        attachments=attachments(parts, bodies=(plain, html), referenced_cids=referenced),
        blocked_remote=body.blocked_remote,
        body_html=body.html,
        sender_unverified=bool(head.sender)
        and sender_unverified(head.trace, from_address=head.sender[0].email, local_domains=managed_domain_names()),
    )


def message_body_html(
    *,
    account: MailAccount,
    folder: str,
    uid: int,
    cid_url: Callable[[str, str], str],
    proxy_url: Callable[[str], str],
    remote_allowed: Callable[[str], bool],
) -> SanitizedHtml:
    """The body made safe; remote images go through proxy_url when remote_allowed(sender) says so."""
    with mailbox_connection(account) as conn:
        head = _head(conn, folder, uid)
        parts = parts_from_bodystructure(head.structure)
        cids = {p.content_id: p.part_id for p in parts if p.content_id}
        embedded = {} if mailbox_opens_without_session() else _embedded_images(conn, folder, uid, parts)
        sender = head.sender[0].email.lower() if head.sender else ""
        body, _, _ = _body(
            conn,
            folder,
            head,
            parts,
            cid_url=lambda cid: embedded.get(cid) or (cids.get(cid) and cid_url(cid, cids[cid])),
            proxy_url=proxy_url if remote_allowed(sender) else None,
        )
    return body


def message_part(*, account: MailAccount, folder: str, uid: int, part_id: str) -> MimePart:
    with mailbox_connection(account) as conn:
        head = _head(conn, folder, uid)
    for part in parts_from_bodystructure(head.structure):
        if part.part_id == part_id:
            return part
    raise MessageMissing("This message has no such attachment.")


def part_stream(
    *, account: MailAccount, folder: str, uid: int, part: MimePart, chunk: int = 1 << 20
) -> Iterator[bytes]:
    """The decoded bytes of one part, a slice at a time; a connection is held only while it streams."""
    decoder = stream_decoder(part.encoding)
    with mailbox_connection(account) as conn:
        for piece in iter_section(conn, folder, uid, part.part_id, chunk):
            decoded = decoder.feed(piece)
            if decoded:
                yield decoded
    tail = decoder.finish()
    if tail:
        yield tail


def message_source(*, account: MailAccount, folder: str, uid: int) -> bytes:
    with mailbox_connection(account) as conn:
        _head(conn, folder, uid)
        return fetch_sections(conn, folder, uid, [""], SOURCE_LIMIT)[""]
