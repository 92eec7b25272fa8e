from django.conf import settings
from django.db import models


class MailPreferences(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mail_preferences")
    mark_read_on_open = models.BooleanField(default=True)

    class Meta:
        verbose_name_plural = "mail preferences"

    def __str__(self) -> str:
        return f"mail preferences of {self.user_id}"


class RemoteContentSender(models.Model):
    """A sender whose remote images the user always wants to see (through Roost's proxy)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="remote_content_senders")
    address = models.CharField(max_length=254)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "address"], name="remote_sender_once_per_user")]

    def __str__(self) -> str:
        return self.address
