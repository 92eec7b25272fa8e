"""Text matching as CalDAV and CardDAV queries ask for it (RFC 4791 9.7.5, RFC 6352 10.5.4): a collation
(RFC 4790: i;octet, i;ascii-casemap, i;unicode-casemap) and a match type, one implementation for calendars and
address books alike."""

import unicodedata

COLLATIONS = ("i;ascii-casemap", "i;octet", "i;unicode-casemap")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


class UnknownCollation(ValueError):
    """A collation not in COLLATIONS; each app turns it into the error its protocol wants."""


def collation_fold(text: str, collation: str) -> str:
    """The form of `text` that compares under `collation`."""
    if collation == "i;octet":
        return text
    if collation == "i;ascii-casemap":
        return text.translate(_ASCII_LOWER)
    if collation == "i;unicode-casemap":
        return unicodedata.normalize("NFKC", text).casefold()
    raise UnknownCollation(f"The collation {collation} is not supported; use one of {', '.join(COLLATIONS)}.")


def text_matches(value: str, *, text: str, collation: str, match_type: str, negate: bool) -> bool:
    """Whether `value` matches (equals, starts-with, ends-with or contains; contains by default), negated
    when asked."""
    haystack, needle = collation_fold(value, collation), collation_fold(text, collation)
    if match_type == "equals":
        found = haystack == needle
    elif match_type == "starts-with":
        found = haystack.startswith(needle)
    elif match_type == "ends-with":
        found = haystack.endswith(needle)
    else:
        found = needle in haystack
    return found != negate
