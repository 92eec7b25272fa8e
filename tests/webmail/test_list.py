"""The message list: paging, sorting, conversations, search, and connection reuse."""

import re

import pytest
from django.test import Client

from tests import personas
from tests.webmail.helpers import append, list_url, message, signed_in
from webmail.mailstore import POOL

pytestmark = [pytest.mark.integration]


def _subjects(page: str) -> list[str]:
    return re.findall(r'<span class="subj">([^<]*)</span>', page)


@pytest.fixture
def alice(mail_stack: None, client: Client) -> Client:
    personas.mailbox("alice")
    return signed_in(client)


def test_list_is_paged_by_fifty_newest_first(alice: Client) -> None:
    append("alice@example.test", "INBOX", [message(f"Note {n:03d}") for n in range(120)])

    first = alice.get(list_url()).content.decode()
    third = alice.get(list_url(page="3")).content.decode()

    assert "120 messages" in first
    assert "1–50 of 120" in first
    assert _subjects(first)[0] == "Note 119"
    assert len(_subjects(first)) == 50
    assert _subjects(third) == [f"Note {n:03d}" for n in range(19, -1, -1)]


def test_sort_by_sender_subject_and_size_either_way(alice: Client) -> None:
    append(
        "alice@example.test",
        "INBOX",
        [
            message("Banana", sender="Zed <zed@partners.test>", body="x" * 3000),
            message("Apple", sender="Amy <amy@partners.test>", body="short"),
            message("Cherry", sender="Max <max@partners.test>", body="y" * 9000),
        ],
    )
    assert _subjects(alice.get(list_url(sort="subject", order="asc")).content.decode()) == ["Apple", "Banana", "Cherry"]
    assert _subjects(alice.get(list_url(sort="subject")).content.decode()) == ["Cherry", "Banana", "Apple"]
    assert _subjects(alice.get(list_url(sort="from", order="asc")).content.decode()) == ["Apple", "Cherry", "Banana"]
    assert _subjects(alice.get(list_url(sort="size")).content.decode()) == ["Cherry", "Banana", "Apple"]


def test_rows_show_state_marks_and_snippet(alice: Client) -> None:
    append(
        "alice@example.test",
        "INBOX",
        [message("Read one", body="The snippet text is here.")],
        flags=("\\Seen", "\\Flagged"),
    )
    append("alice@example.test", "INBOX", [message("Unread one")])
    page = alice.get(list_url()).content.decode()
    assert re.search(r'class="row flagged"[^>]*>.*?Read one', page, re.S)
    assert re.search(r'class="row unread"[^>]*>.*?Unread one', page, re.S)
    assert "The snippet text is here." in page


def test_conversation_view_groups_a_thread(alice: Client) -> None:
    root = message("Trip plan", Message_ID="<root@partners.test>")
    reply = message(
        "Re: Trip plan",
        Message_ID="<r1@partners.test>",
        In_Reply_To="<root@partners.test>",
        References="<root@partners.test>",
    )
    other = message("Unrelated", Message_ID="<x@partners.test>")
    append("alice@example.test", "INBOX", [root, other, reply])

    page = alice.get(list_url(view="threads")).content.decode()

    assert "2 conversations" in page
    assert _subjects(page) == ["Re: Trip plan", "Unrelated"]
    assert '<span class="thread-count">2</span>' in page


def test_quick_search_covers_sender_subject_and_body(alice: Client) -> None:
    append(
        "alice@example.test",
        "INBOX",
        [
            message("Budget", body="numbers"),
            message("Hello", sender="Budgetbot <bot@partners.test>"),
            message("Other", body="the budget is attached"),
            message("Nothing relevant"),
        ],
    )
    page = alice.get(list_url(q="budget")).content.decode()
    assert "3 found" in page
    assert set(_subjects(page)) == {"Budget", "Hello", "Other"}


def test_search_text_with_quotes_and_unicode_reaches_imap_safely(alice: Client) -> None:
    append("alice@example.test", "INBOX", [message('Café "quoted" ) ( *')])
    assert "1 found" in alice.get(list_url(q='Café "quoted" ) (')).content.decode()
    assert alice.get(list_url(q="a\r\nX LOGOUT")).status_code == 200  # control characters become spaces


def test_filters_unread_and_flagged(alice: Client) -> None:
    append("alice@example.test", "INBOX", [message("Seen")], flags=("\\Seen",))
    append("alice@example.test", "INBOX", [message("Flagged")], flags=("\\Seen", "\\Flagged"))
    append("alice@example.test", "INBOX", [message("New")])
    assert _subjects(alice.get(list_url(unseen="1")).content.decode()) == ["New"]
    assert _subjects(alice.get(list_url(flagged="1")).content.decode()) == ["Flagged"]


def test_list_requests_reuse_one_connection_without_new_login_or_select(alice: Client) -> None:
    append("alice@example.test", "INBOX", [message(f"m{n}") for n in range(5)])
    for params in ({}, {"page": "1"}, {"sort": "subject"}, {}, {"view": "threads"}):
        assert alice.get(list_url(**params)).status_code == 200
    idle = [c for conns in POOL._idle.values() for c in conns]
    assert len(idle) == 1
    assert idle[0].logins == 1
    assert idle[0].selects == 1


def test_unknown_folder_is_a_clear_404(alice: Client) -> None:
    response = alice.get(list_url("No such folder"))
    assert response.status_code == 404
    assert "There is no folder called No such folder" in response.content.decode()


def test_folder_name_with_control_characters_never_reaches_imap(alice: Client) -> None:
    assert alice.get("/mail/f/INBOX%0D%0AA1%20LOGOUT/").status_code == 404
    response = alice.get("/mail/f/INBOX%00x/")
    assert response.status_code == 400
    assert "folder name is not valid" in response.content.decode()


def test_advanced_search_by_sender_and_subject_only(alice: Client) -> None:
    append(
        "alice@example.test",
        "INBOX",
        [
            message("Budget", sender="Amy <amy@partners.test>"),
            message("Other", sender="Amy <amy@partners.test>", body="Budget in the body only"),
            message("Budget too", sender="Zed <zed@partners.test>"),
        ],
    )
    assert _subjects(alice.get(list_url(subject="budget")).content.decode()) == ["Budget too", "Budget"]
    assert _subjects(alice.get(list_url(subject="budget", **{"from": "amy"})).content.decode()) == ["Budget"]
