"""The golden samples through a real Dovecot: its BODYSTRUCTURE and BODY[part] agree with our own parsing."""

import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from imapclient import IMAPClient

from tests import personas
from tests.mailstack import master_login
from tests.webmail.mime.test_structure import EXPECTED
from webmail.mime.structure import (
    choose_bodies,
    decode_body,
    part_payload,
    parts_from_bodystructure,
    parts_from_message,
)

pytestmark = [pytest.mark.integration]

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "mail"
NAMES = sorted(path.stem for path in SAMPLES.glob("*.eml"))


@pytest.fixture
def imap(mail_stack: None) -> Iterator[tuple[IMAPClient, dict[str, int]]]:
    """Alice's INBOX holding every sample; the UID of each by sample name."""
    personas.mailbox("alice")
    client = master_login("alice@example.test")
    try:
        for name in NAMES:
            client.append("INBOX", (SAMPLES / f"{name}.eml").read_bytes())
        client.select_folder("INBOX")
        uids = sorted(client.search("ALL"))
        assert len(uids) == len(NAMES)
        yield client, dict(zip(NAMES, uids, strict=True))
    finally:
        client.logout()


def test_every_sample_is_covered_by_the_unit_expectations() -> None:
    assert set(NAMES) == set(EXPECTED)
    assert len(NAMES) >= 15


def test_bodystructure_and_raw_message_give_the_same_parts(imap: tuple[IMAPClient, dict[str, int]]) -> None:
    # Given every sample stored by Dovecot
    client, uids = imap
    # When its BODYSTRUCTURE is read
    fetched = client.fetch(list(uids.values()), ["BODYSTRUCTURE"])
    for name, uid in uids.items():
        from_server = parts_from_bodystructure(fetched[uid][b"BODYSTRUCTURE"])
        from_raw = parts_from_message((SAMPLES / f"{name}.eml").read_bytes())
        # Then it lists the same parts as our own parser, malformed samples included
        assert from_server == from_raw, name
        assert [p.containers for p in from_server] == [p.containers for p in from_raw], name
        assert [p.part_id for p in from_server] == [expected[0] for expected in EXPECTED[name].parts], name


def test_server_part_bodies_are_the_payloads_we_cut_and_decode_as_expected(
    imap: tuple[IMAPClient, dict[str, int]],
) -> None:
    client, uids = imap
    for name, uid in uids.items():
        raw = (SAMPLES / f"{name}.eml").read_bytes()
        parts = parts_from_message(raw)
        # When each part is fetched by its number
        sections = [f"BODY.PEEK[{part.part_id}]" for part in parts]
        bodies = client.fetch([uid], sections)[uid]
        for part in parts:
            served = bodies[f"BODY[{part.part_id}]".encode()]
            # Then the server returns exactly the bytes part_payload cuts from the raw message, except that
            # Dovecot sends a NUL as 0x80 in BODY[] (only BINARY[] carries NULs)
            assert served == part_payload(raw, part.part_id).replace(b"\x00", b"\x80"), (name, part.part_id)
        # And the chosen bodies decode to the expected text
        for body, expected in zip(choose_bodies(parts), EXPECTED[name].texts, strict=True):
            if body is None:
                assert expected is None, name
                continue
            served = bodies[f"BODY[{body.part_id}]".encode()]
            assert decode_body(served, encoding=body.encoding, charset=body.charset) == expected, name


def _random_message(rng: random.Random) -> bytes:
    """A message built from the shapes that trip MIME parsers: nested and repeated boundaries, boundaries that
    prefix each other, over-long ones, headers without blank line, lines without colon, broken types."""
    boundaries = [b"b", b"bb", b"b-1", b"x" * 79, b"x" * 81, b"z" * 100, b"a b"]
    types = [
        b"text/plain",
        b"text/html; charset=utf-8",
        b"multipart/mixed",
        b"multipart/alternative",
        b"multipart/digest",
        b"message/rfc822",
        b"image/png",
        b"text",
        b"/",
        b"",
        b"multipart",
        b"application/pdf; name=a.pdf",
        b"text/plain; name*0*=utf-8''%E6%97; name*1*=%A5.txt",
    ]

    def header() -> bytes:
        lines = []
        if rng.random() < 0.85:
            value = rng.choice(types)
            if value.startswith(b"multipart") and rng.random() < 0.9:
                value += b'; boundary="' + rng.choice(boundaries) + b'"'
            lines.append(b"Content-Type: " + value)
        if rng.random() < 0.2:
            lines.append(b"not a header")
        if rng.random() < 0.3:
            lines.append(b"Content-Disposition: " + rng.choice([b"attachment", b"inline; filename=x.bin", b"odd"]))
        if rng.random() < 0.3:
            lines.append(b"Content-Transfer-Encoding: " + rng.choice([b"base64", b"QUOTED-PRINTABLE", b"8bit"]))
        if rng.random() < 0.2:
            lines.append(b"Subject: s")
        return b"".join(line + rng.choice([b"\r\n", b"\n"]) for line in lines)

    def body(depth: int) -> bytes:
        lines = []
        for _ in range(rng.randint(0, 8)):
            pick = rng.random()
            if pick < 0.45:
                lines.append(rng.choice([b"text", b"", b"--", b"QUJD"]))
            elif pick < 0.8:
                lines.append(b"--" + rng.choice(boundaries) + rng.choice([b"", b"--", b"  ", b"x", b"--x"]))
            elif depth < 5:
                lines.append(header() + rng.choice([b"", b"\r\n", b"\n"]) + body(depth + 1))
        return b"".join(line + rng.choice([b"\r\n", b"\n"]) for line in lines)

    return b"X-Random: 1\r\n" + header() + rng.choice([b"\r\n", b"\n", b""]) + body(0)


def test_random_malformed_messages_are_numbered_and_cut_as_dovecot_does(mail_stack: None) -> None:
    # Given a few hundred malformed messages stored by Dovecot
    rng = random.Random(20250304)
    messages = [_random_message(rng) for _ in range(300)]
    personas.mailbox("alice")
    client = master_login("alice@example.test")
    try:
        for raw in messages:
            client.append("INBOX", raw)
        client.select_folder("INBOX", readonly=True)
        uids = sorted(client.search("ALL"))
        fetched = client.fetch(uids, ["BODYSTRUCTURE"])
        for uid, raw in zip(uids, messages, strict=True):
            # Then its BODYSTRUCTURE and our parse of the raw bytes agree part for part
            parts = parts_from_message(raw)
            assert parts_from_bodystructure(fetched[uid][b"BODYSTRUCTURE"]) == parts, raw
            # And where Dovecot stored the bytes as sent (CRLF only), each part's bytes are ours too
            if parts and b"\n" not in raw.replace(b"\r\n", b""):
                bodies = client.fetch([uid], [f"BODY.PEEK[{part.part_id}]" for part in parts])[uid]
                for part in parts:
                    assert bodies[f"BODY[{part.part_id}]".encode()] == part_payload(raw, part.part_id), raw
    finally:
        client.logout()
