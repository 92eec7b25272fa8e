from accounts.models import User
from core.access import Access, Role
from core.errors import NotFound

from .models import MailPreferences, Outbox, RemoteContentSender


def preferences_for(user: User) -> MailPreferences:
    found = MailPreferences.objects.filter(user=user).first()
    return found or MailPreferences(user=user)


def remote_allowed_for(user: User, sender: str) -> bool:
    return bool(sender) and RemoteContentSender.objects.filter(user=user, address=sender.lower()).exists()


def outbox_problems(user: User) -> int:
    """Messages that wait for the user's decision: refused for good, or perhaps sent."""
    return Outbox.objects.filter(user=user, state__in=[Outbox.State.FAILED, Outbox.State.UNCERTAIN]).count()


def outbox_get_for_user(*, user: User, outbox_id: int) -> Access[Outbox]:
    """A row of the user's own outbox; anyone else's is not there."""
    row = Outbox.objects.filter(pk=outbox_id, user=user).first()
    if row is None:
        raise NotFound("There is no such message in your outbox.")
    return Access(row, Role.OWNER)
