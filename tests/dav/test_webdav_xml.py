"""The core's XML: hostile and malformed bodies are 400s with a message, and what it writes reads back."""

from xml.etree import ElementTree as ET

import pytest

from dav.webdav import DavError, element, parse_xml
from dav.webdav.davxml import to_bytes

from .memory import MemoryBackend, request

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<D:propfind xmlns:D="DAV:"><D:prop><D:displayname>&lol3;</D:displayname></D:prop></D:propfind>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<D:propfind xmlns:D="DAV:"><D:prop><D:displayname>&xxe;</D:displayname></D:prop></D:propfind>"""
DTD_ONLY = b"""<?xml version="1.0"?><!DOCTYPE propfind SYSTEM "http://example.test/x.dtd">
<D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>"""


@pytest.mark.parametrize("body", [BILLION_LAUGHS, EXTERNAL_ENTITY, DTD_ONLY])
def test_hostile_xml_is_refused_with_400(body: bytes) -> None:
    with pytest.raises(DavError) as caught:
        parse_xml(body)
    assert caught.value.status == 400
    assert "not allowed" in caught.value.message


@pytest.mark.parametrize("body", [BILLION_LAUGHS, EXTERNAL_ENTITY, b"<D:propfind xmlns:D='DAV:'><D:prop>", b"\xff\xfe"])
def test_hostile_or_broken_bodies_answer_400_through_handle(body: bytes) -> None:
    response = request(MemoryBackend(), "PROPFIND", "/dav/", body, depth="0")
    assert response.status == 400
    assert response.body  # a message, not an empty error


def test_malformed_xml_says_where() -> None:
    with pytest.raises(DavError) as caught:
        parse_xml(b"<a><b></a>")
    assert caught.value.status == 400
    assert "not well-formed" in caught.value.message


def test_oversized_body_is_413() -> None:
    with pytest.raises(DavError) as caught:
        parse_xml(b"<a>" + b"x" * 2000 + b"</a>", max_bytes=1000)
    assert caught.value.status == 413


def test_encoder_uses_fixed_prefixes_and_escapes() -> None:
    root = element(
        "{DAV:}multistatus",
        children=[
            element("{urn:ietf:params:xml:ns:caldav}calendar-data", "A & B <c> \r\n"),
            element("{http://example.test/other}x", "1"),
        ],
    )
    data = to_bytes(root)
    assert b"<D:multistatus" in data
    assert b"<C:calendar-data>" in data
    assert b'xmlns:D="DAV:"' in data
    parsed = ET.fromstring(data)
    assert parsed[0].text == "A & B <c> \r\n"
    assert parsed[1].tag == "{http://example.test/other}x"
