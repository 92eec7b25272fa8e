"""A calendar query as plain values: what CalDAV's calendar-query REPORT (RFC 4791 section 9.7) and the web
UI ask of a calendar. The DAV layer parses XML into these; calendar_app evaluates them (the database narrows
by time range, then each candidate is checked exactly), so neither side knows the other's format."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

MatchType = Literal["equals", "contains", "starts-with", "ends-with"]


@dataclass(frozen=True)
class TimeRange:
    """Aware UTC datetimes; either end may be open (None), as RFC 4791 allows."""

    start: datetime | None = None
    end: datetime | None = None


@dataclass(frozen=True)
class TextMatch:
    text: str
    collation: str = "i;ascii-casemap"  # or "i;octet" (case-sensitive) or "i;unicode-casemap"
    match_type: MatchType = "contains"
    negate: bool = False


@dataclass(frozen=True)
class ParamFilter:
    name: str  # upper case, e.g. "PARTSTAT"
    is_not_defined: bool = False
    text_match: TextMatch | None = None


@dataclass(frozen=True)
class PropFilter:
    name: str  # upper case, e.g. "SUMMARY", "UID", "ATTENDEE"
    is_not_defined: bool = False
    time_range: TimeRange | None = None
    text_match: TextMatch | None = None
    param_filters: tuple[ParamFilter, ...] = ()


@dataclass(frozen=True)
class CompFilter:
    name: str  # upper case: "VCALENDAR" at the top, then "VEVENT", "VTODO", "VALARM", ...
    is_not_defined: bool = False
    time_range: TimeRange | None = None
    prop_filters: tuple[PropFilter, ...] = ()
    comp_filters: tuple["CompFilter", ...] = ()


@dataclass(frozen=True)
class CalendarQuery:
    """The filter of a calendar-query. `filter` is the VCALENDAR comp-filter (None matches everything)."""

    filter: CompFilter | None = None
    # How calendar-data is returned (RFC 4791 9.6.5 and 9.6.6); the evaluation does not depend on them.
    expand: TimeRange | None = None
    limit_recurrence_set: TimeRange | None = None
    extra: dict[str, str] = field(default_factory=dict)
