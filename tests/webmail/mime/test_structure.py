"""MIME structure from BODYSTRUCTURE, body choice, attachment names and decoding, on hostile input too. The
golden samples in tests/samples/mail go through a real Dovecot in test_structure_imap.py, against the
expectations in EXPECTED here."""

import random
from dataclasses import dataclass

import pytest
from imapclient.response_types import BodyData

from webmail.mime.stream import decode_transfer, stream_decoder
from webmail.mime.structure import (
    MAX_DEPTH,
    MAX_PARTS,
    MimePart,
    attachments,
    choose_bodies,
    content_disposition_header,
    decode_body,
    parts_from_bodystructure,
)


@dataclass(frozen=True)
class Expected:
    parts: list[tuple[str, str, str | None]]  # part_id, content_type, filename
    bodies: tuple[str | None, str | None]  # part_id of the plain and the html body
    texts: tuple[str | None, str | None]  # their decoded text
    listed: list[str]  # names in the attachment list


_DEEP_IDS = ["2." * level + "1" for level in range(MAX_DEPTH)]

EXPECTED: dict[str, Expected] = {
    "plain": Expected(
        [("1", "text/plain", None)],
        ("1", None),
        ("Hello Alice,\n\nLunch on Friday? The café at noon.\n\n— Bob\n", None),
        [],
    ),
    "html-only": Expected(
        [("1", "text/html", None)],
        (None, "1"),
        (None, "<html><body><h1>Spring news</h1><p>Über alles</p></body></html>\n"),
        [],
    ),
    "alternative": Expected(
        [("1", "text/plain", None), ("2", "text/html", None)],
        ("1", "2"),
        ("Notes: ship it.", "<p>Notes: <b>ship it</b>.</p>"),
        [],
    ),
    "alternative-pdf": Expected(
        [
            ("1.1", "text/plain", None),
            ("1.2", "text/html", None),
            ("2", "application/pdf", "report.pdf"),
            ("3", "application/octet-stream", None),
        ],
        ("1.1", "1.2"),
        ("Report attached.", "<p>Report attached.</p>"),
        ["report.pdf", "attachment-3.bin"],
    ),
    "related-cid": Expected(
        [
            ("1", "text/plain", None),
            ("2.1", "text/html", None),
            ("2.2", "image/png", "logo.png"),
            ("2.3", "image/png", None),
        ],
        ("1", "2.1"),
        ("See our logo.", '<p>See our logo: <img src="cid:logo@example.test"></p>'),
        ["image-2.3.png"],
    ),
    "forwarded": Expected(
        [
            ("1", "text/plain", None),
            ("2", "message/rfc822", "Quarterly numbers – Q1.eml"),
            ("3", "message/rfc822", "Forwarded message.eml"),
        ],
        ("1", None),
        ("See the message below.", None),
        ["Quarterly numbers – Q1.eml", "Forwarded message.eml"],
    ),
    "rfc2231-filename": Expected(
        [
            ("1", "text/plain", None),
            ("2", "application/pdf", "日本語.pdf"),
            ("3", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "quarterly-report.xlsx"),
            ("4", "text/plain", "café crème.txt"),
        ],
        ("1", None),
        ("Three files.", None),
        ["日本語.pdf", "quarterly-report.xlsx", "café crème.txt"],
    ),
    "rfc2047-filename": Expected(
        [
            ("1", "text/plain", None),
            ("2", "application/msword", "Résumé – 2024.doc"),
            ("3", "image/jpeg", "Grüße.jpg"),
        ],
        ("1", None),
        ("Mein Lebenslauf.", None),
        ["Résumé – 2024.doc", "Grüße.jpg"],
    ),
    "iso-8859-1": Expected([("1", "text/plain", None)], ("1", None), ("Grüße aus Köln, à bientôt!\n", None), []),
    "windows-1252": Expected([("1", "text/plain", None)], ("1", None), ("“Quoted” – costs €5…\n", None), []),
    "utf-7": Expected([("1", "text/plain", None)], ("1", None), ("Hi Mom -☺-! 日本語\n", None), []),
    "unknown-charset": Expected(
        [("1", "text/plain", None), ("2", "text/plain", None)],
        ("1", None),
        ("naïve café", None),
        ["attachment-2.txt"],
    ),
    # Like Dovecot: a multipart whose boundary never appears holds one empty text part.
    "broken-boundary-missing": Expected([("1", "text/plain", None)], ("1", None), ("", None), []),
    "broken-boundary-unclosed": Expected(
        [("1", "text/plain", None), ("2", "image/png", "cut.png")],
        ("1", None),
        ("The attachment is cut off.", None),
        ["cut.png"],
    ),
    "deep-nesting": Expected(
        [(part_id, "text/plain", None) for part_id in _DEEP_IDS],
        ("1", None),
        ("Level 1.", None),
        [f"attachment-{part_id}.txt" for part_id in _DEEP_IDS[1:]],
    ),
    "nul-bytes": Expected(
        [("1", "text/plain", None), ("2", "text/plain", None), ("3", "text/plain", None)],
        ("1", None),
        ("beforeafter end\n", None),
        ["attachment-2.txt", "attachment-3.txt"],
    ),
    "missing-content-type": Expected(
        [("1", "text/plain", None)], ("1", None), ("Just text, no MIME.\nNaïve bytes too.\n", None), []
    ),
    "huge-header": Expected([("1", "text/plain", None)], ("1", None), ("Small body under a huge header.\n", None), []),
    "bad-base64": Expected(
        [("1", "text/plain", None), ("2", "text/plain", None)],
        ("1", None),
        ("Hello world", None),
        ["attachment-2.txt"],
    ),
    "apple-mail": Expected(
        [
            ("1", "text/plain", None),
            ("2.1", "text/html", None),
            ("2.2", "image/png", "IMG_0001.png"),
            ("2.3", "text/html", None),
        ],
        ("1", "2.1"),
        ("Here you go.\n\nCheers", "<div>Here you go.</div>"),
        ["IMG_0001.png", "attachment-2.3.html"],
    ),
}


# --- names from parameters ---------------------------------------------------------------------------


def _named(params: tuple[bytes, ...]) -> MimePart:
    [part] = parts_from_bodystructure(BodyData((b"application", b"octet-stream", params, None, None, b"base64", 1)))
    return part


def test_rfc2231_name_given_twice_does_not_trip_over_the_duplicates() -> None:
    part = _named((b"name*", b"utf-8''a%20b", b"name*0*", b"utf-8''c", b"name*1", b"d"))
    assert part.filename == "a bd"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (b"../../etc/passwd", ".._.._etc_passwd"),
        ("invoice\u202efdp.exe".encode(), "invoicefdp.exe"),
        (b'line"one\r\n two', 'line"one two'),
        (b"a" * 400 + b".pdf", "a" * 251 + ".pdf"),
        (b"   ", None),
        (b"=?utf-8?q?R=C3=A9sum=C3=A9.doc?=", "Résumé.doc"),
    ],
)
def test_filenames_are_made_harmless(name: bytes, expected: str | None) -> None:
    assert _named((b"name", name)).filename == expected


# --- BODYSTRUCTURE ----------------------------------------------------------------------------------------

# Dovecot 2.3's answer for a multipart/mixed with a text part, an RFC 2231-named PDF and a forwarded mail.
DOVECOT_STRUCTURE = (
    [
        (b"text", b"plain", (b"charset", b"us-ascii"), None, None, b"7bit", 5, 0, None, None, None, None),
        (
            b"application",
            b"pdf",
            (b"name*", b"utf-8''%E6%97%A5%E6%9C%AC.pdf"),
            b"<x@y>",
            None,
            b"base64",
            4,
            None,
            (b"attachment", (b"filename*", b"utf-8''%E6%97%A5%E6%9C%AC.pdf")),
            None,
            None,
        ),
        (
            b"message",
            b"rfc822",
            None,
            None,
            None,
            b"7bit",
            107,
            (None, b"inner =?utf-8?q?s=C3=BC?=", None, None, None, None, None, None, None, None),
            (
                (b"text", b"plain", (b"charset", b"us-ascii"), None, None, b"7bit", 1, 0, None, None, None, None),
                b"alternative",
                (b"boundary", b"zz"),
                None,
                None,
                None,
            ),
            7,
            None,
            None,
            None,
            None,
        ),
    ],
    b"mixed",
    (b"boundary", b"abc"),
    None,
    None,
    None,
)


def test_bodystructure_from_dovecot() -> None:
    parts = parts_from_bodystructure(BodyData(DOVECOT_STRUCTURE))
    assert parts == [
        MimePart("1", "text/plain", "us-ascii", "7bit", None, None, None, 5),
        MimePart("2", "application/pdf", None, "base64", "日本.pdf", "attachment", "x@y", 4),
        MimePart("3", "message/rfc822", None, "7bit", "inner sü.eml", None, None, 107),
    ]
    assert {p.containers for p in parts} == {("multipart/mixed",)}


def test_bodystructure_of_a_single_part_message() -> None:
    structure = BodyData((b"TEXT", b"HTML", (b"CHARSET", b"UTF-8"), None, None, b"QUOTED-PRINTABLE", 12, 1))
    [part] = parts_from_bodystructure(structure)
    assert (part.part_id, part.content_type, part.charset, part.encoding, part.size) == (
        "1",
        "text/html",
        "utf-8",
        "quoted-printable",
        12,
    )
    assert part.containers == ()


def test_bodystructure_depth_and_count_limits() -> None:
    leaf = (b"text", b"plain", None, None, None, b"7bit", 1, 1)
    deep: object = leaf
    for _ in range(500):
        deep = BodyData(([deep, leaf], b"mixed"))
    parts = parts_from_bodystructure(deep)
    assert len(parts) == MAX_DEPTH
    assert max(p.part_id.count(".") + 1 for p in parts) == MAX_DEPTH

    wide = BodyData(([leaf] * (MAX_PARTS * 2), b"mixed"))
    assert len(parts_from_bodystructure(wide)) == MAX_PARTS


@pytest.mark.parametrize(
    "structure",
    [
        None,
        42,
        b"text",
        (),
        ([],),
        ([None, 5, b"x", (), (None, None)], b"mixed"),
        (b"text",),
        (b"image", b"png", b"not params", 7, None, None, b"not a size"),
        (b"text", b"plain", (b"charset",), None, None, None, None, None, None, (b"attachment", b"junk")),
        (b"message", b"rfc822", None, None, None, b"7bit", 10, b"no envelope", None),
    ],
)
def test_odd_bodystructure_shapes_never_raise(structure: object) -> None:
    for part in parts_from_bodystructure(structure):
        assert part.part_id


# --- choosing bodies and attachments ---------------------------------------------------------------------


def _part(
    part_id: str,
    content_type: str,
    *containers: str,
    filename: str | None = None,
    disposition: str | None = None,
    content_id: str | None = None,
) -> MimePart:
    return MimePart(part_id, content_type, None, "7bit", filename, disposition, content_id, 1, containers)


def test_a_text_attachment_is_not_a_body() -> None:
    parts = [
        _part("1", "text/plain", "multipart/mixed", disposition="attachment", filename="notes.txt"),
        _part("2", "text/html", "multipart/mixed"),
    ]
    assert choose_bodies(parts) == (None, parts[1])


def test_no_text_part_means_no_body() -> None:
    assert choose_bodies([_part("1", "application/pdf")]) == (None, None)
    assert choose_bodies([]) == (None, None)


def test_alternative_pairs_only_within_itself() -> None:
    parts = [
        _part("1", "text/plain", "multipart/mixed"),
        _part("2.1", "text/plain", "multipart/mixed", "multipart/alternative"),
        _part("2.2", "text/html", "multipart/mixed", "multipart/alternative"),
    ]
    assert choose_bodies(parts) == (parts[0], None)


def test_a_referenced_image_with_attachment_disposition_is_still_listed() -> None:
    image = _part("2", "image/png", "multipart/related", content_id="a@b", disposition="attachment")
    listed = attachments([image], bodies=(None, None), referenced_cids={"a@b"})
    assert [p.filename for p in listed] == ["image-2.png"]
    inline = _part("3", "image/gif", "multipart/related", content_id="c%40d")
    assert attachments([inline], bodies=(None, None), referenced_cids={"c@d"}) == []


# --- decoding ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "encoding", "charset", "expected"),
    [
        (b"caf=C3=A9 =\r\nau lait", "quoted-printable", "utf-8", "café au lait"),
        (b"Y2Fmw6k", "base64", "UTF8", "café"),
        (b"Y2F\r\n m\x00w6k=\r\n=\r\n", "Base64", "utf-8", "café"),
        (b"!!!", "base64", "utf-8", ""),
        (b"Y2Fm\r\nw6k=\r\nIGF1\r\nIGxhaXQ=", "base64", "utf-8", "café au lait"),
        (b"Y2Fmw6k==IGF1IGxhaXQ", " BASE64 ", "utf-8", "café au lait"),
        (b"caf\xe9", "8bit", "latin1", "café"),
        (b"\x80 and \x93quotes\x94", "8bit", "iso-8859-1", "€ and “quotes”"),
        (b"caf\xc3\xa9", "8bit", "us-ascii", "café"),
        (b"caf\xc3\xa9", "8bit", "x-unknown", "café"),
        (b"caf\xe9", "8bit", "x-unknown", "café"),
        (b"caf\xe9", "8bit", None, "café"),
        (b"caf\xe9", "8bit", "hex", "café"),
        (b"caf\\u00e9", "7bit", "unicode_escape", "caf\\u00e9"),
        (b"+Jjo-", "7bit", "unicode-1-1-utf-7", "☺"),
        (b"+Jjo-", "7bit", "utf-7", "☺"),
        (b"\xc4\xe3\xba\xc3", "8bit", "gb2312", "你好"),
        (b"\xff\xfeh\x00i\x00", "binary", "utf-16", "hi"),
        (b"a\x00b\r\nc\rd", "binary", "utf-8", "ab\nc\nd"),
        (b"bad \xff utf-8", "8bit", "utf-8", "bad \ufffd utf-8"),
        (b"plain", "x-uuencode", '"utf-8"', "plain"),
    ],
)
def test_decode_body(raw: bytes, encoding: str, charset: str | None, expected: str) -> None:
    assert decode_body(raw, encoding=encoding, charset=charset) == expected


@pytest.mark.parametrize("encoding", ["base64", "quoted-printable"])
def test_decoding_in_chunks_gives_what_decoding_whole_gives(encoding: str) -> None:
    # Given encoded text with the faults senders make: padding mid-stream, stray characters, soft breaks
    rng = random.Random(7)
    if encoding == "base64":
        raw = b"Y2Fmw6k=\r\nIGF1IGxh!aXQ\r\n==\r\nIG5vaXI" * 40
    else:
        raw = b"caf=C3=A9 au=\r\n lait =E2=82=AC\r\nline two=3D\r\n" * 40
    whole = decode_transfer(raw, encoding)
    assert whole
    for _ in range(50):
        # When it is fed in random slices, as a download streams it
        decoder, out, position = stream_decoder(encoding), [], 0
        while position < len(raw):
            step = rng.randint(1, 9)
            out.append(decoder.feed(raw[position : position + step]))
            position += step
        # Then the bytes are the same
        assert b"".join(out) + decoder.finish() == whole


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("report.pdf", "attachment; filename=\"report.pdf\"; filename*=UTF-8''report.pdf"),
        ("日本語.pdf", "attachment; filename=\"___.pdf\"; filename*=UTF-8''%E6%97%A5%E6%9C%AC%E8%AA%9E.pdf"),
        ("Résumé 100%.doc", "attachment; filename=\"Resume 100_.doc\"; filename*=UTF-8''R%C3%A9sum%C3%A9%20100%25.doc"),
        (
            'evil"\r\nX-Injected: 1\\.txt',
            "attachment; filename=\"evilX-Injected: 1.txt\"; filename*=UTF-8''evilX-Injected%3A%201.txt",
        ),
        ("", "attachment; filename=\"download\"; filename*=UTF-8''download"),
    ],
)
def test_content_disposition_header(filename: str, expected: str) -> None:
    assert content_disposition_header(filename) == expected


def test_content_disposition_inline_and_unknown_kinds() -> None:
    assert content_disposition_header("a.png", "inline").startswith("inline; ")
    assert content_disposition_header("a.png", "form-data\r\nX: y").startswith("attachment; ")
