import pytest

from webmail.validators import (
    InvalidRequest,
    clean_date,
    clean_folder,
    clean_new_folder_name,
    clean_part_id,
    clean_search_text,
    clean_sort,
    clean_uids,
)


@pytest.mark.parametrize("name", ["INBOX\r\nA1 LOGOUT", "a\x00b", "", "x" * 256, None, 7])
def test_bad_folder_names(name: object) -> None:
    with pytest.raises(InvalidRequest):
        clean_folder(name)


def test_good_folder_names_pass_unchanged() -> None:
    assert clean_folder("Projects/2026 – Q1 ünïcode") == "Projects/2026 – Q1 ünïcode"


@pytest.mark.parametrize("name", ["a*b", "a%b", "/lead", "trail/", "INBOX", "inbox"])
def test_new_folder_names_that_imap_would_misread(name: str) -> None:
    with pytest.raises(InvalidRequest):
        clean_new_folder_name(name, "/")


@pytest.mark.parametrize("uids", [["1 OR 2"], ["0"], ["-1"], ["4294967296"], ["1:*"], []])
def test_bad_uids(uids: list[str]) -> None:
    with pytest.raises(InvalidRequest):
        clean_uids(uids)


def test_uids_are_deduplicated_and_capped() -> None:
    assert clean_uids(["3", "1", "3"]) == [1, 3]
    with pytest.raises(InvalidRequest, match="at most"):
        clean_uids([str(n) for n in range(1, 5002)])


@pytest.mark.parametrize("part", ["1]<0.5>", "0", "1..2", "TEXT", "1.2.", "HEADER"])
def test_bad_part_ids(part: str) -> None:
    with pytest.raises(InvalidRequest):
        clean_part_id(part)


def test_search_text_loses_control_characters_and_is_bounded() -> None:
    assert clean_search_text("a\r\nb\x00c") == "a  b c"
    with pytest.raises(InvalidRequest):
        clean_search_text("x" * 201)


def test_sort_and_dates() -> None:
    assert clean_sort("subject") == "subject"
    assert clean_sort("UID; DROP") == "date"
    assert clean_date("2026-03-01").isoformat() == "2026-03-01"
    assert clean_date("") is None
    with pytest.raises(InvalidRequest):
        clean_date("01/03/2026")
