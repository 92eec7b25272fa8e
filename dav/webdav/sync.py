"""The {DAV:}sync-collection REPORT (RFC 6578), answered for every collection whose sync_token() is not None,
from its changes_since(token, limit)."""

from .context import Context
from .davxml import Element, dav, element
from .errors import DavError
from .multistatus import Multistatus
from .props import add_properties
from .request import DavRequest, DavResponse
from .resource import Collection, Resource

SYNC_COLLECTION = dav("sync-collection")
MULTISTATUS_TYPE = "application/xml; charset=utf-8"


def supports_sync(resource: Resource) -> bool:
    return isinstance(resource, Collection) and resource.sync_token() is not None


def _limit(root: Element) -> int | None:
    node = root.find(f"{dav('limit')}/{dav('nresults')}")
    if node is None:
        return None
    try:
        value = int((node.text or "").strip())
    except ValueError:
        value = 0
    if value < 1:
        raise DavError(400, "<D:nresults> must be a positive whole number.")
    return value


def sync_collection(resource: Resource, root: Element, request: DavRequest, ctx: Context) -> DavResponse:
    assert isinstance(resource, Collection)
    token_node = root.find(dav("sync-token"))
    if token_node is None:
        raise DavError(400, "A sync-collection report needs a <D:sync-token> element (empty for the first sync).")
    token = (token_node.text or "").strip() or None
    level = (root.findtext(dav("sync-level")) or "1").strip()
    if level not in ("1", "infinite"):
        raise DavError(400, "<D:sync-level> must be 1 or infinite.")
    # Members of the collections Roost serves are never collections themselves, so "infinite" reports the
    # same as 1 (RFC 6578 section 3.3).
    prop = root.find(dav("prop"))
    names = [str(p.tag) for p in prop] if prop is not None else []
    changes = resource.changes_since(token, _limit(root))

    ms = Multistatus()
    for member in changes.changed:
        add_properties(ms, member, names, ctx)
    for name in changes.deleted:
        ms.add_status(resource.path + name, 404)
    if changes.truncated:
        ms.add_status(resource.path, 507, element(dav("number-of-matches-within-limits")))
    ms.add_sync_token(changes.new_token)
    return DavResponse(207, ms.to_bytes(), {"Content-Type": MULTISTATUS_TYPE})
