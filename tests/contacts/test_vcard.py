"""vcard.py against cards as Apple Contacts, Google and DAVx5 write them (tests/samples/vcf)."""

import base64
from pathlib import Path

import pytest

from contacts import vcard
from contacts.vcard import ContactFields, InvalidCard, Photo, TypedValue
from core.errors import PayloadTooLarge

SAMPLES = Path(__file__).parent.parent / "samples" / "vcf"


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def test_apple_card_reads_labels_photo_and_anniversary() -> None:
    card = vcard.parse_card(sample("apple-contacts-3.0.vcf"))
    fields = vcard.read_fields(card)
    assert (fields.given, fields.family, fields.organisation, fields.department) == (
        "Johnny", "Appleseed", "Apple Inc.", "Engineering",
    )  # fmt: skip
    assert [(e.value, e.label, e.pref) for e in fields.emails] == [
        ("johnny@apple.example", "Work", True),
        ("johnny.home@mail.example", "Private", False),
    ]
    assert fields.phones[0].types == ("cell", "voice") and fields.phones[0].pref
    assert fields.addresses[0].locality == "Cupertino" and fields.addresses[0].types == ("home",)
    assert fields.anniversary == "2010-06-01"
    assert (
        fields.photo is not None
        and fields.photo.data.startswith(b"\xff\xd8")
        and fields.photo.media_type == "image/jpeg"
    )
    assert fields.categories == ["Friends", "Work"]


def test_google_card_unescapes_text_and_gets_a_uid_only_on_import() -> None:
    cards = list(vcard.parse_cards(sample("google-export-3.0.vcf")))
    assert len(cards) == 2 and all(isinstance(c, vcard.Card) for c in cards)
    grace = cards[0]
    assert isinstance(grace, vcard.Card) and grace.uid
    fields = vcard.read_fields(grace)
    assert fields.note == "Invented the first compiler, A-0.\nAlso COBOL."
    assert fields.urls[0].value == "https://navy.example/hopper"
    with pytest.raises(InvalidCard, match="UID"):
        vcard.parse_card(sample("google-export-3.0.vcf").split(b"END:VCARD")[0] + b"END:VCARD\r\n")


def test_davx5_card_4_0_reads_data_uri_photo_and_tel_uri() -> None:
    fields = vcard.read_fields(vcard.parse_card(sample("davx5-4.0.vcf")))
    assert fields.photo is not None and fields.photo.media_type == "image/png"
    assert fields.phones[0].value == "+44-20-7946-0958"
    assert fields.emails[0].pref and fields.emails[0].types == ("home",)
    assert fields.anniversary == "18350708"


def test_round_trip_through_both_versions_keeps_unknown_properties() -> None:
    text = sample("apple-contacts-3.0.vcf").decode()
    as4 = vcard.vcard_as_version(text, "4.0")
    assert "VERSION:4.0" in as4 and "PHOTO:data:image/jpeg;base64,/9j/" in as4
    assert "ANNIVERSARY:2010-06-01" in as4 and "X-ANNIVERSARY" not in as4
    assert "item1.EMAIL;PREF=1:johnny@apple.example" in as4
    back = vcard.vcard_as_version(as4, "3.0")
    for kept in ("X-SOCIALPROFILE;TYPE=twitter:https://twitter.example/johnny", "item3.X-ABADR:us", "PRODID:-//Apple"):
        assert kept in as4.replace("\r\n ", "") and kept in back.replace("\r\n ", "")
    assert "PHOTO;ENCODING=b;TYPE=JPEG:/9j/" in back
    again = vcard.read_fields(vcard.parse_card(back))
    assert again == vcard.read_fields(vcard.parse_card(text))


def test_group_converts_between_kind_and_apple_spelling() -> None:
    as3 = vcard.vcard_as_version(sample("group-4.0.vcf").decode(), "3.0")
    assert "X-ADDRESSBOOKSERVER-KIND:group" in as3 and "X-ADDRESSBOOKSERVER-MEMBER:mailto:guest@example.com" in as3
    assert "N:;;;;" in as3
    assert vcard.card_kind(vcard.parse_card(as3)) == "group"
    assert vcard.read_fields(vcard.parse_card(as3)).members[1] == "mailto:guest@example.com"


def test_writing_the_form_keeps_what_the_form_does_not_show() -> None:
    base = vcard.parse_card(sample("apple-contacts-3.0.vcf"))
    fields = vcard.read_fields(base)
    fields.emails = [TypedValue("new@apple.example", ("work",), label="Office")]
    fields.note = "Line one, line two;\nthree"
    card = vcard.write_card(fields, base=base)
    text = vcard.serialize(card)
    reread = vcard.parse_card(text)
    assert reread.uid == base.uid and reread.version == "3.0"
    assert [e.value for e in vcard.read_fields(reread).emails] == ["new@apple.example"]
    assert vcard.read_fields(reread).emails[0].label == "Office"
    assert vcard.read_fields(reread).note == "Line one, line two;\nthree"
    assert "X-SOCIALPROFILE" in text and "item3.X-ABADR:us" in text
    assert "_$!<Work>!$_" not in text  # the replaced email's label went with it
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))


def test_oversize_photo_is_413_and_broken_base64_a_clear_error() -> None:
    big = base64.b64encode(b"\0" * (vcard.PHOTO_MAX_BYTES + 1)).decode()
    text = f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:X\r\nUID:1\r\nPHOTO;ENCODING=b;TYPE=JPEG:{big}\r\nEND:VCARD\r\n"
    with pytest.raises(PayloadTooLarge, match="photo"):
        vcard.parse_card(text)
    with pytest.raises(PayloadTooLarge):
        vcard.write_card(ContactFields(formatted_name="X", photo=Photo(data=b"\0" * (vcard.PHOTO_MAX_BYTES + 1))))
    with pytest.raises(InvalidCard, match="base64"):
        vcard.parse_card(
            "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:X\r\nUID:1\r\nPHOTO:data:image/png;base64,@@@\r\nEND:VCARD\r\n"
        )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (sample("broken-line.vcf"), "cannot be read"),
        (b"BEGIN:VCARD\r\nVERSION:2.1\r\nFN:X\r\nUID:1\r\nEND:VCARD\r\n", "2.1"),
        (b"BEGIN:VCARD\r\nVERSION:3.0\r\nUID:1\r\nEND:VCARD\r\n", "FN"),
        (b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:X\r\nUID:1\r\n", "END:VCARD"),
        (b"hello", "cannot be read"),
        (b"NOTE:hello", "outside a vCard"),
        (b"", "no vCard"),
        (b"\xff\xfeB\x00", "UTF-8"),
        (sample("google-export-3.0.vcf"), "several"),
    ],
)
def test_broken_cards_get_a_clear_message(text: bytes, message: str) -> None:
    with pytest.raises(InvalidCard, match=message):
        vcard.parse_card(text)


def test_a_broken_card_in_a_stream_does_not_hide_the_others() -> None:
    data = sample("broken-line.vcf") + sample("davx5-4.0.vcf")
    results = list(vcard.parse_cards(data))
    assert isinstance(results[0], InvalidCard) and isinstance(results[1], vcard.Card)


def test_lf_only_and_folded_input_is_read() -> None:
    text = "BEGIN:VCARD\nVERSION:3.0\nFN:Very\n  Long Name\nUID:x\nEND:VCARD\n"
    assert vcard.card_index(vcard.parse_card(text)).display_name == "Very Long Name"
