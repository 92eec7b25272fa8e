"""The MIME structure of a message as the IMAP server reports it (FETCH BODYSTRUCTURE, RFC 3501 section
6.4.5): its leaf parts numbered as the server numbers them, the bodies a mail client would show, the
attachment list, and body decoding. The server parses the message; Roost reads its answer.
"""

import codecs
import re
import unicodedata
import urllib.parse
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from webmail.mime.headers import decode_words
from webmail.mime.stream import decode_transfer

MAX_DEPTH = 20
MAX_PARTS = 500
_MAX_FILENAME = 255
_MAX_SUBJECT_NAME = 100
_FORWARDED_NAME = "Forwarded message.eml"

_ATTACHED_MESSAGE_TYPES = frozenset({"message/rfc822", "message/global"})
_RFC2231_KEY = re.compile(r"(?P<name>[^*]+)\*(?:(?P<num>[0-9]{1,3})(?P<ext>\*)?)?")
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
    data = decode_transfer(raw, encoding)
    text = _decode_charset(data, charset)
    return text.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n")


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
