"""Decoding header values as mail clients write them (RFC 2047 encoded words, unknown charsets)."""

import base64
import binascii
import codecs
import re
from itertools import groupby

# charset (an RFC 2231 language tag after '*' is dropped), B or Q, and text without '?' or white space
_ENCODED_WORD = re.compile(r"=\?([^?\s*]+)(?:\*[^?\s]*)?\?([bBqQ])\?([^?\s]*)\?=")
_Q_ESCAPE = re.compile(rb"=([0-9A-Fa-f]{2})")


def _word_bytes(encoding: str, payload: str) -> bytes | None:
    data = payload.encode("ascii", errors="replace")
    if encoding in "bB":
        try:
            return base64.b64decode(data + b"=" * (-len(data) % 4), validate=True)
        except (binascii.Error, ValueError):
            return None
    return _Q_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), data.replace(b"_", b" "))


def _charset(name: str) -> str | None:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _decode_encoded(text: str) -> str:
    """Each encoded word decoded on its own merit: one in an unknown charset or with broken base64
    stays as its raw text, and does not take the rest of the value down with it. Neighbouring words
    in one charset are joined before decoding, as senders split multi-byte characters between them."""
    # (charset or None for literal text, bytes or text)
    pieces: list[tuple[str | None, bytes | str]] = []
    position = 0
    for match in _ENCODED_WORD.finditer(text):
        between = text[position : match.start()]
        charset = _charset(match.group(1))
        data = _word_bytes(match.group(2), match.group(3))
        decoded = charset is not None and data is not None
        follows_word = bool(pieces) and pieces[-1][0] is not None
        if between and not (decoded and follows_word and not between.strip()):  # dropped between two words
            pieces.append((None, between))
        pieces.append((charset, data) if charset is not None and data is not None else (None, match.group(0)))
        position = match.end()
    pieces.append((None, text[position:]))
    out: list[str] = []
    for charset, group in groupby(pieces, key=lambda piece: piece[0]):
        values = [value for _, value in group]
        if charset is None:
            out.extend(str(value) for value in values)
        else:
            out.append(b"".join(v for v in values if isinstance(v, bytes)).decode(charset, errors="replace"))
    return "".join(out)


def decode_words(raw: bytes | str | None) -> str:
    """A header value as text; undecodable parts become replacement characters or stay raw, never an error."""
    if raw is None:
        return ""
    text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
    decoded = _decode_encoded(text) if "=?" in text else text
    return " ".join(decoded.replace("\x00", "").split())
