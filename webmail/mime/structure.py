"""The MIME structure of a message as IMAP numbers it (RFC 3501 section 6.4.5), and body decoding.

Two sources give the same list of leaf parts: the server's BODYSTRUCTURE (as imapclient returns it) and
the raw message. The raw-message walker follows Dovecot 2.3's message-parser.c rather than Python's
feedparser, because the part numbers it produces are sent back to the server and must address the same
parts: a boundary matches by prefix (the longest active one wins), a boundary line also ends a header,
header lines without a colon do not, Content-* fields count only in MIME parts, an empty multipart holds one
empty text/plain part, and sizes count every line end as CRLF. Random malformed messages checked against
Dovecot agree part for part (tests/webmail/mime/test_structure_imap.py).
"""

import binascii
import codecs
import re
import unicodedata
import urllib.parse
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

from webmail.mime.headers import decode_words

MAX_DEPTH = 20
MAX_PARTS = 500
# Dovecot's own limits (max_nested_mime_parts, max_total_mime_parts): past them it stops splitting
# multiparts, so boundary matching beyond our display limits still agrees with the server.
_MAX_PARSE_DEPTH = 100
_MAX_PARSE_ENTITIES = 10000
# Dovecot keeps only the first 80 octets of a boundary (BOUNDARY_STRING_MAX_LEN), so longer ones never close.
_MAX_BOUNDARY = 80
_MAX_FILENAME = 255
_MAX_SUBJECT_NAME = 100
_FORWARDED_NAME = "Forwarded message.eml"

_ATTACHED_MESSAGE_TYPES = frozenset({"message/rfc822", "message/global"})
_PART_ID = re.compile(rf"[1-9][0-9]{{0,5}}(?:\.[1-9][0-9]{{0,5}}){{0,{_MAX_PARSE_DEPTH - 1}}}")
_RFC2231_KEY = re.compile(r"(?P<name>[^*]+)\*(?:(?P<num>[0-9]{1,3})(?P<ext>\*)?)?")
_PARAM = re.compile(rb';\s*([^\s=;"]+)\s*=\s*("(?:[^"\\]|\\.)*(?:"|$)|[^;]*)', re.S)
_COMMENT = re.compile(rb"\((?:[^()\\]|\\.)*\)", re.S)
_UNSAFE_NAME_CHARS = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_EXTENSIONS = {
    "text/plain": ".txt",
    "text/html": ".html",
    "text/calendar": ".ics",
    "text/vcard": ".vcf",
    "text/x-vcard": ".vcf",
    "text/csv": ".csv",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "image/svg+xml": ".svg",
    "application/pdf": ".pdf",
    "application/zip": ".zip",
    "application/json": ".json",
    "application/pgp-signature": ".asc",
    "application/pgp-encrypted": ".asc",
    "message/rfc822": ".eml",
    "message/global": ".eml",
}
# Charsets whose labels senders use for text in a superset (as browsers do, WHATWG Encoding).
_CHARSET_SUPERSETS = {
    "iso8859-1": "cp1252",
    "ascii": "cp1252",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "euc_kr": "cp949",
    "shift_jis": "cp932",
    "iso8859-9": "cp1254",
    "tis-620": "cp874",
}
# Labels that mail clients write but Python does not know.
_CHARSET_LABELS = {
    "iso-8859-8-i": "iso-8859-8",
    "iso-8859-6-i": "iso-8859-6",
    "windows-874": "cp874",
    "x-sjis": "cp932",
    "x-gbk": "gb18030",
    "x-mac-roman": "mac-roman",
}
_UNSAFE_CODECS = frozenset({"unicode-escape", "raw-unicode-escape", "idna", "punycode", "undefined", "mbcs", "oem"})


@dataclass(frozen=True)
class MimePart:
    part_id: str
    content_type: str
    charset: str | None
    encoding: str
    filename: str | None
    disposition: str | None
    content_id: str | None
    size: int
    # The content types of the enclosing multiparts, outermost first; the one at index k has the section
    # number made of the first k parts of part_id. choose_bodies needs it to find multipart/alternative.
    containers: tuple[str, ...] = field(default=(), compare=False)


class PartNotFoundError(LookupError):
    pass


# --- parts from BODYSTRUCTURE ---------------------------------------------------------------------


def parts_from_bodystructure(bodystructure: object) -> list[MimePart]:
    """The leaf parts of a FETCH BODYSTRUCTURE answer, in document order; unreadable pieces are skipped."""
    out: list[MimePart] = []
    _walk_bodystructure(bodystructure, (), (), out)
    return out


def _walk_bodystructure(node: object, path: tuple[str, ...], containers: tuple[str, ...], out: list[MimePart]) -> None:
    if len(out) >= MAX_PARTS or not isinstance(node, tuple | list) or not node:
        return
    if isinstance(node[0], list | tuple):
        # imapclient wraps a multipart's children in a list; nested structures it did not convert keep them
        # as leading tuples.
        if isinstance(node[0], list):
            children, rest = list(node[0]), node[1:]
        else:
            count = next((i for i, item in enumerate(node) if not isinstance(item, tuple)), len(node))
            children, rest = list(node[:count]), node[count:]
        if len(path) >= MAX_DEPTH:
            return
        ctype = "multipart/" + (_ascii(_item(rest, 0)).lower() or "mixed")
        for number, child in enumerate(children, 1):
            _walk_bodystructure(child, (*path, str(number)), (*containers, ctype), out)
        return
    part = _bodystructure_leaf(node, ".".join(path) or "1", containers)
    if part is not None:
        out.append(part)


def _bodystructure_leaf(node: Sequence[object], part_id: str, containers: tuple[str, ...]) -> MimePart | None:
    maintype, subtype = _item(node, 0), _item(node, 1)
    if not isinstance(maintype, bytes):
        return None
    content_type = _media_type(_ascii(maintype), _ascii(subtype))
    # The extension fields follow the type-specific ones: lines for text, envelope, body and lines for
    # message/rfc822; the server's layout is told by its shape rather than by the (possibly broken) type.
    envelope, embedded = _item(node, 7), _item(node, 8)
    subject: bytes | None = None
    if content_type in _ATTACHED_MESSAGE_TYPES and isinstance(envelope, tuple) and isinstance(embedded, tuple):
        subject = _as_bytes(_item(envelope, 1))
        disposition_index = 11
    elif isinstance(envelope, int):
        disposition_index = 9
    else:
        disposition_index = 8
    disposition = _item(node, disposition_index)
    disposition_type = disposition_params = None
    if isinstance(disposition, tuple):
        disposition_type = _as_bytes(_item(disposition, 0))
        disposition_params = _item(disposition, 1)
    size = _item(node, 6)
    return _make_part(
        part_id=part_id,
        content_type=content_type,
        params=_pairs(_item(node, 2)),
        content_id=_as_bytes(_item(node, 3)),
        encoding=_as_bytes(_item(node, 5)),
        size=size if isinstance(size, int) else _int(_as_bytes(size)),
        disposition=disposition_type,
        disposition_params=_pairs(disposition_params),
        subject=subject,
        containers=containers,
    )


def _item(node: object, index: int) -> object:
    if isinstance(node, tuple | list) and len(node) > index:
        return node[index]
    return None


def _as_bytes(value: object) -> bytes | None:
    if isinstance(value, bytes):
        return value
    if isinstance(value, int):
        return str(value).encode()
    if isinstance(value, str):
        return value.encode("utf-8", "surrogateescape")
    return None


def _pairs(value: object) -> list[tuple[bytes, bytes]]:
    if not isinstance(value, tuple | list):
        return []
    items = [_as_bytes(item) for item in value]
    return [(key, val or b"") for key, val in zip(items[0::2], items[1::2], strict=False) if key]


def _int(value: bytes | None) -> int:
    return int(value) if value and value.isdigit() and len(value) < 19 else 0


# --- parts from the raw message -----------------------------------------------------------------------


def parts_from_message(raw: bytes) -> list[MimePart]:
    """The leaf parts of a raw message, numbered and measured as the IMAP server does."""
    out: list[MimePart] = []
    _collect_leaves(raw, _Parser(raw).root(), (), (), out)
    return out


def part_payload(raw_message: bytes, part_id: str) -> bytes:
    """The still transfer-encoded body of one part (what FETCH BODY[part_id] returns)."""
    if not _PART_ID.fullmatch(part_id):
        raise PartNotFoundError(part_id)
    entity = _Parser(raw_message).root()
    message: _Entity | None = entity
    for number in (int(n) for n in part_id.split(".")):
        if message is not None:
            # Inside a message (the top one or an attached one) numbering starts at its body: the children of
            # a multipart body, or the body itself as part 1.
            if message.multipart:
                entity = _child(message, number)
            elif number == 1:
                entity = message
            else:
                raise PartNotFoundError(part_id)
        elif entity.multipart:
            entity = _child(entity, number)
        else:
            raise PartNotFoundError(part_id)
        message = entity.message
    return raw_message[entity.body_start : entity.body_end]


def _child(entity: "_Entity", number: int) -> "_Entity":
    children = entity.children or [_Entity.empty(entity.body_start)]
    if number > len(children):
        raise PartNotFoundError(str(number))
    return children[number - 1]


@dataclass
class _Entity:
    fields: dict[str, bytes]
    content_type: str
    params: list[tuple[bytes, bytes]]
    body_start: int
    body_end: int = 0
    multipart: bool = False
    children: list["_Entity"] = field(default_factory=list)
    message: "_Entity | None" = None

    @classmethod
    def empty(cls, position: int) -> "_Entity":
        """The text/plain part Dovecot reports for a multipart without any part."""
        return cls({}, "text/plain", [], position, position)


_Boundary = tuple[int, int, int, bool]  # line start, line end, index in the active boundaries, is closing


class _Parser:
    """A single forward pass over the raw bytes, mirroring Dovecot's message-parser.c."""

    def __init__(self, raw: bytes) -> None:
        self.raw = raw
        # The end of the last boundary line or header taken whole: a boundary right after it has no line
        # break of its own to take from the body before it.
        self.consumed = 0
        self.entities = 0

    def root(self) -> _Entity:
        return self.parse(0, (), 0, "text/plain")[0]

    def parse(
        self, start: int, active: tuple[bytes, ...], depth: int, default_type: str, *, mime_child: bool = False
    ) -> tuple[_Entity, _Boundary | None]:
        self.entities += 1
        header_end, body_start, boundary = self._header(start, active)
        fields = _header_fields(self.raw[start:header_end])
        if not (mime_child or "mime-version" in fields or "content-type" in fields):
            # Not MIME: Content-* fields mean nothing (Dovecot forgets them too).
            fields = {key: value for key, value in fields.items() if not key.startswith("content-")}
        content_type, params = _parse_content_type(fields.get("content-type"), default_type)
        entity = _Entity(fields, content_type, params, body_start)
        can_nest = depth + 1 < _MAX_PARSE_DEPTH
        if content_type.startswith("multipart/") and can_nest:
            entity.multipart = True
            if boundary is None:
                return self._parse_multipart(entity, active, depth)
        elif content_type == "message/rfc822" and can_nest and boundary is None:
            entity.message, boundary = self.parse(body_start, active, depth + 1, "text/plain")
        elif boundary is None:
            boundary = self.next_boundary(body_start, active)
        entity.body_end = self._body_end(body_start, boundary)
        return entity, boundary

    def _header(self, start: int, active: tuple[bytes, ...]) -> tuple[int, int, _Boundary | None]:
        """Where the header ends and the body starts; a boundary line ends a header that has no blank line."""
        pattern = _header_end_pattern(active if self.entities < _MAX_PARSE_ENTITIES else ())
        position = start
        while (match := pattern.search(self.raw, position)) is not None:
            if match.group(1) is not None:
                self.consumed = match.end()
                return match.start(), match.end(), None
            boundary = self._boundary_line(match.start(), active)
            if boundary is not None:
                # Dovecot hands the header's last line break to the enclosing body, not to the boundary.
                self.consumed = match.start()
                return match.start(), match.start(), boundary
            position = match.start() + 1
        return len(self.raw), len(self.raw), None

    def _parse_multipart(
        self, entity: _Entity, active: tuple[bytes, ...], depth: int
    ) -> tuple[_Entity, _Boundary | None]:
        own = next((value for key, value in entity.params if key.lower() == b"boundary"), b"")
        own = own[:_MAX_BOUNDARY]
        child_type = "message/rfc822" if entity.content_type == "multipart/digest" else "text/plain"
        if not own:
            boundary = self.next_boundary(entity.body_start, active)
        else:
            inner = (*active, own)
            boundary = self.next_boundary(entity.body_start, inner)
            while boundary is not None and boundary[2] == len(active) and not boundary[3]:
                self.consumed = boundary[1]
                child, boundary = self.parse(boundary[1], inner, depth + 1, child_type, mime_child=True)
                entity.children.append(child)
            if boundary is not None and boundary[2] == len(active):
                self.consumed = boundary[1]
                boundary = self.next_boundary(boundary[1], active)
        entity.body_end = self._body_end(entity.body_start, boundary)
        return entity, boundary

    def next_boundary(self, position: int, active: tuple[bytes, ...]) -> _Boundary | None:
        if not active or self.entities >= _MAX_PARSE_ENTITIES:
            return None
        pattern = _boundary_pattern(active)
        while (match := pattern.search(self.raw, position)) is not None:
            boundary = self._boundary_line(match.start(), active)
            if boundary is not None:
                return boundary
            position = match.start() + 1
        return None

    def _boundary_line(self, line_start: int, active: tuple[bytes, ...]) -> _Boundary | None:
        """Dovecot's boundary_line_find(): an active boundary that starts the line after "--" (the rest of the
        line does not matter), the longest one, searching from the innermost; "foo--" may be boundary "foo"
        closing or boundary "foo--"."""
        raw = self.raw
        data = line_start + 2
        newline = raw.find(b"\n", data)
        if newline >= 0:
            line_end = newline + 1
            size = newline - data
            if size > 0 and raw[newline - 1] == 13:
                size -= 1
            trailing_dashes = size > 2 and raw[data + size - 2 : data + size] == b"--"
        else:
            line_end = len(raw)
            size = min(len(raw) - data, _MAX_BOUNDARY + 4)
            trailing_dashes = False
        best = -1
        for index in range(len(active) - 1, -1, -1):
            candidate = active[index]
            longer = best < 0 or len(active[best]) < len(candidate)
            if longer and len(candidate) <= size and raw.startswith(candidate, data):
                best = index
                if len(candidate) == size or (trailing_dashes and len(candidate) == size - 2):
                    break
        if best < 0:
            return None
        return line_start, line_end, best, raw.startswith(b"--", data + len(active[best]))

    def _body_end(self, body_start: int, boundary: _Boundary | None) -> int:
        if boundary is None:
            return len(self.raw)
        line_start = boundary[0]
        eol = 2 if self.raw[max(0, line_start - 2) : line_start] == b"\r\n" else 1
        # The line break before a boundary belongs to it, unless a boundary line just before already took it.
        return max(body_start, self.consumed, line_start - eol)


@lru_cache(maxsize=256)
def _boundary_pattern(active: tuple[bytes, ...]) -> re.Pattern[bytes]:
    return re.compile(b"(?m)^--(?:" + b"|".join(re.escape(b) for b in set(active)) + b")")


@lru_cache(maxsize=256)
def _header_end_pattern(active: tuple[bytes, ...]) -> re.Pattern[bytes]:
    if not active:
        return re.compile(b"(?m)^(\r?\n)")
    return re.compile(b"(?m)^(?:(\r?\n)|--(?:" + b"|".join(re.escape(b) for b in set(active)) + b"))")


def _header_fields(block: bytes) -> dict[str, bytes]:
    """Header fields unfolded, one value per name picked as Dovecot does: the first, but the last Subject,
    and the first Content-Disposition that has parameters (else the last one). Lines without a colon are
    skipped."""
    values: dict[str, list[bytearray]] = {}
    current: bytearray | None = None
    for line in re.split(b"\r?\n", block):
        if line[:1] in (b" ", b"\t"):
            if current is not None:
                current += line
            continue
        key, colon, value = line.partition(b":")
        current = None
        if colon:
            current = bytearray(value)
            values.setdefault(key.strip().decode("latin-1").lower(), []).append(current)
    fields = {name: bytes(found[0]).strip() for name, found in values.items()}
    if "subject" in values:
        fields["subject"] = bytes(values["subject"][-1]).strip()
    if "content-disposition" in values:
        dispositions = [bytes(value).strip() for value in values["content-disposition"]]
        with_params = (value for value in dispositions if _split_header_value(value)[1])
        fields["content-disposition"] = next(with_params, dispositions[-1])
    return fields


def _parse_content_type(value: bytes | None, default_type: str) -> tuple[str, list[tuple[bytes, bytes]]]:
    if value is None:
        return default_type, []
    main, params = _split_header_value(value)
    maintype, slash, subtype = main.partition(b"/")
    if not maintype.strip() or (not slash and b";" in value):
        return "text/plain", []  # RFC 2045 section 5.2: a broken Content-Type means the default
    return _media_type(_ascii(maintype), _ascii(subtype)), params


def _split_header_value(value: bytes) -> tuple[bytes, list[tuple[bytes, bytes]]]:
    semicolon = value.find(b";")
    main = value if semicolon < 0 else value[:semicolon]
    params = [] if semicolon < 0 else [(m[1], _unquote(m[2])) for m in _PARAM.finditer(value, semicolon)]
    return _COMMENT.sub(b"", main).strip(), params


def _unquote(value: bytes) -> bytes:
    value = value.strip()
    if value.startswith(b'"'):
        inner = value[1:-1] if value.endswith(b'"') and len(value) > 1 else value[1:]
        return re.sub(rb"\\(.)", rb"\1", inner, flags=re.S)
    return value


def _collect_leaves(
    raw: bytes, entity: _Entity, path: tuple[str, ...], containers: tuple[str, ...], out: list[MimePart]
) -> None:
    if len(out) >= MAX_PARTS:
        return
    if entity.multipart:
        if len(path) >= MAX_DEPTH:
            return
        for number, child in enumerate(entity.children or [_Entity.empty(entity.body_start)], 1):
            _collect_leaves(raw, child, (*path, str(number)), (*containers, entity.content_type), out)
        return
    fields = entity.fields
    disposition_type: bytes | None = None
    disposition_params: list[tuple[bytes, bytes]] = []
    if "content-disposition" in fields:
        disposition_type, disposition_params = _split_header_value(fields["content-disposition"])
    body = entity.message
    out.append(
        _make_part(
            part_id=".".join(path) or "1",
            content_type=entity.content_type,
            params=entity.params,
            content_id=fields.get("content-id"),
            encoding=fields.get("content-transfer-encoding"),
            size=_virtual_size(raw[entity.body_start : entity.body_end]),
            disposition=disposition_type,
            disposition_params=disposition_params,
            subject=body.fields.get("subject") if body is not None else None,
            containers=containers,
        )
    )


def _virtual_size(body: bytes) -> int:
    """Octets as the server counts them: every line ending as CRLF."""
    return len(body) + body.count(b"\n") - body.count(b"\r\n")


# --- building a part ------------------------------------------------------------------------------------


def _make_part(
    *,
    part_id: str,
    content_type: str,
    params: list[tuple[bytes, bytes]],
    content_id: bytes | None,
    encoding: bytes | None,
    size: int,
    disposition: bytes | None,
    disposition_params: list[tuple[bytes, bytes]],
    subject: bytes | None,
    containers: tuple[str, ...],
) -> MimePart:
    type_params = _decode_params(params)
    disposition_values = _decode_params(disposition_params)
    charset = type_params.get("charset", "").strip().lower() or None
    if charset is None and content_type.startswith("text/"):
        charset = "us-ascii"  # RFC 2045 section 5.2, as the server reports it
    filename = _clean_filename(decode_words(disposition_values.get("filename") or type_params.get("name")))
    if filename is None and content_type in _ATTACHED_MESSAGE_TYPES:
        subject_name = _clean_filename(decode_words(subject)[:_MAX_SUBJECT_NAME])
        filename = f"{subject_name}.eml" if subject_name else _FORWARDED_NAME
    disposition_text = _ascii(disposition).strip().lower()
    cid = _text(content_id or b"").strip().strip("<>").strip()
    return MimePart(
        part_id=part_id,
        content_type=content_type,
        charset=charset,
        encoding=next(iter(_ascii(_COMMENT.sub(b"", encoding or b"")).lower().split()), "7bit"),
        filename=filename,
        disposition=None if not disposition_text else "inline" if disposition_text == "inline" else "attachment",
        content_id=cid or None,
        size=max(0, size),
        containers=containers,
    )


def _media_type(maintype: str, subtype: str) -> str:
    maintype, subtype = maintype.strip().lower(), subtype.strip().lower()
    if not maintype:
        return "text/plain"
    if not subtype:
        return "text/plain" if maintype == "text" else "application/octet-stream"
    return f"{maintype}/{subtype}"


def _decode_params(pairs: Iterable[tuple[bytes, bytes]]) -> dict[str, str]:
    """Parameter values by lower-case name, RFC 2231 continuations and charsets resolved; first duplicate wins."""
    plain: dict[str, bytes] = {}
    pieces: dict[str, dict[int, tuple[bytes, bool]]] = {}
    for raw_key, value in pairs:
        key = _ascii(raw_key).strip().lower()
        match = _RFC2231_KEY.fullmatch(key)
        if match is None:
            plain.setdefault(key, value)
            continue
        # The server rewrites "name*" as "name*0*", so both spellings are the same piece.
        number = int(match["num"]) if match["num"] is not None else 0
        encoded = match["num"] is None or match["ext"] is not None
        pieces.setdefault(match["name"], {}).setdefault(number, (value, encoded))
    decoded = {key: _text(value) for key, value in plain.items()}
    for name, numbered in pieces.items():
        if 0 not in numbered:
            continue
        charset: str | None = None
        chunks: list[bytes] = []
        for number in range(len(numbered)):
            if number not in numbered:
                break
            value, encoded = numbered[number]
            if encoded:
                if number == 0 and value.count(b"'") >= 2:
                    charset_bytes, _, rest = value.partition(b"'")
                    value = rest.partition(b"'")[2]
                    charset = _ascii(charset_bytes) or None
                value = urllib.parse.unquote_to_bytes(value)
            chunks.append(value)
        decoded[name] = _decode_charset(b"".join(chunks), charset)
    return decoded


def _clean_filename(name: str | None) -> str | None:
    if not name:
        return None
    name = " ".join(_UNSAFE_NAME_CHARS.sub("", name).replace("/", "_").replace("\\", "_").split())
    if len(name) > _MAX_FILENAME:
        _, dot, extension = name.rpartition(".")
        keep = f"{dot}{extension}" if dot and 0 < len(extension) <= 16 else ""
        name = name[: _MAX_FILENAME - len(keep)] + keep
    return name or None


def _ascii(value: object) -> str:
    return value.decode("ascii", "replace") if isinstance(value, bytes) else ""


def _text(value: bytes) -> str:
    return _decode_charset(value, None)


# --- choosing what to show ----------------------------------------------------------------------------


def choose_bodies(parts: Sequence[MimePart]) -> tuple[MimePart | None, MimePart | None]:
    """The (plain, html) parts a mail client would show: the first text part that is not an attachment and,
    when it sits in a multipart/alternative, the other flavour from that same alternative."""
    candidates = [p for p in parts if p.content_type in ("text/plain", "text/html") and p.disposition != "attachment"]
    if not candidates:
        return None, None
    first = candidates[0]
    if "multipart/alternative" in first.containers:
        level = first.containers.index("multipart/alternative")
        prefix = first.part_id.split(".")[:level]
        group = [p for p in candidates if p.part_id.split(".")[:level] == prefix and len(p.containers) > level]
        plain = next((p for p in group if p.content_type == "text/plain"), None)
        html = next((p for p in group if p.content_type == "text/html"), None)
        return plain, html
    return (first, None) if first.content_type == "text/plain" else (None, first)


def attachments(
    parts: Sequence[MimePart], *, bodies: tuple[MimePart | None, MimePart | None], referenced_cids: set[str]
) -> list[MimePart]:
    """Every part but the shown bodies and the inline images the HTML shows, each with a file name."""
    shown = {body.part_id for body in bodies if body is not None}
    cids = {_normal_cid(cid) for cid in referenced_cids}
    listed: list[MimePart] = []
    for part in parts:
        if part.part_id in shown:
            continue
        if part.content_id and part.disposition != "attachment" and _normal_cid(part.content_id) in cids:
            continue
        listed.append(part if part.filename else replace(part, filename=_fallback_name(part)))
    return listed


def _normal_cid(cid: str) -> str:
    return urllib.parse.unquote(cid).strip().strip("<>").strip()


def _fallback_name(part: MimePart) -> str:
    prefix = "image" if part.content_type.startswith("image/") else "attachment"
    return f"{prefix}-{part.part_id}{_EXTENSIONS.get(part.content_type, '.bin')}"


# --- decoding -------------------------------------------------------------------------------------------


def decode_body(raw: bytes, *, encoding: str, charset: str | None) -> str:
    """A part's text: transfer encoding undone, charset applied (with fallbacks), NULs removed, LF line ends."""
    data = _decode_transfer(raw, encoding.strip().lower())
    text = _decode_charset(data, charset)
    return text.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n")


def _decode_transfer(raw: bytes, encoding: str) -> bytes:
    if encoding == "base64":
        return _decode_base64(raw)
    if encoding == "quoted-printable":
        try:
            return binascii.a2b_qp(raw)
        except (binascii.Error, ValueError):
            return raw
    return raw


def _decode_base64(raw: bytes) -> bytes:
    """Base64 that survives missing padding, stray characters and chunks glued together after padding."""
    decoded: list[bytes] = []
    for chunk in re.split(b"=+", re.sub(rb"[^A-Za-z0-9+/=]", b"", raw)):
        usable = len(chunk) - len(chunk) % 4 if len(chunk) % 4 == 1 else len(chunk)
        if not usable:
            continue
        try:
            decoded.append(binascii.a2b_base64(chunk[:usable] + b"=" * (-usable % 4)))
        except (binascii.Error, ValueError):
            continue
    return b"".join(decoded)


def _decode_charset(data: bytes, charset: str | None) -> str:
    codec = _codec(charset)
    if codec is None or codec == "ascii":
        # Undeclared 8-bit text is UTF-8 nowadays, else most likely Windows Western.
        attempts, lenient = ["utf-8"], "cp1252"
    else:
        lenient = _CHARSET_SUPERSETS.get(codec, codec)
        attempts = list(dict.fromkeys((lenient, codec, "utf-8")))
    for attempt in attempts:
        try:
            return data.decode(attempt)
        except (UnicodeError, LookupError):
            continue
    try:
        return data.decode(lenient, "replace")
    except (UnicodeError, LookupError):
        return data.decode("latin-1")


def _codec(charset: str | None) -> str | None:
    """Python's name for a charset label, or None when unknown or not a plain text codec."""
    if not charset:
        return None
    label = charset.strip().strip("\"'").strip().lower()
    if not label or len(label) > 64:
        return None
    label = _CHARSET_LABELS.get(label, label)
    try:
        name = codecs.lookup(label).name
        b"".decode(name)  # refuses bytes-to-bytes codecs such as "hex" or "zlib"
    except (LookupError, ValueError):
        return None
    return None if name.replace("_", "-") in _UNSAFE_CODECS else name


# --- downloads ------------------------------------------------------------------------------------------


def content_disposition_header(filename: str, disposition: str = "attachment") -> str:
    """A Content-Disposition value for a download (RFC 6266): an ASCII fallback and the UTF-8 name."""
    kind = "inline" if disposition == "inline" else "attachment"
    name = _clean_filename(filename.replace('"', "").replace("\\", "")) or "download"
    fallback = "".join(
        char if " " <= char <= "~" else "_"
        for char in unicodedata.normalize("NFKD", name)
        if not unicodedata.combining(char)
    )
    encoded = urllib.parse.quote(name, safe="!#$&+-.^_`|~")
    return f"{kind}; filename=\"{fallback.replace('%', '_')}\"; filename*=UTF-8''{encoded}"
