import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.cache import cache

from webmail.mailstore import POOL

# Fixtures that reach Postgres (and so the test database the mail stack also reads).
_DATABASE_FIXTURES = {"db", "transactional_db", "django_db_setup", "live_server", "mail_stack"}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test by what it needs, before `-m` selects: a test that uses the database is
    `integration` (it needs Postgres); one marked neither integration nor browser is `unit` and runs
    with no Redis, Postgres or mail stack (`deploy/test.sh --unit`)."""
    for item in items:
        uses_database = item.get_closest_marker("django_db") is not None or bool(
            _DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
        )
        if uses_database and item.get_closest_marker("integration") is None:
            item.add_marker(pytest.mark.integration)
        if item.get_closest_marker("integration") is None and item.get_closest_marker("browser") is None:
            item.add_marker(pytest.mark.unit)


@pytest.fixture(autouse=True)
def _fresh_cache(request: pytest.FixtureRequest) -> None:
    if request.node.get_closest_marker("unit") is None:
        cache.clear()  # the test Redis database only (config.settings.test)


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
