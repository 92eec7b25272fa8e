"""The golden samples through a real Dovecot: what we read from its BODYSTRUCTURE and BODY[part] answers
(parts, numbers, names, chosen bodies and their text, the attachment list), and malformed mail read safely."""

import random
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from imapclient import IMAPClient

from tests import personas
from tests.mailstack import master_login
from tests.webmail.mime.test_structure import EXPECTED
from webmail.mime.structure import (
    MimePart,
    attachments,
    choose_bodies,
    decode_body,
    parts_from_bodystructure,
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


def _served(client: IMAPClient, uid: int) -> tuple[list[MimePart], dict[str, bytes]]:
    structure = client.fetch([uid], ["BODYSTRUCTURE"])[uid][b"BODYSTRUCTURE"]
    parts = parts_from_bodystructure(structure)
    fetched = client.fetch([uid], [f"BODY.PEEK[{part.part_id}]" for part in parts])[uid]
    return parts, {part.part_id: fetched[f"BODY[{part.part_id}]".encode()] for part in parts}


def _text(bodies: dict[str, bytes], part: MimePart) -> str:
    return decode_body(bodies[part.part_id], encoding=part.encoding, charset=part.charset)


def test_samples_read_from_the_server_as_expected(imap: tuple[IMAPClient, dict[str, int]]) -> None:
    client, uids = imap
    for name, uid in uids.items():
        expected = EXPECTED[name]
        # Given a sample's structure and parts as Dovecot serves them
        parts, bodies = _served(client, uid)
        # Then the parts are numbered, typed and named as expected, malformed samples included
        assert [(p.part_id, p.content_type, p.filename) for p in parts] == expected.parts, name
        # And the bodies a mail client would show are chosen and decoded
        plain, html = choose_bodies(parts)
        assert (plain and plain.part_id, html and html.part_id) == expected.bodies, name
        assert (plain and _text(bodies, plain), html and _text(bodies, html)) == expected.texts, name
        # And the attachment list leaves out the images the HTML shows
        cids = set(re.findall(r'src="cid:([^"]+)"', _text(bodies, html) if html else ""))
        listed = attachments(parts, bodies=(plain, html), referenced_cids=cids)
        assert [p.filename for p in listed] == expected.listed, name


def test_part_fields_are_normalised(imap: tuple[IMAPClient, dict[str, int]]) -> None:
    client, uids = imap
    parts, _ = _served(client, uids["related-cid"])
    logo = parts[2]
    assert logo == MimePart(
        part_id="2.2",
        content_type="image/png",
        charset=None,
        encoding="base64",
        filename="logo.png",
        disposition="inline",
        content_id="logo@example.test",
        size=90,
    )
    assert logo.containers == ("multipart/alternative", "multipart/related")
    assert parts[0].charset == "utf-8"
    [bare] = _served(client, uids["missing-content-type"])[0]
    assert (bare.charset, bare.encoding, bare.size) == ("us-ascii", "7bit", 40)


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


def test_random_malformed_messages_are_read_safely(mail_stack: None) -> None:
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
            # Then every BODYSTRUCTURE answer is read, and each part it lists is one the server serves
            parts = parts_from_bodystructure(fetched[uid][b"BODYSTRUCTURE"])
            assert parts, raw
            bodies = client.fetch([uid], [f"BODY.PEEK[{part.part_id}]" for part in parts])[uid]
            for part in parts:
                served = bodies[f"BODY[{part.part_id}]".encode()]
                # And where Dovecot stored the bytes as sent (CRLF only), its size is the size served
                if b"\n" not in raw.replace(b"\r\n", b""):
                    assert part.size == len(served), raw
                decode_body(served, encoding=part.encoding, charset=part.charset)
            choose_bodies(parts)
    finally:
        client.logout()
