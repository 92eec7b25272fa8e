"""Address books and contacts. A contact keeps its vCard text as stored (unknown properties included) plus the
columns search, completion and sync need; the change log per book (AddressBookChange) backs sync tokens.
The global address book (GAL) is built from the mail directory and the administrator's GalEntry rows; GalItem
remembers what each viewing domain was last shown, so its sync tokens are as real as a book's."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.core.validators import RegexValidator
from django.db import models

SLUG_RE = r"^[a-z0-9-]+$"


class AddressBook(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="address_books")
    slug = models.CharField(max_length=64, validators=[RegexValidator(SLUG_RE)])
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    color = models.CharField(max_length=9, blank=True, default="")
    sync_seq = models.BigIntegerField(default=0)
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["owner_id", "name", "pk"]
        constraints = [models.UniqueConstraint(fields=["owner", "slug"], name="contacts_book_owner_slug")]

    def __str__(self) -> str:
        return f"{self.name} ({self.slug})"


class Contact(models.Model):
    class Kind(models.TextChoices):
        INDIVIDUAL = "individual"
        GROUP = "group"

    book = models.ForeignKey(AddressBook, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=255)  # the href's last segment, as the client chose it
    uid = models.CharField(max_length=255)
    data = models.TextField()
    version = models.CharField(max_length=3)
    etag = models.CharField(max_length=64)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.INDIVIDUAL)
    display_name = models.CharField(max_length=255, blank=True, default="")
    sort_key = models.CharField(max_length=255, blank=True, default="")
    organisation = models.CharField(max_length=255, blank=True, default="")
    emails = ArrayField(models.CharField(max_length=254), default=list, blank=True)
    phones = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    # Lower-case name, nickname, organisation, addresses and phone digits: what search and completion
    # match with LIKE; a trigram GIN index (migration 0002, when pg_trgm may be created) keeps it fast.
    search_text = models.TextField(blank=True, default="")
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["sort_key", "name"]
        constraints = [
            models.UniqueConstraint(fields=["book", "name"], name="contacts_contact_book_name"),
            models.UniqueConstraint(fields=["book", "uid"], name="contacts_contact_book_uid"),
        ]
        indexes = [GinIndex(fields=["emails"], name="contacts_contact_emails")]

    def __str__(self) -> str:
        return self.display_name or self.name


class AddressBookChange(models.Model):
    """One change of one contact: the sync token of a book is its sync_seq, and "what changed since N" is
    the names with a change row above N (deleted ones as tombstones)."""

    book = models.ForeignKey(AddressBook, on_delete=models.CASCADE, related_name="changes")
    seq = models.BigIntegerField()
    name = models.CharField(max_length=255)
    deleted = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["book", "seq"], name="contacts_change_book_seq")]

    def __str__(self) -> str:
        return f"{self.book_id}#{self.seq} {self.name}{' (deleted)' if self.deleted else ''}"


class ImportJob(models.Model):
    """A large import run by a worker; the UI polls its counts."""

    class State(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contact_imports")
    book = models.ForeignKey(AddressBook, on_delete=models.CASCADE, related_name="imports")
    filename = models.CharField(max_length=255)
    on_duplicate = models.CharField(max_length=5)
    data = models.BinaryField()  # emptied when the job ends
    state = models.CharField(max_length=8, choices=State.choices, default=State.QUEUED)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    imported = models.PositiveIntegerField(default=0)
    merged = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    problems = models.JSONField(default=list, blank=True)  # [{"entry": n, "reason": "..."}], the first 200
    error = models.TextField(blank=True, default="")
    created = models.DateTimeField(auto_now_add=True)
    finished = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"import {self.filename} ({self.state})"


class GalEntry(models.Model):
    """A person or shared address an administrator adds to a domain's global address book."""

    domain = models.ForeignKey("mailadmin.Domain", on_delete=models.CASCADE, related_name="gal_entries")
    display_name = models.CharField(max_length=200)
    email = models.CharField(max_length=254, blank=True, default="")
    phone = models.CharField(max_length=60, blank=True, default="")
    organisation = models.CharField(max_length=200, blank=True, default="")
    title = models.CharField(max_length=200, blank=True, default="")
    note = models.TextField(blank=True, default="")
    search_text = models.TextField(blank=True, default="")
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["display_name", "pk"]
        verbose_name_plural = "GAL entries"

    def __str__(self) -> str:
        return self.display_name


class GalVisibility(models.Model):
    """Domain `domain` also sees `visible` in its global address book. Every domain sees itself; no rows
    means nothing more."""

    domain = models.ForeignKey("mailadmin.Domain", on_delete=models.CASCADE, related_name="+")
    visible = models.ForeignKey("mailadmin.Domain", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["domain", "visible"], name="contacts_galvisibility_pair")]

    def __str__(self) -> str:
        return f"{self.domain_id} sees {self.visible_id}"


class GalScope(models.Model):
    """The GAL as one viewing domain sees it: seq is its sync token, bumped when a diff finds a change."""

    domain = models.OneToOneField("mailadmin.Domain", on_delete=models.CASCADE, related_name="+")
    seq = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"GAL of {self.domain_id} at {self.seq}"


class GalItem(models.Model):
    """The last etag a viewing domain's GAL showed for one card, and the seq at which it changed (or went)."""

    scope = models.ForeignKey(GalScope, on_delete=models.CASCADE, related_name="items")
    name = models.CharField(max_length=255)
    etag = models.CharField(max_length=64)
    seq = models.BigIntegerField()
    deleted = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "name"], name="contacts_galitem_scope_name")]
        indexes = [models.Index(fields=["scope", "seq"], name="contacts_galitem_scope_seq")]

    def __str__(self) -> str:
        return f"{self.name} @{self.seq}"
