from accounts.models import User
from webmail.models import MailPreferences, RemoteContentSender


def preferences_update(*, user: User, mark_read_on_open: bool, rich_text: bool = True) -> None:
    MailPreferences.objects.update_or_create(
        user=user, defaults={"mark_read_on_open": mark_read_on_open, "rich_text": rich_text}
    )


def remote_sender_allow(*, user: User, address: str) -> None:
    RemoteContentSender.objects.get_or_create(user=user, address=address.strip().lower())


def remote_sender_forget(*, user: User, address: str) -> None:
    RemoteContentSender.objects.filter(user=user, address=address.strip().lower()).delete()
