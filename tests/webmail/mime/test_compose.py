"""build_message with parts of any type: an iMIP invitation inside the alternative, .ics and .vcf files, and
Roost's own X- headers; each result parsed back with the standard library."""

from datetime import UTC, datetime
from email import message_from_bytes
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import default

import pytest

from webmail.mime.compose import Attachment, BadHeader, Draft, ExtraPart, build_message

ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Roost//EN\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\n"
    "UID:standup-1@example.test\r\nDTSTAMP:20261130T090000Z\r\nDTSTART:20261201T090000Z\r\n"
    "SUMMARY:Café stand-up\r\nORGANIZER:mailto:alice@example.test\r\n"
    "ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:bob@example.test\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
).encode()
VCF = b"BEGIN:VCARD\nVERSION:4.0\nFN:Bob Baker\nEMAIL:bob@example.test\nEND:VCARD\n"  # bare LF on purpose


def _draft(**changes: object) -> Draft:
    values: dict[str, object] = {
        "sender": Address("Alice", "alice", "example.test"),
        "to": [Address("Bob", "bob", "example.test")],
        "bcc": [Address("", "carol", "example.test")],
        "subject": "Invitation: Café stand-up",
        "text": "Join us.",
        "html": "<p>Join us.</p>",
        "message_id": "<inv-1@example.test>",
        "date": datetime(2026, 11, 30, 9, 0, tzinfo=UTC),
        **changes,
    }
    return Draft(**values)  # type: ignore[arg-type]


def _tree(part: EmailMessage) -> object:
    """The shape of a message: each part's type with the parameters that matter, and its disposition."""
    if part.is_multipart():
        return (part.get_content_type(), [_tree(child) for child in part.iter_parts()])  # type: ignore[arg-type]
    return (part.get_content_type(), part.get_param("method"), part.get_content_disposition(), part.get_filename())


def _parse(raw: bytes) -> EmailMessage:
    msg = message_from_bytes(raw, policy=default)
    assert isinstance(msg, EmailMessage)
    return msg


def _invitation() -> Draft:
    return _draft(
        extra_parts=[
            ExtraPart("text/calendar", ICS, {"method": "REQUEST"}, placement="alternative"),
            ExtraPart("application/ics", ICS, filename="invite.ics"),
            ExtraPart("text/vcard", VCF, filename="bob.vcf"),
        ],
        attachments=[Attachment("agenda.pdf", "application/pdf", b"%PDF agenda")],
    )


def test_an_invitation_has_the_calendar_inside_the_alternative_and_the_files_after_it() -> None:
    # Given an invitation with its iMIP part, the same event as a file, a contact card and a PDF
    raw = build_message(_invitation(), include_bcc=False)
    msg = _parse(raw)
    # Then the calendar sits next to the text and HTML, as Outlook, Gmail and Thunderbird expect for iMIP
    assert _tree(msg) == (
        "multipart/mixed",
        [
            (
                "multipart/alternative",
                [
                    ("text/plain", None, None, None),
                    ("text/html", None, None, None),
                    ("text/calendar", "REQUEST", None, None),
                ],
            ),
            ("application/pdf", None, "attachment", "agenda.pdf"),
            ("application/ics", None, "attachment", "invite.ics"),
            ("text/vcard", None, "attachment", "bob.vcf"),
        ],
    )
    # And the headers are the submitted ones: no Bcc
    assert msg["From"] == "Alice <alice@example.test>"
    assert msg["To"] == "Bob <bob@example.test>"
    assert msg["Subject"] == "Invitation: Café stand-up"
    assert msg["Message-ID"] == "<inv-1@example.test>"
    assert msg["Bcc"] is None
    # And every line of the message ends in CRLF, and it is 7-bit clean for any relay
    assert b"\n" not in raw.replace(b"\r\n", b"")
    assert b"\r" not in raw.replace(b"\r\n", b"")
    assert raw.isascii()


def test_the_calendar_and_card_come_back_byte_for_byte_with_crlf() -> None:
    msg = _parse(build_message(_invitation(), include_bcc=True))
    wanted = ("text/calendar", "application/ics", "text/vcard")
    calendar, ics_file, card = (p for p in msg.walk() if p.get_content_type() in wanted)
    assert calendar.get_content_charset() == "utf-8"
    assert calendar.get_payload(decode=True) == ICS
    assert ics_file.get_payload(decode=True) == ICS
    # A card written with bare LFs goes out with the CRLFs vCard requires
    assert card.get_payload(decode=True) == VCF.replace(b"\n", b"\r\n")
    assert msg["Bcc"] == "carol@example.test"


def test_a_calendar_alternative_without_html() -> None:
    draft = _draft(
        html="", extra_parts=[ExtraPart("text/calendar", ICS, {"method": "CANCEL"}, placement="alternative")]
    )
    msg = _parse(build_message(draft, include_bcc=False))
    assert _tree(msg) == (
        "multipart/alternative",
        [("text/plain", None, None, None), ("text/calendar", "CANCEL", None, None)],
    )


def test_an_inline_part_and_a_binary_one_keep_their_types_and_bytes() -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
    draft = _draft(html="", extra_parts=[ExtraPart("image/png", png, filename="logo.png", placement="inline")])
    msg = _parse(build_message(draft, include_bcc=False))
    [image] = [p for p in msg.walk() if p.get_content_type() == "image/png"]
    assert (image.get_content_disposition(), image.get_filename()) == ("inline", "logo.png")
    assert image.get_payload(decode=True) == png


def test_text_in_another_charset_is_declared_as_such() -> None:
    part = ExtraPart("text/plain", "Grüße".encode("iso-8859-1"), {"charset": "iso-8859-1"}, filename="g.txt")
    msg = _parse(build_message(_draft(html="", extra_parts=[part]), include_bcc=False))
    [attached] = [p for p in msg.walk() if p.get_filename() == "g.txt"]
    assert attached.get_content_charset() == "iso-8859-1"
    assert attached.get_content() == "Grüße\r\n"  # a text part ends with a line end


def test_roost_headers_are_written_and_folded_safely() -> None:
    long_value = "A" * 3000  # a base64 state header has no place to fold
    msg = _parse(build_message(_draft(headers=[("X-Roost-Draft-Key", "k1"), ("X-Roost-Long", long_value)]),
                               include_bcc=False))  # fmt: skip
    assert msg["X-Roost-Draft-Key"] == "k1"
    assert msg["X-Roost-Long"] == long_value


@pytest.mark.parametrize(
    "changes",
    [
        {"headers": [("Bcc", "eve@example.test")]},
        {"headers": [("Content-Type", "text/html")]},
        {"headers": [("X-Ok\r\nBcc", "x")]},
        {"headers": [("X-Roost-Draft-Key", "k\r\nBcc: eve@example.test")]},
        {"subject": "Hi\r\nBcc: eve@example.test"},
        {"extra_parts": [ExtraPart("multipart/mixed", b"x")]},
        {"extra_parts": [ExtraPart("message/rfc822", b"x")]},
        {"extra_parts": [ExtraPart("text", b"x")]},
        {"extra_parts": [ExtraPart("text/calendar\r\nX: y", b"x")]},
        {"extra_parts": [ExtraPart("text/calendar", b"x", {"method\r\nX": "REQUEST"})]},
        {"extra_parts": [ExtraPart("text/calendar", b"x", {"method": "REQUEST\r\nBcc: eve@example.test"})]},
        {"extra_parts": [ExtraPart("text/vcard", b"x", filename="a\r\n.vcf")]},
        {"extra_parts": [ExtraPart("text/vcard", b"\xff\xfe", {"charset": "utf-8"})]},
        {"extra_parts": [ExtraPart("text/vcard", b"x", {"charset": "no-such-charset"})]},
    ],
)
def test_what_could_inject_or_break_a_header_is_refused(changes: dict[str, object]) -> None:
    with pytest.raises(BadHeader):
        build_message(_draft(**changes), include_bcc=False)
