"""The remote-content proxy's fetcher: refuses internal addresses, limits type, size and redirects."""

import ipaddress
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from webmail.remote.fetch import RemoteRefused, fetch_image

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
LOOPBACK = [ipaddress.ip_network("127.0.0.0/8")]


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
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
    ],
)
def test_internal_addresses_are_refused_before_any_connection(url: str) -> None:
    with pytest.raises(RemoteRefused, match="non-public address"):
        fetch_image(url)


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
