"""Which mail from our own domains may be shown as really sent by its owner (webmail.mime.trace)."""

from webmail.mime.trace import sender_unverified

LOCAL = frozenset({"example.test"})
LMTP = (
    b"Received: from mail.roost.test\r\n\tby mail.roost.test with LMTP\r\n\tid abc\r\n"
    b"\t(envelope-from <{env}>)\r\n\tfor <bob@example.test>; Mon, 30 Nov 2026 10:00:00 +0000\r\n"
)
SUBMITTED = (
    b"Received: from [127.0.0.1] (localhost [127.0.0.1])\r\n\t(Authenticated sender: {login})\r\n"
    b"\tby mail.roost.test (Postfix) with ESMTPA id 4B1\r\n"
    b"\tfor <bob@example.test>; Mon, 30 Nov 2026 10:00:00 +0000\r\n"
)
INCOMING = (
    b"Received: from mx.partners.test (localhost [127.0.0.1])\r\n"
    b"\tby mail.roost.test (Postfix) with ESMTP id 4B2\r\n\tfor <bob@example.test>; Mon, 30 Nov 2026 10:00:00 +0000\r\n"
)


def trace(envelope: str, *hops: bytes) -> bytes:
    lines = b"Return-Path: <" + envelope.encode() + b">\r\n" + LMTP.replace(b"{env}", envelope.encode())
    return lines + b"".join(hops)


def test_submitted_by_the_owner_is_verified() -> None:
    raw = trace("alice@example.test", SUBMITTED.replace(b"{login}", b"alice@example.test"))
    assert not sender_unverified(raw, from_address="Alice@Example.test", local_domains=LOCAL)


def test_arrived_on_port_25_with_our_domain_in_from_is_not() -> None:
    raw = trace("jose@partners.test", INCOMING)
    assert sender_unverified(raw, from_address="alice@example.test", local_domains=LOCAL)


def test_a_forged_authenticated_line_below_ours_does_not_count() -> None:
    forged = SUBMITTED.replace(b"{login}", b"alice@example.test")
    raw = trace("jose@partners.test", INCOMING, forged)
    assert sender_unverified(raw, from_address="alice@example.test", local_domains=LOCAL)


def test_signed_in_but_header_from_is_someone_else() -> None:
    raw = trace("bob@example.test", SUBMITTED.replace(b"{login}", b"bob@example.test"))
    assert sender_unverified(raw, from_address="alice@example.test", local_domains=LOCAL)


def test_other_domains_and_untraced_copies_get_no_verdict() -> None:
    outside = trace("jose@partners.test", INCOMING)
    assert not sender_unverified(outside, from_address="jose@partners.test", local_domains=LOCAL)
    assert not sender_unverified(b"", from_address="alice@example.test", local_domains=LOCAL)


def test_lmtp_alone_is_not_enough() -> None:
    assert sender_unverified(trace("alice@example.test"), from_address="alice@example.test", local_domains=LOCAL)
