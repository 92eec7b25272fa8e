"""What the contacts pages show and read, without a database: letters, initials, type labels and the type
select's round trip, dates, links that are safe to follow, and the form's dates."""

import pytest

from contacts.vcard import PostalAddress
from contacts.views.forms import choices_for, date_input, parse_type, photo_type, type_value
from contacts.views.present import (
    address_lines,
    date_words,
    initials_of,
    letter_of,
    tel_href,
    tone_of,
    type_label,
    web_href,
)


@pytest.mark.parametrize(
    ("sort_key", "letter"),
    [("hopper grace", "H"), ("émile", "E"), ("Åsa", "A"), ("42 club", "#"), ("", "#"), ("жуков", "Ж")],
)
def test_letters(sort_key: str, letter: str) -> None:
    assert letter_of(sort_key) == letter


def test_initials_and_tones() -> None:
    assert initials_of("Grace Brewster Hopper") == "GH"
    assert initials_of("madonna") == "M"
    assert initials_of("desk@example.test") == "DT"
    assert initials_of("—") == "?"
    assert tone_of("Grace Hopper") == tone_of("grace hopper")
    assert {tone_of(f"person {n}") for n in range(200)} == set(range(8))


def test_type_labels() -> None:
    assert type_label(("cell",)) == "Mobile"
    assert type_label(("work", "fax")) == "Work fax"
    assert type_label(("voice",)) == ""
    assert type_label(("home",), "Summer house") == "Summer house"
    assert type_label(("x-custom",)) == "Custom"


def test_the_type_select_keeps_what_it_does_not_offer() -> None:
    assert type_value(("cell", "voice")) == "cell|"
    assert type_value(("work", "fax")) == "work,fax|"
    assert type_value((), "Assistant") == "|Assistant"
    assert parse_type("work,fax|") == (("work", "fax"), "")
    assert parse_type("|Assistant") == ((), "Assistant")
    assert parse_type("WORK,<script>|x") == (("work",), "x")  # junk types dropped
    phone = choices_for("phone", "work,fax|")
    assert phone[0].value == "work,fax|"
    assert phone[0].label == "Work fax"
    assert [c.label for c in phone[1:]] == ["Mobile", "Work", "Home", "Other"]
    assert [c.label for c in choices_for("email", "home|")] == ["Home", "Work", "Other"]


def test_dates() -> None:
    assert date_words("1906-12-09") == "9 December 1906"
    assert date_words("19061209") == "9 December 1906"
    assert date_words("--02-29") == "29 February"
    assert date_words("1906-13-40") == "1906-13-40"
    assert date_input("19061209") == ("date", "1906-12-09")
    assert date_input("--0229") == ("text", "--0229")
    assert date_input("") == ("date", "")


def test_links_are_only_made_where_safe() -> None:
    assert web_href("https://ada.example.org/a?b=c") == "https://ada.example.org/a?b=c"
    assert web_href("ada.example.org") == "https://ada.example.org"
    for unsafe in ("javascript:alert(1)", "data:text/html,x", "vbscript:x", "ftp://x", "not a link"):
        assert web_href(unsafe) == ""
    assert tel_href("+44 (20) 7946-0018 ext") == "tel:+442079460018"
    assert tel_href("call me") == ""


def test_address_lines() -> None:
    adr = PostalAddress(street="1000 Navy Pentagon\nRoom 4", locality="Washington", region="DC", postal_code="20350")
    assert address_lines(adr) == ["1000 Navy Pentagon", "Room 4", "20350 Washington, DC"]


def test_photo_types_come_from_the_bytes() -> None:
    assert photo_type(b"\xff\xd8\xff\xe0rest") == "image/jpeg"
    assert photo_type(b"\x89PNG\r\n\x1a\nrest") == "image/png"
    assert photo_type(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "image/webp"
    assert photo_type(b"<svg xmlns='http://www.w3.org/2000/svg'/>") == ""
