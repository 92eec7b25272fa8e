"""A small CardDAV client over http.client for the live-server tests (caldav's DAVClient has no CardDAV
helpers), and the XML bodies they send."""

import base64
import http.client
from dataclasses import dataclass
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

from tests import personas

D = "{DAV:}"
CR = "{urn:ietf:params:xml:ns:carddav}"
NS = 'xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:carddav" xmlns:CS="http://calendarserver.org/ns/"'


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def xml(self) -> ET.Element:
        return ET.fromstring(self.body)

    def responses(self) -> dict[str, ET.Element]:
        return {str(r.findtext(f"{D}href")): r for r in self.xml().iter(f"{D}response")}


class Client:
    def __init__(self, base: str, user: str) -> None:
        parts = urlsplit(base)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port
        self.address = f"{user}@{personas.DOMAIN}"
        token = base64.b64encode(f"{self.address}:{personas.PASSWORD}".encode()).decode()
        self.auth = f"Basic {token}"

    @property
    def home(self) -> str:
        return f"/dav/addressbooks/{self.address}/"

    def request(self, method: str, path: str, body: str | bytes = b"", **headers: str) -> Answer:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=20)
        sent = {"Authorization": self.auth, **{k.replace("_", "-"): v for k, v in headers.items()}}
        connection.request(method, path, body=body.encode() if isinstance(body, str) else body, headers=sent)
        response = connection.getresponse()
        answer = Answer(response.status, dict(response.getheaders()), response.read())
        connection.close()
        return answer

    def propfind(self, path: str, props: str, depth: str = "0") -> Answer:
        body = f"<D:propfind {NS}><D:prop>{props}</D:prop></D:propfind>"
        return self.request("PROPFIND", path, body, Depth=depth, Content_Type="application/xml")

    def report(self, path: str, body: str, depth: str = "1") -> Answer:
        return self.request("REPORT", path, body, Depth=depth, Content_Type="application/xml")

    def put(self, path: str, card: str, **headers: str) -> Answer:
        headers.setdefault("Content_Type", "text/vcard; charset=utf-8")
        return self.request("PUT", path, card, **headers)


def vcard(uid: str, fn: str, *, email: str = "", extra: str = "", version: str = "3.0") -> str:
    lines = ["BEGIN:VCARD", f"VERSION:{version}", f"UID:{uid}", f"FN:{fn}"]
    if version == "3.0":
        lines.append(f"N:{fn.split()[-1]};{fn.split()[0]};;;")
    if email:
        lines.append(f"EMAIL;TYPE=INTERNET:{email}")
    if extra:
        lines.append(extra)
    return "\r\n".join([*lines, "END:VCARD", ""])


def multiget(paths: list[str], address_data: str = "<C:address-data/>") -> str:
    hrefs = "".join(f"<D:href>{p}</D:href>" for p in paths)
    return f"<C:addressbook-multiget {NS}><D:prop><D:getetag/>{address_data}</D:prop>{hrefs}</C:addressbook-multiget>"


def query(filter_xml: str, limit: int | None = None) -> str:
    limit_xml = f"<C:limit><C:nresults>{limit}</C:nresults></C:limit>" if limit else ""
    return (
        f"<C:addressbook-query {NS}><D:prop><D:getetag/><C:address-data/></D:prop>"
        f"<C:filter>{filter_xml}</C:filter>{limit_xml}</C:addressbook-query>"
    )


def sync(token: str = "") -> str:
    return (
        f"<D:sync-collection {NS}><D:sync-token>{token}</D:sync-token><D:sync-level>1</D:sync-level>"
        "<D:prop><D:getetag/></D:prop></D:sync-collection>"
    )


def status_of(response: ET.Element) -> str:
    return str(response.findtext(f"{D}status") or response.findtext(f"{D}propstat/{D}status"))


def prop(response: ET.Element, name: str) -> ET.Element | None:
    return response.find(f"{D}propstat/{D}prop/{name}")
