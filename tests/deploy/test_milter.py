"""deploy/milter.py: the header From must be the envelope sender (the Postfix side is in tests/mailadmin)."""

import importlib.util
import socket
import struct
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("milter", ROOT / "deploy" / "milter.py")
assert spec
assert spec.loader
milter = importlib.util.module_from_spec(spec)
spec.loader.exec_module(milter)


@pytest.mark.parametrize(
    ("sender", "from_values", "mismatch"),
    [
        ("<alice@example.test>", ["Alice <alice@example.test>"], False),
        ("<alice@example.test>", ["ALICE@Example.TEST"], False),
        ("<alice@example.test>", ["=?utf-8?q?Bob?= <bob@example.test>"], True),
        ("<alice@example.test>", ["Alice <alice@example.test>, bob@example.test"], True),
        ("<alice@example.test>", ["Alice <alice@example.test>", "bob@example.test"], True),
        ("<alice@example.test>", [], False),
    ],
)
def test_header_from_must_be_the_envelope_sender(sender: str, from_values: list[str], mismatch: bool) -> None:
    assert milter.header_from_mismatch(sender, from_values) is mismatch


@pytest.fixture
def server() -> Iterator[int]:
    srv = milter.Server(("127.0.0.1", 0), milter.Session)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv.server_address[1]
    srv.shutdown()
    srv.server_close()


def packet(command: bytes, data: bytes = b"") -> bytes:
    return struct.pack("!I", len(data) + 1) + command + data


def answer(sock: socket.socket) -> tuple[bytes, bytes]:
    (length,) = struct.unpack("!I", sock.recv(4, socket.MSG_WAITALL))
    body = sock.recv(length, socket.MSG_WAITALL)
    return body[:1], body[1:]


def test_speaks_the_milter_protocol_and_refuses_at_end_of_headers(server: int) -> None:
    with socket.create_connection(("127.0.0.1", server), timeout=5) as sock:
        sock.sendall(packet(b"O", struct.pack("!III", 6, 0x1FF, 0x1FFFFF)))
        code, data = answer(sock)
        assert code == b"O"
        assert struct.unpack("!III", data)[2] & 0x10  # asks Postfix not to send the body
        for mail_from, header_from, verdict in [
            (b"<alice@example.test>", b" Alice <alice@example.test>", b"c"),
            (b"<alice@example.test>", b" bob@example.test", b"y"),
        ]:
            sock.sendall(packet(b"D", b"M{auth_authen}\0alice@example.test\0"))
            sock.sendall(packet(b"M", mail_from + b"\0"))
            assert answer(sock)[0] == b"c"
            sock.sendall(packet(b"L", b"From\0" + header_from + b"\0"))
            assert answer(sock)[0] == b"c"
            sock.sendall(packet(b"N"))
            code, data = answer(sock)
            assert code == verdict
            if verdict == b"y":
                assert data.startswith(b"550 5.7.1 ")
            sock.sendall(packet(b"A"))
        sock.sendall(packet(b"Q"))
