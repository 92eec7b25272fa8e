"""Signed, expiring links for what a message's body frame loads: its inline (cid:) parts and remote
images through the proxy. The frame is sandboxed into an opaque origin, so its requests carry no
session cookie (SameSite=Lax); the link itself names the user, and what for, and is checked against a
user who still exists and is active. A link made for one user only ever opens that user's mailbox."""

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.core import signing
from django.urls import reverse

from accounts.models import User
from core.errors import NotFound, RoostError
from webmail.validators import clean_folder, clean_part_id, clean_uid

# Long enough for a tab left open over a working day; the images are cached by the browser meanwhile.
LINK_MAX_AGE = 12 * 3600
_PART_SALT = "roost.frame.inline-part"
_REMOTE_SALT = "roost.frame.remote-content"


class LinkInvalid(NotFound):
    """Tampered, expired, or made for someone who can no longer sign in: all look the same from outside."""


@dataclass(frozen=True)
class PartLink:
    user: User
    folder: str
    uid: int
    part_id: str


@dataclass(frozen=True)
class RemoteLink:
    user: User
    url: str


def _open(token: str, salt: str) -> dict[str, Any]:
    try:
        data = signing.loads(token, salt=salt, max_age=LINK_MAX_AGE)
    except signing.BadSignature:  # expired links are a kind of bad signature
        raise LinkInvalid("This link is not valid or has expired: open the message again.") from None
    if not isinstance(data, dict):
        raise LinkInvalid("This link is not valid or has expired: open the message again.")
    return data


def _active_user(pk: object) -> User:
    user = User.objects.filter(pk=pk, is_active=True).first() if isinstance(pk, int) else None
    if user is None:
        raise LinkInvalid("This link is not valid or has expired: open the message again.")
    return user


def part_link(*, user: User, folder: str, uid: int, part_id: str) -> str:
    token = signing.dumps({"u": user.pk, "f": folder, "m": uid, "p": part_id}, salt=_PART_SALT, compress=True)
    return reverse("webmail:inline_part") + "?" + urlencode({"t": token})


def part_link_open(*, token: str) -> PartLink:
    data = _open(token, _PART_SALT)
    try:
        folder, uid, part_id = clean_folder(data.get("f")), clean_uid(data.get("m")), clean_part_id(data.get("p"))
    except RoostError:
        raise LinkInvalid("This link is not valid or has expired: open the message again.") from None
    return PartLink(user=_active_user(data.get("u")), folder=folder, uid=uid, part_id=part_id)


def remote_link(*, user: User, url: str) -> str:
    token = signing.dumps({"u": user.pk, "url": url}, salt=_REMOTE_SALT, compress=True)
    return reverse("webmail:remote") + "?" + urlencode({"t": token})


def remote_link_open(*, token: str) -> RemoteLink:
    data = _open(token, _REMOTE_SALT)
    url = data.get("url")
    if not isinstance(url, str):
        raise LinkInvalid("This link is not valid or has expired: open the message again.")
    return RemoteLink(user=_active_user(data.get("u")), url=url)
