from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from accounts.models import User

from . import services
from .admin_forms import AliasForm, DomainForm, MailboxForm
from .models import Alias, ArchivedMailbox, Domain, Mailbox


class _ServiceAdmin(admin.ModelAdmin):
    """Saving goes through mailadmin.services (via the form), never through model.save() here."""

    def save_form(self, request: HttpRequest, form: Any, change: bool) -> Any:
        return form.save_via_service()

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        pass  # already saved by the service in save_form


@admin.register(Domain)
class DomainAdmin(_ServiceAdmin):
    form = DomainForm
    list_display = ["name", "active", "created"]
    search_fields = ["name"]


@admin.register(Mailbox)
class MailboxAdmin(_ServiceAdmin):
    form = MailboxForm
    list_display = ["address", "display_name", "quota_mb", "active"]
    list_filter = ["active", "domain"]
    search_fields = ["address", "display_name"]

    def get_fields(self, request: HttpRequest, obj: Mailbox | None = None) -> Any:
        if obj is None:
            return ["address", "password", "display_name", "quota_mb", "active"]
        return ["address", "display_name", "quota_mb", "active", "password"]

    def get_readonly_fields(self, request: HttpRequest, obj: Mailbox | None = None) -> list[str]:
        return ["address"] if obj else []

    def delete_model(self, request: HttpRequest, obj: Mailbox) -> None:
        services.mailbox_delete(mailbox=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Mailbox]) -> None:
        for mailbox in queryset.select_related("user"):
            services.mailbox_delete(mailbox=mailbox)


@admin.register(ArchivedMailbox)
class ArchivedMailboxAdmin(admin.ModelAdmin):
    """Read-only: the record of a deleted mailbox's store, removed once the store is dealt with."""

    list_display = ["address", "home", "deleted"]
    search_fields = ["address"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ArchivedMailbox | None = None) -> bool:
        return False


@admin.register(Alias)
class AliasAdmin(_ServiceAdmin):
    form = AliasForm
    list_display = ["address", "destination_list", "active"]
    list_filter = ["active", "domain"]
    search_fields = ["address"]

    def get_fields(self, request: HttpRequest, obj: Alias | None = None) -> Any:
        return ["address", "destinations", "active"]

    def get_readonly_fields(self, request: HttpRequest, obj: Alias | None = None) -> list[str]:
        return ["address"] if obj else []

    @admin.display(description="destinations")
    def destination_list(self, obj: Alias) -> str:
        return ", ".join(obj.destinations)


class _UserAdmin(UserAdmin):
    """Deleting a user who has a mailbox deletes the mailbox the same way as the Mailboxes page does, so its
    store is archived, not silently orphaned."""

    def delete_model(self, request: HttpRequest, obj: User) -> None:
        mailbox = Mailbox.objects.filter(user=obj).first()
        if mailbox is None:
            super().delete_model(request, obj)
        else:
            services.mailbox_delete(mailbox=mailbox)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            self.delete_model(request, user)


admin.site.unregister(User)
admin.site.register(User, _UserAdmin)
