"""Security-relevant settings that must not drift."""

import os

import pytest
from django.conf import settings
from django.test import Client


def test_celery_and_sessions_never_pickle() -> None:
    assert settings.CELERY_ACCEPT_CONTENT == ["json"]
    assert settings.CELERY_TASK_SERIALIZER == "json"
    assert settings.SESSION_SERIALIZER == "django.contrib.sessions.serializers.JSONSerializer"


def test_absolute_urls_come_from_settings_not_headers() -> None:
    assert settings.USE_X_FORWARDED_HOST is False
    assert settings.BASE_URL.startswith("http")


@pytest.mark.django_db
def test_a_forged_host_header_is_refused(client: Client) -> None:
    assert client.get("/login/", HTTP_HOST="evil.test").status_code == 400


def test_django_checks_async_safety_outside_browser_tests() -> None:
    # Only the browser fixture may switch the check off, while Playwright's loop runs (tests/browser/conftest.py).
    assert "DJANGO_ALLOW_ASYNC_UNSAFE" not in os.environ


HTTPS_PROBE = """
import django
django.setup()
from django.conf import settings
from django.test import Client
client = Client(HTTP_HOST="mail.example.org")
plain = client.get("/login/")
secure = client.get("/login/", secure=True)
print(settings.SECURE_SSL_REDIRECT, plain.status_code, plain.get("Location"), secure.get("Strict-Transport-Security"))
"""


@pytest.mark.parametrize(
    ("base_url", "expected"),
    [
        ("https://mail.example.org", "True 301 https://mail.example.org/login/ max-age=31536000"),
        ("http://mail.example.org", "False 200 None None"),
    ],
)
def test_https_base_url_turns_on_hsts_and_redirects(base_url: str, expected: str) -> None:
    """Settings are read once per process, so each base URL gets a fresh one."""
    import os
    import subprocess
    import sys

    env = os.environ | {"ROOST_BASE_URL": base_url, "DJANGO_SETTINGS_MODULE": "config.settings.base"}
    env.setdefault("ROOST_SECRET_KEY", "test-only-not-secret")
    result = subprocess.run([sys.executable, "-c", HTTPS_PROBE], env=env, capture_output=True, text=True, check=True)
    assert result.stdout.strip().splitlines()[-1] == expected
