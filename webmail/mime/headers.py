"""Decoding header values as mail clients write them (RFC 2047 encoded words, unknown charsets)."""

from email.header import decode_header, make_header


def decode_words(raw: bytes | str | None) -> str:
    """A header value as text; undecodable parts become replacement characters, never an error."""
    if raw is None:
        return ""
    text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
    try:
        decoded = str(make_header(decode_header(text)))
    except (LookupError, UnicodeError, ValueError, AssertionError):
        decoded = text
    return " ".join(decoded.replace("\x00", "").split())
