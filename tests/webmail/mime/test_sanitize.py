import random
import re
import time
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest

from webmail.mime.sanitize import SanitizedHtml, clean_style, sanitize_html, text_snippet

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "html"
HOSTILE = sorted((SAMPLES / "hostile").glob("*.html"))
BENIGN = sorted(path for path in (SAMPLES / "benign").glob("*.html") if not path.name.endswith(".expected.html"))

CID_PARTS = {"logo@allotment.example": "/mail/INBOX/42/part/2", "logo@example.test": "/mail/INBOX/42/part/3"}
PROXY = "https://roost.example.test/proxy?url="


def proxied(url: str) -> str:
    return PROXY + url


def clean(html: str, proxy_url: Callable[[str], str] | None = None) -> SanitizedHtml:
    return sanitize_html(html, cid_url=CID_PARTS.get, proxy_url=proxy_url)


# Written out again here rather than imported, so that widening the sanitiser's lists takes a deliberate test edit.
ALLOWED_TAGS = frozenset(
    {
        *("p", "div", "span", "br", "hr", "b", "strong", "i", "em", "u", "s", "strike", "sub", "sup", "small", "big"),
        *("font", "center", "blockquote", "q", "cite", "pre", "code", "kbd", "samp", "tt"),
        *("h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "dl", "dt", "dd"),
        *("table", "thead", "tbody", "tfoot", "tr", "td", "th", "caption", "colgroup", "col"),
        *("a", "img", "abbr", "address", "del", "ins", "mark", "figure", "figcaption", "section", "article"),
        *("header", "footer", "main", "nav", "aside", "details", "summary", "wbr"),
    }
)
GENERIC_ATTRIBUTES = frozenset({"style", "align", "dir", "lang", "title"})
CELL_ATTRIBUTES = frozenset({"colspan", "rowspan", "align", "valign", "width", "height", "bgcolor", "nowrap"})
ROW_ATTRIBUTES = frozenset({"align", "valign", "bgcolor", "height"})
ALLOWED_ATTRIBUTES = {
    "a": {"href", "target", "rel"},
    "img": {"src", "alt", "width", "height", "border"},
    "table": {"width", "height", "border", "cellpadding", "cellspacing", "bgcolor"},
    "thead": ROW_ATTRIBUTES,
    "tbody": ROW_ATTRIBUTES,
    "tfoot": ROW_ATTRIBUTES,
    "tr": ROW_ATTRIBUTES,
    "td": CELL_ATTRIBUTES,
    "th": CELL_ATTRIBUTES,
    "col": {"span", "width", "valign"},
    "colgroup": {"span", "width", "valign"},
    "font": {"color", "face", "size"},
    "hr": {"width", "size", "noshade"},
    "ol": {"start", "type"},
    "ul": {"type"},
    "li": {"value", "type"},
    "blockquote": {"type"},
    "details": {"open"},
}
FORBIDDEN_MARKUP = (
    *("<script", "<svg", "<math", "<iframe", "<object", "<embed", "<form", "<base", "<meta", "<link", "<style"),
    *("<input", "<button", "<textarea", "<template", "<frame", "<noscript"),
)
SAFE_IMAGE_SOURCE = re.compile(
    r"/mail/INBOX/42/part/\d+|https://roost\.example\.test/proxy\?url=https?://|data:image/(png|gif|jpeg|webp);base64,"
)


class _Markup(HTMLParser):
    """Python's own HTML parser, a second opinion on what a browser would build from the output."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.start_tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.end_tags: list[str] = []
        self.other: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.start_tags.append((tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.start_tags.append((tag, attrs))

    def handle_endtag(self, tag: str) -> None:
        self.end_tags.append(tag)

    def handle_comment(self, data: str) -> None:
        self.other.append(f"comment {data}")

    def handle_decl(self, decl: str) -> None:
        self.other.append(f"declaration {decl}")

    def handle_pi(self, data: str) -> None:
        self.other.append(f"processing instruction {data}")

    def unknown_decl(self, data: str) -> None:
        self.other.append(f"unknown declaration {data}")


def start_tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    """Tags and attributes regardless of attribute order, which nh3 does not keep when it drops one."""
    markup = _Markup()
    markup.feed(html)
    markup.close()
    return [(tag, dict(attributes)) for tag, attributes in markup.start_tags]


def assert_inert(html: str) -> None:
    """Nothing in `html` can run script, fetch from elsewhere or escape the allow-lists."""
    lowered = html.lower()
    for forbidden in FORBIDDEN_MARKUP:
        assert forbidden not in lowered
    for tag in re.findall(r"<[^>]*>", html):
        assert not re.search(r"\son[a-z]+\s*=", tag, re.IGNORECASE), tag

    markup = _Markup()
    markup.feed(html)
    markup.close()
    assert markup.other == []
    assert set(markup.end_tags) <= ALLOWED_TAGS
    for tag, attributes in markup.start_tags:
        assert tag in ALLOWED_TAGS
        for name, raw_value in attributes:
            assert name in GENERIC_ATTRIBUTES | ALLOWED_ATTRIBUTES.get(tag, set()), f"<{tag} {name}>"
            value = re.sub(r"[\x00-\x20]", "", raw_value or "").lower()
            for scheme in ("javascript:", "vbscript:", "data:text"):
                assert scheme not in value
            if name == "style":
                for css in ("url(", "expression", "@import", "position", "\\", "/*"):
                    assert css not in value
            if name == "href":
                assert value.startswith(("http://", "https://", "mailto:"))
            if name == "src":
                assert SAFE_IMAGE_SOURCE.match(raw_value or ""), raw_value
            if tag == "a" and name == "target":
                assert value == "_blank"
            if tag == "a" and name == "rel":
                assert raw_value == "noopener noreferrer"


# --- The golden corpus ---------------------------------------------------------------------------------------------


def test_the_hostile_corpus_has_one_file_per_attack_and_at_least_25_of_them() -> None:
    assert len(HOSTILE) >= 25


@pytest.mark.parametrize("sample", HOSTILE, ids=lambda path: path.stem)
@pytest.mark.parametrize("proxy_url", [None, proxied], ids=["remote-blocked", "remote-proxied"])
def test_a_hostile_sample_comes_out_inert(sample: Path, proxy_url: Callable[[str], str] | None) -> None:
    result = clean(sample.read_text(encoding="utf-8"), proxy_url)

    assert_inert(result.html)


@pytest.mark.parametrize("sample", BENIGN, ids=lambda path: path.stem)
def test_a_benign_newsletter_matches_its_golden_output(sample: Path) -> None:
    expected = sample.with_name(f"{sample.stem}.expected.html").read_text(encoding="utf-8")

    result = clean(sample.read_text(encoding="utf-8"))

    assert result.html == expected
    assert_inert(result.html)


def test_the_newsletter_counts_its_two_blocked_remote_images() -> None:
    html = (SAMPLES / "benign" / "newsletter_table.html").read_text(encoding="utf-8")

    assert clean(html).blocked_remote == 2
    assert clean(html, proxied).blocked_remote == 0


@pytest.mark.parametrize("sample", BENIGN, ids=lambda path: path.stem)
def test_sanitising_twice_changes_nothing(sample: Path) -> None:
    # Without cid parts: a second pass would rightly drop their relative part URLs.
    once = sanitize_html(sample.read_text(encoding="utf-8"), cid_url=lambda _cid: None, proxy_url=proxied).html

    twice = sanitize_html(once, cid_url=lambda _cid: None, proxy_url=lambda url: url).html

    assert twice == once


# --- Tags ------------------------------------------------------------------------------------------------------------


def test_given_formatting_and_layout_tags_when_sanitised_then_they_are_kept() -> None:
    html = (
        "<h2>Title</h2><p><b>b</b><i>i</i><u>u</u><s>s</s><sub>1</sub><sup>2</sup><code>c</code></p>"
        "<ul><li>one</li></ul><blockquote>q</blockquote><details><summary>s</summary>d</details><hr>"
    )

    assert clean(html).html == html


@pytest.mark.parametrize(
    "tag",
    ["script", "style", "title", "noscript", "template", "iframe", "object", "svg", "math", "textarea", "select"],
)
def test_given_a_dangerous_tag_when_sanitised_then_it_goes_with_its_content(tag: str) -> None:
    result = clean(f"<p>kept</p><{tag}>secret</{tag}>")

    assert result.html == "<p>kept</p>"


def test_given_unknown_or_office_tags_when_sanitised_then_only_their_text_is_kept() -> None:
    html = "<o:p>office</o:p><blink>blink</blink><form action='https://evil.test/'><p>inside</p></form>"

    assert clean(html).html == "officeblink<p>inside</p>"


def test_given_uppercase_and_unclosed_tags_when_sanitised_then_they_are_normalised() -> None:
    assert clean("<P><B>bold<I>both").html == "<p><b>bold<i>both</i></b></p>"


# --- Attributes ------------------------------------------------------------------------------------------------------


def test_event_handlers_class_id_and_name_never_survive() -> None:
    html = '<p onclick="alert(1)" class="x" id="y" name="z" data-x="1" style="color: red" title="t">p</p>'

    assert clean(html).html == '<p style="color: red" title="t">p</p>'


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ('<table width="100%" border="0" cellpadding="4">', '<table width="100%" border="0" cellpadding="4">'),
        ('<table width="expression(alert(1))">', "<table>"),
        (
            '<table><tr><td bgcolor="#FFCC00" align="LEFT" valign="Top" colspan="2">',
            '<td bgcolor="#FFCC00" align="left" valign="top" colspan="2">',
        ),
        ('<table><tr><td bgcolor="red;background:url(x)" valign="sideways" colspan="two">', "<td>"),
        ('<font color="red" face="Arial" size="+1">', '<font color="red" face="Arial" size="+1">'),
        ('<font face="&lt;x&gt;">', "<font>"),
        ('<p dir="RTL" lang="he">', '<p dir="rtl" lang="he">'),
        ('<p dir="sideways" lang="he;x">', "<p>"),
        ('<ol type="a" start="3">', '<ol type="a" start="3">'),
        ('<ol type="square">', "<ol>"),
    ],
)
def test_presentational_attributes_are_kept_only_with_plausible_values(html: str, expected: str) -> None:
    assert expected in clean(html).html


def test_given_a_title_or_alt_reading_as_a_script_url_when_sanitised_then_it_is_dropped() -> None:
    html = (
        '<abbr title="java script:alert(1)">a</abbr><img alt="DATA:text/html,x"><abbr title="Tea &amp; cake">b</abbr>'
    )

    assert clean(html).html == '<abbr>a</abbr><img><abbr title="Tea &amp; cake">b</abbr>'


# --- Links -----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("href", "expected"),
    [
        ("https://example.test/a?b=1&amp;c=2", "https://example.test/a?b=1&amp;c=2"),
        ("http://example.test/", "http://example.test/"),
        ("  HTTPS://example.test/", "HTTPS://example.test/"),
        ("mailto:bob@example.test?subject=Hi", "mailto:bob@example.test?subject=Hi"),
    ],
)
def test_given_a_web_or_mail_link_when_sanitised_then_its_href_is_kept(href: str, expected: str) -> None:
    result = clean(f'<a href="{href}">x</a>')

    assert result.html == f'<a href="{expected}" target="_blank" rel="noopener noreferrer">x</a>'


@pytest.mark.parametrize(
    "href",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " \x01javascript:alert(1)",
        "jav&#x09;ascript:alert(1)",
        "jav&#x0A;ascript:alert(1)",
        "&#106;avascript:alert(1)",
        "&#x6A;avascript&colon;alert(1)",
        "vbscript:msgbox(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "data:image/png;base64,AAAA",
        "file:///etc/passwd",
        "ftp://example.test/",
        "cid:logo@example.test",
        "/relative/path",
        "//evil.test/protocol-relative",
        "#fragment",
    ],
)
def test_given_any_other_link_when_sanitised_then_the_href_is_dropped(href: str) -> None:
    result = clean(f'<a href="{href}">x</a>')

    assert start_tags(result.html) == [("a", {"target": "_blank", "rel": "noopener noreferrer"})]


def test_every_link_opens_in_a_new_tab_without_an_opener_whatever_it_asked_for() -> None:
    result = clean('<a href="https://example.test/" target="_top" rel="opener" ping="https://t.test/">x</a>')

    assert result.html == '<a href="https://example.test/" target="_blank" rel="noopener noreferrer">x</a>'


# --- Images ----------------------------------------------------------------------------------------------------------


def test_given_a_cid_image_when_sanitised_then_it_points_at_the_inline_part() -> None:
    assert clean('<img src="cid:logo@example.test" alt="Logo">').html == '<img src="/mail/INBOX/42/part/3" alt="Logo">'


def test_given_a_percent_encoded_cid_when_sanitised_then_it_is_looked_up_decoded() -> None:
    looked_up: list[str] = []

    sanitize_html('<img src="cid:a%40b.test">', cid_url=lambda cid: looked_up.append(cid), proxy_url=None)

    assert looked_up == ["a@b.test"]


def test_given_a_cid_of_no_part_when_sanitised_then_the_src_is_dropped() -> None:
    assert clean('<img src="cid:nothing@example.test" alt="x">').html == '<img alt="x">'


def test_given_remote_images_and_remote_content_blocked_then_they_lose_src_and_are_counted() -> None:
    result = clean('<img src="https://t.test/a.png"><img src="http://t.test/b.png"><img src="cid:logo@example.test">')

    assert result == SanitizedHtml(html='<img><img><img src="/mail/INBOX/42/part/3">', blocked_remote=2)


def test_given_remote_images_and_remote_content_allowed_then_they_go_through_the_proxy() -> None:
    seen: list[str] = []

    def proxy(url: str) -> str:
        seen.append(url)
        return "/proxy/1"

    html = '<img src=" https://t.test/a&#x09;b.png?x=1&amp;y=2">'

    result = sanitize_html(html, cid_url=CID_PARTS.get, proxy_url=proxy)

    assert result == SanitizedHtml(html='<img src="/proxy/1">', blocked_remote=0)
    assert seen == ["https://t.test/ab.png?x=1&y=2"]


@pytest.mark.parametrize("kind", ["png", "gif", "jpeg", "webp", "PNG"])
def test_given_a_raster_data_image_when_sanitised_then_it_is_kept(kind: str) -> None:
    result = clean(f'<img src="data:image/{kind};base64,iVBO Rw0K\nGgo=">')

    assert result.html == f'<img src="data:image/{kind.lower()};base64,iVBORw0KGgo=">'


@pytest.mark.parametrize(
    "src",
    [
        "data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+",
        "data:image/svg+xml,<svg onload=alert(1)>",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "data:image/png,raw-not-base64",
        "data:image/png;base64,<script>",
        "javascript:alert(1)",
        "//tracker.test/pixel.gif",
        "pixel.gif",
    ],
)
def test_given_any_other_image_source_when_sanitised_then_the_src_is_dropped_uncounted(src: str) -> None:
    assert clean(f'<img src="{src}">') == SanitizedHtml(html="<img>", blocked_remote=0)


def test_srcset_lowsrc_and_background_attributes_never_fetch_anything() -> None:
    html = (
        '<img srcset="https://t.test/a.png 2x" lowsrc="https://t.test/l.png"><table background="https://t.test/b.png">'
    )

    assert clean(html, proxied).html == "<img><table></table>"


# --- Inline CSS ------------------------------------------------------------------------------------------------------


def test_given_allowed_declarations_when_cleaned_then_they_are_kept_and_normalised() -> None:
    style = "COLOR:Red;  font-family: 'Helvetica Neue',  Arial ; margin:0 auto;border-top:1px solid #ccc;display:none"

    assert clean_style(style) == (
        "color: Red; font-family: 'Helvetica Neue', Arial; margin: 0 auto; border-top: 1px solid #ccc; display: none"
    )


@pytest.mark.parametrize(
    "declaration",
    [
        "background: url(https://tracker.test/p.gif)",
        "background-image: URL ( 'https://tracker.test/p.gif' )",
        "background: image-set('https://tracker.test/p.png' 1x)",
        "width: expression(alert(1))",
        "color: expression",
        "color: red /* comment */",
        "color: r\\65 d",
        "background: u\\72l(x)",
        "color: javascript:alert(1)",
        "font-family: @import",
        "behavior: url(x.htc)",
        "-moz-binding: url(x.xml#xss)",
        "color: red</style><script>",
        "position: fixed",
        "position: absolute",
        "position: relative",
        "display: flex",
        "display: contents",
        "float: inline-start",
        "margin-top: -500px",
        "margin: 0 0 0 -20px",
        "text-indent: -9999px",
        "width: calc(100% - 10px)",
        "color: var(--evil)",
        "color: attr(title)",
        "color: 'red'",
        'font-family: "unbalanced',
        "border-image: url(x) 30 round",
        "z-index: 9999",
        "transform: translateY(-100px)",
        "content: 'x'",
        "cursor: url(x.cur), auto",
        "list-style-image: url(x.png)",
    ],
)
def test_given_a_dangerous_or_unknown_declaration_when_cleaned_then_it_is_dropped(declaration: str) -> None:
    assert clean_style(f"{declaration}; color: blue") == "color: blue"


def test_given_important_declarations_when_cleaned_then_important_is_kept_but_not_abused() -> None:
    cleaned = clean_style("display: none !important; color:red!IMPORTANT")

    assert cleaned == "display: none !important; color: red !important"
    assert clean_style("display: none ! important !important") is None


def test_given_colour_functions_when_cleaned_then_they_are_kept() -> None:
    assert clean_style("color: rgb(0, 0, 0); background-color: rgba(0,0,0,.5)") == (
        "color: rgb(0, 0, 0); background-color: rgba(0,0,0,.5)"
    )


def test_given_a_style_with_nothing_left_when_sanitised_then_the_attribute_goes() -> None:
    assert clean('<p style="position: fixed; top: 0">x</p>').html == "<p>x</p>"


def test_given_entity_encoded_css_when_sanitised_then_it_is_judged_decoded() -> None:
    assert clean('<p style="background:u&#114;l(https://t.test/x.png);color:red">x</p>').html == (
        '<p style="color: red">x</p>'
    )


# --- Robustness ------------------------------------------------------------------------------------------------------


def test_given_nul_bytes_when_sanitised_then_they_are_gone() -> None:
    assert clean("<p>a\x00b</p><a href='java\x00script:alert(1)'>x</a>").html == (
        '<p>ab</p><a target="_blank" rel="noopener noreferrer">x</a>'
    )


def test_given_huge_input_when_sanitised_then_it_completes() -> None:
    html = '<p style="color: red">Hello <a href="https://example.test/">there</a></p>' * 9_000 + "x" * 5_000_000

    result = clean(html)

    assert result.html.count('<p style="color: red">') == 9_000


def test_given_pathologically_deep_nesting_when_sanitised_then_it_is_shown_as_text_quickly() -> None:
    started = time.monotonic()

    result = clean("<div>" * 100_000 + "deep <script>alert(1)</script>text &amp; more")

    assert time.monotonic() - started < 10
    assert "deep" in result.html
    assert "text &amp; more" in result.html
    assert "alert" not in result.html
    assert_inert(result.html)


def test_given_random_hostile_fragments_when_sanitised_then_every_output_is_inert() -> None:
    pieces = [*"<>\"'= \t\n&;:", "</", "/>", "&#", "x09;", "#106;", "<!--", "--!>", "-->", "<![CDATA[", "]]>"]
    pieces += ["svg", "math", "script", "style", "img", "a", "p", "table", "td", "mglyph", "mtext", "noscript", "xmp"]
    pieces += ["iframe", "textarea", "title", "template", "foreignObject", "annotation-xml", "encoding", "text/html"]
    pieces += [" href=", " src=", " style=", " onerror=", " xlink:href=", " srcset=", " background=", " title="]
    pieces += ["javascript:", "jav&#x09;ascript:", "alert(1)", "url(", "expression(", "position:fixed", "color:red"]
    pieces += ["cid:logo@example.test", "data:image/png;base64,AA", "data:text/html,", "http://t.test/x", "//t.test"]
    generator = random.Random(20250501)

    for _ in range(2_000):
        html = "".join(generator.choice(pieces) for _ in range(generator.randint(1, 60)))
        assert_inert(clean(html).html)
        assert_inert(clean(html, proxied).html)


def test_a_failing_callback_drops_the_attribute_instead_of_raising(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.unraisablehook", lambda _unraisable: None)

    def broken(_cid: str) -> str:
        raise RuntimeError("boom")

    assert sanitize_html('<img src="cid:x@y" alt="a">', cid_url=broken, proxy_url=None).html == '<img alt="a">'


# --- Snippets --------------------------------------------------------------------------------------------------------


def test_given_a_full_html_message_when_snippeted_then_only_its_visible_text_remains() -> None:
    html = (
        "<html><head><title>Subject</title><style>p { color: red }</style></head>"
        "<body><p>Hello&nbsp;&amp; welcome</p><p>to   the\n list &lt;b&gt;</p><script>alert(1)</script></body></html>"
    )

    assert text_snippet(html) == "Hello & welcome to the list <b>"


def test_given_double_escaped_entities_when_snippeted_then_they_are_unescaped_only_once() -> None:
    assert text_snippet("<p>&amp;lt;script&amp;gt;</p>") == "&lt;script&gt;"


def test_given_plain_text_when_snippeted_then_it_is_kept_with_whitespace_collapsed() -> None:
    assert text_snippet("Hi Bob,\n\n  is 3 < 4?  ") == "Hi Bob, is 3 < 4?"


def test_given_long_text_when_snippeted_then_it_is_cut_with_an_ellipsis_within_the_length() -> None:
    snippet = text_snippet("word " * 100, length=20)

    assert snippet == "word word word word…"
    assert len(snippet) <= 20
