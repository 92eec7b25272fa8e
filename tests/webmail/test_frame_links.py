"""The body frame's inline parts and proxied images come through signed, expiring, per-user links:
the frame's requests carry no session cookie, and a link opens only its own user's mailbox."""

import base64
import re
from email.message import EmailMessage

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from tests import personas
from tests.webmail.helpers import append, signed_in, streamed
from webmail.services import links

pytestmark = [pytest.mark.integration]
ALICE, BOB = "alice@example.test", "bob@example.test"
ALICE_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)
BOB_PNG = ALICE_PNG + b"bob's own trailing bytes"


def with_inline_image(to: str, png: bytes) -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "Carol <carol@partners.test>", to, "Logo inside"
    msg.set_content("Plain")
    msg.add_alternative('<p>Our logo</p><img src="cid:logo@x"><img src="https://images.test/p.png">', subtype="html")
    msg.get_payload()[1].add_related(png, maintype="image", subtype="png", cid="<logo@x>")
    return msg.as_bytes()


@pytest.fixture
def mailboxes(mail_stack: None) -> None:
    personas.mailbox("alice")
    personas.mailbox("bob")
    append(ALICE, "INBOX", [with_inline_image(ALICE, ALICE_PNG)])
    append(BOB, "INBOX", [with_inline_image(BOB, BOB_PNG)])


def frame_links(address: str, pattern: str, **params: str) -> list[str]:
    client = signed_in(Client(), address)
    body = client.get(reverse("webmail:message_body", args=[1]), {"f": "INBOX", **params}).content.decode()
    return [src.replace("&amp;", "&") for src in re.findall(rf'<img src="({pattern}[^"]+)"', body)]


def test_an_inline_part_loads_without_a_session(mailboxes: None) -> None:
    [link] = frame_links(ALICE, "/mail/inline/")

    image = Client().get(link)  # the sandboxed frame sends no cookie

    assert image.status_code == 200
    assert image["Content-Type"] == "image/png"
    assert b"".join(streamed(image)) == ALICE_PNG


def test_a_link_opens_only_its_own_users_mailbox(mailboxes: None) -> None:
    [bobs] = frame_links(BOB, "/mail/inline/")
    alice = signed_in(Client(), ALICE)

    # Same folder, UID and part as alice's message, but made for bob: bob's image, even in alice's session.
    assert b"".join(streamed(alice.get(bobs))) == BOB_PNG
    assert b"".join(streamed(Client().get(bobs))) == BOB_PNG


@pytest.mark.parametrize("damage", ["tamper", "truncate", "other-salt", "empty"])
def test_a_damaged_link_is_refused_not_an_error(mailboxes: None, damage: str) -> None:
    [link] = frame_links(ALICE, "/mail/inline/")
    token = link.split("t=", 1)[1]
    bad = {
        "tamper": token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB"),
        "truncate": token[: len(token) // 2],
        "other-salt": frame_links(ALICE, "/mail/remote/", remote="1")[0].split("t=", 1)[1],
        "empty": "",
    }[damage]

    response = Client().get(reverse("webmail:inline_part"), {"t": bad})

    assert response.status_code == 404
    assert "not valid or has expired" in response.content.decode()


def test_expired_links_and_deactivated_users_are_refused(mailboxes: None, monkeypatch: pytest.MonkeyPatch) -> None:
    [link] = frame_links(ALICE, "/mail/inline/")
    [remote] = frame_links(ALICE, "/mail/remote/", remote="1")

    User.objects.filter(username=ALICE).update(is_active=False)
    assert Client().get(link).status_code == 404
    assert Client().get(remote).status_code == 403
    User.objects.filter(username=ALICE).update(is_active=True)
    assert Client().get(link).status_code == 200

    monkeypatch.setattr(links, "LINK_MAX_AGE", -1)
    assert Client().get(link).status_code == 404
    assert Client().get(remote).status_code == 403


def test_the_proxy_takes_a_signed_link_without_a_session_and_refuses_malformed_hosts(mailboxes: None) -> None:
    [remote] = frame_links(ALICE, "/mail/remote/", remote="1")
    alice = User.objects.get(username=ALICE)

    fetched = Client().get(remote)  # images.test does not resolve here: refused, and not a login redirect
    malformed = [
        Client().get(links.remote_link(user=alice, url=url))
        for url in ("http://a..b/x.png", "http://example.org:99999/x.png", "http://[::1/x.png")
    ]

    assert fetched.status_code == 403
    assert "does not resolve" in fetched.content.decode()
    assert [r.status_code for r in malformed] == [403, 403, 403]
