"""A bench mailbox never opens with a published password."""

import importlib.util
import sys
from pathlib import Path

import pytest
from imapclient.exceptions import LoginError

from tests import personas
from tests.mailstack import imap_login

pytestmark = [pytest.mark.integration]
ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("seed_mailbox", ROOT / "bench" / "seed_mailbox.py")
assert spec
assert spec.loader
seed_mailbox = importlib.util.module_from_spec(spec)
sys.modules["seed_mailbox"] = seed_mailbox  # its dataclasses look their module up there
spec.loader.exec_module(seed_mailbox)


def test_a_new_bench_mailbox_gets_a_random_password(mail_stack: None) -> None:
    personas.domain()

    created, first = seed_mailbox.ensure_mailbox("bench1@example.test", None, 100)
    _, second = seed_mailbox.ensure_mailbox("bench2@example.test", None, 100)

    assert created
    assert first
    assert second
    assert first != second
    assert len(first) >= 16
    imap_login("bench1@example.test", first).logout()
    with pytest.raises(LoginError):
        imap_login("bench1@example.test", "bench-password-1")


def test_a_given_password_is_set_even_on_an_existing_mailbox(mail_stack: None) -> None:
    personas.domain()
    seed_mailbox.ensure_mailbox("bench1@example.test", None, 100)

    created, password = seed_mailbox.ensure_mailbox("bench1@example.test", "the-bench-run-password", 100)

    assert not created
    assert password == "the-bench-run-password"
    imap_login("bench1@example.test", "the-bench-run-password").logout()
    assert seed_mailbox.ensure_mailbox("bench1@example.test", None, 100) == (False, None)
