#!/usr/bin/env python3
"""Roost's submission milter: the header From must be the envelope sender.

Postfix checks on submission that the login owns the envelope sender (reject_sender_login_mismatch), but it
cannot compare a header with anything. This small milter, on the submission service only, closes that gap:
every address in From must be the envelope sender, so a header From is owned by the login whenever the
envelope sender is. Mail clients, and Roost's own outbox, send with the two equal.

Standard library only (deploy/stack.py starts it before any virtual environment exists). It speaks just
enough of the milter protocol (version 6) for that: it asks Postfix to skip the connection, HELO,
recipients and body, reads MAIL FROM and the headers, and answers at the end of the headers.

    python3 deploy/milter.py --port 18893
"""

import argparse
import socketserver
import struct
import sys
from email.header import decode_header, make_header
from email.utils import getaddresses

# Protocol flags the milter asks for: no connect, HELO, RCPT, body, unknown or DATA events.
SKIP = 0x01 | 0x02 | 0x08 | 0x10 | 0x100 | 0x200
VERSION = 6
REFUSAL = "550 5.7.1 The From header must be the address you send from (the envelope sender)."


def header_from_mismatch(envelope_sender: str, from_values: list[str]) -> bool:
    """True when some From address is not the envelope sender. No From at all is not a mismatch (nothing
    is claimed); the null sender never gets here (submission refuses it first)."""
    sender = envelope_sender.strip().strip("<>").lower()
    addresses = [address.lower() for _, address in getaddresses(_decoded(v) for v in from_values)]
    return any(address != sender for address in addresses)


def _decoded(value: str) -> str:
    try:
        return str(make_header(decode_header(value)))
    except (LookupError, UnicodeError, ValueError):
        return value


class Session(socketserver.StreamRequestHandler):
    """One Postfix connection; it may carry several messages (ABORT resets)."""

    def setup(self) -> None:
        super().setup()
        self.reset()

    def reset(self) -> None:
        self.sender = ""
        self.from_values: list[str] = []

    def reply(self, code: bytes, data: bytes = b"") -> None:
        self.wfile.write(struct.pack("!I", len(data) + 1) + code + data)
        self.wfile.flush()

    def handle(self) -> None:
        while True:
            head = self.rfile.read(4)
            if len(head) < 4:
                return
            (length,) = struct.unpack("!I", head)
            packet = self.rfile.read(length)
            if len(packet) < length or length == 0:
                return
            if not self.on_command(packet[:1], packet[1:]):
                return

    def on_command(self, command: bytes, data: bytes) -> bool:
        if command == b"O":  # negotiate: skip whatever Postfix lets us skip
            _version, _actions, offered = struct.unpack("!III", data[:12])
            self.reply(b"O", struct.pack("!III", VERSION, 0, SKIP & offered))
        elif command == b"M":
            self.reset()
            self.sender = data.split(b"\0", 1)[0].decode("utf-8", "replace")
            self.reply(b"c")
        elif command == b"L":
            name, _, rest = data.partition(b"\0")
            if name.decode("ascii", "replace").lower() == "from":
                self.from_values.append(rest.rstrip(b"\0").decode("utf-8", "replace"))
            self.reply(b"c")
        elif command == b"N":  # end of headers: the verdict
            if header_from_mismatch(self.sender, self.from_values):
                self.reply(b"y", REFUSAL.encode() + b"\0")
            else:
                self.reply(b"c")
        elif command == b"E":
            self.reply(b"a")
        elif command == b"A":
            self.reset()
        elif command == b"Q":
            return False
        elif command == b"K":
            self.reset()
        elif command in (b"C", b"H", b"R", b"B", b"T", b"U"):
            self.reply(b"c")
        # "D" (macros) needs no answer
        return True


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    with Server(("127.0.0.1", args.port), Session) as server:
        print(f"roost milter listening on 127.0.0.1:{args.port}", file=sys.stderr, flush=True)
        server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
