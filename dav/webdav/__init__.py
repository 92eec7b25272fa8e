"""A generic WebDAV core (RFC 4918, 3744's current-user-privilege-set, 5689, 6578) with no Django and no
models: `handle(DavRequest, Backend) -> DavResponse`. CalDAV and CardDAV are layers on top (dav/caldav.py,
dav/carddav.py) that subclass Resource and Collection and register reports; docs/dav.md describes how."""

from .context import Context
from .davxml import APPLE_ICAL, CALDAV, CALSERVER, CARDDAV, DAV, Element, dav, element, parse_xml, qname
from .errors import DavError, PropertyErrors
from .handler import REPORTS, handle
from .multistatus import Multistatus
from .props import add_properties
from .reports import MAX_MULTIGET, Reports, multiget_members
from .request import DavRequest, DavResponse
from .resource import (
    Backend,
    Collection,
    Preconditions,
    Principal,
    PropValue,
    PutResult,
    Resource,
    SyncChanges,
    hrefs,
    invalid_sync_token,
    sync_token_make,
    sync_token_seq,
)

__all__ = [
    "APPLE_ICAL",
    "CALDAV",
    "CALSERVER",
    "CARDDAV",
    "DAV",
    "MAX_MULTIGET",
    "REPORTS",
    "Backend",
    "Collection",
    "Context",
    "DavError",
    "DavRequest",
    "DavResponse",
    "Element",
    "Multistatus",
    "Preconditions",
    "Principal",
    "PropValue",
    "PropertyErrors",
    "PutResult",
    "Reports",
    "Resource",
    "SyncChanges",
    "add_properties",
    "dav",
    "element",
    "handle",
    "hrefs",
    "invalid_sync_token",
    "multiget_members",
    "parse_xml",
    "qname",
    "sync_token_make",
    "sync_token_seq",
]
