"""An address book query as plain values: what CardDAV's addressbook-query REPORT (RFC 6352 section 8.6)
and the web UI's search ask of a book. The DAV layer parses XML into these; contacts evaluates them."""

from dataclasses import dataclass
from typing import Literal

MatchType = Literal["equals", "contains", "starts-with", "ends-with"]


@dataclass(frozen=True)
class TextMatch:
    text: str
    collation: str = "i;unicode-casemap"  # or "i;ascii-casemap" or "i;octet"
    match_type: MatchType = "contains"
    negate: bool = False


@dataclass(frozen=True)
class ParamFilter:
    name: str  # upper case, e.g. "TYPE"
    is_not_defined: bool = False
    text_match: TextMatch | None = None


@dataclass(frozen=True)
class PropFilter:
    name: str  # upper case, e.g. "FN", "EMAIL", "TEL"
    test: Literal["anyof", "allof"] = "anyof"
    is_not_defined: bool = False
    text_matches: tuple[TextMatch, ...] = ()
    param_filters: tuple[ParamFilter, ...] = ()


@dataclass(frozen=True)
class AddressbookQuery:
    test: Literal["anyof", "allof"] = "anyof"
    prop_filters: tuple[PropFilter, ...] = ()  # none: every card matches
    limit: int | None = None  # nresults
