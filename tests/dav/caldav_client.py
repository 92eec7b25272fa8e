"""Raw CalDAV requests for the tests that need exact statuses and bodies (bad input, other users), on the
CardDAV tests' small http.client client, and the iCalendar and XML bodies they send."""

from xml.etree import ElementTree as ET

from tests.dav.carddav_client import Answer, Client, D, prop, status_of

C = "{urn:ietf:params:xml:ns:caldav}"
NS = 'xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:CS="http://calendarserver.org/ns/"'

__all__ = ["NS", "Answer", "C", "CalClient", "D", "prop", "status_of"]


class CalClient(Client):
    @property
    def home(self) -> str:
        return f"/dav/calendars/{self.address}/"

    def propfind(self, path: str, props: str, depth: str = "0") -> Answer:
        body = f'<D:propfind {NS} xmlns:A="http://apple.com/ns/ical/"><D:prop>{props}</D:prop></D:propfind>'
        return self.request("PROPFIND", path, body, Depth=depth, Content_Type="application/xml")

    def put(self, path: str, card: str, **headers: str) -> Answer:
        headers.setdefault("Content_Type", "text/calendar; charset=utf-8")
        return self.request("PUT", path, card, **headers)

    def names(self, calendar: str) -> set[str]:
        """The object hrefs in a calendar."""
        found = self.propfind(calendar, "<D:getetag/>", depth="1").responses()
        return {href for href in found if href != calendar}

    def data(self, path: str) -> str:
        answer = self.request("GET", path)
        assert answer.status == 200, (path, answer.status)
        return answer.body.decode()


def vcal(*components: str) -> str:
    return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Roost tests//EN\r\n" + "".join(components) + "END:VCALENDAR\r\n"


def vevent(uid: str, start: str = "20250310T090000Z", end: str = "20250310T100000Z", *extra: str) -> str:
    lines = ["BEGIN:VEVENT", f"UID:{uid}", "DTSTAMP:20250101T000000Z", f"DTSTART:{start}", f"DTEND:{end}", *extra]
    return "\r\n".join([*lines, "END:VEVENT", ""])


def event(uid: str, start: str = "20250310T090000Z", end: str = "20250310T100000Z", *extra: str) -> str:
    return vcal(vevent(uid, start, end, *extra))


def todo(uid: str, summary: str = "Do it") -> str:
    return vcal(f"BEGIN:VTODO\r\nUID:{uid}\r\nDTSTAMP:20250101T000000Z\r\nSUMMARY:{summary}\r\nEND:VTODO\r\n")


def calendar_query(filter_xml: str, calendar_data: str = "<C:calendar-data/>") -> str:
    return (
        f"<C:calendar-query {NS}><D:prop><D:getetag/>{calendar_data}</D:prop>"
        f"<C:filter>{filter_xml}</C:filter></C:calendar-query>"
    )


def events_between(start: str, end: str) -> str:
    return (
        '<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">'
        f'<C:time-range start="{start}" end="{end}"/></C:comp-filter></C:comp-filter>'
    )


def free_busy(start: str, end: str) -> str:
    return f'<C:free-busy-query {NS}><C:time-range start="{start}" end="{end}"/></C:free-busy-query>'


def multiget(paths: list[str]) -> str:
    hrefs = "".join(f"<D:href>{p}</D:href>" for p in paths)
    return f"<C:calendar-multiget {NS}><D:prop><D:getetag/><C:calendar-data/></D:prop>{hrefs}</C:calendar-multiget>"


def sync(token: str = "") -> str:
    return (
        f"<D:sync-collection {NS}><D:sync-token>{token}</D:sync-token><D:sync-level>1</D:sync-level>"
        "<D:prop><D:getetag/></D:prop></D:sync-collection>"
    )


def mkcalendar(display_name: str = "", components: tuple[str, ...] = ()) -> str:
    props = f"<D:displayname>{display_name}</D:displayname>" if display_name else ""
    if components:
        comps = "".join(f'<C:comp name="{name}"/>' for name in components)
        props += f"<C:supported-calendar-component-set>{comps}</C:supported-calendar-component-set>"
    return f"<C:mkcalendar {NS}><D:set><D:prop>{props}</D:prop></D:set></C:mkcalendar>"


def proppatch(props: str) -> str:
    ns = NS + ' xmlns:A="http://apple.com/ns/ical/"'
    return f"<D:propertyupdate {ns}><D:set><D:prop>{props}</D:prop></D:set></D:propertyupdate>"


def calendar_data_of(response: ET.Element) -> str:
    node = prop(response, f"{C}calendar-data")
    return (node.text or "") if node is not None else ""
