"""Form values of the calendar pages, checked with a clear message for each mistake."""

from dataclasses import dataclass
from datetime import timedelta

from django.core.files.uploadedfile import UploadedFile
from django.http import QueryDict

from accounts.models import User
from core.errors import PayloadTooLarge, RoostError

# The colours offered for a calendar (any #rrggbb from a client is kept too).
COLOURS = ("#2f6fdf", "#0e9384", "#16a34a", "#ca8a04", "#ea580c", "#dc2626", "#db2777", "#7c3aed", "#475467")
MAX_IMPORT_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class CalendarFormValues:
    name: str
    color: str
    description: str


def calendar_form_values(post: QueryDict) -> CalendarFormValues:
    name = (post.get("name") or "").strip()
    if not name:
        raise RoostError("Give the calendar a name.")
    if len(name) > 100:
        raise RoostError("A calendar name has at most 100 characters.")
    return CalendarFormValues(
        name=name,
        color=(post.get("color") or COLOURS[0]).strip(),
        description=(post.get("description") or "").strip()[:2000],
    )


def share_target(post: QueryDict) -> tuple[User, bool]:
    address = (post.get("address") or "").strip().lower()
    if not address:
        raise RoostError("Whom should the calendar be shared with? Give their address.")
    user = User.objects.filter(username=address, is_active=True).first()
    if user is None:
        raise RoostError(f"There is no one with the address {address} here.")
    return user, post.get("access") == "write"


def uploaded_calendar(upload: UploadedFile | None) -> bytes:
    if upload is None:
        raise RoostError("Choose an .ics file to import.")
    if upload.size is not None and upload.size > MAX_IMPORT_BYTES:
        raise PayloadTooLarge("That file is larger than 10 MB; split it and import the parts.")
    return upload.read()


# How often a subscription is read again (minutes), as offered on the form.
REFRESH_CHOICES = ((15, "Every 15 minutes"), (60, "Every hour"), (360, "Every 6 hours"), (1440, "Once a day"))


@dataclass(frozen=True)
class SubscriptionFormValues:
    kind: str  # "ics" or "caldav"
    url: str
    username: str
    password: str
    name: str
    color: str
    refresh_interval: timedelta


def subscription_form_values(post: QueryDict) -> SubscriptionFormValues:
    kind = post.get("kind") or ""
    if kind not in ("ics", "caldav"):
        raise RoostError("Choose an .ics address or a CalDAV calendar to subscribe to.")
    url = (post.get("url") or "").strip()
    if not url:
        raise RoostError("Give the calendar's address.")
    username = (post.get("username") or "").strip()
    if kind == "caldav" and not username:
        raise RoostError("A CalDAV calendar needs the user name you sign in there with.")
    try:
        minutes = int(post.get("refresh") or 60)
    except ValueError:
        raise RoostError("Choose how often the calendar is refreshed.") from None
    name = (post.get("name") or "").strip()
    if len(name) > 100:
        raise RoostError("A calendar name has at most 100 characters.")
    return SubscriptionFormValues(
        kind=kind,
        url=url,
        username=username,
        password=post.get("password") or "",
        name=name,
        color=(post.get("color") or COLOURS[0]).strip(),
        refresh_interval=timedelta(minutes=minutes),
    )
