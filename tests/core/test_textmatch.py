"""One implementation of DAV text-match for calendars and address books: the three collations and the four
match types, negation, and an unknown collation refused rather than matched."""

import pytest

from core.textmatch import UnknownCollation, collation_fold, text_matches


@pytest.mark.parametrize(
    ("value", "text", "collation", "match_type", "expected"),
    [
        ("Team Stand-up", "stand", "i;ascii-casemap", "contains", True),
        ("Team Stand-up", "stand", "i;octet", "contains", False),
        ("Team Stand-up", "team", "i;ascii-casemap", "starts-with", True),
        ("Team Stand-up", "STAND-UP", "i;ascii-casemap", "ends-with", True),
        ("Team Stand-up", "team stand-up", "i;ascii-casemap", "equals", True),
        ("Straße", "STRASSE", "i;unicode-casemap", "equals", True),
        ("Straße", "STRASSE", "i;ascii-casemap", "equals", False),
        ("Ｆｕｌｌ width", "full", "i;unicode-casemap", "starts-with", True),
    ],
)
def test_collations_and_match_types(value: str, text: str, collation: str, match_type: str, expected: bool) -> None:
    assert text_matches(value, text=text, collation=collation, match_type=match_type, negate=False) is expected
    assert text_matches(value, text=text, collation=collation, match_type=match_type, negate=True) is not expected


def test_an_unknown_collation_is_refused() -> None:
    with pytest.raises(UnknownCollation, match="i;klingon"):
        collation_fold("x", "i;klingon")
