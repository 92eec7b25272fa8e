"""Hostile mail, delivered to a real mailbox and opened in headless Chromium. The test fails on any
dialog, page error, console marker, navigation of the Roost tab, request to another host, or
anything executable left in the message frame's DOM as the browser parsed it."""

import smtplib
import time
from email.message import EmailMessage
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Frame, Page

from tests import personas
from tests.browser.conftest import DESKTOP, PageWatch, screenshot
from tests.mailstack import HOST, SMTP_PORT, master_login
from tests.webmail.helpers import append

pytestmark = [pytest.mark.integration, pytest.mark.browser]
SAMPLES = Path(__file__).resolve().parents[1] / "samples"
ALICE = "alice@example.test"
FORBIDDEN_TAGS = (
    "script, svg, math, iframe, frame, object, embed, form, input, button, textarea, base, meta, link, style"
)

DOM_AUDIT = """
(forbidden) => {
  const problems = [];
  for (const el of document.body.querySelectorAll(forbidden)) problems.push('tag ' + el.tagName);
  for (const el of document.body.querySelectorAll('*')) {
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      const value = attr.value.replace(/[\\s\\u0000-\\u001f]/g, '').toLowerCase();
      if (name.startsWith('on')) problems.push('handler ' + name);
      if (/^(javascript|vbscript|data:text)/.test(value)) problems.push('script url in ' + name);
      if (name === 'style' && /url\\(|expression|@import|position/.test(value)) problems.push('style ' + value);
    }
  }
  for (const a of document.body.querySelectorAll('a[href]')) {
    if (!/^(https?:|mailto:)/i.test(a.getAttribute('href'))) problems.push('link ' + a.getAttribute('href'));
    if (a.target !== '_blank') problems.push('link without target=_blank');
  }
  return problems;
}
"""


def hostile_messages() -> list[tuple[str, bytes]]:
    found = []
    for path in sorted((SAMPLES / "html" / "hostile").glob("*.html")):
        html = path.read_text(errors="replace")
        msg = EmailMessage()
        msg["From"] = "Mallory <mallory@evil.test>"
        msg["To"] = ALICE
        msg["Subject"] = f"hostile html {path.stem}"
        msg.set_content(html)  # the same markup as plain text, which must stay inert text
        msg.add_alternative(html, subtype="html")
        found.append((f"hostile html {path.stem}", msg.as_bytes()))
    for path in sorted((SAMPLES / "mail").glob("*.eml")):
        found.append((path.stem, path.read_bytes()))
    return found


def deliver_raw(raw: bytes) -> bool:
    """Through Postfix port 25 when it accepts the message as it is; False when it refuses."""
    try:
        with smtplib.SMTP(HOST, SMTP_PORT, timeout=20) as smtp:
            smtp.sendmail("mallory@evil.test", [ALICE], raw)
    except smtplib.SMTPException:
        return False
    return True


def message_frame(page: Page) -> Frame:
    handle = page.wait_for_selector("iframe.body-frame", state="attached")
    frame = handle.content_frame()
    assert frame is not None
    frame.wait_for_load_state("load")
    return frame


@pytest.fixture
def hostile_mailbox(mail_stack: None) -> int:
    personas.mailbox("alice")
    samples = hostile_messages()
    refused = [raw for _, raw in samples if not deliver_raw(raw)]
    append(ALICE, "INBOX", refused)  # what Postfix refused still reaches the store over IMAP
    client = master_login(ALICE)
    try:
        client.select_folder("INBOX")
        deadline = time.monotonic() + 20
        while len(client.search("ALL")) < len(samples) and time.monotonic() < deadline:
            client.noop()
            time.sleep(0.1)
        return len(client.search("ALL"))
    finally:
        client.logout()


def test_hostile_messages_are_inert_in_the_browser(hostile_mailbox: int, live_server, browser: Browser) -> None:  # type: ignore[no-untyped-def]
    assert hostile_mailbox == len(hostile_messages())
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    watch = PageWatch(page, live_server.url)
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    popups: list[str] = []
    context.on("page", lambda popup: popups.append(popup.url))
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Email address").fill(ALICE)
    page.get_by_label("Password").fill(personas.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("html[data-mail-ready]", state="attached")

    problems: dict[int, list[str]] = {}
    for uid in range(1, hostile_mailbox + 1):
        for remote in ("", "&remote=1"):
            url = f"{live_server.url}/mail/m/{uid}/?f=INBOX{remote}"
            page.goto(url)
            frame = message_frame(page)
            page.wait_for_timeout(50)
            found = frame.evaluate(DOM_AUDIT, FORBIDDEN_TAGS)
            if page.url != url:
                found.append(f"navigated to {page.url}")
            if found:
                problems[uid] = found
        if uid in (1, 24, hostile_mailbox):
            screenshot(page, f"hostile-{uid}")

    assert problems == {}
    assert not [line for line in console if "xss" in line.lower() or "alert" in line.lower()], console
    assert popups == []
    watch.assert_clean()
    context.close()
