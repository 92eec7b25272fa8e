"""The remote-content proxy's fetcher: refuses internal addresses, limits type, size and redirects."""

import ipaddress
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from webmail.remote.fetch import RemoteRefused, fetch_image

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
LOOPBACK = [ipaddress.ip_network("127.0.0.0/8")]
HOST_HEADERS: list[str] = []


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path.startswith("/slow"):
            self._trickle()
            return
        HOST_HEADERS.append(self.headers.get("Host", ""))
        routes = {
            "/img.png": (200, "image/png", PNG),
            "/page.html": (200, "text/html", b"<script>alert(1)</script>"),
            "/icon.svg": (200, "image/svg+xml", b"<svg onload=alert(1)>"),
            "/big.png": (200, "image/png", PNG * 2000),
            "/missing.png": (404, "text/plain", b"no"),
        }
        if self.path.startswith("/redirect"):
            target = self.path.split("to=", 1)[1]
            self.send_response(302)
            self.send_header("Location", target)
            self.end_headers()
            return
        status, kind, body = routes.get(self.path, (404, "text/plain", b"no"))
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _trickle(self) -> None:
        """A byte every 0.2 s: each one arrives well within any socket timeout."""
        head = b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: 1000\r\n\r\n"
        body_first = self.path == "/slow-body.png"
        try:
            if body_first:
                self.wfile.write(head)
            for byte in (PNG * 20)[:50] if body_first else head:
                self.wfile.write(bytes([byte]) if isinstance(byte, int) else byte)
                self.wfile.flush()
                time.sleep(0.2)
        except OSError:
            pass  # the proxy hung up, as it should

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/x.png",
        "http://localhost/x.png",
        "http://[::1]/x.png",
        "http://10.1.2.3/x.png",
        "http://192.168.0.1/x.png",
        "http://172.16.5.5/x.png",
        "http://169.254.169.254/latest/meta-data",
        "http://0.0.0.0/x.png",
        "http://[fe80::1]/x.png",
        "http://100.64.0.1/x.png",
        # IPv6 forms that carry an internal IPv4 address
        "http://[64:ff9b::7f00:1]/x.png",  # NAT64 of 127.0.0.1
        "http://[64:ff9b::a9fe:a9fe]/latest",  # NAT64 of 169.254.169.254
        "http://[64:ff9b:1::808:808]/x.png",  # local-use NAT64, whatever it embeds
        "http://[2002:a00:1::1]/x.png",  # 6to4 of 10.0.0.1
        "http://[2002:7f00:1::]/x.png",  # 6to4 of 127.0.0.1
        "http://[::7f00:1]/x.png",  # IPv4-compatible 127.0.0.1
        "http://[::a00:1]/x.png",  # IPv4-compatible 10.0.0.1
        "http://[::ffff:192.168.0.1]/x.png",  # IPv4-mapped
        "http://[2001:0:7f00:1::1]/x.png",  # Teredo through a server at 127.0.0.1
    ],
)
def test_internal_addresses_are_refused_before_any_connection(url: str) -> None:
    with pytest.raises(RemoteRefused, match="non-public address"):
        fetch_image(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://a..b/x.png",
        f"http://{'a' * 64}.test/x.png",
        "http://example.org:99999/x.png",
        "http://[::1/x.png",
        "http://exa\u0000mple.org/x.png",
        "http://\udcff.test/x.png",
    ],
)
def test_malformed_hosts_are_refused_not_raised(url: str) -> None:
    with pytest.raises(RemoteRefused):
        fetch_image(url)


@pytest.mark.parametrize("path", ["/slow-body.png", "/slow-head.png"])
def test_a_trickling_server_is_cut_off_at_the_deadline(server: str, path: str) -> None:
    started = time.monotonic()
    with pytest.raises(RemoteRefused, match="too slow"):
        fetch_image(f"{server}{path}", allowed_networks=LOOPBACK, timeout=1.0)
    assert time.monotonic() - started < 1.6


def test_the_host_header_never_carries_the_userinfo(server: str) -> None:
    fetch_image(f"{server.replace('//', '//user:secret@')}/img.png", allowed_networks=LOOPBACK)
    assert HOST_HEADERS[-1] == server.removeprefix("http://")


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "ftp://example.org/x.png", "javascript:alert(1)", "//x.test/a.png"]
)
def test_other_schemes_are_refused(url: str) -> None:
    with pytest.raises(RemoteRefused):
        fetch_image(url)


def test_an_allowed_network_serves_images(server: str) -> None:
    image = fetch_image(f"{server}/img.png", allowed_networks=LOOPBACK)
    assert image.content_type == "image/png"
    assert image.data == PNG


def test_only_raster_images_pass(server: str) -> None:
    with pytest.raises(RemoteRefused, match="Only images"):
        fetch_image(f"{server}/page.html", allowed_networks=LOOPBACK)
    with pytest.raises(RemoteRefused, match="Only images"):
        fetch_image(f"{server}/icon.svg", allowed_networks=LOOPBACK)


def test_size_limit_and_errors(server: str) -> None:
    with pytest.raises(RemoteRefused, match="too large"):
        fetch_image(f"{server}/big.png", allowed_networks=LOOPBACK, max_bytes=10_000)
    with pytest.raises(RemoteRefused, match="answered 404"):
        fetch_image(f"{server}/missing.png", allowed_networks=LOOPBACK)


def test_redirects_are_checked_again(server: str) -> None:
    assert fetch_image(f"{server}/redirect?to={server}/img.png", allowed_networks=LOOPBACK).data == PNG
    with pytest.raises(RemoteRefused, match="non-public address"):
        fetch_image(f"{server}/redirect?to=http://10.0.0.1/x.png", allowed_networks=LOOPBACK)


@pytest.mark.django_db
def test_the_proxy_endpoint_needs_a_signed_url(client, django_user_model) -> None:  # type: ignore[no-untyped-def]
    user = django_user_model.objects.create(username="alice@example.test")
    client.force_login(user)
    response = client.get("/mail/remote/?t=http://127.0.0.1/x.png")
    assert response.status_code == 403
    assert "not valid" in response.content.decode()
