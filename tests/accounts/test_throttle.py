"""Sign-in throttling at every door (the web sign-in, the Django admin, external mode, and callers without
HTTP), through the real views, Postgres and Redis. Windows and delays are shortened per test, so the
tests can cross their boundaries; 30 wrong passwords must stay limited on both sides."""

import math
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.auth import authenticate
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts.devices import DEVICE_COOKIE
from accounts.throttle import LoginThrottled
from mailadmin.models import Mailbox
from mailadmin.services import mailbox_set_password
from tests import personas

pytestmark = [pytest.mark.integration]

OK, WRONG, THROTTLED = "signed in", "wrong password", "throttled"
OWNER = "alice@example.test"
Door = Callable[[Client, str, str, str], str]


def _web(client: Client, address: str, password: str, ip: str, **headers: str) -> str:
    response = client.post(
        reverse("accounts:login"), {"address": address, "password": password}, REMOTE_ADDR=ip, **headers
    )
    if response.status_code == 429:
        assert "Too many failed sign-in attempts" in response.content.decode()
        assert int(response["Retry-After"]) > 0
    return {302: OK, 400: WRONG, 429: THROTTLED}[response.status_code]


def _admin(client: Client, address: str, password: str, ip: str) -> str:
    response = client.post("/admin/login/?next=/admin/", {"username": address, "password": password}, REMOTE_ADDR=ip)
    if response.status_code == 302:
        return OK
    page = response.content.decode()
    if response.status_code == 429:
        assert "Too many failed sign-in attempts" in page
        assert int(response["Retry-After"]) > 0
        return THROTTLED
    assert response.status_code == 200
    assert "Please enter the correct" in page
    return WRONG


def _owner() -> Mailbox:
    """alice, staff as well, so that she may use the admin door too."""
    alice = personas.mailbox("alice")
    alice.user.is_staff = True
    alice.user.save(update_fields=["is_staff"])
    return alice


@pytest.fixture(
    params=[
        pytest.param("web", marks=pytest.mark.django_db),
        pytest.param("admin", marks=pytest.mark.django_db),
        pytest.param("external", marks=pytest.mark.django_db(transaction=True)),
    ]
)
def door(request: pytest.FixtureRequest, settings) -> Door:  # type: ignore[no-untyped-def]
    if request.param == "external":
        request.getfixturevalue("mail_stack")  # alice's mailbox on "the other server" is the test Dovecot
    _owner()
    if request.param == "external":
        settings.ROOST_MAIL_MODE = "external"
        settings.AUTHENTICATION_BACKENDS = ["webmail.auth_backend.ImapLoginBackend"]
    return _admin if request.param == "admin" else _web


def _known_browser(ip: str) -> Client:
    """The owner's own browser: it has signed in before (and out again), and kept the device cookie."""
    browser = Client()
    assert _web(browser, OWNER, personas.PASSWORD, ip) == OK
    assert browser.post(reverse("accounts:logout")).status_code == 302
    assert DEVICE_COOKIE in browser.cookies
    return browser


def _wait_for_window_start(seconds: int) -> None:
    time.sleep(seconds - time.time() % seconds + 0.05)


def test_one_client_is_limited_in_every_window_across_a_boundary(door: Door, settings) -> None:  # type: ignore[no-untyped-def]
    window = settings.ROOST_LOGIN_LOCKOUT_SECONDS = 3
    owner_browser = _known_browser("203.0.113.10")
    attacker = Client()

    _wait_for_window_start(window)
    start = time.time()
    first = [door(attacker, f"guess{i}@example.test", "wrong-password", "192.0.2.66") for i in range(15)]
    _wait_for_window_start(window)
    second = [door(attacker, f"guess{i}@example.test", "wrong-password", "192.0.2.66") for i in range(15, 30)]
    windows = int(time.time() // window) - int(start // window) + 1

    assert windows >= 2
    assert (first + second).count(WRONG) <= settings.ROOST_LOGIN_MAX_FAILURES * windows
    assert first[-5:] == [THROTTLED] * 5
    assert second[-5:] == [THROTTLED] * 5  # the new window is limited again, not open for good
    assert door(attacker, OWNER, personas.PASSWORD, "192.0.2.66") == THROTTLED
    assert door(owner_browser, OWNER, personas.PASSWORD, "203.0.113.10") == OK


def test_guessing_one_account_meets_growing_delays_but_not_its_owner(door: Door, settings) -> None:  # type: ignore[no-untyped-def]
    delay = settings.ROOST_LOGIN_DELAY_SECONDS = 2
    settings.ROOST_LOGIN_LOCKOUT_SECONDS = 8
    owner_browser = _known_browser("203.0.113.10")
    attacker = Client()

    start = time.time()
    first = [door(attacker, OWNER, f"guess-{i}", f"198.51.100.{i}") for i in range(15)]
    time.sleep(delay + 0.2)
    second = [door(attacker, OWNER, f"guess-{i}", f"198.51.100.{i}") for i in range(15, 30)]
    elapsed = time.time() - start

    assert first[:5] == [WRONG] * 5
    assert first[5:] == [THROTTLED] * 10
    assert second[0] == WRONG  # the first delay ran out; the next one is longer
    assert second[-5:] == [THROTTLED] * 5
    assert (first + second).count(WRONG) <= 5 + math.ceil(elapsed / delay)
    assert door(Client(), OWNER, personas.PASSWORD, "203.0.113.99") == THROTTLED  # a stranger's browser waits
    assert door(owner_browser, OWNER, personas.PASSWORD, "203.0.113.10") == OK


@pytest.mark.django_db
def test_the_wait_doubles_and_the_message_says_what_to_do(client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.ROOST_LOGIN_DELAY_SECONDS = 1
    personas.mailbox("alice")
    for i in range(5):
        _web(client, OWNER, f"guess-{i}", f"198.51.100.{i}")
    waits = []
    for i in range(2):
        time.sleep(2**i + 0.1)
        assert _web(client, OWNER, f"guess-late-{i}", f"198.51.100.{50 + i}") == WRONG
        response = client.post(
            reverse("accounts:login"), {"address": OWNER, "password": "x-guess"}, REMOTE_ADDR="198.51.100.99"
        )
        waits.append(int(response["Retry-After"]))
    assert waits == [2, 4]
    page = response.content.decode()
    assert f"Too many failed sign-in attempts for {OWNER}. Wait 4 seconds" in page
    assert "sign in from a browser you have used with this account before" in page


@pytest.mark.django_db
def test_callers_without_http_are_limited_by_account(settings) -> None:  # type: ignore[no-untyped-def]
    settings.ROOST_LOGIN_DELAY_SECONDS = 60
    personas.mailbox("alice")
    outcomes = []
    for i in range(30):
        try:
            outcomes.append(WRONG if authenticate(None, username=OWNER, password=f"guess-{i}") is None else OK)
        except LoginThrottled:
            outcomes.append(THROTTLED)
    assert outcomes == [WRONG] * 5 + [THROTTLED] * 25
    with pytest.raises(LoginThrottled):
        authenticate(None, username=OWNER, password=personas.PASSWORD)


@pytest.mark.django_db
def test_device_cookie_counts_only_for_its_own_account_and_password(settings) -> None:  # type: ignore[no-untyped-def]
    settings.ROOST_LOGIN_DELAY_SECONDS = 60
    alice = personas.mailbox("alice")
    personas.mailbox("bob")
    bobs_browser = Client()
    assert _web(bobs_browser, "bob@example.test", personas.PASSWORD, "203.0.113.20") == OK
    cookie = bobs_browser.cookies[DEVICE_COOKIE]
    assert cookie["httponly"]
    assert cookie["max-age"] == 180 * 24 * 3600
    alices_browser = _known_browser("203.0.113.10")
    for i in range(5):
        _web(Client(), OWNER, f"guess-{i}", f"198.51.100.{i}")

    assert _web(bobs_browser, OWNER, personas.PASSWORD, "203.0.113.20") == THROTTLED
    forged = Client()
    forged.cookies[DEVICE_COOKIE] = alices_browser.cookies[DEVICE_COOKIE].value[:-2] + "xx"
    assert _web(forged, OWNER, personas.PASSWORD, "203.0.113.21") == THROTTLED

    mailbox_set_password(mailbox=alice, password="a-brand-new-password")
    assert _web(alices_browser, OWNER, "a-brand-new-password", "203.0.113.10") == THROTTLED


@pytest.mark.django_db
def test_signing_in_at_the_admin_remembers_the_browser_too(settings) -> None:  # type: ignore[no-untyped-def]
    settings.ROOST_LOGIN_DELAY_SECONDS = 60
    _owner()
    browser = Client()
    assert _admin(browser, OWNER, personas.PASSWORD, "203.0.113.10") == OK
    assert browser.post(reverse("accounts:logout")).status_code == 302
    for i in range(5):
        _admin(Client(), OWNER, f"guess-{i}", f"198.51.100.{i}")

    assert _admin(Client(), OWNER, personas.PASSWORD, "203.0.113.99") == THROTTLED
    assert _admin(browser, OWNER, personas.PASSWORD, "203.0.113.10") == OK


@pytest.mark.django_db
def test_forged_forwarded_for_buys_no_fresh_addresses_and_locks_no_victim(client: Client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.ROOST_TRUSTED_PROXIES = []
    personas.mailbox("alice")
    outcomes = [
        _web(client, f"guess{i}@example.test", "wrong", "192.0.2.66", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}")
        for i in range(30)
    ]
    assert outcomes == [WRONG] * 5 + [THROTTLED] * 25
    assert _web(Client(), OWNER, personas.PASSWORD, "198.51.100.7") == OK  # the "victim" named in the header


@pytest.mark.django_db
def test_behind_a_trusted_proxy_each_client_is_counted_by_the_hop_the_proxy_added(settings) -> None:  # type: ignore[no-untyped-def]
    settings.ROOST_TRUSTED_PROXIES = ["127.0.0.1"]
    personas.mailbox("alice")
    attacker = Client()
    outcomes = [
        # The attacker at 192.0.2.66 writes a fresh address each time; the proxy appends the real one.
        _web(attacker, f"guess{i}@example.test", "wrong", "127.0.0.1", HTTP_X_FORWARDED_FOR=f"10.0.0.{i}, 192.0.2.66")
        for i in range(30)
    ]
    assert outcomes == [WRONG] * 5 + [THROTTLED] * 25
    # Another client behind the same proxy, and the "victim" the attacker named, still get in.
    assert _web(Client(), OWNER, personas.PASSWORD, "127.0.0.1", HTTP_X_FORWARDED_FOR="10.0.0.3") == OK
    assert _web(Client(), OWNER, personas.PASSWORD, "127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5") == OK


@pytest.mark.django_db(transaction=True)
def test_guesses_sent_all_at_once_are_limited_like_guesses_in_a_row() -> None:
    personas.mailbox("alice")

    def at_once(guess: Callable[[int], str]) -> list[str]:
        def one(i: int) -> str:
            try:
                return guess(i)
            finally:
                connection.close()  # each thread had its own

        with ThreadPoolExecutor(max_workers=10) as pool:
            return list(pool.map(one, range(30)))

    one_account = at_once(lambda i: _web(Client(), OWNER, f"guess-{i}", f"198.51.100.{i}"))
    one_client = at_once(lambda i: _web(Client(), f"guess{i}@example.test", "wrong", "192.0.2.66"))

    assert one_account.count(WRONG) == 5
    assert one_client.count(WRONG) == 5
    assert one_account.count(THROTTLED) == one_client.count(THROTTLED) == 25
