"""In Chromium, the sandboxed body frame really shows a message's inline (cid:) image, and a remote
image once the reader chooses "Show once": both come through signed links, since the frame's
requests carry no session cookie. The remote image is served by a small HTTP server on loopback,
which this test alone allows through the proxy."""

import base64
import threading
from collections.abc import Iterator
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import Browser, Frame, Page

from tests import personas
from tests.browser.conftest import DESKTOP, PageWatch, screenshot, sign_in
from tests.webmail.helpers import append

pytestmark = [pytest.mark.integration, pytest.mark.browser]
ALICE = "alice@example.test"
# A 2x2 red PNG (the inline part) and a 3x3 one (the remote image), so each can be told apart by its size.
INLINE_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg=="
)
REMOTE_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAMAAAADCAIAAADZSiLoAAAAEklEQVR4nGP4z8DAwMDAwMAAAA0VAQCUXGkJAAAAAElFTkSuQmCC"
)
IMAGES_LOADED = """() => [...document.images].map(img => img.complete ? img.naturalWidth : -1)"""


class _Images(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        found = self.path == "/remote.png"
        self.send_response(200 if found else 404)
        self.send_header("Content-Type", "image/png" if found else "text/plain")
        body = REMOTE_PNG if found else b"no"
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def image_server(settings) -> Iterator[str]:  # type: ignore[no-untyped-def]
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Images)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    settings.ROOST_REMOTE_ALLOW_NETWORKS = ["127.0.0.1/32"]
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture
def message_with_images(mail_stack: None, image_server: str) -> None:
    personas.mailbox("alice")
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "Carol <carol@partners.test>", ALICE, "Pictures inside"
    msg.set_content("Plain")
    msg.add_alternative(
        f'<p>Logo</p><img src="cid:logo@x" width="48"><p>Chart</p><img src="{image_server}/remote.png" width="48">',
        "html",
    )
    msg.get_payload()[1].add_related(INLINE_PNG, maintype="image", subtype="png", cid="<logo@x>")
    append(ALICE, "INBOX", [msg.as_bytes()])


def body_frame(page: Page) -> Frame:
    handle = page.wait_for_selector("iframe.body-frame", state="attached")
    frame = handle.content_frame()
    assert frame is not None
    frame.wait_for_load_state("load")
    return frame


def test_inline_and_shown_once_remote_images_load_in_the_frame(  # type: ignore[no-untyped-def]
    message_with_images: None, live_server, browser: Browser
) -> None:
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    watch = PageWatch(page, live_server.url)
    sign_in(page, live_server.url)

    page.goto(f"{live_server.url}/mail/m/1/?f=INBOX")
    blocked = body_frame(page).evaluate(IMAGES_LOADED)
    page.get_by_role("link", name="Show once").click()
    page.wait_for_url("**remote=1**")
    frame = body_frame(page)
    frame.wait_for_function("() => [...document.images].every(img => img.complete)")
    shown = frame.evaluate(IMAGES_LOADED)
    screenshot(page, "frame-images-shown-once")

    assert blocked == [2, 0]  # the inline part at once; the remote image has no source until asked for
    assert shown == [2, 3]
    watch.assert_clean()
    context.close()
