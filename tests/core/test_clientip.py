"""Which address a request is counted and logged under (core.clientip)."""

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory, override_settings

from core.clientip import client_ip
from core.env import env_networks


def _ip(remote: str, forwarded: str | None = None) -> str:
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(RequestFactory().get("/", **extra))


@override_settings(ROOST_TRUSTED_PROXIES=[])
def test_without_trusted_proxies_the_header_is_ignored() -> None:
    assert _ip("192.0.2.7", "198.51.100.1") == "192.0.2.7"


@override_settings(ROOST_TRUSTED_PROXIES=["127.0.0.1"])
def test_a_peer_that_is_not_a_trusted_proxy_cannot_name_another_client() -> None:
    assert _ip("192.0.2.7", "198.51.100.1, 127.0.0.1") == "192.0.2.7"


@override_settings(ROOST_TRUSTED_PROXIES=["127.0.0.1"])
def test_behind_the_proxy_the_hop_it_added_counts_not_what_the_client_wrote() -> None:
    assert _ip("127.0.0.1", "192.0.2.7") == "192.0.2.7"
    assert _ip("127.0.0.1", "198.51.100.1, 192.0.2.7") == "192.0.2.7"
    assert _ip("127.0.0.1", "not-an-address, 10.0.0.1 , 192.0.2.7") == "192.0.2.7"


@override_settings(ROOST_TRUSTED_PROXIES=["127.0.0.1", "10.0.0.0/8", "2001:db8::/32"])
def test_a_chain_of_trusted_proxies_is_walked_from_the_right() -> None:
    assert _ip("127.0.0.1", "198.51.100.1, 192.0.2.7, 10.1.2.3") == "192.0.2.7"
    assert _ip("2001:db8::1", "2a00:1450::5, 2001:db8:1::5") == "2a00:1450::5"
    assert _ip("10.9.9.9", "2a00:1450::1, 10.1.2.3") == "2a00:1450::1"


@override_settings(ROOST_TRUSTED_PROXIES=["127.0.0.1", "10.0.0.0/8"])
def test_garbage_or_no_header_from_the_proxy_leaves_the_nearest_trusted_hop() -> None:
    assert _ip("127.0.0.1") == "127.0.0.1"
    assert _ip("127.0.0.1", "10.1.2.3") == "10.1.2.3"
    assert _ip("127.0.0.1", "192.0.2.7, garbage, 10.1.2.3") == "10.1.2.3"


def test_the_setting_refuses_what_is_not_an_address(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROOST_TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8, proxy.example")
    with pytest.raises(ImproperlyConfigured, match="ROOST_TRUSTED_PROXIES must list IP addresses"):
        env_networks("ROOST_TRUSTED_PROXIES")
    monkeypatch.setenv("ROOST_TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8")
    assert env_networks("ROOST_TRUSTED_PROXIES") == ["127.0.0.1", "10.0.0.0/8"]


def test_the_web_server_leaves_the_client_address_to_roost() -> None:
    # uvicorn's proxy headers (on unless turned off) would put X-Forwarded-For into the client address before
    # Roost sees the request; daphne's --proxy-headers took the leftmost one from any peer.
    run_script = (Path(__file__).resolve().parents[2] / "deploy" / "run.sh").read_text()
    assert "bin/uvicorn" in run_script
    assert "--no-proxy-headers" in run_script
    assert " --proxy-headers" not in run_script


PROXIED_HTTPS_PROBE = """
import django
django.setup()
from django.test import Client
client = Client(HTTP_HOST="mail.example.org")
from_proxy = client.get("/login/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_PROTO="https")
from_anyone = client.get("/login/", REMOTE_ADDR="192.0.2.9", HTTP_X_FORWARDED_PROTO="https")
forged = client.get("/login/", REMOTE_ADDR="192.0.2.9", HTTP_X_ROOST_FORWARDED_HTTPS="on")
print(from_proxy.status_code, from_anyone.status_code, forged.status_code)
"""


def test_only_a_trusted_proxy_can_say_the_request_came_over_https() -> None:
    """https base URL: a trusted proxy's https request is served; anyone else saying so is redirected."""
    import os
    import subprocess
    import sys

    env = os.environ | {
        "ROOST_BASE_URL": "https://mail.example.org",
        "ROOST_TRUSTED_PROXIES": "10.0.0.0/24",
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
    }
    env.setdefault("ROOST_SECRET_KEY", "test-only-not-secret")
    result = subprocess.run(
        [sys.executable, "-c", PROXIED_HTTPS_PROBE], env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip().splitlines()[-1] == "200 301 301"
