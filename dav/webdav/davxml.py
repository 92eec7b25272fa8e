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


def _namespaces(root: Element) -> list[str]:
    seen: dict[str, None] = {}
    for node in root.iter():
        for name in (node.tag, *node.attrib):
            if isinstance(name, str) and name.startswith("{"):
                seen.setdefault(name[1:].partition("}")[0], None)
    return list(seen)


def to_bytes(root: Element) -> bytes:
    """Serialise with D:, C:, CR:, CS:, ICAL: prefixes (and x1:, x2: ... for others), declared once at the
    root: clients such as iOS read prefixed DAV: elements far more reliably than ns0:."""
    prefixes: dict[str, str] = {}
    for number, namespace in enumerate(_namespaces(root)):
        prefixes[namespace] = PREFIXES.get(namespace, f"x{number}")
    out: list[str] = ['<?xml version="1.0" encoding="utf-8"?>\n']
    _encode(root, _Names(prefixes), out, top=True)
    return "".join(out).encode()


class _Names(dict[str, str]):
    """Qualified names to prefixed ones, each worked out once per document."""

    def __init__(self, prefixes: dict[str, str]) -> None:
        super().__init__()
        self.prefixes = prefixes

    def __missing__(self, name: str) -> str:
        prefixed = name
        if name.startswith("{"):
            namespace, _, local = name[1:].partition("}")
            prefixed = f"{self.prefixes[namespace]}:{local}"
        self[name] = prefixed
        return prefixed


def _escape(text: str, attribute: bool = False) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    return text.replace('"', "&quot;") if attribute else text


def _encode(node: Element, names: _Names, out: list[str], top: bool = False) -> None:
    """Appends to `out` (one join at the end: a multistatus of thousands of objects stays linear)."""
    name = names[str(node.tag)]
    attributes = "".join(f' {names[k]}="{_escape(v, True)}"' for k, v in node.attrib.items()) if node.attrib else ""
    if top:
        attributes += "".join(f' xmlns:{p}="{_escape(ns, True)}"' for ns, p in names.prefixes.items())
    if not node.text and len(node) == 0:
        out.append(f"<{name}{attributes}/>")
        return
    out.append(f"<{name}{attributes}>")
    if node.text:
        out.append(_escape(node.text))
    for child in node:
        _encode(child, names, out)
        if child.tail:
            out.append(_escape(child.tail))
    out.append(f"</{name}>")
