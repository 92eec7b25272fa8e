"""Test settings: the base settings pointed at the test mail stack (deploy/stack.py --instance test),
the roost_test database and a Redis database of their own."""

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

# The test stack's values win over the environment (which may hold the demo's), except for the
# variables named in ROOST_TEST_ENV_WINS: a fault test can point one process at a dead port that way.
_stack_env = Path(os.environ.get("ROOST_TEST_STACK_ENV", "/etc/roost-test/stack/stack.env"))
_env_wins = set(os.environ.get("ROOST_TEST_ENV_WINS", "").split(","))
if _stack_env.exists():
    for _line in _stack_env.read_text().splitlines():
        _key, _, _value = _line.partition("=")
        if _key and not _key.startswith("#") and _key.strip() not in _env_wins:
            os.environ[_key.strip()] = _value.strip()

os.environ.setdefault("ROOST_SECRET_KEY", "test-only-not-secret")
os.environ["ROOST_CACHE_PREFIX"] = "roost-test"
# The tests' own Redis database (15) on the deployment's server, with its credentials if it has any.
_redis = urlsplit(os.environ.get("ROOST_REDIS_URL", "redis://127.0.0.1:6379/0"))
os.environ["ROOST_REDIS_URL"] = os.environ.get("ROOST_TEST_REDIS_URL", urlunsplit(_redis._replace(path="/15")))
if "ROOST_MAIL_MODE" not in _env_wins:  # a fault test runs one worker in external mode that way
    os.environ["ROOST_MAIL_MODE"] = "managed"
# One name per test process, so a test can count exactly this process's connections in pg_stat_activity.
os.environ["ROOST_DB_APPLICATION_NAME"] = f"roost-test-{os.getpid()}"

from .base import *  # noqa: E402, F403

# Still a real bcrypt hash that Dovecot verifies, just cheaper to compute.
ROOST_BCRYPT_ROUNDS = 4
CELERY_TASK_ALWAYS_EAGER = False
# Tests serve static files from the app folders (the live server does); no collectstatic needed.
MIDDLEWARE = [m for m in MIDDLEWARE if m != "whitenoise.middleware.WhiteNoiseMiddleware"]  # noqa: F405
