"""The managed mail directory. Dovecot and Postfix read it live through SQL views (see migrations)."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models


class Domain(models.Model):
    name = models.CharField(max_length=253, unique=True, help_text="For example example.org, in lower case.")
    active = models.BooleanField(default=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Mailbox(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mailbox")
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="mailboxes")
    local_part = models.CharField(max_length=64)
    address = models.CharField(max_length=254, unique=True)
    display_name = models.CharField(max_length=200, blank=True)
    quota_mb = models.PositiveIntegerField(default=1024, help_text="0 means no limit.")
    active = models.BooleanField(default=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["address"]
        verbose_name_plural = "mailboxes"

    def __str__(self) -> str:
        return self.address


class Alias(models.Model):
    """One address delivered to one or more destinations. "@domain" is the domain's catch-all."""

    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="aliases")
    local_part = models.CharField(max_length=64, blank=True, help_text="Leave empty for a catch-all.")
    address = models.CharField(max_length=254, unique=True)
    destinations = ArrayField(models.CharField(max_length=254))
    active = models.BooleanField(default=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["address"]
        verbose_name_plural = "aliases"

    def __str__(self) -> str:
        return self.address

    @property
    def is_catch_all(self) -> bool:
        return self.local_part == ""
