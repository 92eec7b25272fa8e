"""Building outgoing messages: addresses checked, headers that cannot carry CR or LF, reply and
forward subjects that do not pile up, threading headers, quoting, and parts of any type (an iMIP
invitation next to the text, an .ics or .vcf file)."""

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email import errors, message_from_bytes
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP, SMTPUTF8, default
from email.utils import format_datetime
from html import escape, unescape
from typing import Literal

from core.errors import RoostError


class BadAddress(RoostError):
    pass


class BadHeader(RoostError):
    pass


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_TOKEN = re.compile(r"[A-Za-z0-9!#$&^_.+-]{1,64}")
# Extra headers are Roost's own (X-...): a caller cannot use them to replace From, Bcc or the MIME fields.
_EXTRA_HEADER = re.compile(r"X-[A-Za-z0-9-]{1,60}")
_SPECIALS = frozenset('()<>[]:;@\\,."')
_PREFIX = re.compile(r"^\s*((re|fwd?|aw|wg|sv|vs|tr)\s*(\[\d+\])?\s*:\s*)+", re.IGNORECASE)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class ExtraPart:
    """A part of any leaf type. "alternative" puts it inside the multipart/alternative next to the text and
    HTML (where mail clients look for an iMIP text/calendar; method=REQUEST); "attachment" and "inline" add
    it as a file with that disposition (an invite.ics, a card.vcf)."""

    content_type: str
    data: bytes
    params: Mapping[str, str] = field(default_factory=dict)  # charset for text types defaults to utf-8
    filename: str | None = None
    placement: Literal["alternative", "attachment", "inline"] = "attachment"


@dataclass(frozen=True)
class Draft:
    sender: Address
    to: Sequence[Address]
    cc: Sequence[Address] = ()
    bcc: Sequence[Address] = ()
    subject: str = ""
    text: str = ""
    html: str = ""
    message_id: str = ""
    date: datetime | None = None
    in_reply_to: str = ""
    references: Sequence[str] = ()
    attachments: Sequence[Attachment] = field(default_factory=tuple)
    attached_messages: Sequence[bytes] = field(default_factory=tuple)
    extra_parts: Sequence[ExtraPart] = field(default_factory=tuple)
    headers: Sequence[tuple[str, str]] = field(default_factory=tuple)  # X-... fields only


def clean_header_text(value: str, *, name: str) -> str:
    """Folded whitespace is fine; a CR, LF or other control character is refused."""
    if _CONTROL.search(value.replace("\t", " ")):
        raise BadHeader(f"The {name} cannot contain line breaks or control characters.")
    return value.strip()


def _idna_domain(domain: str) -> str:
    try:
        return domain.encode("idna").decode("ascii")
    except UnicodeError:
        raise BadAddress(f"{domain} is not a valid domain name.") from None


# Defects that mean the text is not the one plain address it looks like (a missing ">", a stray quote, an
# unquoted "Name: x@y" read as a group); a non-ASCII local part is fine (SMTPUTF8).
_FORGIVEN_DEFECTS = (errors.NonASCIILocalPartDefect,)


def _split_addresses(text: str) -> list[str]:
    """Split on commas and semicolons that are not inside quotes, angle brackets or comments."""
    items: list[str] = []
    current: list[str] = []
    quoted, escaped, angle, comment = False, False, 0, 0
    for char in text:
        if escaped:
            escaped = False
        elif char == "\\" and (quoted or comment):
            escaped = True
        elif char == '"' and not comment:
            quoted = not quoted
        elif not quoted:
            if char == "(":
                comment += 1
            elif char == ")" and comment:
                comment -= 1
            elif not comment and char == "<":
                angle += 1
            elif not comment and char == ">" and angle:
                angle -= 1
            elif not comment and not angle and char in ",;":
                items.append("".join(current))
                current = []
                continue
        current.append(char)
    items.append("".join(current))
    return [item.strip() for item in items if item.strip()]


def _one_address(text: str) -> Address:
    """Exactly one mailbox, read by the standard library's RFC 5322 parser and never re-assembled as text."""
    refused = BadAddress(f"“{text}” is not an email address.")
    try:
        header = default.header_factory("To", text)
        groups = header.groups
    except (errors.HeaderParseError, IndexError, ValueError, TypeError):
        raise refused from None
    if ":" in text and any(group.display_name is not None for group in groups):
        raise BadAddress(f"“{text}” is not an email address; put a name that contains a colon in quotes.")
    if [d for d in header.defects if not isinstance(d, _FORGIVEN_DEFECTS)]:
        raise refused
    if len(groups) != 1 or groups[0].display_name is not None or len(groups[0].addresses) != 1:
        raise refused
    parsed = groups[0].addresses[0]
    local, domain = parsed.username, parsed.domain
    if not local or "." not in domain or len(parsed.addr_spec) > 254:
        raise refused
    try:
        return Address(display_name=parsed.display_name, username=local, domain=_idna_domain(domain))
    except (ValueError, IndexError, errors.HeaderParseError):
        raise refused from None


def parse_address(text: str) -> Address:
    return _one_address(clean_header_text(text, name="address"))


def parse_address_list(text: str) -> list[Address]:
    """Comma- or semicolon-separated addresses, each with an optional display name (quoted when it holds
    commas, colons or brackets)."""
    text = clean_header_text(text, name="recipient list")
    return [_one_address(item) for item in _split_addresses(text)]


def format_address(name: str, address: str) -> str:
    """One address as text for a form field: the display name quoted when it holds anything a parser could
    read as address syntax, so that parsing the text again gives back exactly this address."""
    name = " ".join(name.split())
    if not name:
        return address
    if any(char in _SPECIALS for char in name):
        name = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{name} <{address}>"


def format_address_list(addresses: Iterable[Address]) -> str:
    return ", ".join(format_address(a.display_name, a.addr_spec) for a in addresses)


def reply_subject(subject: str) -> str:
    return "Re: " + _PREFIX.sub("", subject).strip()


def forward_subject(subject: str) -> str:
    return "Fwd: " + _PREFIX.sub("", subject).strip()


def quote_text(text: str, *, who: str, when: datetime | None) -> str:
    intro = f"On {format_datetime(when)}, {who} wrote:" if when else f"{who} wrote:"
    quoted = "\n".join(">" + (" " if line and not line.startswith(">") else "") + line for line in text.splitlines())
    return f"\n\n{intro}\n{quoted}\n"


def references_for(parent_references: Sequence[str], parent_message_id: str) -> list[str]:
    refs = [r for r in parent_references if r]
    if parent_message_id and parent_message_id not in refs:
        refs.append(parent_message_id)
    return refs[-20:]  # keeps the header bounded on very long threads; the root and recent parents survive


def needs_smtputf8(draft: Draft) -> bool:
    addresses = [draft.sender, *draft.to, *draft.cc, *draft.bcc]
    return any(not a.addr_spec.isascii() for a in addresses)


def build_message(draft: Draft, *, include_bcc: bool) -> bytes:
    """The message as it is submitted (include_bcc=False), or filed in Sent or Drafts (include_bcc=True).

    Its shape: the text, then the HTML and any "alternative" extra parts in one multipart/alternative, then
    the files, the "attachment"/"inline" extra parts and the attached messages in a multipart/mixed."""
    msg = EmailMessage()
    msg["From"] = draft.sender
    if draft.to:
        msg["To"] = list(draft.to)
    if draft.cc:
        msg["Cc"] = list(draft.cc)
    if include_bcc and draft.bcc:
        msg["Bcc"] = list(draft.bcc)
    if not draft.to and not draft.cc and draft.bcc:
        msg["To"] = "undisclosed-recipients:;"  # Bcc only; a draft with no recipients yet gets no To at all
    msg["Subject"] = clean_header_text(draft.subject, name="subject")
    msg["Date"] = format_datetime(draft.date) if draft.date else ""
    msg["Message-ID"] = draft.message_id
    if draft.in_reply_to:
        msg["In-Reply-To"] = draft.in_reply_to
    if draft.references:
        msg["References"] = " ".join(draft.references)
    msg["MIME-Version"] = "1.0"
    msg["User-Agent"] = "Roost"
    for name, value in draft.headers:
        if not _EXTRA_HEADER.fullmatch(name):
            raise BadHeader(f"Roost does not write a header named {name[:60]!r}.")
        msg[name] = clean_header_text(value, name=name)
    msg.set_content(draft.text.replace("\r\n", "\n"), cte="quoted-printable" if not draft.text.isascii() else "7bit")
    if draft.html:
        msg.add_alternative(draft.html, subtype="html", cte="quoted-printable")
    for part in draft.extra_parts:
        if part.placement == "alternative":
            _add_extra_part(msg, part)
    for attachment in draft.attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        msg.add_attachment(
            attachment.data,
            maintype=maintype or "application",
            subtype=subtype or "octet-stream",
            filename=attachment.filename,
        )
    for part in draft.extra_parts:
        if part.placement != "alternative":
            _add_extra_part(msg, part)
    for raw in draft.attached_messages:
        inner = message_from_bytes(raw, policy=default)
        subject = clean_header_text(str(inner.get("Subject", "") or "forwarded message"), name="subject")[:80]
        msg.add_attachment(inner, disposition="attachment", filename=f"{subject or 'forwarded message'}.eml")
    policy = SMTPUTF8 if needs_smtputf8(draft) else SMTP
    return msg.as_bytes(policy=policy)


def _add_extra_part(msg: EmailMessage, part: ExtraPart) -> None:
    maintype, slash, subtype = part.content_type.strip().lower().partition("/")
    if not (slash and _TOKEN.fullmatch(maintype) and _TOKEN.fullmatch(subtype)) or maintype in ("multipart", "message"):
        raise BadHeader(f"{part.content_type[:80]!r} is not a content type Roost can add as a part.")
    params: dict[str, str] = {}
    for key, value in part.params.items():
        if not _TOKEN.fullmatch(key):
            raise BadHeader(f"{key[:60]!r} is not a content type parameter.")
        params[key.lower()] = clean_header_text(value, name=f"{key} parameter")
    charset = params.pop("charset", "utf-8")
    disposition = None if part.placement == "alternative" else part.placement
    filename = clean_header_text(part.filename, name="file name") if part.filename else None
    add = msg.add_alternative if part.placement == "alternative" else msg.add_attachment
    if maintype == "text":
        try:
            text = part.data.decode(charset)
        except (LookupError, UnicodeDecodeError):
            raise BadHeader(f"The {part.content_type} part is not text in {charset}.") from None
        # As text, the email package writes every line end as CRLF (iCalendar and vCard require it) and keeps
        # long lines intact; non-ASCII goes quoted-printable, as the text body does, for 7-bit relays.
        cte = None if text.isascii() else "quoted-printable"
        add(text, subtype=subtype, charset=charset, cte=cte, params=params, disposition=disposition, filename=filename)
    else:
        add(part.data, maintype=maintype, subtype=subtype, params=params, disposition=disposition, filename=filename)


_BLOCK_END = re.compile(r"(?i)<\s*(br\s*/?|/p|/div|/h[1-6]|/li|/blockquote|/pre|/tr)\s*>")
_TAG = re.compile(r"<[^>]*>")


def html_to_text(html: str) -> str:
    """The plain-text alternative of what the editor wrote: line breaks kept, quotes marked with >."""
    quoted = re.sub(
        r"(?is)<blockquote[^>]*>(.*?)</blockquote>",
        lambda m: "\n".join("> " + line for line in html_to_text(m.group(1)).splitlines()) + "\n",
        html,
    )
    text = _TAG.sub("", _BLOCK_END.sub("\n", quoted))
    text = unescape(text).replace("\xa0", " ")
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def text_to_editor_html(text: str) -> str:
    """Plain text (a quoted reply, a signature) as editor HTML: lines kept, quoted lines in blockquotes."""
    out: list[str] = []
    quote: list[str] = []

    def flush() -> None:
        if quote:
            out.append("<blockquote>" + "<br>".join(quote) + "</blockquote>")
            quote.clear()

    for line in text.splitlines():
        if line.startswith(">"):
            quote.append(escape(line.lstrip("> ")))
        else:
            flush()
            out.append(escape(line) + "<br>")
    flush()
    return "<div>" + "".join(out) + "</div>"
