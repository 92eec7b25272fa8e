"""Undoing a part's transfer encoding, whole or chunk by chunk (so a large attachment never sits whole in
memory). The one lenient base64 and quoted-printable decoding in Roost: bodies, downloads, forwarded files."""

import binascii
import re

_NOT_BASE64 = re.compile(rb"[^A-Za-z0-9+/=]")
_PADDING = re.compile(rb"=+")


class StreamDecoder:
    def feed(self, chunk: bytes) -> bytes:
        return chunk

    def finish(self) -> bytes:
        return b""


class Base64StreamDecoder(StreamDecoder):
    """Tolerates line breaks anywhere, stray characters, missing padding and pieces glued together after
    padding (each piece decodes on its own), as mail clients must."""

    def __init__(self) -> None:
        self._pending = b""

    def feed(self, chunk: bytes) -> bytes:
        *closed, still_open = _PADDING.split(self._pending + _NOT_BASE64.sub(b"", chunk))
        out = [_b64_piece(piece) for piece in closed]
        usable = len(still_open) - len(still_open) % 4
        out.append(_b64(still_open[:usable]))
        self._pending = still_open[usable:]
        return b"".join(out)

    def finish(self) -> bytes:
        tail, self._pending = self._pending, b""
        return _b64_piece(tail)


def _b64_piece(piece: bytes) -> bytes:
    """A piece that ends here: a lone last character carries no whole byte, missing padding is supplied."""
    if len(piece) % 4 == 1:
        piece = piece[:-1]
    return _b64(piece + b"=" * (-len(piece) % 4)) if piece else b""


def _b64(data: bytes) -> bytes:
    try:
        return binascii.a2b_base64(data)
    except (binascii.Error, ValueError):
        return b""


class QuotedPrintableStreamDecoder(StreamDecoder):
    """Decodes whole lines only; the last, possibly cut line waits for the next chunk."""

    def __init__(self) -> None:
        self._pending = b""

    def feed(self, chunk: bytes) -> bytes:
        data = self._pending + chunk
        cut = data.rfind(b"\n") + 1
        self._pending = data[cut:]
        return _qp(data[:cut])

    def finish(self) -> bytes:
        tail, self._pending = self._pending, b""
        return _qp(tail)


def _qp(data: bytes) -> bytes:
    try:
        return binascii.a2b_qp(data)
    except (binascii.Error, ValueError):
        return data


def stream_decoder(encoding: str) -> StreamDecoder:
    encoding = encoding.strip().lower()
    if encoding == "base64":
        return Base64StreamDecoder()
    if encoding == "quoted-printable":
        return QuotedPrintableStreamDecoder()
    return StreamDecoder()


def decode_transfer(raw: bytes, encoding: str) -> bytes:
    """A whole part's bytes with its transfer encoding undone; anything but base64 and quoted-printable as is."""
    decoder = stream_decoder(encoding)
    return decoder.feed(raw) + decoder.finish()
