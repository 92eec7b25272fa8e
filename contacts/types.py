"""Plain results of contacts' services and selectors, shared with the DAV layer and the web UI."""

from dataclasses import dataclass, field
from typing import Literal

from core.errors import Conflict, RoostError

from .models import Contact

OnDuplicate = Literal["merge", "skip", "add"]


class UidConflict(Conflict):
    """Another contact of the book already has this UID (RFC 6352 no-uid-conflict)."""

    def __init__(self, message: str, existing_name: str) -> None:
        super().__init__(message)
        self.existing_name = existing_name


class InvalidSyncToken(RoostError):
    """The sync token does not belong to this book's history (RFC 6578 valid-sync-token)."""


@dataclass(frozen=True)
class PutResult:
    contact: Contact
    created: bool

    @property
    def etag(self) -> str:
        return self.contact.etag


@dataclass(frozen=True)
class ChangeSet:
    seq: int  # the new sync token
    changed: list[str]  # names added or changed since the token (or every name, for an initial sync)
    deleted: list[str]  # names gone since the token


@dataclass(frozen=True)
class Suggestion:
    name: str
    email: str  # empty for a group
    source: Literal["contact", "group", "gal"]
    members: tuple[str, ...] = ()  # a group's addresses

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>" if self.name and self.email else (self.email or self.name)


@dataclass(frozen=True)
class ImportProblem:
    entry: int  # 1-based position in the file (card or CSV row)
    reason: str


@dataclass
class ImportReport:
    imported: int = 0
    merged: int = 0
    skipped: int = 0
    problems: list[ImportProblem] = field(default_factory=list)  # every skipped entry with its reason
