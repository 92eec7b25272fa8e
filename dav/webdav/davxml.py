"""XML in and out for the WebDAV core: namespaces, one safe parser, a small encoder with fixed prefixes.

Request bodies come from anyone who can reach /dav/, so they are parsed only with defusedxml, with DTDs,
entities and external references all refused and a size cap before the parser sees a byte. Anything the
parser refuses is the client's fault: a 400 DavError with a message, never a 500.
"""

from collections.abc import Iterable
from functools import cache
from xml.etree import ElementTree as ET

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from .errors import DavError

Element = ET.Element

DAV = "DAV:"
CALDAV = "urn:ietf:params:xml:ns:caldav"
CARDDAV = "urn:ietf:params:xml:ns:carddav"
CALSERVER = "http://calendarserver.org/ns/"
APPLE_ICAL = "http://apple.com/ns/ical/"

PREFIXES = {DAV: "D", CALDAV: "C", CARDDAV: "CR", CALSERVER: "CS", APPLE_ICAL: "ICAL"}

# A PROPFIND, PROPPATCH or REPORT body is a few kilobytes; a multiget of a thousand hrefs is ~100 KB.
MAX_XML_BYTES = 1024 * 1024


@cache
def qname(namespace: str, local: str) -> str:
    """The Clark notation ElementTree uses: {namespace}local."""
    return f"{{{namespace}}}{local}"


@cache
def dav(local: str) -> str:
    return qname(DAV, local)


def parse_xml(body: bytes, *, max_bytes: int = MAX_XML_BYTES) -> Element:
    if len(body) > max_bytes:
        raise DavError(413, f"The XML body is larger than {max_bytes // 1024} KB.")
    if not body.strip():
        raise DavError(400, "The request needs an XML body.")
    try:
        return fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as error:
        raise DavError(
            400,
            f"The XML body was refused: DTDs, entities and external references are not allowed "
            f"({type(error).__name__}).",
        ) from None
    except ET.ParseError as error:
        raise DavError(400, f"The XML body is not well-formed: {error}.") from None


def element(name: str, text: str | None = None, children: Iterable[Element] = ()) -> Element:
    node = ET.Element(name)
    if text is not None:
        node.text = text
    node.extend(children)
    return node


def href_element(href: str) -> Element:
    return element(dav("href"), href)


def to_bytes(root: Element) -> bytes:
    """Serialise with D:, C:, CR:, CS:, ICAL: prefixes (and x1:, x2: ... for others), declared once at the
    root: clients such as iOS read prefixed DAV: elements far more reliably than ns0:."""
    names = Names()
    body: list[str] = []
    encode(root, names, body)
    return document(names, body)


def document(names: "Names", body: list[str]) -> bytes:
    """The XML declaration and `body` (one root element, encoded with `names`), its namespaces declared on it."""
    declarations = "".join(f' xmlns:{p}="{escape(ns, True)}"' for ns, p in names.used.items())
    first = body[0]
    end = first.index(">") if not first.endswith("/>") else len(first) - 2
    head = first[:end] + declarations + first[end:]
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + head + "".join(body[1:])).encode()


class Names(dict[str, str]):
    """Qualified names to prefixed ones, each worked out once per document; `used` collects the namespaces
    (with their prefixes) for the root's declarations."""

    def __init__(self) -> None:
        super().__init__()
        self.used: dict[str, str] = {}

    def __missing__(self, name: str) -> str:
        prefixed = name
        if name.startswith("{"):
            namespace, _, local = name[1:].partition("}")
            prefix = self.used.get(namespace)
            if prefix is None:
                prefix = PREFIXES.get(namespace) or f"x{len(self.used)}"
                self.used[namespace] = prefix
            prefixed = f"{prefix}:{local}"
        self[name] = prefixed
        return prefixed


def escape(text: str, attribute: bool = False) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    return text.replace('"', "&quot;") if attribute else text


def encode(node: Element, names: Names, out: list[str]) -> None:
    """Appends `node` as text to `out` (one join at the end keeps a multistatus of thousands linear)."""
    name = names[str(node.tag)]
    attributes = "".join(f' {names[k]}="{escape(v, True)}"' for k, v in node.attrib.items()) if node.attrib else ""
    if not node.text and len(node) == 0:
        out.append(f"<{name}{attributes}/>")
        return
    out.append(f"<{name}{attributes}>")
    if node.text:
        out.append(escape(node.text))
    for child in node:
        encode(child, names, out)
        if child.tail:
            out.append(escape(child.tail))
    out.append(f"</{name}>")
