"""CardDAV (RFC 6352) on the WebDAV core: address book collections and vCard resources in
/dav/addressbooks/<address>/, the addressbook-multiget and addressbook-query REPORTs, and the global address
book as a read-only book ("gal") in every home. The data comes through dav/resources.py (the contacts store);
every store error becomes a DAV precondition there, in contacts_adapter.store_errors."""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from contacts.query import AddressbookQuery, ParamFilter, PropFilter, TextMatch
from dav.webdav import (
    CALSERVER,
    CARDDAV,
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
from .tree import ADDRESSBOOKS, Home, register_home


def cr(local: str) -> str:
    return qname(CARDDAV, local)


ADDRESSBOOK = cr("addressbook")
ADDRESS_DATA = cr("address-data")
DESCRIPTION = cr("addressbook-description")
SUPPORTED_DATA = cr("supported-address-data")
MAX_SIZE = cr("max-resource-size")
CTAG = qname(CALSERVER, "getctag")
MULTIGET = cr("addressbook-multiget")
QUERY = cr("addressbook-query")
VCARD_TYPES = ("text/vcard", "text/x-vcard", "text/directory")
VERSIONS = ("3.0", "4.0")
MULTISTATUS_TYPE = "application/xml; charset=utf-8"
SLUG = re.compile(r"^[a-z0-9-]{1,64}$")


@dataclass(frozen=True)
class AddressData:
    """What <C:address-data> asked for: a version to convert to and a subset of properties (None: all)."""

    version: str | None = None
    props: tuple[str, ...] | None = None


def parse_address_data(node: Element | None) -> AddressData:
    if node is None:
        return AddressData()
    content_type = node.get("content-type", "text/vcard").strip().lower()
    if content_type not in VCARD_TYPES:
        raise DavError(403, f"Address data as {content_type!r} is not supported.", precondition=SUPPORTED_DATA)
    version = node.get("version")
    if version is not None and version.strip() not in VERSIONS:
        raise DavError(
            403, f"vCard version {version!r} is not supported: ask for 3.0 or 4.0.", precondition=SUPPORTED_DATA
        )
    names = [p.get("name", "").strip() for p in node.iter(cr("prop"))]
    if any(not n for n in names):
        raise DavError(400, '<C:prop> in <C:address-data> needs a name="..." attribute.')
    allprop = node.find(cr("allprop")) is not None
    return AddressData(version.strip() if version else None, tuple(names) if names and not allprop else None)


class CardResource(Resource):
    def __init__(self, path: str, card: store.Card, address_data: AddressData | None = None) -> None:
        super().__init__(path)
        self.card = card
        self.address_data = address_data or AddressData()

    def etag(self) -> str | None:
        return self.card.etag

    def content_type(self) -> str | None:
        return "text/vcard; charset=utf-8"

    def content_length(self) -> int | None:
        return len(self.card.data.encode())

    def last_modified(self) -> datetime | None:
        return self.card.last_modified

    def get_body(self) -> bytes:
        return self.card.data.encode()

    def get_property(self, name: str, principal: Principal) -> PropValue:
        if name == ADDRESS_DATA:
            return store.render(self.card.data, self.address_data.version, self.address_data.props)
        return None


class AddressBookCollection(Collection):
    def __init__(self, path: str, book: store.Book) -> None:
        super().__init__(path)
        self.book = book

    def resourcetype(self) -> list[str]:
        return [ADDRESSBOOK]

    def displayname(self) -> str | None:
        return self.book.name

    def writable(self) -> bool:
        return self.book.writable

    def card_path(self, name: str) -> str:
        return self.path + name

    def members(self) -> Iterable[Resource]:
        return [CardResource(self.card_path(c.name), c) for c in store.cards(self.book)]

    def member(self, name: str) -> Resource | None:
        found = store.card(self.book, name)
        return CardResource(self.card_path(name), found) if found else None

    def property_names(self) -> list[str]:
        return [DESCRIPTION, SUPPORTED_DATA, MAX_SIZE, CTAG, dav("owner")]

    def allprop_names(self) -> list[str]:
        return [DESCRIPTION]

    def get_property(self, name: str, principal: Principal) -> PropValue:
        if name == DESCRIPTION:
            return self.book.description
        if name == SUPPORTED_DATA:
            return [Element(cr("address-data-type"), {"content-type": "text/vcard", "version": v}) for v in VERSIONS]
        if name == MAX_SIZE:
            return str(store.MAX_RESOURCE_SIZE)
        if name == CTAG:
            return str(self.book.seq)
        if name == dav("owner"):
            return hrefs(principal.href)
        return None

    def set_properties(self, changes: list[tuple[str, Element | None]], principal: Principal) -> None:
        allowed = {dav("displayname"), DESCRIPTION}
        refused = {name: 403 for name, _ in changes if name not in allowed or not self.book.writable}
        if refused:
            raise PropertyErrors(refused)
        values = {name: ("" if node is None else (node.text or "").strip()) for name, node in changes}
        name = values.get(dav("displayname"))
        if name == "":
            raise PropertyErrors({dav("displayname"): 409})
        store.update_book(self.book, name, values.get(DESCRIPTION), self.path)

    def put_member(
        self, name: str, body: bytes, content_type: str, conditions: Preconditions, principal: Principal
    ) -> PutResult:
        if self.book.is_gal:
            raise store.need_privileges(self.card_path(name))
        media = content_type.split(";")[0].strip().lower()
        if media not in VCARD_TYPES:
            raise DavError(403, f"Store vCards here (text/vcard), not {media[:60]!r}.", precondition=SUPPORTED_DATA)
        etag, created = store.put_card(self.book, name, body, conditions, self.card_path(name), self.path)
        return PutResult(etag, created)

    def delete_member(self, name: str, conditions: Preconditions, principal: Principal) -> None:
        store.delete_card(self.book, name, conditions, self.card_path(name))

    def sync_token(self) -> str | None:
        return store.sync_token(self.book)

    def changes_since(self, token: str | None, limit: int | None) -> SyncChanges:
        changes = store.changes_since(self.book, token, self.path)
        if limit is not None and len(changes.changed) + len(changes.deleted) > limit:
            raise DavError(
                507,
                f"More than {limit} changes: sync without a limit.",
                precondition=dav("number-of-matches-within-limits"),
            )
        new_token = store.sync_token(store.with_seq(self.book, changes.seq))
        members: list[Resource] = [CardResource(self.card_path(c.name), c) for c in changes.changed]
        return SyncChanges(new_token, members, changes.deleted)


class AddressBookHome:
    """The "addressbooks" HomeProvider: the user's own books and the GAL."""

    def _path(self, home: Home, slug: str) -> str:
        return f"{home.path}{slug}/"

    def members(self, home: Home) -> Iterable[Resource]:
        return [AddressBookCollection(self._path(home, b.slug), b) for b in store.books(home.owner.account)]

    def member(self, home: Home, name: str) -> Resource | None:
        found = store.book(home.owner.account, name)
        return AddressBookCollection(self._path(home, name), found) if found else None

    def create_child(
        self, home: Home, name: str, resourcetype: list[str], properties: list[tuple[str, Element]]
    ) -> Collection:
        if resourcetype != [ADDRESSBOOK]:
            raise DavError(
                403,
                "Only address books can be made here: use an extended MKCOL with resourcetype addressbook.",
                precondition=dav("valid-resourcetype"),
            )
        if not SLUG.match(name):
            raise DavError(400, "An address book's name may hold only a-z, 0-9 and -, at most 64 characters.")
        values: dict[str, str] = {}
        for prop_name, node in properties:
            if prop_name not in (dav("displayname"), DESCRIPTION):
                raise PropertyErrors({prop_name: 403})
            values[prop_name] = (node.text or "").strip()
        path = self._path(home, name)
        created = store.create_book(home.owner.account, name, values.get(dav("displayname"), ""),
                                    values.get(DESCRIPTION, ""), path)  # fmt: skip
        return AddressBookCollection(path, created)

    def delete_member(self, home: Home, name: str, conditions: Preconditions) -> None:
        found = store.book(home.owner.account, name)
        path = self._path(home, name)
        if found is None:
            raise DavError(404, f"Nothing is at {path}.")
        if conditions.if_match is not None or conditions.if_none_match is not None:
            conditions.check(store.sync_token(found))
        store.delete_book(found, path)


# ---------------------------------------------------------------------------------------------------------
# REPORTs


def _prop_names(root: Element) -> tuple[list[str], AddressData]:
    prop = root.find(dav("prop"))
    if prop is None:
        return [dav("getetag"), ADDRESS_DATA], AddressData()
    return [str(p.tag) for p in prop], parse_address_data(prop.find(ADDRESS_DATA))


def _respond(ms: Multistatus) -> DavResponse:
    return DavResponse(207, ms.to_bytes(), {"Content-Type": MULTISTATUS_TYPE})


def addressbook_multiget(resource: Resource, root: Element, request: DavRequest, ctx: Context) -> DavResponse:
    assert isinstance(resource, AddressBookCollection)
    names, address_data = _prop_names(root)
    asked = multiget_members(root, resource.path, report="An addressbook-multiget", noun="cards")
    by_name = {c.name: c for c in store.cards(resource.book, [name for _, name in asked if name])}
    ms = Multistatus()
    for path, name in asked:
        found = by_name.get(name) if name else None
        if found is None:
            ms.add_status(path, 404)
        else:
            add_properties(ms, CardResource(path, found, address_data), names, ctx)
    return _respond(ms)


def _text_match(node: Element) -> TextMatch:
    collation = node.get("collation", "i;unicode-casemap")
    match_type = node.get("match-type", "contains")
    if match_type not in ("equals", "contains", "starts-with", "ends-with"):
        raise DavError(400, f"match-type {match_type[:40]!r} is not one of equals, contains, starts-with, ends-with.")
    negate = node.get("negate-condition", "no").strip().lower() == "yes"
    return TextMatch(node.text or "", collation, match_type, negate)  # type: ignore[arg-type]


def _test(node: Element) -> str:
    test = node.get("test", "anyof")
    if test not in ("anyof", "allof"):
        raise DavError(400, f'test="{test[:20]}" must be anyof or allof.')
    return test


def _name(node: Element, what: str) -> str:
    name = node.get("name", "").strip().upper()
    if not name:
        raise DavError(400, f'<C:{what}> needs a name="..." attribute.')
    return name


def parse_query(root: Element) -> AddressbookQuery:
    """The filter and limit of an addressbook-query (RFC 6352 section 10.5) as contacts.query values."""
    node = root.find(cr("filter"))
    prop_filters: list[PropFilter] = []
    test = "anyof"
    if node is not None:
        test = _test(node)
        for pf in node.findall(cr("prop-filter")):
            param_filters = []
            for param in pf.findall(cr("param-filter")):
                tm = param.find(cr("text-match"))
                param_filters.append(
                    ParamFilter(
                        _name(param, "param-filter"),
                        is_not_defined=param.find(cr("is-not-defined")) is not None,
                        text_match=_text_match(tm) if tm is not None else None,
                    )
                )
            prop_filters.append(
                PropFilter(
                    _name(pf, "prop-filter"),
                    test=_test(pf),  # type: ignore[arg-type]
                    is_not_defined=pf.find(cr("is-not-defined")) is not None,
                    text_matches=tuple(_text_match(tm) for tm in pf.findall(cr("text-match"))),
                    param_filters=tuple(param_filters),
                )
            )
    limit = None
    nresults = root.find(f"{cr('limit')}/{cr('nresults')}")
    if nresults is not None:
        text = (nresults.text or "").strip()
        if not text.isdigit() or int(text) < 1:
            raise DavError(400, "<C:nresults> must be a positive whole number.")
        limit = int(text)
    return AddressbookQuery(test=test, prop_filters=tuple(prop_filters), limit=limit)  # type: ignore[arg-type]


def addressbook_query(resource: Resource, root: Element, request: DavRequest, ctx: Context) -> DavResponse:
    assert isinstance(resource, AddressBookCollection)
    names, address_data = _prop_names(root)
    wanted = parse_query(root)
    limit = wanted.limit
    # One more than asked, to know whether the answer was cut (RFC 6352 section 8.6.1).
    asked = AddressbookQuery(wanted.test, wanted.prop_filters, limit + 1 if limit is not None else None)
    found = store.query(resource.book, asked, resource.path)
    ms = Multistatus()
    for card in found[:limit] if limit is not None else found:
        add_properties(ms, CardResource(resource.card_path(card.name), card, address_data), names, ctx)
    if limit is not None and len(found) > limit:
        ms.add_status(resource.path, 507, element(dav("number-of-matches-within-limits")))
    return _respond(ms)


def _is_book(resource: Resource) -> bool:
    return isinstance(resource, AddressBookCollection)


def register_carddav() -> None:
    """Called from DavConfig.ready(): the addressbooks home and the CardDAV reports."""
    register_home(ADDRESSBOOKS, AddressBookHome())
    REPORTS.register(MULTIGET, addressbook_multiget, applies_to=_is_book)
    REPORTS.register(QUERY, addressbook_query, applies_to=_is_book)
