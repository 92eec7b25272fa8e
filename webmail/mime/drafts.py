"""A draft as the compose form holds it (DraftState), written as a message for the Drafts folder with the
same builder as a sent message, and read back from one. What the user typed comes back as typed: a
recipient list the headers cannot give back (half an address, a trailing comma, a domain in Unicode) is
kept, with the reply's context, in Roost's own draft header."""

import base64
import binascii
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from email.policy import default
from email.utils import getaddresses, make_msgid

from webmail.mime.compose import (
    Attachment,
    BadAddress,
    BadHeader,
    Draft,
    build_message,
    clean_header_text,
    parse_address,
)
from webmail.mime.stream import decode_transfer

KEY_HEADER = "X-Roost-Draft-Key"
STATE_HEADER = "X-Roost-Draft-State"
_KEY = re.compile(r"^[0-9a-f]{32}$")
_RECIPIENT_FIELDS = ("to", "cc", "bcc")


@dataclass(frozen=True)
class DraftState:
    """What the compose form holds, field for field as the user typed it."""

    from_address: str = ""
    to: str = ""
    cc: str = ""
    bcc: str = ""
    subject: str = ""
    text: str = ""
    html: str = ""
    mode: str = ""
    parent_folder: str = ""
    parent_uid: int | None = None

    @classmethod
    def from_mapping(cls, values: Mapping[str, object]) -> "DraftState":
        """From a form or a stored dict; missing fields are empty, a parent UID that is not a number is none."""

        def text(name: str) -> str:
            value = values.get(name)
            return "" if value is None else str(value)

        uid = values.get("parent_uid")
        parent_uid = uid if isinstance(uid, int) else int(uid) if isinstance(uid, str) and uid.isdigit() else None
        return cls(
            from_address=text("from_address"),
            to=text("to"),
            cc=text("cc"),
            bcc=text("bcc"),
            subject=text("subject"),
            text=text("text"),
            html=text("html"),
            mode=text("mode"),
            parent_folder=text("parent_folder"),
            parent_uid=parent_uid if parent_uid and parent_uid > 0 else None,
        )

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class ReadDraft:
    state: DraftState
    key: str | None  # None when the message has no valid Roost draft key (written by another client)


def valid_draft_key(key: str) -> bool:
    return bool(_KEY.match(key))


def _addresses_as_typed(text: str, *, name: str) -> tuple[list[Address], bool]:
    """The addresses that parse, and whether the header made of them gives back exactly what was typed."""
    typed = clean_header_text(text, name=name)
    found: list[Address] = []
    for display, spec in getaddresses([typed.replace(";", ",")]):
        if not spec and not display:
            continue
        try:
            found.append(parse_address(f"{display} <{spec}>" if display else spec))
        except BadAddress:
            continue
    return found, ", ".join(str(a) for a in found) == typed


def draft_message(
    state: DraftState, *, key: str, sender: Address, files: Sequence[Attachment], date: datetime
) -> bytes:
    """The draft as a message: its recipients as real headers (other mail clients see them), Bcc kept, and
    Roost's key and context in X- headers. Raises BadHeader for a line break in any field."""
    if not valid_draft_key(key):
        raise BadHeader("That draft reference is not valid.")
    recipients: dict[str, list[Address]] = {}
    context: dict[str, object] = {
        "mode": state.mode,
        "parent_folder": state.parent_folder,
        "parent_uid": state.parent_uid,
    }
    for field_name in _RECIPIENT_FIELDS:
        typed = getattr(state, field_name)
        recipients[field_name], exact = _addresses_as_typed(typed, name=field_name)
        if not exact:
            context[field_name] = typed
    draft = Draft(
        sender=sender,
        to=recipients["to"],
        cc=recipients["cc"],
        bcc=recipients["bcc"],
        subject=state.subject,
        text=state.text,
        html=state.html,
        message_id=make_msgid(domain="drafts.roost"),
        date=date,
        attachments=tuple(files),
        headers=((KEY_HEADER, key), (STATE_HEADER, base64.b64encode(json.dumps(context).encode()).decode())),
    )
    return build_message(draft, include_bcc=True)


def draft_read(header: bytes, *, text: str, html: str) -> ReadDraft:
    """A draft's state from its header section and its decoded text and HTML bodies."""
    msg = BytesHeaderParser(policy=default).parsebytes(header)
    context = _context(str(msg.get(STATE_HEADER, "")))
    key = str(msg.get(KEY_HEADER, "")).strip()
    senders = _addresses(msg, "From")
    typed = {
        name: str(context[name]) if isinstance(context.get(name), str) else ", ".join(map(str, _addresses(msg, name)))
        for name in _RECIPIENT_FIELDS
    }
    parent_folder = context.get("parent_folder")
    state = DraftState.from_mapping(
        {
            **typed,
            # The address alone: that is what the form's sender choice holds.
            "from_address": senders[0].addr_spec if senders else "",
            "subject": str(msg.get("Subject", "")),
            "text": text,
            "html": html,
            "mode": context.get("mode") if isinstance(context.get("mode"), str) else "",
            "parent_folder": parent_folder if isinstance(parent_folder, str) else "",
            "parent_uid": context.get("parent_uid"),
        }
    )
    return ReadDraft(state=state, key=key if valid_draft_key(key) else None)


def _addresses(msg: EmailMessage, name: str) -> list[Address]:
    # A group without members (undisclosed-recipients:;) gives none.
    return list(getattr(msg.get(name), "addresses", ()))


def _context(value: str) -> dict[str, object]:
    try:
        found = json.loads(decode_transfer(value.encode("ascii", "ignore"), "base64") or b"{}")
    except (binascii.Error, ValueError):
        return {}
    return found if isinstance(found, dict) else {}
