"""Making mail bodies safe to show inside Roost's own pages.

`sanitize_html` is the only way mail HTML reaches a template. Its last step is a single `nh3.clean` call: every
rewrite (cid: images, the image proxy, inline CSS) happens in that call's attribute filter, so nothing can undo
the sanitiser's escaping afterwards. Everything here fails closed: an unknown tag, attribute, URL form or CSS
property is dropped, never passed through.
"""

import html as html_lib
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote

import nh3

__all__ = ["SanitizedHtml", "clean_style", "plain_to_html", "sanitize_html", "text_snippet"]


@dataclass(frozen=True)
class SanitizedHtml:
    html: str
    blocked_remote: int


# --- The allow-lists ---------------------------------------------------------------------------------------------

_TAGS = frozenset(
    {
        *("p", "div", "span", "br", "hr", "b", "strong", "i", "em", "u", "s", "strike", "sub", "sup", "small"),
        *("big", "font", "center", "blockquote", "q", "cite", "pre", "code", "kbd", "samp", "tt"),
        *("h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "dl", "dt", "dd"),
        *("table", "thead", "tbody", "tfoot", "tr", "td", "th", "caption", "colgroup", "col"),
        *("a", "img", "abbr", "address", "del", "ins", "mark", "figure", "figcaption"),
        *("section", "article", "header", "footer", "main", "nav", "aside", "details", "summary", "wbr"),
    }
)

# Removed together with everything inside them: their text is code, metadata or a fallback, never the message.
# svg and math go wholesale because their foreign-content parsing rules are where mutation XSS lives.
_CLEAN_CONTENT_TAGS = frozenset(
    {
        *("script", "style", "title", "head", "noscript", "template", "xmp", "noembed", "noframes"),
        *("iframe", "frame", "frameset", "object", "embed", "applet", "svg", "math"),
        *("textarea", "select", "option", "button"),
    }
)

_ROW_ATTRIBUTES = frozenset({"align", "valign", "bgcolor", "height"})
_CELL_ATTRIBUTES = frozenset({"colspan", "rowspan", "align", "valign", "width", "height", "bgcolor", "nowrap"})
_ATTRIBUTES: dict[str, frozenset[str]] = {
    "*": frozenset({"style", "align", "dir", "lang", "title"}),
    "a": frozenset({"href"}),
    "img": frozenset({"src", "alt", "width", "height", "border"}),
    "table": frozenset({"width", "height", "border", "cellpadding", "cellspacing", "bgcolor"}),
    "thead": _ROW_ATTRIBUTES,
    "tbody": _ROW_ATTRIBUTES,
    "tfoot": _ROW_ATTRIBUTES,
    "tr": _ROW_ATTRIBUTES,
    "td": _CELL_ATTRIBUTES,
    "th": _CELL_ATTRIBUTES,
    "col": frozenset({"span", "width", "valign"}),
    "colgroup": frozenset({"span", "width", "valign"}),
    "font": frozenset({"color", "face", "size"}),
    "hr": frozenset({"width", "size", "noshade"}),
    "ol": frozenset({"start", "type"}),
    "ul": frozenset({"type"}),
    "li": frozenset({"value", "type"}),
    "blockquote": frozenset({"type"}),
    "details": frozenset({"open"}),
}

_LINK_REL = "noopener noreferrer"
_LINK_SCHEMES = frozenset({"http", "https", "mailto"})
# nh3 checks schemes before the attribute filter sees a URL; cid and data get past it here only so that the
# filter can decide, per tag, what they may become.
_NH3_URL_SCHEMES = frozenset(_LINK_SCHEMES | {"cid", "data"})

# Start tags beyond which html5ever's tree builder, quadratic in nesting depth, would hold a worker for seconds.
_MAX_START_TAGS = 20_000


# --- Presentational attributes -----------------------------------------------------------------------------------

_NUMBER = re.compile(r"[+-]?\d{1,4}")
_LENGTH = re.compile(r"\d{1,5}(?:\.\d{1,3})?(?:px|%)?", re.IGNORECASE)
_COLOUR = re.compile(r"#?[0-9a-z]{1,20}", re.IGNORECASE)
_FONT_FACE = re.compile(r"[\w ,'\"-]{1,200}")
_LANGUAGE = re.compile(r"[a-z]{1,8}(?:-[a-z0-9]{1,8})*", re.IGNORECASE)
_ALIGN = frozenset({"left", "right", "center", "justify", "top", "middle", "bottom", "baseline"})
_VALIGN = frozenset({"top", "middle", "bottom", "baseline"})
_DIRECTIONS = frozenset({"ltr", "rtl", "auto"})
_LIST_TYPES = {
    "ol": frozenset({"1", "a", "A", "i", "I"}),
    "ul": frozenset({"disc", "circle", "square"}),
    "li": frozenset({"1", "a", "A", "i", "I", "disc", "circle", "square"}),
    "blockquote": frozenset({"cite"}),
}
_SCRIPT_SCHEMES = ("javascript:", "vbscript:", "data:text")
_CONTROLS_AND_SPACES = re.compile(r"[\x00-\x20]")
_BOOLEAN_ATTRIBUTES = frozenset({"nowrap", "noshade", "open"})
_NUMERIC_ATTRIBUTES = frozenset(
    {"border", "cellpadding", "cellspacing", "colspan", "rowspan", "span", "size", "start", "value"}
)


def _presentational(tag: str, attribute: str, value: str) -> str | None:
    value = value.strip()
    if attribute in {"title", "alt"}:
        # Harmless as a tooltip, but no attribute value should ever read as a script URL to whatever consumes it.
        squashed = _CONTROLS_AND_SPACES.sub("", value).lower()
        return None if any(scheme in squashed for scheme in _SCRIPT_SCHEMES) else value
    if attribute in _BOOLEAN_ATTRIBUTES:
        return ""
    if attribute in _NUMERIC_ATTRIBUTES:
        return value if _NUMBER.fullmatch(value) else None
    if attribute in {"width", "height"}:
        return value if _LENGTH.fullmatch(value) else None
    if attribute in {"bgcolor", "color"}:
        return value if _COLOUR.fullmatch(value) else None
    if attribute == "face":
        return value if _FONT_FACE.fullmatch(value) else None
    if attribute == "lang":
        return value if _LANGUAGE.fullmatch(value) else None
    if attribute == "align":
        return value.lower() if value.lower() in _ALIGN else None
    if attribute == "valign":
        return value.lower() if value.lower() in _VALIGN else None
    if attribute == "dir":
        return value.lower() if value.lower() in _DIRECTIONS else None
    if attribute == "type":
        return value if value in _LIST_TYPES.get(tag, ()) else None
    return None


# --- URLs ----------------------------------------------------------------------------------------------------------

# Browsers drop tabs and newlines anywhere in a URL and C0 controls or spaces around it before reading the scheme.
_URL_INVISIBLE = re.compile(r"[\t\n\r]")
_URL_EDGES = "".join(chr(code) for code in range(0x21))
_SCHEME = re.compile(r"([a-z][a-z0-9+.-]*):", re.IGNORECASE)
_DATA_IMAGE = re.compile(r"data:image/(png|gif|jpeg|webp);base64,([a-z0-9+/]*={0,2})", re.IGNORECASE)
_WHITESPACE = re.compile(r"\s+")


def _split_url(value: str) -> tuple[str, str]:
    """The URL as a browser would read it and its lower-case scheme ("" for a relative URL)."""
    url = _URL_INVISIBLE.sub("", value).strip(_URL_EDGES)
    scheme = _SCHEME.match(url)
    return url, scheme.group(1).lower() if scheme else ""


def _link_href(value: str) -> str | None:
    url, scheme = _split_url(value)
    return url if scheme in _LINK_SCHEMES else None


# --- Inline CSS ----------------------------------------------------------------------------------------------------

_SIDES = ("top", "right", "bottom", "left")
_CORNERS = ("top-left", "top-right", "bottom-right", "bottom-left")
_CSS_PROPERTIES = frozenset(
    {
        *("color", "background-color", "background"),
        *("font", "font-family", "font-size", "font-style", "font-weight", "font-variant", "font-stretch"),
        *("text-align", "text-decoration", "text-decoration-line", "text-decoration-color", "text-decoration-style"),
        *("text-indent", "text-transform", "text-shadow", "text-overflow"),
        *("line-height", "letter-spacing", "word-spacing", "white-space", "word-break", "word-wrap", "overflow-wrap"),
        *("margin", "padding", *(f"margin-{side}" for side in _SIDES), *(f"padding-{side}" for side in _SIDES)),
        *("border", "border-color", "border-style", "border-width", "border-radius"),
        *(f"border-{side}" for side in _SIDES),
        *(f"border-{side}-{part}" for side in _SIDES for part in ("color", "style", "width")),
        *(f"border-{corner}-radius" for corner in _CORNERS),
        *("border-collapse", "border-spacing", "table-layout", "caption-side", "empty-cells"),
        *("width", "height", "max-width", "min-width", "max-height", "min-height"),
        *("display", "vertical-align", "float", "clear", "list-style-type", "list-style-position", "direction"),
    }
)
_CSS_KEYWORDS = {
    "display": frozenset(
        {
            *("block", "inline", "inline-block", "none", "list-item", "table", "inline-table", "table-row"),
            *("table-cell", "table-row-group", "table-header-group", "table-footer-group"),
            *("table-column", "table-column-group", "table-caption"),
        }
    ),
    "float": frozenset({"left", "right", "none"}),
    "clear": frozenset({"left", "right", "both", "none"}),
    "direction": frozenset({"ltr", "rtl"}),
    "table-layout": frozenset({"auto", "fixed"}),
    "border-collapse": frozenset({"collapse", "separate"}),
}
# Negative offsets would let a message slide over the Roost UI around it, as `position` would.
_CSS_NO_NEGATIVE = frozenset({"margin", *(f"margin-{side}" for side in _SIDES), "text-indent"})
_CSS_QUOTES_ALLOWED = frozenset({"font", "font-family"})
# No colon, semicolon, braces, backslash, at-sign, ampersand, angle brackets or asterisk: that rules out escapes,
# comments, at-rules, `javascript:` and breaking out of the declaration or the attribute.
_CSS_VALUE = re.compile(r"[\w\s#%.,()'\"+\-/]*")
_CSS_PARENTHESES = re.compile(r"[^()]*(?:\([^()]*\)[^()]*)*")
_CSS_FUNCTION = re.compile(r"([\w-]*)\s*\(")
_CSS_FUNCTIONS = frozenset({"rgb", "rgba", "hsl", "hsla"})
_CSS_BANNED_WORDS = ("expression", "javascript", "vbscript", "behavior", "binding", "import")
_CSS_IMPORTANT = re.compile(r"!\s*important$", re.IGNORECASE)
_CSS_MAX_VALUE = 500


def _css_value(name: str, value: str) -> str | None:
    important = _CSS_IMPORTANT.search(value)
    if important:
        value = value[: important.start()].rstrip()
    lowered = value.lower()
    if not value or len(value) > _CSS_MAX_VALUE or not _CSS_VALUE.fullmatch(value):
        return None
    if any(word in lowered for word in _CSS_BANNED_WORDS):
        return None
    if not _CSS_PARENTHESES.fullmatch(value):
        return None
    if any(function.group(1).lower() not in _CSS_FUNCTIONS for function in _CSS_FUNCTION.finditer(value)):
        return None
    if ('"' in value or "'" in value) and (
        name not in _CSS_QUOTES_ALLOWED or value.count('"') % 2 or value.count("'") % 2
    ):
        return None
    if name in _CSS_NO_NEGATIVE and "-" in value:
        return None
    if name in _CSS_KEYWORDS and lowered not in _CSS_KEYWORDS[name]:
        return None
    return f"{value} !important" if important else value


def clean_style(style: str) -> str | None:
    """Roost's own CSS allow-list for a `style` attribute: `prop: value; ...` with unsafe declarations dropped.

    Declarations are split naively on `;`; a value that needed a quoted `;` is malformed by this reading and gets
    dropped, which keeps what we keep and what the browser parses the same.
    """
    kept = []
    for declaration in style.split(";"):
        name, colon, raw_value = declaration.partition(":")
        name = name.strip().lower()
        if not colon or name not in _CSS_PROPERTIES:
            continue
        value = _css_value(name, " ".join(raw_value.split()))
        if value is not None:
            kept.append(f"{name}: {value}")
    return "; ".join(kept) or None


# --- HTML ----------------------------------------------------------------------------------------------------------

_START_TAG = re.compile(r"<[a-z]", re.IGNORECASE)
# Unterminated comments and blocks run to the end, and a tag stops at the next `<`: each keeps the scan linear.
_DROPPED_BLOCK = re.compile(
    r"<!--(?:.*?-->|.*\Z)|<(script|style|title|head)\b(?:.*?</\1\s*>|.*\Z)", re.IGNORECASE | re.DOTALL
)
_ANY_TAG = re.compile(r"</?[a-z!?][^<>]*>?", re.IGNORECASE)


def _markup_to_text(html: str) -> str:
    """A rough text rendering for markup too big to parse in time; what it lets through is escaped later anyway."""
    return html_lib.unescape(_ANY_TAG.sub(" ", _DROPPED_BLOCK.sub(" ", html)))


def sanitize_html(
    html: str,
    *,
    cid_url: Callable[[str], str | None],
    proxy_url: Callable[[str], str] | None,
) -> SanitizedHtml:
    """Mail HTML made safe to embed in a Roost page.

    `cid_url` maps a Content-ID (without angle brackets) to the URL of that inline part, or None when the message
    has no such part. `proxy_url` maps a remote image URL to the image proxy; None means remote content is blocked:
    such images lose their `src` and are counted in `blocked_remote`, so the page can offer to load them.
    """
    blocked_remote = 0

    def image_src(value: str) -> str | None:
        nonlocal blocked_remote
        url, scheme = _split_url(value)
        if scheme == "cid":
            content_id = unquote(url[len("cid:") :])
            return cid_url(content_id) if content_id else None
        if scheme == "data":
            data = _DATA_IMAGE.fullmatch(_WHITESPACE.sub("", url))
            return f"data:image/{data.group(1).lower()};base64,{data.group(2)}" if data else None
        if scheme in {"http", "https"}:
            if proxy_url is None:
                blocked_remote += 1
                return None
            return proxy_url(url)
        return None

    def attribute_filter(tag: str, attribute: str, value: str) -> str | None:
        if attribute == "style":
            return clean_style(value)
        if tag == "a":
            if attribute == "href":
                return _link_href(value)
            if attribute == "target":
                return "_blank"
            if attribute == "rel":
                return _LINK_REL
        if tag == "img" and attribute == "src":
            return image_src(value)
        return _presentational(tag, attribute, value)

    source = html.replace("\x00", "")
    if len(_START_TAG.findall(source)) > _MAX_START_TAGS:
        source = plain_to_html(_markup_to_text(source))
    cleaned = nh3.clean(
        source,
        tags=set(_TAGS),
        clean_content_tags=set(_CLEAN_CONTENT_TAGS),
        attributes={tag: set(names) for tag, names in _ATTRIBUTES.items()},
        attribute_filter=attribute_filter,
        strip_comments=True,
        link_rel=_LINK_REL,
        set_tag_attribute_values={"a": {"target": "_blank"}},
        url_schemes=set(_NH3_URL_SCHEMES),
        # The attribute filter is the one judge of relative URLs: it drops them all.
        url_relative="pass_through",
    )
    return SanitizedHtml(html=cleaned, blocked_remote=blocked_remote)


# --- Plain text ----------------------------------------------------------------------------------------------------

_QUOTE_PREFIX = re.compile(r">(?:[ \t]?>)*[ \t]?")
# Each level is a nested <blockquote>; deep nesting is what makes HTML parsing slow.
_MAX_QUOTE_DEPTH = 16
_LINKABLE = re.compile(
    r"(?P<url>(?<![\w.+-])(?:https?://|mailto:)[^\s<>\"`{}|\\^\x00-\x1f\x7f]+)"
    r"|(?P<email>(?<![\w.%+-])[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}(?![\w-]))",
    re.IGNORECASE,
)
# What the link finder's match must look like once trimmed to become a link: a host name whose last label starts
# with a letter (else browsers read it as an IPv4 address), an IPv4 address, or a mail address; no user@ part, the
# classic disguise. Anything else stays text, which also keeps nh3 from dropping an href it cannot parse.
_IPV4_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_LINK_SHAPE = re.compile(
    rf"https?://(?:(?:[\w-]+\.)*[^\W\d_][\w-]*|(?:{_IPV4_OCTET}\.){{3}}{_IPV4_OCTET})(?::\d{{1,5}})?(?:[/?#]\S*)?"
    r"|mailto:[a-z0-9._%+-]+@[a-z0-9.-]+(?:\?\S*)?",
    re.IGNORECASE,
)
_TRAILING_PUNCTUATION = ".,;:!?'*"
_CLOSING_BRACKETS = {")": "(", "]": "["}


def _escape_text(text: str) -> str:
    # The same escaping nh3 serialises text with, so that sanitize_html leaves plain_to_html's output as it is.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\xa0", "&nbsp;")


def _escape_attribute(text: str) -> str:
    return _escape_text(text).replace('"', "&quot;")


def _trim_url(url: str) -> str:
    """The URL without the sentence punctuation or closing bracket that follows it in prose."""
    unbalanced = {closing: url.count(closing) - url.count(opening) for closing, opening in _CLOSING_BRACKETS.items()}
    end = len(url)
    while end:
        last = url[end - 1]
        if last in _CLOSING_BRACKETS and unbalanced[last] > 0:
            unbalanced[last] -= 1
        elif last not in _TRAILING_PUNCTUATION:
            break
        end -= 1
    return url[:end]


def _link(href: str, text: str) -> str:
    return f'<a href="{_escape_attribute(href)}" target="_blank" rel="{_LINK_REL}">{_escape_text(text)}</a>'


def _linkify(line: str) -> str:
    """One line of raw text as HTML: links are found in the raw text and every piece is escaped exactly once."""
    parts = []
    position = 0
    for match in _LINKABLE.finditer(line):
        parts.append(_escape_text(line[position : match.start()]))
        if match.group("email"):
            address = match.group("email")
            parts.append(_link(f"mailto:{address}", address))
        else:
            url = _trim_url(match.group("url"))
            if _LINK_SHAPE.fullmatch(url):
                parts.append(_link(url, url))
                parts.append(_escape_text(match.group("url")[len(url) :]))
            else:
                parts.append(_escape_text(match.group("url")))
        position = match.end()
    parts.append(_escape_text(line[position:]))
    return "".join(parts)


def _quote_level(line: str) -> tuple[int, str]:
    prefix = _QUOTE_PREFIX.match(line)
    if not prefix:
        return 0, line
    return min(prefix.group().count(">"), _MAX_QUOTE_DEPTH), line[prefix.end() :]


def plain_to_html(text: str) -> str:
    """A text/plain body as HTML: escaped, links made clickable, `>` quoting shown as nested blockquotes.

    Line breaks stay newlines inside a `white-space: pre-wrap` block, so indentation and ASCII art survive too.
    """
    lines = text.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n").strip("\n").split("\n")
    parts = ['<div style="white-space: pre-wrap">']
    depth = 0
    first_in_block = True
    for line in lines:
        level, content = _quote_level(line)
        if level != depth:
            parts.append("<blockquote>" * (level - depth) + "</blockquote>" * (depth - level))
            depth = level
            first_in_block = True
        if not first_in_block:
            parts.append("\n")
        parts.append(_linkify(content))
        first_in_block = False
    parts.append("</blockquote>" * depth + "</div>")
    return "".join(parts)


# --- Previews --------------------------------------------------------------------------------------------------------


# Where a browser would break the line, so that "<p>Hello</p><p>World</p>" does not preview as "HelloWorld".
_BLOCK_BOUNDARY = re.compile(r"(?=</?(?:p|div|br|hr|li|dd|dt|tr|td|th|h[1-6]|table|blockquote)\b)", re.IGNORECASE)


def text_snippet(html_or_text: str, length: int = 140) -> str:
    """A short one-line plain-text preview. The result is text, not HTML: templates must escape it as usual."""
    source = _BLOCK_BOUNDARY.sub(" ", html_or_text.replace("\x00", ""))
    if len(_START_TAG.findall(source)) > _MAX_START_TAGS:
        text = _markup_to_text(source)
    else:
        text = html_lib.unescape(nh3.clean(source, tags=set(), clean_content_tags=set(_CLEAN_CONTENT_TAGS)))
    text = " ".join(text.split())
    if len(text) <= length:
        return text
    return text[: max(length - 1, 0)].rstrip() + "…"
