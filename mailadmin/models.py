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
    # The mail store under the vmail directory. Empty means "by-id/<id>" (the view roost_mail_users says so),
    # so a new mailbox with a deleted one's address starts empty; mailboxes made before homes were derived
    # from the id keep "<domain>/<local part>", filled in by migration 0003.
    home = models.CharField(max_length=255, blank=True, db_default="", editable=False)

    class Meta:
        ordering = ["address"]
        verbose_name_plural = "mailboxes"

    def __str__(self) -> str:
        return self.address


class ArchivedMailbox(models.Model):
    """A deleted mailbox's mail store, left on disk for an administrator to keep or remove (docs/deploy.md)."""

    address = models.CharField(max_length=254)
    home = models.CharField(max_length=255)
    deleted = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-deleted"]
        verbose_name_plural = "archived mailboxes"

    def __str__(self) -> str:
        return f"{self.address} ({self.home})"


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
