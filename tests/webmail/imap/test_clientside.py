"""Client-side SORT and THREAD: the orders and groups RFC 5256 (and Dovecot) give, from plain values."""

import pytest

from webmail.imap.clientside import SortEntry, ThreadEntry, base_subject, sort_entries, thread_groups


@pytest.mark.parametrize(
    ("subject", "base"),
    [
        ("Plan", "Plan"),
        ("Re: Plan", "Plan"),
        ("RE:  re: Fwd: Plan", "Plan"),
        ("Fw: Plan (fwd)", "Plan"),
        ("[team] Re: Plan", "Plan"),
        ("Re[2]: Plan", "Plan"),
        ("[Fwd: Re: Plan]", "Plan"),
        ("[team]", "[team]"),  # a blob that would leave nothing stays
        ("Plan\t  for   Monday ", "Plan for Monday"),
        ("Reply guy", "Reply guy"),
        ("", ""),
    ],
)
def test_base_subject_strips_reply_and_forward_markers(subject: str, base: str) -> None:
    assert base_subject(subject) == base


def _entry(uid: int, **values: object) -> SortEntry:
    return SortEntry(uid=uid, **values)  # type: ignore[arg-type]


def test_sort_by_each_key_either_way_ties_by_uid_ascending() -> None:
    entries = [
        _entry(1, arrival=300.0, sent=100.0, sender="zed", subject="Banana", size=10),
        _entry(2, arrival=50.0, sent=None, sender="amy", subject="Re: apple", size=30),
        _entry(3, arrival=200.0, sent=100.0, sender="Amy", subject="cherry", size=10),
        _entry(4, arrival=200.0, sent=400.0, sender="max", subject="Apple", size=20),
    ]
    assert sort_entries(entries, sort="arrival", reverse=False) == [2, 3, 4, 1]
    assert sort_entries(entries, sort="arrival", reverse=True) == [1, 3, 4, 2]
    # no Date header: the arrival time stands in for it
    assert sort_entries(entries, sort="date", reverse=False) == [2, 1, 3, 4]
    assert sort_entries(entries, sort="date", reverse=True) == [4, 1, 3, 2]
    assert sort_entries(entries, sort="from", reverse=False) == [2, 3, 4, 1]  # case does not count
    assert sort_entries(entries, sort="subject", reverse=False) == [2, 4, 1, 3]  # "Re:" does not count
    assert sort_entries(entries, sort="subject", reverse=True) == [3, 1, 2, 4]
    assert sort_entries(entries, sort="size", reverse=True) == [2, 4, 1, 3]


def test_unknown_sort_key_is_refused() -> None:
    with pytest.raises(ValueError, match="colour"):
        sort_entries([_entry(1), _entry(2)], sort="colour", reverse=False)


def _msg(uid: int, mid: str | None, refs: tuple[str, ...] = (), subject: str = "", sent: float = 0.0) -> ThreadEntry:
    return ThreadEntry(uid=uid, message_id=mid, references=refs, subject=subject, sent=sent or float(uid))


def test_threads_follow_references_and_in_reply_to() -> None:
    groups = thread_groups(
        [
            _msg(1, "<a>", subject="Trip"),
            _msg(2, "<x>", subject="Unrelated"),
            _msg(3, "<b>", ("<a>",), subject="Re: Trip"),
            _msg(4, "<c>", ("<a>", "<b>"), subject="Re: Re: Trip"),
        ]
    )
    assert sorted(groups) == [[1, 3, 4], [2]]


def test_replies_to_a_missing_message_share_its_thread() -> None:
    groups = thread_groups(
        [_msg(1, "<r1>", ("<gone>",), subject="Re: Lost"), _msg(2, "<r2>", ("<gone>",), subject="Other words")]
    )
    assert groups == [[1, 2]]


def test_roots_with_the_same_base_subject_are_joined_but_empty_subjects_are_not() -> None:
    groups = thread_groups(
        [
            _msg(1, "<h1>", subject="Hello"),
            _msg(2, "<h2>", subject="Re: Hello"),
            _msg(3, "<h3>", subject="[list] hello"),
            _msg(4, "<e1>", subject=""),
            _msg(5, "<e2>", subject="Re:"),
        ]
    )
    assert sorted(groups) == [[1, 2, 3], [4], [5]]


def test_duplicate_message_ids_missing_ids_and_loops_do_not_break_grouping() -> None:
    groups = thread_groups(
        [
            _msg(1, "<same>", subject="One"),
            _msg(2, "<same>", subject="Two"),  # a duplicate counts as having no id
            _msg(3, None, ("<same>",), subject="Re: One"),
            _msg(4, "<p>", ("<q>",), subject="Loop A"),
            _msg(5, "<q>", ("<p>",), subject="Loop B"),
            _msg(6, "<self>", ("<self>",), subject="Self"),
        ]
    )
    assert sorted(groups) == [[1, 3], [2], [4, 5], [6]]
