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
