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
