"""Background work through a real Celery worker and the Redis broker."""

import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

from accounts.tasks import sessions_clear_expired_task

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.integration
def test_worker_clears_expired_sessions(transactional_db: None) -> None:
    now = timezone.now()
    Session.objects.create(session_key="old" * 8, session_data="{}", expire_date=now - timedelta(days=1))
    Session.objects.create(session_key="new" * 8, session_data="{}", expire_date=now + timedelta(days=1))
    env = dict(
        os.environ, DJANGO_SETTINGS_MODULE="config.settings.test", ROOST_DB_NAME=settings.DATABASES["default"]["NAME"]
    )
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo", "--loglevel", "WARNING"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        sessions_clear_expired_task.delay()
        deadline = time.monotonic() + 30
        while Session.objects.filter(session_key="old" * 8).exists() and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        worker.terminate()
        _, errors = worker.communicate(timeout=30)

    assert not Session.objects.filter(session_key="old" * 8).exists(), errors[-2000:]
    assert Session.objects.filter(session_key="new" * 8).exists()
