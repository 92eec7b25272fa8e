"""Postgres connections come from one bounded pool per process (psycopg's pool, as Django documents
for ASGI), never one connection kept per thread."""

import asyncio
import os
import subprocess
import sys
import threading
import time

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import override_settings
from django.urls import path

from config.asgi import application


def test_connections_are_pooled_and_bounded() -> None:
    database = settings.DATABASES["default"]
    pool = database["OPTIONS"]["pool"]
    # Django refuses a pool beside persistent connections; 0 also means nothing outlives a request.
    assert database["CONN_MAX_AGE"] == 0
    assert 0 <= pool["min_size"] <= pool["max_size"]
    assert 1 <= pool["max_size"] <= 50
    assert pool["timeout"] > 0
    assert database["OPTIONS"]["application_name"]


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("ROOST_DB_POOL_MAX_SIZE", "0"),
        ("ROOST_DB_POOL_MIN_SIZE", "20"),
        ("ROOST_DB_POOL_MIN_SIZE", "-1"),
        ("ROOST_DB_POOL_TIMEOUT", "0"),
    ],
)
def test_a_pool_that_cannot_work_stops_start_up(variable: str, value: str) -> None:
    sane = {"ROOST_DB_POOL_MIN_SIZE": "2", "ROOST_DB_POOL_MAX_SIZE": "10", "ROOST_DB_POOL_TIMEOUT": "10"}
    env = {**os.environ, **sane, variable: value}
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert f"{variable.replace('MIN', 'MAX')} must be at least 1" in result.stderr


def _hold_a_connection(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(0.2)")
    return HttpResponse("ok")


urlpatterns = [path("hold/", _hold_a_connection)]


async def _get(path_: str) -> int:
    """One HTTP request through the project's ASGI application, as daphne would hand it over."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path_,
        "raw_path": path_.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    received = False
    status = 0

    async def receive() -> dict[str, object]:
        nonlocal received
        if not received:
            received = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.sleep(60)
        return {"type": "http.disconnect"}

    async def send(message: dict[str, object]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = int(message["status"])  # type: ignore[call-overload]

    await application(scope, receive, send)
    return status


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
@override_settings(ROOT_URLCONF=__name__)
def test_concurrent_requests_never_hold_more_connections_than_the_pool() -> None:
    database = settings.DATABASES["default"]
    name = database["OPTIONS"]["application_name"]
    max_size = database["OPTIONS"]["pool"]["max_size"]
    requests = 3 * max_size
    seen: list[int] = []
    done = threading.Event()

    def watch() -> None:
        with psycopg.connect(
            dbname=connection.settings_dict["NAME"],
            user=database["USER"],
            password=database["PASSWORD"],
            host=database["HOST"],
            port=database["PORT"],
            application_name="roost-test-watcher",
            autocommit=True,
        ) as watcher:
            while not done.is_set():
                query = "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s"
                row = watcher.execute(query, [name]).fetchone()
                seen.append(row[0] if row else 0)
                time.sleep(0.02)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()

    async def burst() -> list[int]:
        return await asyncio.gather(*(_get("/hold/") for _ in range(requests)))

    started = time.monotonic()
    try:
        statuses = asyncio.run(burst())
    finally:
        done.set()
        watcher.join(timeout=10)
    elapsed = time.monotonic() - started

    assert statuses == [200] * requests
    assert seen, "the watcher never saw pg_stat_activity"
    # The requests really ran side by side (else the bound proves nothing) ...
    assert max(seen) > 1
    assert elapsed < requests * 0.2
    # ... yet this process never held more connections than the pool allows.
    assert max(seen) <= max_size, seen
