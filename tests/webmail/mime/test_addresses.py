"""Recipients as text and back: parsing never adds an address, formatting quotes what a parser would misread."""

import pytest

from webmail.imap.listing import Address as EnvelopeAddress
from webmail.mime.compose import BadAddress, BadHeader, format_address_list, parse_address_list

TRICKY_NAMES = [
    "Bob Bcc: x@evil.test",
    "Smith, John",
    'Dan "the man" O\'Neil',
    "Alice <alice@example.test> (",
    "back\\slash; semi",
    "Zoë Ångström",
    "",
]


@pytest.mark.parametrize("name", TRICKY_NAMES)
def test_a_formatted_address_parses_back_to_exactly_itself(name: str) -> None:
    text = str(EnvelopeAddress(name=name, email="bob@example.test"))
    (parsed,) = parse_address_list(text)
    assert (parsed.display_name, parsed.addr_spec) == (name, "bob@example.test")
    assert format_address_list([parsed]) == text


def test_lists_split_on_commas_and_semicolons_outside_quotes() -> None:
    found = parse_address_list('"Smith, J" <j@example.test>; ann@example.test, (a, comment) b@example.test')
    assert [(a.display_name, a.addr_spec) for a in found] == [
        ("Smith, J", "j@example.test"),
        ("", "ann@example.test"),
        ("", "b@example.test"),
    ]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("Bob Bcc: x@evil.test <bob@example.test>", "put a name that contains a colon in quotes"),
        ("Alice <alice@example.test> ( <mallory@example.test>", "is not an email address"),
        ("Bob <bob@example.test", "is not an email address"),
        ("not an address", "is not an email address"),
        ("bob@localhost", "is not an email address"),
    ],
)
def test_text_that_is_not_one_plain_address_is_refused(text: str, says: str) -> None:
    with pytest.raises(BadAddress, match=says):
        parse_address_list(text)


def test_line_breaks_are_refused() -> None:
    with pytest.raises(BadHeader):
        parse_address_list("bob@example.test\r\nBcc: mallory@evil.test")


def test_international_domains_become_punycode() -> None:
    (parsed,) = parse_address_list("Jo <jo@bücher.test>")
    assert parsed.addr_spec == "jo@xn--bcher-kva.test"
