"""The global address book's administration, in Django's admin until the admin panel lands: entries an
administrator adds (people outside the mail system, shared addresses) and which domains see each other.
Saving and deleting go through contacts.services, never model.save() here."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from accounts.models import User

from . import services
from .models import GalEntry, GalVisibility

_ENTRY_FIELDS = ("display_name", "email", "phone", "organisation", "title", "note")


def _admin_user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@admin.register(GalEntry)
class GalEntryAdmin(admin.ModelAdmin):
    list_display = ["display_name", "email", "organisation", "domain"]
    list_filter = ["domain"]
    search_fields = ["display_name", "email", "organisation"]
    fields = ["domain", *_ENTRY_FIELDS]

    def save_model(self, request: HttpRequest, obj: GalEntry, form: Any, change: bool) -> None:
        values = {name: form.cleaned_data.get(name) or "" for name in _ENTRY_FIELDS}
        if change:
            saved = services.gal_entry_update(admin=_admin_user(request), entry_id=obj.pk, **values)
        else:
            saved = services.gal_entry_create(admin=_admin_user(request), domain_id=obj.domain_id, **values)
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: GalEntry) -> None:
        services.gal_entry_delete(admin=_admin_user(request), entry_id=obj.pk)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[GalEntry]) -> None:
        for entry in queryset:
            services.gal_entry_delete(admin=_admin_user(request), entry_id=entry.pk)


@admin.register(GalVisibility)
class GalVisibilityAdmin(admin.ModelAdmin):
    """A row: users of `domain` also find the people of `visible` (every domain always sees itself)."""

    list_display = ["domain", "visible"]
    list_filter = ["domain"]

    def save_model(self, request: HttpRequest, obj: GalVisibility, form: Any, change: bool) -> None:
        seen = set(
            GalVisibility.objects.filter(domain_id=obj.domain_id)
            .exclude(pk=obj.pk)
            .values_list("visible_id", flat=True)
        )
        services.gal_visibility_set(
            admin=_admin_user(request), domain_id=obj.domain_id, visible_domain_ids=seen | {obj.visible_id}
        )
        saved = GalVisibility.objects.get(domain_id=obj.domain_id, visible_id=obj.visible_id)
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: GalVisibility) -> None:
        seen = set(GalVisibility.objects.filter(domain_id=obj.domain_id).values_list("visible_id", flat=True)) - {
            obj.visible_id
        }
        services.gal_visibility_set(admin=_admin_user(request), domain_id=obj.domain_id, visible_domain_ids=seen)
