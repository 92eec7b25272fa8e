"""REPORT dispatch: handlers registered by qualified name of the body's root element. The core registers
{DAV:}sync-collection; CalDAV and CardDAV register theirs (calendar-query, calendar-multiget,
addressbook-query, ...) at start-up. supported-report-set is computed from the same registry, so a report
is advertised exactly where it is answered."""

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from .context import Context
from .davxml import Element, dav, element
from .errors import DavError
from .request import DavRequest, DavResponse
from .resource import Resource

ReportHandler = Callable[[Resource, Element, DavRequest, Context], DavResponse]
AppliesTo = Callable[[Resource], bool]


@dataclass(frozen=True)
class _Report:
    handler: ReportHandler
    applies_to: AppliesTo


class Reports:
    def __init__(self) -> None:
        self._reports: dict[str, _Report] = {}

    def register(self, name: str, handler: ReportHandler, *, applies_to: AppliesTo = lambda _r: True) -> None:
        """Register handler for the report whose root element is `name` ("{urn:...caldav}calendar-query"),
        answered on resources for which applies_to is true. Registering a name again replaces it."""
        self._reports[name] = _Report(handler, applies_to)

    def supported(self, resource: Resource) -> list[str]:
        return [name for name, report in self._reports.items() if report.applies_to(resource)]

    def copy(self) -> "Reports":
        other = Reports()
        other._reports = dict(self._reports)
        return other

    def run(self, resource: Resource, root: Element, request: DavRequest, ctx: Context) -> DavResponse:
        report = self._reports.get(str(root.tag))
        if report is None or not report.applies_to(resource):
            raise DavError(
                403,
                f"The report {root.tag} is not supported on {resource.path}.",
                precondition=element(dav("supported-report")),
            )
        return report.handler(resource, root, request, ctx)


MAX_MULTIGET = 1000


def multiget_members(root: Element, collection_path: str, *, report: str, noun: str) -> list[tuple[str, str | None]]:
    """The hrefs of a calendar- or addressbook-multiget as decoded paths, each once and in the order asked,
    with the member name of the collection each names (None for a path outside it: answered 404)."""
    wanted = [(node.text or "").strip() for node in root.iter(dav("href"))]
    if not wanted:
        raise DavError(400, f"{report} needs at least one <D:href>.")
    if len(wanted) > MAX_MULTIGET:
        raise DavError(
            403,
            f"Ask for at most {MAX_MULTIGET} {noun} at a time.",
            precondition=dav("number-of-matches-within-limits"),
        )
    asked: list[tuple[str, str | None]] = []
    for path in dict.fromkeys(unquote(urlsplit(href).path) for href in wanted):
        name = path.removeprefix(collection_path)
        member = path.startswith(collection_path) and name != "" and "/" not in name
        asked.append((path, name if member else None))
    return asked
