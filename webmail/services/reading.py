"""Opening a message: headers, the chosen body made safe, attachments streamed by part."""

import base64
import contextlib
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import redis
from django.core.cache import cache

from core.errors import NotFound
from mailadmin.selectors import managed_domain_names
from webmail.imap.changes import add_flags
from webmail.imap.folders import Folder, list_folders
from webmail.imap.listing import folder_stamp
from webmail.imap.pool import PooledConnection
from webmail.imap.reading import MessageHead, fetch_head, fetch_sections, folder_uidvalidity, iter_section
from webmail.mailstore import MailAccount, mailbox_connection, mailbox_opens_without_session
from webmail.mime.sanitize import SanitizedHtml, plain_to_html, sanitize_html
from webmail.mime.stream import stream_decoder
from webmail.mime.structure import MimePart, attachments, choose_bodies, decode_body, parts_from_bodystructure
from webmail.mime.trace import sender_unverified
from webmail.services.folders import folder_tree_cached, folder_tree_forget, folder_tree_remember
from webmail.services.listing import ListQuery, folder_uids

BODY_LIMIT = 2 * 1024 * 1024
# Inline images carried inside the body as data: URLs (encoded size, all of one message's together).
EMBED_LIMIT = 2 * 1024 * 1024
EMBEDDABLE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}
SOURCE_LIMIT = 20 * 1024 * 1024
# The message page makes the body its frame will ask for a moment later; the frame takes it from here
# instead of fetching and sanitising it again. A UID names one message for as long as the folder's
# UIDVALIDITY stands, so (user, folder, UIDVALIDITY, UID) cannot point at another message's body.
BODY_CACHE_SECONDS = 300


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


@dataclass(frozen=True)
class _Markup:
    """A body before sanitising: markup, and whether remote content in it may ever be shown."""

    markup: str
    remote_possible: bool
    plain: MimePart | None
    html: MimePart | None

    def sanitize(
        self, *, cid_url: Callable[[str], str | None], proxy_url: Callable[[str], str] | None
    ) -> SanitizedHtml:
        return sanitize_html(self.markup, cid_url=cid_url, proxy_url=proxy_url if self.remote_possible else None)


def _markup(conn: PooledConnection, folder: str, head: MessageHead, parts: list[MimePart]) -> _Markup:
    plain, html = choose_bodies(parts)
    chosen = html or plain
    if chosen is None and any(part.size for part in parts):
        # Nothing to read, only files (a scanned page, a photo): the attachment list shows them, and the
        # raw text of the body would only be their base64.
        return _Markup("", False, plain, html)
    if chosen is None or chosen.size == 0:
        # Broken structure (a boundary that never comes, say): show the raw text of the body rather than nothing.
        raw = fetch_sections(conn, folder, head.uid, ["TEXT"], BODY_LIMIT)["TEXT"]
        return _Markup(plain_to_html(decode_body(raw, encoding="8bit", charset=None)), False, plain, html)
    raw = fetch_sections(conn, folder, head.uid, [chosen.part_id], BODY_LIMIT)[chosen.part_id]
    text = decode_body(raw, encoding=chosen.encoding, charset=chosen.charset)
    return _Markup(text if chosen is html else plain_to_html(text), True, plain, html)


def _body(
    conn: PooledConnection,
    folder: str,
    head: MessageHead,
    parts: list[MimePart],
    *,
    cid_url: Callable[[str], str | None],
    proxy_url: Callable[[str], str] | None,
) -> tuple[SanitizedHtml, MimePart | None, MimePart | None]:
    found = _markup(conn, folder, head, parts)
    return found.sanitize(cid_url=cid_url, proxy_url=proxy_url), found.plain, found.html


def _sender(head: MessageHead) -> str:
    return head.sender[0].email.lower() if head.sender else ""


def _unverified(head: MessageHead) -> bool:
    return bool(head.sender) and sender_unverified(
        head.trace, from_address=head.sender[0].email, local_domains=managed_domain_names()
    )


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


def _frame_cids(
    conn: PooledConnection, folder: str, uid: int, parts: list[MimePart], cid_url: Callable[[str, str], str]
) -> Callable[[str], str | None]:
    """How the body frame's cid: images are reached: a signed link (managed mode), or inside the body."""
    cids = {p.content_id: p.part_id for p in parts if p.content_id}
    embedded = {} if mailbox_opens_without_session() else _embedded_images(conn, folder, uid, parts)
    return lambda cid: embedded.get(cid) or (cids.get(cid) and cid_url(cid, cids[cid]))


def _body_cache_key(user_id: int, folder: str, uidvalidity: int, uid: int, remote: bool) -> str:
    digest = hashlib.sha256(folder.encode()).hexdigest()[:24]
    return f"mail-body:{user_id}:{digest}:{uidvalidity}:{uid}:{int(remote)}"


def _body_cache_put(
    *, user_id: int, folder: str, uidvalidity: int | None, uid: int, remote: bool, sender: str, body: SanitizedHtml
) -> None:
    if uidvalidity is None:
        return
    value = {"sender": sender, "html": body.html, "blocked": body.blocked_remote}
    with contextlib.suppress(redis.RedisError):  # a cache that is down costs the frame a FETCH, nothing more
        cache.set(_body_cache_key(user_id, folder, uidvalidity, uid, remote), value, BODY_CACHE_SECONDS)


def _body_cache_get(
    *, user_id: int, folder: str, uidvalidity: int | None, uid: int, remote_allowed: Callable[[str], bool]
) -> SanitizedHtml | None:
    """The cached body made the way this request would make it: an entry made with remote content counts
    only if remote content is allowed for its sender now, one made without only if it is not."""
    if uidvalidity is None:
        return None
    keys = {remote: _body_cache_key(user_id, folder, uidvalidity, uid, remote) for remote in (False, True)}
    try:
        found = cache.get_many(list(keys.values()))
    except redis.RedisError:
        return None
    for remote, key in keys.items():
        entry = found.get(key)
        if isinstance(entry, dict) and remote_allowed(str(entry["sender"])) == remote:
            return SanitizedHtml(html=str(entry["html"]), blocked_remote=int(entry["blocked"]))
    return None


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
        sender_unverified=_unverified(head),
    )


@dataclass(frozen=True)
class MessagePage:
    view: MessageView
    prev_uid: int | None
    next_uid: int | None
    folders: list[Folder]  # for the sidebar, with counts that include this message being read


def message_page_open(
    *,
    account: MailAccount,
    query: ListQuery,
    uid: int,
    mark_read: bool,
    cid_url: Callable[[str, str], str],
    frame_cid_url: Callable[[str, str], str],
    proxy_url: Callable[[str], str],
    remote_allowed: Callable[[str], bool],
) -> MessagePage:
    """Everything the message page shows, on one connection: the message (marked read if asked), its
    neighbours in the list the user came from, and the folder list. The body its frame will ask for is
    made here too (with remote content if remote_allowed(sender)) and kept briefly for the frame."""
    folder = query.folder
    with mailbox_connection(account) as conn:
        head = _head(conn, folder, uid)
        parts = parts_from_bodystructure(head.structure)
        cids = {p.content_id: p.part_id for p in parts if p.content_id}

        def cid_link(cid: str) -> str | None:
            return cids.get(cid) and cid_url(cid, cids[cid])

        found = _markup(conn, folder, head, parts)
        frame_cid = _frame_cids(conn, folder, uid, parts, frame_cid_url)
        # Neighbours before the flag changes: a list of unread messages still holds this one.
        stamp = folder_stamp(conn, folder)
        uids = folder_uids(conn, account.address, query, stamp)
        marked = mark_read and "\\Seen" not in head.flags
        if marked:
            add_flags(conn, folder, [uid], ["\\Seen"])
        folders = None if marked else folder_tree_cached(user_id=account.user.pk)
        if folders is None:
            folders = list_folders(conn)
            folder_tree_remember(user_id=account.user.pk, folders=folders)
    body = found.sanitize(cid_url=cid_link, proxy_url=None)
    sender = _sender(head)
    remote = remote_allowed(sender)  # the frame's decision; a body with nothing remote to show ignores it
    frame_body = found.sanitize(cid_url=frame_cid, proxy_url=proxy_url if remote else None)
    _body_cache_put(
        user_id=account.user.pk, folder=folder, uidvalidity=stamp.uidvalidity, uid=uid, remote=remote,
        sender=sender, body=frame_body,
    )  # fmt: skip
    referenced = {cid for cid in cids if f"part/{cids[cid]}/" in body.html}
    view = MessageView(
        folder=folder,
        head=head,
        plain=found.plain,
        html=found.html,
        attachments=attachments(parts, bodies=(found.plain, found.html), referenced_cids=referenced),
        blocked_remote=body.blocked_remote,
        body_html=body.html,
        sender_unverified=_unverified(head),
    )
    try:
        index = uids.index(uid)
    except ValueError:
        return MessagePage(view=view, prev_uid=None, next_uid=None, folders=folders)
    prev_uid = uids[index - 1] if index > 0 else None
    next_uid = uids[index + 1] if index + 1 < len(uids) else None
    return MessagePage(view=view, prev_uid=prev_uid, next_uid=next_uid, folders=folders)


def message_body_html(
    *,
    account: MailAccount,
    folder: str,
    uid: int,
    cid_url: Callable[[str, str], str],
    proxy_url: Callable[[str], str],
    remote_allowed: Callable[[str], bool],
) -> SanitizedHtml:
    """The body made safe; remote images go through proxy_url when remote_allowed(sender) says so. Taken
    from what the message page made when it is still there."""
    user_id = account.user.pk
    with mailbox_connection(account) as conn:
        uidvalidity = folder_uidvalidity(conn, folder)
        cached = _body_cache_get(
            user_id=user_id, folder=folder, uidvalidity=uidvalidity, uid=uid, remote_allowed=remote_allowed
        )
        if cached is not None:
            return cached
        head = _head(conn, folder, uid)
        parts = parts_from_bodystructure(head.structure)
        found = _markup(conn, folder, head, parts)
        frame_cid = _frame_cids(conn, folder, uid, parts, cid_url)
    sender = _sender(head)
    remote = remote_allowed(sender)
    body = found.sanitize(cid_url=frame_cid, proxy_url=proxy_url if remote else None)
    _body_cache_put(
        user_id=user_id, folder=folder, uidvalidity=uidvalidity, uid=uid, remote=remote, sender=sender, body=body
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
