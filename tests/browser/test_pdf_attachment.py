"""A PDF attachment that carries JavaScript (an /OpenAction) is never opened in Chromium's viewer,
which would run it whatever Content-Security-Policy the response had: PDFs are only downloaded."""

import smtplib
from email.message import EmailMessage

import pytest
from playwright.sync_api import Browser

from tests import personas
from tests.browser.conftest import DESKTOP, PageWatch, screenshot, sign_in
from tests.mailstack import HOST, SMTP_PORT, wait_for_count

pytestmark = [pytest.mark.integration, pytest.mark.browser]
ALICE = "alice@example.test"
MARKER = "roost-pdf-script-ran"


def hostile_pdf() -> bytes:
    """A one-page PDF whose opening action runs JavaScript that alerts and writes to the console."""
    script = f"app.alert('{MARKER}'); console.println('{MARKER}');"
    objects = [
        f"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /JavaScript /JS ({script}) >> >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>",
        "<< /Length 0 >>\nstream\n\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


@pytest.fixture
def pdf_mail(mail_stack: None) -> None:
    personas.mailbox("alice")
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "Mallory <mallory@evil.test>", ALICE, "Your invoice"
    msg.set_content("The invoice is attached.")
    msg.add_attachment(hostile_pdf(), maintype="application", subtype="pdf", filename="invoice.pdf")
    with smtplib.SMTP(HOST, SMTP_PORT, timeout=20) as smtp:
        smtp.send_message(msg, "mallory@evil.test", [ALICE])
    assert len(wait_for_count(ALICE, 1)) == 1


def test_a_pdf_with_javascript_is_downloaded_not_shown(pdf_mail: None, live_server, browser: Browser) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=DESKTOP, accept_downloads=True)
    page = context.new_page()
    watch = PageWatch(page, live_server.url)
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/mail/m/1/?f=INBOX")
    attachment = page.locator(".attachment", has_text="invoice.pdf")
    assert attachment.count() == 1
    assert attachment.get_by_text("Preview").count() == 0
    screenshot(page, "pdf-attachment")

    # Even the preview address a link elsewhere might carry only downloads the file.
    href = attachment.locator("a.att-name").get_attribute("href")
    assert href is not None
    viewer = context.new_page()
    viewer_watch = PageWatch(viewer, live_server.url)
    viewer.on("console", lambda message: console.append(message.text))
    with viewer.expect_download() as download:
        viewer.evaluate("url => { location.href = url }", f"{live_server.url}{href}&inline=1")
    assert download.value.suggested_filename == "invoice.pdf"
    viewer.wait_for_timeout(1000)

    assert not [line for line in console if MARKER in line], console
    watch.assert_clean()
    viewer_watch.assert_clean()
    context.close()
