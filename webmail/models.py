from django.conf import settings
from django.db import models


class MailPreferences(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mail_preferences")
    mark_read_on_open = models.BooleanField(default=True)
    rich_text = models.BooleanField(default=True, help_text="Write with the rich-text editor (else plain text only).")

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


class Identity(models.Model):
    """How the user appears when sending from one of their addresses: name and signature."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="identities")
    address = models.CharField(max_length=254)
    display_name = models.CharField(max_length=200, blank=True)
    signature = models.TextField(blank=True)
    signature_html = models.TextField(blank=True, help_text="Formatted signature, kept sanitised.")
    is_default = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "address"], name="identity_once_per_address")]

    def __str__(self) -> str:
        return self.address


class Outbox(models.Model):
    """A message the user sent. The row, committed before anything is submitted, is the source of truth:
    queued -> sending (leased) -> submitting (the final dot is on its way) -> accepted -> filed (in Sent).
    failed and uncertain wait for the user; cancelled is an undone send."""

    class State(models.TextChoices):
        QUEUED = "queued"
        SENDING = "sending"
        SUBMITTING = "submitting"
        ACCEPTED = "accepted"
        FILED = "filed"
        FAILED = "failed"
        UNCERTAIN = "uncertain"
        CANCELLED = "cancelled"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="outbox")
    idempotency_key = models.CharField(max_length=64)
    message_id = models.CharField(max_length=255, unique=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    sender = models.CharField(max_length=254)
    recipients = models.JSONField(default=list)
    bcc = models.JSONField(default=list)
    subject = models.CharField(max_length=998, blank=True)
    raw = models.BinaryField()
    sent_copy = models.BinaryField()
    smtputf8 = models.BooleanField(default=False)
    send_after = models.DateTimeField()
    lease_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    smtp_reply = models.TextField(blank=True)
    parent_folder = models.CharField(max_length=255, blank=True)
    parent_uid = models.PositiveBigIntegerField(null=True, blank=True)
    parent_flag = models.CharField(max_length=16, blank=True)
    compose_state = models.JSONField(default=dict)
    # External mode only: the user's password, sealed, until the message is submitted; then wiped.
    credential = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "idempotency_key"], name="outbox_once_per_key")]
        indexes = [models.Index(fields=["state", "send_after"])]
        verbose_name_plural = "outbox"

    def __str__(self) -> str:
        return f"{self.message_id} ({self.state})"


class ComposeDraft(models.Model):
    """Where the draft being written lives in IMAP, and its version: a save must name the version it
    replaces, so an older tab can never overwrite a newer save."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="compose_drafts")
    key = models.CharField(max_length=64)
    version = models.PositiveIntegerField(default=0)
    folder = models.CharField(max_length=255, blank=True)
    uid = models.PositiveBigIntegerField(null=True, blank=True)
    # The saved copy's files (part number, name, type, transfer encoding, size), so the next save can fetch
    # just the kept ones, and a digest of what was saved, so a save that changes nothing does nothing.
    parts = models.JSONField(default=list, blank=True)
    fingerprint = models.CharField(max_length=64, blank=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="compose_draft_once_per_key")]

    def __str__(self) -> str:
        return f"draft {self.key} v{self.version}"
