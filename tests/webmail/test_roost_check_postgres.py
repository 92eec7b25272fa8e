import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.integration
def test_postgres_down_is_named_without_a_traceback() -> None:
    env = dict(os.environ, ROOST_DB_PORT="1", DJANGO_SETTINGS_MODULE="config.settings.test")
    result = subprocess.run(
        [sys.executable, "manage.py", "roost_check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    assert "FAIL postgres: Postgres at 127.0.0.1:1" in result.stdout
    # The cause, at once: not the connection pool's "couldn't get a connection after 10 sec".
    assert "Connection refused" in result.stdout
    assert "Start Postgres or fix ROOST_DB_" in result.stdout
    assert "Traceback" not in result.stderr
