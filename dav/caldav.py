"""CalDAV (RFC 4791) on the WebDAV core: calendar collections and calendar object resources in
/dav/calendars/<address>/ (the user's own calendars by slug, calendars shared with them as shared-<id>), the
calendar-multiget, calendar-query and free-busy-query REPORTs (sync-collection is the core's). The data comes
through dav/resources.py (the calendar store); every store error becomes a DAV precondition there, in
calendars_adapter.calendar_errors. No iCalendar is parsed here: filters become calendar_app.query values, and
calendar_app reads, expands and writes the text."""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from calendar_app.query import CalendarQuery, CompFilter, ParamFilter, PropFilter, TextMatch, TimeRange
from dav.webdav import (
    APPLE_ICAL,
    CALDAV,
    CALSERVER,
    REPORTS,
    Collection,
    Context,
    DavError,
    DavRequest,
    DavResponse,
    Element,
    Multistatus,
    Preconditions,
    Principal,
    PropertyErrors,
    PropValue,
    PutResult,
    Resource,
    SyncChanges,
    add_properties,
    dav,
    element,
    hrefs,
    multiget_members,
    qname,
)

from . import resources as store
from .tree import CALENDARS, Home, register_home


def c(local: str) -> str:
    return qname(CALDAV, local)


CALENDAR = c("calendar")
CALENDAR_DATA = c("calendar-data")
DESCRIPTION = c("calendar-description")
COMPONENT_SET = c("supported-calendar-component-set")
SUPPORTED_DATA = c("supported-calendar-data")
MAX_SIZE = c("max-resource-size")
TIMEZONE = c("calendar-timezone")
TRANSP = c("schedule-calendar-transp")
FREE_BUSY_SET = c("calendar-free-busy-set")
COLOR = qname(APPLE_ICAL, "calendar-color")
ORDER = qname(APPLE_ICAL, "calendar-order")
CTAG = qname(CALSERVER, "getctag")
MULTIGET = c("calendar-multiget")
QUERY = c("calendar-query")
FREE_BUSY = c("free-busy-query")
VALID_FILTER = c("valid-filter")

ICALENDAR = "text/calendar"
MULTISTATUS_TYPE = "application/xml; charset=utf-8"
NAME = re.compile(r"^[A-Za-z0-9-]{1,64}$")
COLOR_VALUE = re.compile(r"^#([0-9A-Fa-f]{6})([0-9A-Fa-f]{2})?$")
UTC_TIME = re.compile(r"^(\d{8})T(\d{6})Z$")
COMPONENTS = ("VEVENT", "VTODO")
# A real filter is VCALENDAR > VEVENT > VALARM with a few properties; these bounds only stop abuse.
MAX_FILTER_DEPTH = 6
MAX_FILTER_ELEMENTS = 500
MAX_NAME_LENGTH = 200
INT32 = 2**31


# ---------------------------------------------------------------------------------------------------------
# Times and <C:calendar-data>


def invalid_filter(message: str) -> DavError:
    return DavError(403, message, precondition=VALID_FILTER)


def bad_request(message: str) -> DavError:
    return DavError(400, message)


def parse_utc(text: str | None, what: str, error: Callable[[str], DavError]) -> datetime | None:
    """RFC 4791's date with UTC time ("20250310T090000Z"), as an aware datetime."""
    if text is None:
        return None
    found = UTC_TIME.match(text.strip())
    if found is None:
        raise error(f"{what} must be a UTC time such as 20250310T090000Z, not {text.strip()[:40]!r}.")
    try:
        return datetime.strptime(found.group(1) + found.group(2), "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        raise error(f"{what} is not a real date and time: {text.strip()[:40]!r}.") from None


def parse_time_range(node: Element, error: Callable[[str], DavError], *, both: bool = False) -> TimeRange:
    tag = str(node.tag).rpartition("}")[2]
    start = parse_utc(node.get("start"), f"<C:{tag}> start", error)
    end = parse_utc(node.get("end"), f"<C:{tag}> end", error)
    if (start is None and end is None) or (both and (start is None or end is None)):
        raise error(f"<C:{tag}> needs {'both' if both else 'a'} start and{'' if both else '/or'} end attribute.")
    if start is not None and end is not None and end <= start:
        raise error(f"<C:{tag}> must end after it starts.")
    return TimeRange(start, end)


@dataclass(frozen=True)
class CalendarData:
    """What <C:calendar-data> asked for: the text as stored, expanded, or with its overrides limited."""

    expand: TimeRange | None = None
    limit_recurrence_set: TimeRange | None = None


def parse_calendar_data(node: Element | None) -> CalendarData:
    if node is None:
        return CalendarData()
    content_type = node.get("content-type", ICALENDAR).strip().lower()
    version = node.get("version", "2.0").strip()
    if content_type != ICALENDAR or version != "2.0":
        raise DavError(
            403, f"Calendar data as {content_type!r} {version!r} is not offered: ask for text/calendar 2.0.",
            precondition=SUPPORTED_DATA,
        )  # fmt: skip
    expand = node.find(c("expand"))
    limit = node.find(c("limit-recurrence-set"))
    return CalendarData(
        expand=parse_time_range(expand, bad_request, both=True) if expand is not None else None,
        limit_recurrence_set=parse_time_range(limit, bad_request, both=True) if limit is not None else None,
    )


# ---------------------------------------------------------------------------------------------------------
# Resources


class CalendarObjectResource(Resource):
    def __init__(
        self, path: str, found: store.Item, calendar_data: CalendarData | None = None, writable: bool = False
    ) -> None:
        super().__init__(path)
        self.item = found
        self.calendar_data = calendar_data or CalendarData()
        self._writable = writable

    def etag(self) -> str | None:
        return self.item.etag

    def content_type(self) -> str | None:
        return f"{ICALENDAR}; charset=utf-8"

    def content_length(self) -> int | None:
        return len(self.item.data.encode())

    def last_modified(self) -> datetime | None:
        return self.item.last_modified

    def writable(self) -> bool:
        return self._writable

    def get_body(self) -> bytes:
        return self.item.data.encode()

    def get_property(self, name: str, principal: Principal) -> PropValue:
        if name == CALENDAR_DATA:
            spec = self.calendar_data
            return store.calendar_data(self.item, spec.expand, spec.limit_recurrence_set)
        return None


def _comps(names: Iterable[str]) -> list[Element]:
    return [Element(c("comp"), {"name": name}) for name in names]


class CalendarCollection(Collection):
    def __init__(self, path: str, cal: store.Cal) -> None:
        super().__init__(path)
        self.cal = cal

    def resourcetype(self) -> list[str]:
        return [CALENDAR]

    def displayname(self) -> str | None:
        return self.cal.display_name

    def writable(self) -> bool:
        return self.cal.writable

    def item_path(self, name: str) -> str:
        return self.path + name

    def object_resource(self, found: store.Item, calendar_data: CalendarData | None = None) -> CalendarObjectResource:
        return CalendarObjectResource(self.item_path(found.name), found, calendar_data, self.cal.writable)

    def members(self) -> Iterable[Resource]:
        return [self.object_resource(i) for i in store.items(self.cal)]

    def member(self, name: str) -> Resource | None:
        found = store.item(self.cal, name)
        return self.object_resource(found) if found else None

    def property_names(self) -> list[str]:
        return [DESCRIPTION, COLOR, ORDER, COMPONENT_SET, SUPPORTED_DATA, MAX_SIZE, TIMEZONE, TRANSP, CTAG,
                dav("owner")]  # fmt: skip

    def allprop_names(self) -> list[str]:
        return [DESCRIPTION, COLOR, ORDER]

    def get_property(self, name: str, principal: Principal) -> PropValue:
        cal = self.cal
        values: dict[str, Callable[[], PropValue]] = {
            DESCRIPTION: lambda: cal.description,
            COLOR: lambda: cal.color,
            ORDER: lambda: str(cal.order),
            COMPONENT_SET: lambda: _comps(cal.components),
            SUPPORTED_DATA: lambda: [Element(c("calendar-data"), {"content-type": ICALENDAR, "version": "2.0"})],
            MAX_SIZE: lambda: str(store.CALENDAR_MAX_RESOURCE_SIZE),
            TIMEZONE: lambda: store.calendar_timezone(cal),
            TRANSP: lambda: [element(c("opaque"))],
            CTAG: lambda: str(cal.seq),
            dav("owner"): lambda: hrefs(f"/dav/principals/{cal.owner_address}/"),
        }
        getter = values.get(name)
        return getter() if getter is not None else None

    def set_properties(self, changes: list[tuple[str, Element | None]], principal: Principal) -> None:
        if not self.cal.owned:
            raise PropertyErrors({name: 403 for name, _ in changes})
        store.update_calendar(self.cal, calendar_settings(changes, creating=False), self.path)

    def put_member(
        self, name: str, body: bytes, content_type: str, conditions: Preconditions, principal: Principal
    ) -> PutResult:
        path = self.item_path(name)
        if not self.cal.writable:
            raise store.calendar_need_privileges(path)
        media = content_type.split(";")[0].strip().lower()
        if media != ICALENDAR:
            message = f"Store iCalendar here (text/calendar), not {media[:60]!r}."
            raise DavError(403, message, precondition=SUPPORTED_DATA)
        etag, created = store.put_item(self.cal, name, body, conditions, path, self.path)
        return PutResult(etag, created)

    def delete_member(self, name: str, conditions: Preconditions, principal: Principal) -> None:
        store.delete_item(self.cal, name, conditions, self.item_path(name))

    def sync_token(self) -> str | None:
        return store.calendar_sync_token(self.cal)

    def changes_since(self, token: str | None, limit: int | None) -> SyncChanges:
        changes = store.calendar_changes(self.cal, token, self.path)
        if limit is not None and len(changes.changed) + len(changes.deleted) > limit:
            raise DavError(
                507,
                f"More than {limit} changes: sync without a limit.",
                precondition=dav("number-of-matches-within-limits"),
            )
        new_token = store.calendar_sync_token(store.calendar_with_seq(self.cal, changes.seq))
        members: list[Resource] = [self.object_resource(i) for i in changes.changed]
        return SyncChanges(new_token, members, changes.deleted)


def calendar_settings(changes: list[tuple[str, Element | None]], *, creating: bool) -> store.CalendarSettings:
    """The settings a PROPPATCH or MKCALENDAR asks for; PropertyErrors (and nothing set) for any it cannot have:
    409 for a value that is not usable, 403 for a property that cannot be set here."""
    values: dict[str, object] = {}
    errors: dict[str, int] = {}
    for name, node in changes:
        text = "" if node is None else (node.text or "").strip()
        if name == dav("displayname"):
            if not text or len(text) > MAX_NAME_LENGTH:
                errors[name] = 409
            values["display_name"] = text
        elif name == DESCRIPTION:
            values["description"] = text
        elif name == COLOR:
            colour = COLOR_VALUE.match(text)
            if colour is None:
                errors[name] = 409
            else:  # Apple sends #RRGGBBAA; the store keeps #rrggbb
                values["color"] = "#" + colour.group(1).lower()
        elif name == ORDER:
            if not re.fullmatch(r"-?\d{1,10}", text) or not -INT32 <= int(text) < INT32:
                errors[name] = 409
            else:
                values["order"] = int(text)
        elif name == TIMEZONE:
            zone = store.timezone_name(text) if node is not None else ""
            if zone is not None:
                values["timezone"] = zone
            elif not creating:
                errors[name] = 409
            # MKCALENDAR with a zone Roost cannot name still makes the calendar: the owner's zone applies.
        elif name == COMPONENT_SET and creating and node is not None:
            asked = [comp.get("name", "").strip().upper() for comp in node.iter(c("comp"))]
            kept = tuple(dict.fromkeys(n for n in asked if n in COMPONENTS))
            if not kept:
                errors[name] = 403
            values["components"] = kept
        elif name == TRANSP and node is not None and node.find(c("opaque")) is not None:
            pass  # every calendar is opaque: asking for that changes nothing
        elif name == FREE_BUSY_SET and creating:
            pass  # iCal's old free-busy set (superseded by schedule-calendar-transp): ignored
        else:
            errors[name] = 403
    if errors:
        raise PropertyErrors(errors)
    return store.CalendarSettings(**values)  # type: ignore[arg-type]


class CalendarHome:
    """The "calendars" HomeProvider: the user's own calendars, then the ones shared with them."""

    def _path(self, home: Home, name: str) -> str:
        return f"{home.path}{name}/"

    def members(self, home: Home) -> Iterable[Resource]:
        return [CalendarCollection(self._path(home, cal.name), cal) for cal in store.calendars(home.owner.account)]

    def member(self, home: Home, name: str) -> Resource | None:
        found = store.calendar(home.owner.account, name)
        return CalendarCollection(self._path(home, name), found) if found else None

    def create_child(
        self, home: Home, name: str, resourcetype: list[str], properties: list[tuple[str, Element]]
    ) -> Collection:
        if resourcetype != [CALENDAR]:
            raise DavError(
                403,
                "Only calendars can be made here: use MKCALENDAR (or an extended MKCOL with resourcetype calendar).",
                precondition=dav("valid-resourcetype"),
            )
        if not NAME.match(name):
            raise DavError(400, "A calendar's name may hold only letters, digits and -, at most 64 characters.")
        path = self._path(home, name)
        if store.SHARED.match(name):
            raise DavError(403, f"{name!r} is kept for shared calendars.", precondition=dav("resource-must-be-null"))
        settings = calendar_settings(list(properties), creating=True)
        created = store.create_calendar(home.owner.account, name.lower(), settings, path)
        return CalendarCollection(path, created)

    def delete_member(self, home: Home, name: str, conditions: Preconditions) -> None:
        found = store.calendar(home.owner.account, name)
        path = self._path(home, name)
        if found is None:
            raise DavError(404, f"Nothing is at {path}.")
        if conditions.if_match is not None or conditions.if_none_match is not None:
            conditions.check(store.calendar_sync_token(found))
        store.delete_calendar(found, path)


# ---------------------------------------------------------------------------------------------------------
# Filters (RFC 4791 9.7) into calendar_app.query values


class _FilterReader:
    def __init__(self) -> None:
        self.count = 0

    def _name(self, node: Element, what: str) -> str:
        self.count += 1
        if self.count > MAX_FILTER_ELEMENTS:
            raise invalid_filter(f"A filter may hold at most {MAX_FILTER_ELEMENTS} elements.")
        name = node.get("name", "").strip().upper()
        if not name or len(name) > 100:
            raise invalid_filter(f'<C:{what}> needs a name="..." attribute.')
        return name

    def text_match(self, node: Element) -> TextMatch:
        collation = node.get("collation", "i;ascii-casemap").strip()
        match_type = node.get("match-type", "contains").strip()
        if match_type not in ("equals", "contains", "starts-with", "ends-with"):
            raise invalid_filter(f"match-type {match_type[:40]!r} is not equals, contains, starts-with or ends-with.")
        negate = node.get("negate-condition", "no").strip().lower()
        if negate not in ("yes", "no"):
            raise invalid_filter('negate-condition must be "yes" or "no".')
        return TextMatch(node.text or "", collation, match_type, negate == "yes")  # type: ignore[arg-type]

    def param_filter(self, node: Element) -> ParamFilter:
        name = self._name(node, "param-filter")
        match = node.find(c("text-match"))
        return ParamFilter(
            name,
            is_not_defined=node.find(c("is-not-defined")) is not None,
            text_match=self.text_match(match) if match is not None else None,
        )

    def prop_filter(self, node: Element) -> PropFilter:
        name = self._name(node, "prop-filter")
        time_range = node.find(c("time-range"))
        match = node.find(c("text-match"))
        if time_range is not None and match is not None:
            raise invalid_filter(f"<C:prop-filter name={name!r}> may test a time-range or a text-match, not both.")
        return PropFilter(
            name,
            is_not_defined=node.find(c("is-not-defined")) is not None,
            time_range=parse_time_range(time_range, invalid_filter) if time_range is not None else None,
            text_match=self.text_match(match) if match is not None else None,
            param_filters=tuple(self.param_filter(p) for p in node.findall(c("param-filter"))),
        )

    def comp_filter(self, node: Element, depth: int) -> CompFilter:
        name = self._name(node, "comp-filter")
        if depth > MAX_FILTER_DEPTH:
            raise invalid_filter(f"comp-filters may be nested at most {MAX_FILTER_DEPTH} deep.")
        time_range = node.find(c("time-range"))
        return CompFilter(
            name,
            is_not_defined=node.find(c("is-not-defined")) is not None,
            time_range=parse_time_range(time_range, invalid_filter) if time_range is not None else None,
            prop_filters=tuple(self.prop_filter(p) for p in node.findall(c("prop-filter"))),
            comp_filters=tuple(self.comp_filter(child, depth + 1) for child in node.findall(c("comp-filter"))),
        )


def parse_filter(root: Element) -> CompFilter:
    """The <C:filter> of a calendar-query: exactly one comp-filter, for VCALENDAR."""
    node = root.find(c("filter"))
    if node is None:
        raise invalid_filter("A calendar-query needs a <C:filter>.")
    tops = node.findall(c("comp-filter"))
    if len(tops) != 1 or len(node) != 1:
        raise invalid_filter("<C:filter> must hold exactly one <C:comp-filter>, for VCALENDAR.")
    top = _FilterReader().comp_filter(tops[0], 1)
    if top.name != "VCALENDAR":
        raise invalid_filter(f"The outer comp-filter must be for VCALENDAR, not {top.name[:40]}.")
    return top


# ---------------------------------------------------------------------------------------------------------
# REPORTs


def _prop_names(root: Element) -> tuple[list[str], CalendarData]:
    prop = root.find(dav("prop"))
    if prop is None:
        return [dav("getetag"), CALENDAR_DATA], CalendarData()
    return [str(p.tag) for p in prop], parse_calendar_data(prop.find(CALENDAR_DATA))


def _respond(ms: Multistatus) -> DavResponse:
    return DavResponse(207, ms.to_bytes(), {"Content-Type": MULTISTATUS_TYPE})


def calendar_multiget(resource: Resource, root: Element, request: DavRequest, ctx: Context) -> DavResponse:
    assert isinstance(resource, CalendarCollection)
    names, calendar_data = _prop_names(root)
    asked = multiget_members(root, resource.path, report="A calendar-multiget", noun="objects")
    by_name = {i.name: i for i in store.items(resource.cal, [name for _, name in asked if name])}
    ms = Multistatus()
    for path, name in asked:
        found = by_name.get(name) if name else None
        if found is None:
            ms.add_status(path, 404)
        else:
            add_properties(ms, CalendarObjectResource(path, found, calendar_data, resource.cal.writable), names, ctx)
    return _respond(ms)


def calendar_query(resource: Resource, root: Element, request: DavRequest, ctx: Context) -> DavResponse:
    assert isinstance(resource, CalendarCollection)
    names, calendar_data = _prop_names(root)
    wanted = CalendarQuery(
        filter=parse_filter(root), expand=calendar_data.expand, limit_recurrence_set=calendar_data.limit_recurrence_set
    )
    ms = Multistatus()
    for found in store.calendar_query(resource.cal, wanted, resource.path):
        add_properties(ms, resource.object_resource(found, calendar_data), names, ctx)
    return _respond(ms)


def free_busy_query(resource: Resource, root: Element, request: DavRequest, ctx: Context) -> DavResponse:
    assert isinstance(resource, CalendarCollection)
    node = root.find(c("time-range"))
    if node is None:
        raise bad_request("A free-busy-query needs a <C:time-range>.")
    time_range = parse_time_range(node, bad_request, both=True)
    assert time_range.start is not None
    assert time_range.end is not None
    text = store.calendar_freebusy_text(resource.cal, time_range.start, time_range.end)
    return DavResponse(200, text.encode(), {"Content-Type": f"{ICALENDAR}; charset=utf-8"})


def _is_calendar(resource: Resource) -> bool:
    return isinstance(resource, CalendarCollection)


def register_caldav() -> None:
    """Called from DavConfig.ready(): the calendars home and the CalDAV reports."""
    register_home(CALENDARS, CalendarHome())
    REPORTS.register(MULTIGET, calendar_multiget, applies_to=_is_calendar)
    REPORTS.register(QUERY, calendar_query, applies_to=_is_calendar)
    REPORTS.register(FREE_BUSY, free_busy_query, applies_to=_is_calendar)
