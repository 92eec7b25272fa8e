"""Roost against a Dovecot that offers no SORT, THREAD, MOVE or CONDSTORE: the test stack's second
IMAP listener (deploy/stack.py, imap_basic_*) serves the same mailboxes with a minimal capability
list. Every list, conversation view, move and cache decision must come out as on the full server,
without Roost ever sending the commands the server did not offer."""

import logging
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from tests import personas
from tests.mailstack import master_login
from tests.webmail.helpers import list_url, message, signed_in
from webmail.imap.changes import move_messages
from webmail.imap.connection import ImapEndpoint, ImapLogin
from webmail.imap.listing import folder_stamp, sorted_uids, thread_uids
from webmail.imap.pool import ImapPool, PooledConnection
from webmail.mailstore import POOL

pytestmark = [pytest.mark.integration]
ALICE = "alice@example.test"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
NOT_OFFERED = {"SORT", "THREAD=REFERENCES", "MOVE", "CONDSTORE"}


@pytest.fixture
def endpoints(mail_stack: None) -> dict[str, ImapEndpoint]:
    port = os.environ.get("ROOST_TEST_IMAP_BASIC_PORT")
    if not port:
        pytest.fail("The test stack has no minimal-capability listener: restart it (deploy/stack.py, --instance test)")
    personas.mailbox("alice")
    return {
        "full": ImapEndpoint(settings.ROOST_IMAP_HOST, settings.ROOST_IMAP_PORT),
        "basic": ImapEndpoint(os.environ["ROOST_TEST_IMAP_BASIC_HOST"], int(port)),
    }


def _login() -> ImapLogin:
    return ImapLogin(f"{ALICE}*{settings.ROOST_DOVECOT_MASTER_USER}", settings.ROOST_DOVECOT_MASTER_PASSWORD)


@contextmanager
def _open(endpoint: ImapEndpoint) -> Iterator[PooledConnection]:
    pool = ImapPool()
    try:
        with pool.connection(endpoint, _login()) as conn:
            yield conn
    finally:
        pool.clear()


@pytest.fixture
def commands(caplog: pytest.LogCaptureFixture) -> Iterator[list[str]]:
    """The IMAP commands Roost sends: imapclient logs each line it writes at DEBUG, through
    imapclient.imaplib or (commands it builds itself, such as SEARCH and SORT) imapclient.imapclient."""
    caplog.set_level(logging.DEBUG, logger="imapclient")
    sent: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            text = record.getMessage()
            if text.startswith("> "):
                sent.append(text[2:].strip("b'\"").upper())

    handler = Collect()
    logging.getLogger("imapclient").addHandler(handler)
    yield sent
    logging.getLogger("imapclient").removeHandler(handler)


def _not_offered_but_sent(sent: list[str]) -> list[str]:
    found = []
    for line in sent:
        words = line.split()
        verb = words[2] if len(words) > 2 and words[1] == "UID" else (words[1] if len(words) > 1 else "")
        if verb in {"SORT", "THREAD", "MOVE"} or "HIGHESTMODSEQ" in line or "CONDSTORE" in line:
            found.append(line)
    return found


def _put(folder: str, raws: list[tuple[bytes, datetime]], flags: tuple[str, ...] = ()) -> None:
    client = master_login(ALICE)
    try:
        if folder != "INBOX" and not client.folder_exists(folder):
            client.create_folder(folder)
        for raw, when in raws:
            client.append(folder, raw, flags=flags, msg_time=when)
    finally:
        client.logout()


def _sorting_mailbox() -> None:
    """Ties on purpose in every key (same Date in two zones, same arrival, same sender mailbox in two
    cases, base subjects equal after Re:/[list]/(fwd)), a missing and an unreadable Date header."""
    _put(
        "INBOX",
        [
            (message("Plan", "Zed <zed@partners.test>", "x" * 100, Date="Mon, 02 Mar 2026 10:00:00 +0000"), T0),
            (message("Re: plan", "amy@partners.test", "x" * 100, Date="Mon, 02 Mar 2026 12:00:00 +0200"), T0),
            (message("[team] Budget", "Amy <AMY@partners.test>", "y" * 900), T0 + timedelta(hours=1)),
            (message("budget", "Max <max@partners.test>", "z", Date="Sun, 01 Mar 2026 08:00:00 +0000"), T0),
            (
                message("Fwd: Apple (fwd)", "bob@partners.test", "w" * 40, Date="x").replace(
                    b"Date:", b"Date: not a date"
                ),
                T0 - timedelta(days=1),
            ),
            (message("Äpfel und Birnen", "Öz <oz@partners.test>", "v" * 40), T0 + timedelta(hours=2)),
            (message("_under", "zed@partners.test", "x" * 100, Date="Mon, 02 Mar 2026 10:00:00 +0000"), T0),
        ],
    )


def _threading_mailbox() -> None:
    def m(subject: str, **headers: str) -> bytes:
        return message(subject, **headers)

    _put(
        "Lists",
        [
            (m("Trip plan", Message_ID="<a@p.test>"), T0),
            (m("Re: Trip plan", Message_ID="<b@p.test>", References="<a@p.test>"), T0 + timedelta(minutes=1)),
            (m("Re: Trip plan", Message_ID="<c@p.test>", In_Reply_To="<b@p.test>"), T0 + timedelta(minutes=2)),
            (m("Unrelated", Message_ID="<d@p.test>"), T0 + timedelta(minutes=3)),
            (m("Hello", Message_ID="<e@p.test>"), T0 + timedelta(minutes=4)),
            (m("Hello", Message_ID="<f@p.test>"), T0 + timedelta(minutes=5)),
            (m("Re: Lost", Message_ID="<g@p.test>", References="<gone@p.test>"), T0 + timedelta(minutes=6)),
            (m("Other words", Message_ID="<h@p.test>", References="<gone@p.test>"), T0 + timedelta(minutes=7)),
            (m("No id at all"), T0 + timedelta(minutes=8)),
            (m("Re: Unrelated", Message_ID="<j@p.test>"), T0 + timedelta(minutes=9)),
            (m("Re: Trip plan", Message_ID="<k@p.test>", References="<x@p.test> <a@p.test>"), T0),
        ],
    )


def test_the_basic_listener_offers_none_of_the_four_and_the_pool_sees_that(endpoints: dict[str, ImapEndpoint]) -> None:
    with _open(endpoints["full"]) as full, _open(endpoints["basic"]) as basic:
        assert full.capabilities >= NOT_OFFERED
        assert not NOT_OFFERED & basic.capabilities
        assert basic.has("UIDPLUS")


@pytest.mark.parametrize("criteria", [["ALL"], ["SUBJECT", "budget"], ["SINCE", datetime(2026, 3, 2).date()]], ids=str)
def test_every_sort_either_way_matches_server_sort(
    endpoints: dict[str, ImapEndpoint], commands: list[str], criteria: list[object]
) -> None:
    _sorting_mailbox()
    with _open(endpoints["full"]) as full, _open(endpoints["basic"]) as basic:
        for sort in ("date", "arrival", "from", "subject", "size"):
            for reverse in (False, True):
                commands.clear()
                expected = sorted_uids(full, "INBOX", sort=sort, reverse=reverse, criteria=criteria)
                assert _not_offered_but_sent(commands)  # the full server is asked to SORT: the check sees it
                commands.clear()
                got = sorted_uids(basic, "INBOX", sort=sort, reverse=reverse, criteria=criteria)
                assert got == expected, (sort, reverse)
                assert any(" SEARCH " in f" {c} " for c in commands)  # the fallback ran, and the log shows it
                assert not _not_offered_but_sent(commands)


@pytest.mark.parametrize("criteria", [["ALL"], ["SUBJECT", "trip"], ["NOT", "SUBJECT", "hello"]], ids=str)
def test_conversations_match_server_thread_references(
    endpoints: dict[str, ImapEndpoint], commands: list[str], criteria: list[object]
) -> None:
    _threading_mailbox()
    with _open(endpoints["full"]) as full, _open(endpoints["basic"]) as basic:
        commands.clear()
        expected = thread_uids(full, "Lists", criteria=criteria)
        assert _not_offered_but_sent(commands)
        commands.clear()
        got = thread_uids(basic, "Lists", criteria=criteria)
    assert got == expected
    assert not _not_offered_but_sent(commands)
    if criteria == ["ALL"]:  # the grouping itself, so that "equal" cannot mean "equally empty"
        assert got == [[1, 2, 3, 11], [4, 10], [9], [7, 8], [5, 6]]


def _subjects_and_flags(folder: str) -> list[tuple[str, frozenset[bytes]]]:
    client = master_login(ALICE)
    try:
        client.select_folder(folder, readonly=True)
        data = client.fetch(client.search("ALL"), ["ENVELOPE", "FLAGS"])
        return sorted(
            (item[b"ENVELOPE"].subject.decode(), frozenset(f for f in item[b"FLAGS"] if f != b"\\Recent"))
            for item in data.values()
        )
    finally:
        client.logout()


def test_move_without_move_leaves_the_same_folders_as_move(
    endpoints: dict[str, ImapEndpoint], commands: list[str]
) -> None:
    _put("INBOX", [(message("By MOVE"), T0), (message("By COPY"), T0)], flags=("\\Flagged",))
    _put("INBOX", [(message("Marked by another client"), T0)], flags=("\\Deleted",))
    with _open(endpoints["full"]) as full:
        move_messages(full, "INBOX", [1], "Archive")
    commands.clear()
    with _open(endpoints["basic"]) as basic:
        move_messages(basic, "INBOX", [2], "Archive")
    assert not _not_offered_but_sent(commands)
    assert _subjects_and_flags("Archive") == [("By COPY", {b"\\Flagged"}), ("By MOVE", {b"\\Flagged"})]
    assert _subjects_and_flags("INBOX") == [("Marked by another client", {b"\\Deleted"})]


@contextmanager
def _served_by(endpoint: ImapEndpoint) -> Iterator[None]:
    """Point the web side (mailstore.imap_endpoint) at one listener, with an empty pool and list cache."""
    host, port = settings.ROOST_IMAP_HOST, settings.ROOST_IMAP_PORT
    settings.ROOST_IMAP_HOST, settings.ROOST_IMAP_PORT = endpoint.host, endpoint.port
    POOL.clear()
    cache.clear()
    try:
        yield
    finally:
        POOL.clear()
        settings.ROOST_IMAP_HOST, settings.ROOST_IMAP_PORT = host, port


def _subjects(page: str) -> list[str]:
    return re.findall(r'<span class="subj">([^<]*)</span>', page)


def test_web_lists_and_conversations_are_the_same_on_both_servers(
    endpoints: dict[str, ImapEndpoint], client: Client, commands: list[str]
) -> None:
    _sorting_mailbox()
    _threading_mailbox()
    signed_in(client)
    views = [{"sort": s, "order": o} for s in ("date", "arrival", "from", "subject", "size") for o in ("asc", "desc")]
    pages = {}
    for name, endpoint in endpoints.items():
        start = len(commands)
        with _served_by(endpoint):
            pages[name] = [
                _subjects(client.get(list_url(**params)).content.decode())
                for params in [*views, {"view": "threads"}, {"q": "budget"}]
            ] + [_subjects(client.get(list_url("Lists", view="threads")).content.decode())]
        assert bool(_not_offered_but_sent(commands[start:])) == (name == "full"), name
    assert pages["basic"] == pages["full"]
    assert len(pages["basic"][0]) == 7


def test_without_condstore_flag_lists_are_never_stale_and_plain_lists_stay_cached(
    endpoints: dict[str, ImapEndpoint], client: Client, commands: list[str]
) -> None:
    _put("INBOX", [(message(f"Note {n}"), T0 + timedelta(minutes=n)) for n in range(3)])
    signed_in(client)
    for name, endpoint in endpoints.items():
        _set_seen([1, 2, 3], False)
        begin = len(commands)
        with _served_by(endpoint):
            assert _subjects(client.get(list_url(unseen="1")).content.decode()) == ["Note 2", "Note 1", "Note 0"]
            _set_seen([2], True)  # by another client: nothing in STATUS but HIGHESTMODSEQ tells
            assert _subjects(client.get(list_url(unseen="1")).content.decode()) == ["Note 2", "Note 0"], name

            client.get(list_url())
            start = len(commands)
            client.get(list_url())  # unchanged folder: the order comes from the cache
            assert not [c for c in commands[start:] if " SEARCH " in f" {c} " or " SORT " in f" {c} "], name
            with _open(endpoint) as conn:
                modseq = folder_stamp(conn, "INBOX").highestmodseq
            assert (modseq is None) == (name == "basic")
        # the full server is asked for HIGHESTMODSEQ and SORT; the basic one for neither
        assert bool(_not_offered_but_sent(commands[begin:])) == (name == "full"), name


def _set_seen(uids: list[int], seen: bool) -> None:
    client = master_login(ALICE)
    try:
        client.select_folder("INBOX")
        (client.add_flags if seen else client.remove_flags)(uids, ["\\Seen"], silent=True)
    finally:
        client.logout()


def test_moving_through_the_web_on_the_basic_server(endpoints: dict[str, ImapEndpoint], client: Client) -> None:
    _put("INBOX", [(message(f"Item {n}"), T0) for n in range(3)])
    signed_in(client)
    with _served_by(endpoints["basic"]):
        response = client.post(
            reverse("webmail:action", args=["INBOX"]), {"action": "move", "uid": [1, 3], "target": "Archive"}
        )
        assert response.status_code == 302
    assert [s for s, _ in _subjects_and_flags("Archive")] == ["Item 0", "Item 2"]
    assert [s for s, _ in _subjects_and_flags("INBOX")] == ["Item 1"]
