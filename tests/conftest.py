import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.cache import cache

from webmail.mailstore import POOL


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    cache.clear()  # the test Redis database only (config.settings.test)
    return


@pytest.fixture
def mail_stack(transactional_db: None) -> Iterator[None]:
    """The real test mail stack with empty mail storage. Rows are committed (Dovecot and Postfix
    read them from other connections), so these tests use transactional_db."""
    vmail = Path(os.environ.get("ROOST_STACK_VMAIL_DIR", "/var/lib/roost-test/vmail"))
    if not os.environ.get("ROOST_DOVECOT_MASTER_PASSWORD"):
        pytest.fail("The test mail stack is not configured: run `python3 deploy/stack.py start --instance test`.")
    POOL.clear()
    for child in vmail.glob("*"):
        shutil.rmtree(child, ignore_errors=True)
    yield
    POOL.clear()


@pytest.fixture(scope="session", autouse=True)
def _flush_survives_deadlocks() -> Iterator[None]:
    """Transactional tests end with a TRUNCATE of every table, while Dovecot and Postfix may be reading the
    directory views from their own connections; Postgres then sometimes picks the TRUNCATE as a deadlock
    victim. Try it again instead of failing the next test on leftover rows."""
    import time as _time

    from django.core.management.base import CommandError
    from django.core.management.commands import flush

    original = flush.Command.handle

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        for attempt in range(5):
            try:
                return original(self, *args, **options)
            except CommandError:
                if attempt == 4:
                    raise
                _time.sleep(0.2 * (attempt + 1))

    flush.Command.handle = handle  # type: ignore[method-assign]
    yield
    flush.Command.handle = original  # type: ignore[method-assign]
