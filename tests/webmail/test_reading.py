"""Opening messages: headers, safe bodies, remote content, attachments, source, print, next/previous."""

import base64
import re
from email.message import EmailMessage

import pytest
from django.test import Client
from django.urls import reverse

from tests import personas
from tests.webmail.helpers import append, folder_flags, imap_traffic, message, signed_in, streamed
from webmail.models import RemoteContentSender
from webmail.services.preferences import preferences_update

pytestmark = [pytest.mark.integration]
ALICE = "alice@example.test"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


@pytest.fixture
def alice(mail_stack: None, client: Client) -> Client:
    personas.mailbox("alice")
    return signed_in(client)


def open_url(uid: int, folder: str = "INBOX") -> str:
    return reverse("webmail:message", args=[uid]) + f"?f={folder}"


def body_url(uid: int, folder: str = "INBOX", **extra: str) -> str:
    return reverse("webmail:message_body", args=[uid]) + f"?f={folder}" + "".join(f"&{k}={v}" for k, v in extra.items())


def rich_message() -> bytes:
    msg = EmailMessage()
    msg["From"] = "=?utf-8?q?Jos=C3=A9_=C3=81lvarez?= <jose@partners.test>"
    msg["To"] = "Alice <alice@example.test>"
    msg["Cc"] = "Bob <bob@example.test>"
    msg["Reply-To"] = "replies@partners.test"
    msg["Subject"] = "=?utf-8?b?UmVwb3J0IOKAlCBRMQ==?="
    msg["Date"] = "Tue, 03 Mar 2026 10:15:00 +0000"
    msg.set_content("Plain version")
    msg.add_alternative(
        '<p>Hello <b>Alice</b><script>alert(1)</script></p><img src="cid:logo@x"><img src="https://tracker.test/p.gif">'
        '<a href="javascript:alert(2)">bad</a><a href="https://example.org/">good</a>',
        subtype="html",
    )
    msg.get_payload()[1].add_related(PNG, maintype="image", subtype="png", cid="<logo@x>")
    msg.add_attachment(b"%PDF-1.4 report", maintype="application", subtype="pdf", filename="résumé 2026.pdf")
    msg.add_attachment(b"<script>alert(3)</script>", maintype="text", subtype="html", filename="page.html")
    return msg.as_bytes()


def test_headers_are_shown_decoded(alice: Client) -> None:
    append(ALICE, "INBOX", [rich_message()])
    page = alice.get(open_url(1)).content.decode()
    assert "Report — Q1" in page
    assert "José Álvarez" in page
    assert "Bob &lt;bob@example.test&gt;" in page
    assert "replies@partners.test" in page
    assert "Tue 3 Mar 2026, 10:15" in page


def test_html_body_is_sanitised_and_served_sandboxed(alice: Client) -> None:
    append(ALICE, "INBOX", [rich_message()])
    response = alice.get(body_url(1))
    body = response.content.decode()
    assert "<script" not in body
    assert "javascript:" not in body
    assert "Hello <b>Alice</b>" in body
    assert 'href="https://example.org/"' in body
    assert 'target="_blank"' in body
    assert "tracker.test" not in body
    csp = response["Content-Security-Policy"]
    assert "sandbox allow-popups allow-popups-to-escape-sandbox" in csp
    assert "script-src" not in csp
    assert "default-src 'none'" in csp
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    page = alice.get(open_url(1)).content.decode()
    assert 'sandbox="allow-popups allow-popups-to-escape-sandbox"' in page
    assert "allow-scripts" not in page
    assert "allow-same-origin" not in page


def test_inline_cid_image_is_shown_from_its_part(alice: Client) -> None:
    append(ALICE, "INBOX", [rich_message()])
    body = alice.get(body_url(1)).content.decode()
    src = re.search(r'<img src="(/mail/inline/\?t=[^"]+)"', body)
    assert src, body
    image = alice.get(src.group(1).replace("&amp;", "&"))
    assert image["Content-Type"] == "image/png"
    assert image["Content-Disposition"].startswith("inline")
    assert b"".join(streamed(image)) == PNG


def test_remote_content_blocked_then_shown_once_then_always(alice: Client) -> None:
    append(ALICE, "INBOX", [rich_message()])
    page = alice.get(open_url(1)).content.decode()
    assert "Remote content blocked" in page
    once = alice.get(body_url(1, remote="1")).content.decode()
    proxied = re.findall(r'src="(/mail/remote/\?t=[^"]+)"', once)
    assert len(proxied) == 1
    refused = alice.get(proxied[0].replace("&amp;", "&"))
    assert refused.status_code == 403  # tracker.test does not resolve here; nothing is fetched from outside
    alice.post(reverse("webmail:remote_allow"), {"sender": "jose@partners.test", "next": open_url(1)})
    assert RemoteContentSender.objects.filter(address="jose@partners.test").exists()
    assert "Remote content blocked" not in alice.get(open_url(1)).content.decode()
    assert "/mail/remote/?t=" in alice.get(body_url(1)).content.decode()


def test_attachments_listed_and_downloaded_safely(alice: Client) -> None:
    append(ALICE, "INBOX", [rich_message()])
    page = alice.get(open_url(1)).content.decode()
    assert "2 attachments" in page
    assert "résumé 2026.pdf" in page
    assert "application/pdf" in page
    links = dict(re.findall(r'<a class="att-name" href="([^"]+)" download>([^<]+)</a>', page))
    pdf_url = next(url for url, name in links.items() if name == "résumé 2026.pdf").replace("&amp;", "&")
    pdf = alice.get(pdf_url)
    assert b"".join(streamed(pdf)) == b"%PDF-1.4 report"
    assert pdf["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''r%C3%A9sum%C3%A9%202026.pdf" in pdf["Content-Disposition"]
    assert pdf["X-Content-Type-Options"] == "nosniff"
    html_url = next(url for url, name in links.items() if name == "page.html").replace("&amp;", "&")
    html = alice.get(html_url + "&inline=1")
    assert html["Content-Type"] == "application/octet-stream"
    assert html["Content-Disposition"].startswith("attachment;")
    assert "sandbox" in html["Content-Security-Policy"]


def test_large_attachment_streams_in_slices(alice: Client) -> None:
    payload = bytes(range(256)) * (12 * 4096)  # 12 MiB
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "bob@partners.test", ALICE, "Big file"
    msg.set_content("see attached")
    msg.add_attachment(payload, maintype="application", subtype="octet-stream", filename="big.bin")
    append(ALICE, "INBOX", [msg.as_bytes()])
    response = alice.get(reverse("webmail:message_part", args=[1, "2"]) + "?f=INBOX")
    chunks = streamed(response)
    assert len(chunks) > 10
    assert max(len(c) for c in chunks) <= 1 << 20
    assert b"".join(chunks) == payload


def test_open_marks_read_unless_the_preference_says_no(alice: Client) -> None:
    append(ALICE, "INBOX", [message("one"), message("two")])
    alice.get(open_url(1))
    assert "\\Seen" in folder_flags(ALICE, "INBOX")[1]
    from accounts.models import User

    preferences_update(user=User.objects.get(username=ALICE), mark_read_on_open=False)
    alice.get(open_url(2))
    assert "\\Seen" not in folder_flags(ALICE, "INBOX")[2]


def test_next_and_previous_follow_the_list_order(alice: Client) -> None:
    append(ALICE, "INBOX", [message(f"n{n}") for n in range(3)])
    page = alice.get(open_url(2)).content.decode()
    assert f'href="{reverse("webmail:message", args=[1])}?f=INBOX"' in page.replace("&amp;", "&")
    assert f'href="{reverse("webmail:message", args=[3])}?f=INBOX"' in page.replace("&amp;", "&")


def test_plain_text_links_and_quotes(alice: Client) -> None:
    append(ALICE, "INBOX", [message("plain", body="See https://example.org/a?b=1&c=2 now.\n> quoted <b>line</b>\n")])
    body = alice.get(body_url(1)).content.decode()
    assert 'href="https://example.org/a?b=1&amp;c=2"' in body
    assert "<blockquote" in body
    assert "&lt;b&gt;line&lt;/b&gt;" in body


def test_source_and_print_views(alice: Client) -> None:
    append(ALICE, "INBOX", [message("Source me", body="<script>x</script>")])
    source = alice.get(reverse("webmail:message_source", args=[1]) + "?f=INBOX")
    assert source["Content-Type"] == "text/plain; charset=utf-8"
    assert "sandbox" in source["Content-Security-Policy"]
    assert b"Subject: Source me" in source.content
    printed = alice.get(reverse("webmail:message_print", args=[1]) + "?f=INBOX")
    assert "Source me" in printed.content.decode()
    assert "script-src 'none'" in printed["Content-Security-Policy"]
    assert "<script>x" not in printed.content.decode()


def test_malformed_message_shows_what_it_can(alice: Client) -> None:
    broken = (
        b"From: bob@partners.test\r\nSubject: Broken\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="never"\r\n\r\nno boundary ever appears\r\n'
    )
    append(ALICE, "INBOX", [broken])
    page = alice.get(open_url(1))
    assert page.status_code == 200
    assert "Broken" in page.content.decode()
    body = alice.get(body_url(1))
    assert body.status_code == 200
    assert "no boundary ever appears" in body.content.decode()


def test_a_message_that_is_only_a_picture_shows_no_base64_as_its_text(alice: Client) -> None:
    import base64

    picture = base64.encodebytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    scan = (
        b"From: bob@partners.test\r\nSubject: Scan\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: image/png; name="scan.png"\r\nContent-Transfer-Encoding: base64\r\n\r\n' + picture
    )
    append(ALICE, "INBOX", [scan])
    page = alice.get(open_url(1)).content.decode()
    assert "scan.png" in page  # listed as an attachment
    body = alice.get(body_url(1)).content.decode()
    assert picture.decode().splitlines()[0] not in body


def test_a_message_that_is_gone_says_so(alice: Client) -> None:
    response = alice.get(open_url(999))
    assert response.status_code == 404
    assert "no longer there" in response.content.decode()


def test_part_numbers_are_validated(alice: Client) -> None:
    append(ALICE, "INBOX", [message("x")])
    response = alice.get(reverse("webmail:message_part", args=[1, "1]<0.5> BODY[TEXT"]) + "?f=INBOX")
    assert response.status_code == 400


def test_message_page_is_one_checkout_and_its_frame_fetches_no_body(
    alice: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    append(ALICE, "INBOX", [message(f"n{n}", body=f"Body number {n}.") for n in range(3)], flags=("\\Seen",))
    assert alice.get(open_url(1)).status_code == 200  # the sidebar's folder list is cached from here on
    page_traffic = imap_traffic(monkeypatch)
    page = alice.get(open_url(2)).content.decode()
    assert page_traffic.checkouts == 1
    assert f'href="{reverse("webmail:message", args=[1])}?f=INBOX"' in page.replace("&amp;", "&")
    assert f'href="{reverse("webmail:message", args=[3])}?f=INBOX"' in page.replace("&amp;", "&")
    frame_traffic = imap_traffic(monkeypatch)
    frame = alice.get(body_url(2))
    assert "Body number 1." in frame.content.decode()
    assert frame_traffic.fetches == []
    assert frame["Content-Security-Policy"].startswith("default-src 'none'")
    # Without the page's work (another process, say) the frame fetches and sanitises the body itself.
    from django.core.cache import cache

    cache.clear()
    alone = imap_traffic(monkeypatch)
    assert "Body number 1." in alice.get(body_url(2)).content.decode()
    assert len(alone.body_fetches) == 1


def test_marking_read_refreshes_the_sidebar_counts_in_the_same_checkout(
    alice: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    append(ALICE, "INBOX", [message("one"), message("two")])
    assert 'aria-label="1 unread"' in alice.get(open_url(1)).content.decode()  # this one read, two not yet
    traffic = imap_traffic(monkeypatch)
    page = alice.get(open_url(2)).content.decode()
    assert traffic.checkouts == 1
    assert "\\Seen" in folder_flags(ALICE, "INBOX")[2]
    assert not re.search(r'aria-label="\d+ unread"', page)


def test_unread_filter_keeps_next_and_previous_when_a_message_is_marked_read(alice: Client) -> None:
    append(ALICE, "INBOX", [message(f"u{n}") for n in range(3)])
    page = alice.get(open_url(2) + "&unseen=1").content.decode().replace("&amp;", "&")
    assert f"{reverse('webmail:message', args=[1])}?f=INBOX" in page
    assert f"{reverse('webmail:message', args=[3])}?f=INBOX" in page


def test_cached_body_never_reaches_another_user(mail_stack: None, client: Client) -> None:
    personas.mailbox("alice")
    personas.mailbox("bob")
    append(ALICE, "INBOX", [message("For Alice", body="Alice's secret.")])
    append("bob@example.test", "INBOX", [message("For Bob", body="Bob's own text.")])
    alice = signed_in(client)
    assert "Alice's secret." in alice.get(body_url(1)).content.decode()
    alice.get(open_url(1))
    bob = signed_in(Client(), "bob@example.test")
    bob.get(open_url(1))
    body = bob.get(body_url(1)).content.decode()
    assert "Bob's own text." in body
    assert "Alice's secret." not in body


def test_cached_body_is_not_used_after_uidvalidity_changes(alice: Client) -> None:
    from tests.mailstack import master_login

    imap = master_login(ALICE)
    try:
        imap.create_folder("Projects")
    finally:
        imap.logout()
    append(ALICE, "Projects", [message("First", body="The first message.")])
    assert "The first message." in alice.get(body_url(1, "Projects")).content.decode()
    imap = master_login(ALICE)
    try:
        imap.delete_folder("Projects")
        imap.create_folder("Projects")  # a new UIDVALIDITY, and UID 1 starts again
    finally:
        imap.logout()
    append(ALICE, "Projects", [message("Second", body="A different message.")])
    body = alice.get(body_url(1, "Projects")).content.decode()
    assert "A different message." in body
    assert "The first message." not in body


def test_frame_after_page_still_follows_the_remote_content_choice(alice: Client) -> None:
    append(ALICE, "INBOX", [rich_message()], flags=("\\Seen",))
    alice.get(open_url(1))
    assert "/mail/remote/?t=" not in alice.get(body_url(1)).content.decode()
    alice.get(open_url(1) + "&remote=1")
    assert "/mail/remote/?t=" in alice.get(body_url(1, remote="1")).content.decode()
    assert "/mail/remote/?t=" not in alice.get(body_url(1)).content.decode()
