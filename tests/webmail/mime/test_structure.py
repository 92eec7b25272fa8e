"""MIME structure, body choice and decoding on the golden samples in tests/samples/mail, and on hostile input."""

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from imapclient.response_types import BodyData

from webmail.mime.structure import (
    MAX_DEPTH,
    MAX_PARTS,
    MimePart,
    PartNotFoundError,
    attachments,
    choose_bodies,
    content_disposition_header,
    decode_body,
    part_payload,
    parts_from_bodystructure,
    parts_from_message,
)

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "mail"


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


def _raw(name: str) -> bytes:
    return (SAMPLES / f"{name}.eml").read_bytes()


def _text(raw: bytes, part: MimePart) -> str:
    return decode_body(part_payload(raw, part.part_id), encoding=part.encoding, charset=part.charset)


def test_there_is_an_expectation_for_every_sample() -> None:
    assert sorted(path.stem for path in SAMPLES.glob("*.eml")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample_parts(name: str) -> None:
    parts = parts_from_message(_raw(name))
    assert [(p.part_id, p.content_type, p.filename) for p in parts] == EXPECTED[name].parts


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample_bodies_and_their_text(name: str) -> None:
    raw = _raw(name)
    plain, html = choose_bodies(parts_from_message(raw))
    assert (plain and plain.part_id, html and html.part_id) == EXPECTED[name].bodies
    assert (plain and _text(raw, plain), html and _text(raw, html)) == EXPECTED[name].texts


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample_attachment_list(name: str) -> None:
    raw = _raw(name)
    parts = parts_from_message(raw)
    bodies = choose_bodies(parts)
    html = _text(raw, bodies[1]) if bodies[1] else ""
    cids = set(re.findall(r'src="cid:([^"]+)"', html))
    listed = attachments(parts, bodies=bodies, referenced_cids=cids)
    assert [p.filename for p in listed] == EXPECTED[name].listed


# --- details the table does not show --------------------------------------------------------------------


def test_part_fields_are_normalised() -> None:
    parts = parts_from_message(_raw("related-cid"))
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


def test_text_part_without_charset_is_us_ascii_as_the_server_reports() -> None:
    [part] = parts_from_message(_raw("missing-content-type"))
    assert (part.charset, part.encoding, part.size) == ("us-ascii", "7bit", 40)


def test_sizes_count_line_ends_as_crlf_like_the_server() -> None:
    crlf = parts_from_message(b"Subject: x\r\n\r\nline one\r\nline two\r\n")
    lf = parts_from_message(b"Subject: x\n\nline one\nline two\n")
    assert crlf[0].size == lf[0].size == 20


def test_forwarded_message_is_one_part_and_its_insides_are_reachable_by_number() -> None:
    raw = _raw("forwarded")
    assert part_payload(raw, "2").startswith(b"From: Carol <carol@example.test>\r\n")
    assert part_payload(raw, "2").endswith(b"--fwd-in--\r\n")
    assert part_payload(raw, "2.1") == b"Revenue is up."
    assert part_payload(raw, "2.2") == b"<p>Revenue is up.</p>"
    assert part_payload(raw, "3.1") == b"No subject here."


def test_single_part_message_body_is_part_one() -> None:
    raw = b"Subject: x\r\n\r\nbody\r\n"
    assert part_payload(raw, "1") == b"body\r\n"


@pytest.mark.parametrize("part_id", ["0", "", "1.", "a", "2", "1.1", "-1", "1..2", "9" * 10])
def test_unknown_part_number_is_refused(part_id: str) -> None:
    with pytest.raises(PartNotFoundError):
        part_payload(_raw("plain"), part_id)


def test_boundary_matches_by_prefix_and_the_longest_active_one_wins() -> None:
    raw = (
        b'Content-Type: multipart/mixed; boundary="ab"\r\n\r\n'
        b"--ab\r\nContent-Type: multipart/alternative; boundary=abc\r\n\r\n"
        b"--abc\r\n\r\ninner one\r\n--abc\r\n\r\ninner two\r\n--abc--\r\n"
        b"--ab-trailing-garbage\r\n\r\nouter two\r\n--ab--\r\n"
    )
    parts = parts_from_message(raw)
    assert [p.part_id for p in parts] == ["1.1", "1.2", "2"]
    assert [part_payload(raw, p.part_id) for p in parts] == [b"inner one", b"inner two", b"outer two"]


def test_header_lines_without_colon_do_not_end_the_header() -> None:
    raw = (
        b"Content-Type: multipart/mixed; boundary=b\r\n\r\n"
        b"--b\r\nnot a header\r\nContent-Type: text/html\r\n\r\nx\r\n--b--\r\n"
    )
    assert [p.content_type for p in parts_from_message(raw)] == ["text/html"]


def test_multipart_digest_children_default_to_messages() -> None:
    raw = b"Content-Type: multipart/digest; boundary=d\r\n\r\n--d\r\n\r\nSubject: one\r\n\r\nbody\r\n--d--\r\n"
    [part] = parts_from_message(raw)
    assert (part.content_type, part.filename) == ("message/rfc822", "one.eml")


def test_boundary_ending_in_dashes_is_told_apart_from_a_closing_line() -> None:
    raw = b'Content-Type: multipart/mixed; boundary="b--"\r\n\r\n--b--\r\n\r\none\r\n--b--\r\n\r\ntwo\r\n--b----\r\n'
    assert [part_payload(raw, p.part_id) for p in parts_from_message(raw)] == [b"one", b"two"]


def test_boundaries_longer_than_80_octets_never_close_as_on_the_server() -> None:
    boundary = b"z" * 100
    raw = (
        b'Content-Type: multipart/mixed; boundary="' + boundary + b'"\r\n\r\n'
        b"--" + boundary + b"\r\n\r\none\r\n--" + boundary + b"--\r\n"
    )
    assert [(p.part_id, p.size) for p in parts_from_message(raw)] == [("1", 3), ("2", 0)]


def test_a_boundary_line_ends_a_header_without_blank_line() -> None:
    raw = (
        b"Content-Type: multipart/mixed; boundary=b\r\n\r\n"
        b"--b\r\nContent-Type: image/png\r\n--b\r\nContent-Type: message/rfc822\r\n\r\nX-Only: header\r\n--b--\r\n"
    )
    image, message = parts_from_message(raw)
    assert (image.content_type, image.size) == ("image/png", 0)
    # The attached message keeps its header's last line break: Dovecot counts it in the part.
    assert part_payload(raw, message.part_id) == b"X-Only: header\r\n"
    assert message.size == 16


def test_content_fields_count_only_in_mime_parts() -> None:
    headers = b"Content-Disposition: attachment; filename=a.txt\r\nContent-Transfer-Encoding: base64\r\n"
    [plain] = parts_from_message(b"X: y\r\n" + headers + b"\r\nbody")
    assert (plain.encoding, plain.disposition, plain.filename) == ("7bit", None, None)
    [mime] = parts_from_message(b"MIME-Version: 1.0\r\n" + headers + b"\r\nbody")
    assert (mime.encoding, mime.disposition, mime.filename) == ("base64", "attachment", "a.txt")


@pytest.mark.parametrize(
    ("content_type", "expected"),
    [
        (b"text/html (comment); charset=utf-8", ("text/html", "utf-8")),
        (b'text / html ; charset = "utf-8"', ("text/html", "utf-8")),
        (b"image; name=x.png", ("text/plain", "us-ascii")),
        (b"/; charset=utf-8", ("text/plain", "us-ascii")),
        (b"", ("text/plain", "us-ascii")),
        (b"multipart", ("application/octet-stream", None)),
        (b"text", ("text/plain", "us-ascii")),
        (b'TEXT/Plain; Charset="ISO-8859-1"', ("text/plain", "iso-8859-1")),
    ],
)
def test_content_type_spellings(content_type: bytes, expected: tuple[str, str | None]) -> None:
    [part] = parts_from_message(b"Content-Type: " + content_type + b"\r\n\r\nx")
    assert (part.content_type, part.charset) == expected


def test_repeated_fields_are_read_as_the_server_reads_them() -> None:
    raw = (
        b"Content-Type: text/plain\r\nContent-Type: text/html\r\n"
        b"Content-Transfer-Encoding: base64 (first)\r\nContent-Transfer-Encoding: 8bit\r\n"
        b"Content-Disposition: inline\r\nContent-Disposition: attachment; filename=z\r\n"
        b"Content-Disposition: inline; filename=ignored\r\n\r\nx"
    )
    [part] = parts_from_message(raw)
    assert (part.content_type, part.encoding, part.disposition, part.filename) == (
        "text/plain",
        "base64",
        "attachment",
        "z",
    )


# --- hostile input ---------------------------------------------------------------------------------------


def test_very_deep_nesting_is_cut_at_the_depth_limit() -> None:
    levels = 1000
    raw = b"".join(b"Content-Type: multipart/mixed; boundary=L%d\r\n\r\n--L%d\r\n" % (i, i) for i in range(levels))
    raw += b"Content-Type: text/plain\r\n\r\nbottom\r\n"
    assert parts_from_message(raw) == []


def test_many_parts_are_capped() -> None:
    raw = b"Content-Type: multipart/mixed; boundary=b\r\n\r\n" + b"--b\r\n\r\nx\r\n" * (MAX_PARTS + 50) + b"--b--\r\n"
    parts = parts_from_message(raw)
    assert len(parts) == MAX_PARTS
    assert parts[-1].part_id == str(MAX_PARTS)


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\r\n",
        b"\x00\xff\xfe garbage without structure",
        b"Content-Type: multipart/mixed; boundary=\r\n\r\n--\r\n--\r\n",
        b'Content-Type: multipart/mixed; boundary="unterminated\r\n\r\n--unterminated\r\n',
        b"Content-Type: message/rfc822\r\n\r\n",
        b"Content-Type: /\r\nContent-Transfer-Encoding: \r\nContent-Disposition: ;;;=\r\n\r\nx",
        b"Content-Type: text/plain; name*=utf-8''a; name*0*=b; name*1=c; name*99=z\r\n\r\nx",
        b'Content-Type: text/plain; charset="\r\nContent-ID: <>\r\n\r\nx',
    ],
)
def test_malformed_messages_never_raise(raw: bytes) -> None:
    parts = parts_from_message(raw)
    for part in parts:
        part_payload(raw, part.part_id)
        decode_body(part_payload(raw, part.part_id), encoding=part.encoding, charset=part.charset)
    choose_bodies(parts)


def test_rfc2231_name_given_twice_does_not_trip_over_the_duplicates() -> None:
    raw = b"Content-Type: application/pdf; name*=utf-8''a%20b; name*0*=utf-8''c; name*1=d\r\n\r\nx"
    assert parts_from_message(raw)[0].filename == "a bd"


@pytest.mark.parametrize(
    ("header_name", "expected"),
    [
        ('"../../etc/passwd"', ".._.._etc_passwd"),
        ('"invoice\u202efdp.exe"', "invoicefdp.exe"),
        ('"line\\"one\r\n two"', 'line"one two'),
        ('"' + "a" * 400 + '.pdf"', "a" * 251 + ".pdf"),
        ('"   "', None),
    ],
)
def test_filenames_are_made_harmless(header_name: str, expected: str | None) -> None:
    raw = f"Content-Type: application/octet-stream; name={header_name}\r\n\r\nx".encode()
    assert parts_from_message(raw)[0].filename == expected


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
