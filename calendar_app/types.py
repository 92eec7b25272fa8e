"""Plain results of calendar_app's selectors and services, shared with the DAV layer and the web UI."""

from dataclasses import dataclass, field
from datetime import date, datetime

from core.errors import Conflict, RoostError

from .evaluate import UnsupportedCollation
from .ical.parse import InvalidCalendarData, UnsupportedComponent
from .models import CalendarObject

__all__ = [
    "Busy",
    "ChangeSet",
    "ImportReport",
    "InvalidCalendarData",
    "InvalidSyncToken",
    "Occurrence",
    "PutResult",
    "RefreshReport",
    "UidConflict",
    "UnsupportedCollation",
    "UnsupportedComponent",
]


class UidConflict(Conflict):
    """Another object of the calendar already has this UID (RFC 4791 no-uid-conflict)."""

    def __init__(self, message: str, existing_name: str) -> None:
        super().__init__(message)
        self.existing_name = existing_name


class InvalidSyncToken(RoostError):
    """A sync token this calendar never gave, or one older than the kept history (RFC 6578 valid-sync-token)."""


@dataclass(frozen=True)
class PutResult:
    obj: CalendarObject
    created: bool


@dataclass(frozen=True)
class ChangeSet:
    seq: int
    changed: list[CalendarObject]
    deleted: list[str]


@dataclass(frozen=True)
class Occurrence:
    calendar_id: int
    name: str
    uid: str
    recurrence_id: str | None  # ISO form of the instance's RECURRENCE-ID
    start: datetime | date
    end: datetime | date
    all_day: bool
    summary: str
    location: str
    color: str
    can_write: bool
    recurring: bool
    status: str  # "", "TENTATIVE", "CONFIRMED", "CANCELLED"
    transparency: str  # "OPAQUE" or "TRANSPARENT"
    klass: str  # "PUBLIC", "PRIVATE", "CONFIDENTIAL"


@dataclass(frozen=True)
class Busy:
    start: datetime
    end: datetime
    fbtype: str  # "BUSY", "BUSY-TENTATIVE", "BUSY-UNAVAILABLE"


@dataclass(frozen=True)
class ImportReport:
    created: int = 0
    updated: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (summary or uid, reason)


@dataclass(frozen=True)
class RefreshReport:
    """What one refresh of a subscription did. status: "updated" (the source was read and mirrored, maybe with
    no change), "unchanged" (304 Not Modified), "failed" (nothing changed; `error` says why), "busy" (another
    refresh holds it), "not-due" (a scheduled refresh found it refreshed meanwhile)."""

    status: str
    created: int = 0
    updated: int = 0
    deleted: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (summary or uid, reason)
    error: str = ""
