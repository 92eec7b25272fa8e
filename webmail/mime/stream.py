"""Decoding a part's transfer encoding chunk by chunk, so a large attachment never sits whole in memory."""

import base64
import binascii
import quopri
import re

_NOT_BASE64 = re.compile(rb"[^A-Za-z0-9+/]")


class StreamDecoder:
    def feed(self, chunk: bytes) -> bytes:
        return chunk

    def finish(self) -> bytes:
        return b""


class Base64StreamDecoder(StreamDecoder):
    """Tolerates line breaks anywhere, stray characters and missing padding, as mail clients must."""

    def __init__(self) -> None:
        self._pending = b""

    def feed(self, chunk: bytes) -> bytes:
        data = self._pending + _NOT_BASE64.sub(b"", chunk.split(b"=", 1)[0] if b"=" in chunk else chunk)
        usable = len(data) - len(data) % 4
        self._pending = data[usable:]
        return _b64(data[:usable])

    def finish(self) -> bytes:
        tail, self._pending = self._pending, b""
        if len(tail) % 4 == 1:
            tail = tail[:-1]
        return _b64(tail + b"=" * (-len(tail) % 4)) if tail else b""


def _b64(data: bytes) -> bytes:
    try:
        return base64.b64decode(data)
    except binascii.Error:
        return b""


class QuotedPrintableStreamDecoder(StreamDecoder):
    """Decodes whole lines only; the last, possibly cut line waits for the next chunk."""

    def __init__(self) -> None:
        self._pending = b""

    def feed(self, chunk: bytes) -> bytes:
        data = self._pending + chunk
        cut = data.rfind(b"\n") + 1
        self._pending = data[cut:]
        return quopri.decodestring(data[:cut])

    def finish(self) -> bytes:
        tail, self._pending = self._pending, b""
        return quopri.decodestring(tail)


def stream_decoder(encoding: str) -> StreamDecoder:
    encoding = encoding.lower()
    if encoding == "base64":
        return Base64StreamDecoder()
    if encoding == "quoted-printable":
        return QuotedPrintableStreamDecoder()
    return StreamDecoder()
