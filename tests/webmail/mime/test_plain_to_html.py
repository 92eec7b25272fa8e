import random

import pytest

from tests.webmail.mime.test_sanitize import assert_inert, start_tags
from webmail.mime.sanitize import plain_to_html, sanitize_html

OPEN = '<div style="white-space: pre-wrap">'
CLOSE = "</div>"


def link(url: str, text: str | None = None) -> str:
    return f'<a href="{url}" target="_blank" rel="noopener noreferrer">{text or url}</a>'


def shown(text: str) -> str:
    """What the reader gets: plain text converted, then sanitised as the caller always does."""
    return sanitize_html(plain_to_html(text), cid_url=lambda _cid: None, proxy_url=None).html


# --- Text and lines --------------------------------------------------------------------------------------------------


def test_given_markup_in_plain_text_when_converted_then_it_is_shown_not_interpreted() -> None:
    assert plain_to_html("<b>hi</b> & <script>alert('x')</script>") == (
        f"{OPEN}&lt;b&gt;hi&lt;/b&gt; &amp; &lt;script&gt;alert('x')&lt;/script&gt;{CLOSE}"
    )


def test_given_entities_in_plain_text_when_converted_then_they_stay_literal() -> None:
    assert plain_to_html("&lt;b&gt; &amp; &#106;") == f"{OPEN}&amp;lt;b&amp;gt; &amp;amp; &amp;#106;{CLOSE}"


def test_given_several_lines_when_converted_then_breaks_and_indentation_are_kept() -> None:
    assert plain_to_html("Hi,\n\n    indented\n\tand tabbed\n") == f"{OPEN}Hi,\n\n    indented\n\tand tabbed{CLOSE}"


def test_given_crlf_or_cr_line_endings_when_converted_then_they_become_newlines() -> None:
    assert plain_to_html("one\r\ntwo\rthree") == f"{OPEN}one\ntwo\nthree{CLOSE}"


def test_given_nul_bytes_and_no_break_spaces_when_converted_then_nul_goes_and_nbsp_is_escaped() -> None:
    assert plain_to_html("a\x00b\xa0c") == f"{OPEN}ab&nbsp;c{CLOSE}"


def test_given_empty_text_when_converted_then_the_block_is_empty() -> None:
    assert plain_to_html("") == f"{OPEN}{CLOSE}"


# --- Quoting ---------------------------------------------------------------------------------------------------------


def test_given_quoted_lines_when_converted_then_each_level_is_a_nested_blockquote() -> None:
    text = "Sure.\n\nBob wrote:\n> Lunch?\n> > Alice wrote:\n>> Friday\n> ok\nSee you"

    assert plain_to_html(text) == (
        f"{OPEN}Sure.\n\nBob wrote:<blockquote>Lunch?<blockquote>Alice wrote:\nFriday</blockquote>ok</blockquote>"
        f"See you{CLOSE}"
    )


def test_given_a_message_ending_inside_a_quote_when_converted_then_every_blockquote_is_closed() -> None:
    assert plain_to_html(">> deep") == f"{OPEN}<blockquote><blockquote>deep</blockquote></blockquote>{CLOSE}"


def test_given_absurdly_deep_quoting_when_converted_then_nesting_is_capped() -> None:
    html = plain_to_html(">" * 10_000 + " deep")

    assert html.count("<blockquote>") == 16
    assert "deep" in html


def test_given_a_greater_than_sign_inside_a_line_when_converted_then_it_is_not_a_quote() -> None:
    assert plain_to_html("3 > 2") == f"{OPEN}3 &gt; 2{CLOSE}"


# --- Links -----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("see https://example.test/a/b?x=1", f"see {link('https://example.test/a/b?x=1')}"),
        ("HTTP://EXAMPLE.TEST/", link("HTTP://EXAMPLE.TEST/")),
        ("http://192.0.2.1:8080/status", link("http://192.0.2.1:8080/status")),
        ("Read https://example.test/a.", f"Read {link('https://example.test/a')}."),
        ("Really? https://example.test/a?!", f"Really? {link('https://example.test/a')}?!"),
        ("(see https://example.test/a)", f"(see {link('https://example.test/a')})"),
        ("https://en.example.test/wiki/Bee_(insect).", f"{link('https://en.example.test/wiki/Bee_(insect)')}."),
        ("[https://example.test/x]", f"[{link('https://example.test/x')}]"),
        ("<https://example.test/x>", f"&lt;{link('https://example.test/x')}&gt;"),
        ('"https://example.test/x"', f'"{link("https://example.test/x")}"'),
        ("'https://example.test/x'", f"'{link('https://example.test/x')}'"),
        ("a,https://example.test/x,b", f"a,{link('https://example.test/x,b')}"),
    ],
)
def test_given_a_web_url_when_converted_then_it_becomes_a_link_without_its_punctuation(
    text: str, expected: str
) -> None:
    assert plain_to_html(text) == f"{OPEN}{expected}{CLOSE}"


def test_given_ampersands_in_a_url_when_converted_then_they_are_escaped_exactly_once() -> None:
    assert plain_to_html("https://example.test/?a=1&b=2") == (
        f"{OPEN}{link('https://example.test/?a=1&amp;b=2')}{CLOSE}"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mail bob@example.test.", f"Mail {link('mailto:bob@example.test', 'bob@example.test')}."),
        (
            "Bob <bob+lists@mail.example.test>",
            f"Bob &lt;{link('mailto:bob+lists@mail.example.test', 'bob+lists@mail.example.test')}&gt;",
        ),
        ("mailto:bob@example.test?subject=Hi", link("mailto:bob@example.test?subject=Hi")),
    ],
)
def test_given_a_mail_address_when_converted_then_it_becomes_a_mailto_link(text: str, expected: str) -> None:
    assert plain_to_html(text) == f"{OPEN}{expected}{CLOSE}"


@pytest.mark.parametrize(
    "text",
    [
        "http://",
        "http://:80/",
        "https://b.80/",
        "http://999.1.1.1/",
        "https://paypal.example.test@evil.test/login",
        "mailto:",
        "mailto:)",
        "xhttp://example.test/",
        "javascript:alert(1)",
        "www.example.test",
        "bob@localhost",
    ],
)
def test_given_something_that_is_no_proper_link_when_converted_then_it_stays_text(text: str) -> None:
    assert "<a " not in plain_to_html(text)


# --- Hostile plain text ----------------------------------------------------------------------------------------------

HOSTILE_TEXT = [
    'http://x/"onmouseover="alert(1)',
    "http://x/'onmouseover='alert(1)",
    "http://a.test/<img src=x onerror=alert(1)>",
    'http://a.test/?q="><script>alert(1)</script>',
    "<script>alert(1)</script>",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)//http://a.test/",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "<a href=javascript:alert(1)>click</a>",
    "x@y.test<img src=x onerror=alert(1)>",
    "mailto:x@y.test?body=<script>alert(1)</script>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "http://a.test/&quot;onmouseover=&quot;alert(1)",
    "> <svg onload=alert(1)>\n>> <iframe src=javascript:alert(1)>",
    "<!-- http://a.test/ --><style>*{}</style>",
    "+ADw-script+AD4-alert(1)+ADw-/script+AD4-",
    "</div><script>alert(1)</script><div>",
    "</blockquote></div><img src=x onerror=alert(1)>",
    "\x00<scr\x00ipt>alert(1)</script>",
]


@pytest.mark.parametrize("text", HOSTILE_TEXT)
def test_given_hostile_plain_text_when_converted_and_sanitised_then_nothing_can_run(text: str) -> None:
    html = shown(text)

    assert_inert(html)
    for tag, attributes in start_tags(html):
        assert tag in {"div", "blockquote", "a"}
        if tag == "a":
            assert str(attributes["href"]).lower().startswith(("http://", "https://", "mailto:"))


def test_given_a_quote_breaking_url_when_shown_then_the_link_ends_at_the_quote() -> None:
    html = shown('http://x.test/"onmouseover="alert(1)')

    assert html == f'{OPEN}{link("http://x.test/")}"onmouseover="alert(1){CLOSE}'


@pytest.mark.parametrize(
    "text",
    [
        *HOSTILE_TEXT,
        "Hi Alice,\n\nsee https://example.test/a?b=1&c=2 (and bob@example.test).\n> quoted\n> > deeper\nBye",
        "Prices: 3 < 4 & 5 > 2; \"quotes\" and 'apostrophes'\xa0here",
        "(https://en.example.test/wiki/Bee_(insect)), https://192.0.2.1:8443/x#frag, mailto:a@b.test?cc=c@d.test",
    ],
)
def test_sanitize_html_leaves_plain_to_html_output_byte_for_byte_unchanged(text: str) -> None:
    html = plain_to_html(text)

    assert shown(text) == html


def test_given_random_text_when_converted_then_sanitising_changes_nothing() -> None:
    pieces = [*"<>&\"'=/: \n\t-.@()[];?#_%+", "http://", "https://", "mailto:", "x@y.test", "a", "é", "ü.de"]
    pieces += ["\xa0", "javascript:", "\r", "\x00", "日本", ":8080", "192.0.2.1", "> ", ">>"]
    generator = random.Random(20250501)

    for _ in range(3_000):
        text = "".join(generator.choice(pieces) for _ in range(generator.randint(0, 30)))
        html = plain_to_html(text)
        assert shown(text) == html, text


def test_given_huge_plain_text_when_converted_then_it_completes() -> None:
    text = ("A line with https://example.test/x?y=1&z=2 and bob@example.test in it.\n> quoted\n" * 20_000) + (
        "https://" + "a" * 1_000_000 + ")" * 100_000
    )

    html = plain_to_html(text)

    assert html.count("<blockquote>") == 20_000
