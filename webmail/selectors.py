from accounts.models import User

from .models import MailPreferences, RemoteContentSender


def preferences_for(user: User) -> MailPreferences:
    found = MailPreferences.objects.filter(user=user).first()
    return found or MailPreferences(user=user)


def remote_allowed_for(user: User, sender: str) -> bool:
    return bool(sender) and RemoteContentSender.objects.filter(user=user, address=sender.lower()).exists()
