"""Was a message from one of our own domains really sent by someone signed in?

The managed Postfix refuses our domains as envelope sender on port 25 and checks on submission that the
login owns the envelope sender, but a header From is only words: mail from outside may carry
`From: alice@example.test`. Postfix's own Received line, the newest below Dovecot's delivery hop, says
whether the sender signed in ("Authenticated sender:"); Dovecot's Return-Path is the envelope sender
Postfix checked. A header From that matches an authenticated envelope sender is verified; anything else
from a local domain is not. Older trace lines are ignored: anyone can write them.
"""

from collections.abc import Collection
from email.parser import BytesHeaderParser
from email.utils import parseaddr

TRACE_FIELDS = ("RECEIVED", "RETURN-PATH")


def _unfold(value: str) -> str:
    return " ".join(value.split())


def sender_unverified(trace: bytes, *, from_address: str, local_domains: Collection[str]) -> bool:
    """True when from_address is in one of local_domains but the delivery trace does not show that its
    owner sent the message. A message with no trace at all was put in the folder over IMAP (Sent, Drafts,
    an import) by the mailbox's own user and gets no verdict."""
    domain = from_address.rpartition("@")[2].lower()
    if not domain or domain not in local_domains:
        return False
    headers = BytesHeaderParser().parsebytes(trace)
    received = [_unfold(str(value)) for value in headers.get_all("Received") or []]
    if not received:
        return False
    hop = 0
    while hop < len(received) and " with LMTP " in f"{received[hop]} ":
        hop += 1
    if hop == 0 or hop == len(received):
        return True  # not Dovecot's delivery of what Postfix accepted: nothing here vouches for the sender
    envelope = parseaddr(str(headers.get("Return-Path", "")))[1].lower()
    return "(Authenticated sender: " not in received[hop] or envelope != from_address.lower()
