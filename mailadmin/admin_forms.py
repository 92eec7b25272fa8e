"""Forms for the Django admin that validate and save through mailadmin.services."""

from typing import Any

from django import forms
from django.contrib.postgres.forms import SimpleArrayField

from core.errors import RoostError

from . import services
from .addresses import normalise_domain
from .models import Alias, Domain, Mailbox


class _ServiceForm(forms.ModelForm):
    """A ModelForm whose saving is done by a service; admin calls save_via_service instead of save."""

    def save_m2m(self) -> None:  # the admin calls this after saving; these models have no m2m
        pass

    def _run(self, check: Any, **kwargs: Any) -> Any:
        try:
            return check(**kwargs)
        except RoostError as error:
            raise forms.ValidationError(str(error)) from None


class DomainForm(_ServiceForm):
    class Meta:
        model = Domain
        fields = ["name", "active"]

    def clean_name(self) -> str:
        name = self.cleaned_data["name"]
        if self.instance.pk and self.instance.name == name:
            return name
        name = self._run(normalise_domain, name=name)
        if Domain.objects.filter(name=name).exists():
            raise forms.ValidationError(f"The domain {name} exists already.")
        return name

    def save_via_service(self) -> Domain:
        if self.instance.pk:
            self.instance.save()
            return self.instance
        domain = services.domain_create(name=self.cleaned_data["name"])
        if not self.cleaned_data["active"]:
            domain.active = False
            domain.save(update_fields=["active"])
        return domain


class MailboxForm(_ServiceForm):
    address = forms.CharField(max_length=254, required=False, help_text="For example alice@example.org.")
    password = forms.CharField(
        widget=forms.PasswordInput(render_value=False),
        required=False,
        strip=False,
        help_text="Required for a new mailbox; leave empty to keep the current password.",
    )

    class Meta:
        model = Mailbox
        fields = ["display_name", "quota_mb", "active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields.pop("address", None)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        password = data.get("password") or ""
        if not self.instance.pk:
            if not data.get("address"):
                self.add_error("address", "Give the mailbox's address.")
            elif not password:
                self.add_error("password", "A new mailbox needs a password.")
            else:
                data["address"] = self._run(services.mailbox_check_new, address=data["address"], password=password)
        elif password:
            # Checked here, not in save_via_service: by then the other fields would already be saved.
            try:
                services.mailbox_check_password(mailbox=self.instance, password=password)
            except RoostError as error:
                self.add_error("password", str(error))
        return data

    def save_via_service(self) -> Mailbox:
        data = self.cleaned_data
        if self.instance.pk:
            mailbox = self.instance
            services.mailbox_update(mailbox=mailbox, display_name=data["display_name"], quota_mb=data["quota_mb"])
            if data["active"] != mailbox.user.is_active:
                services.mailbox_set_active(mailbox=mailbox, active=data["active"])
            if data.get("password"):
                services.mailbox_set_password(mailbox=mailbox, password=data["password"])
            return mailbox
        mailbox = services.mailbox_create(
            address=data["address"],
            password=data["password"],
            display_name=data["display_name"],
            quota_mb=data["quota_mb"],
        )
        if not data["active"]:
            services.mailbox_set_active(mailbox=mailbox, active=False)
        return mailbox


class AliasForm(_ServiceForm):
    address = forms.CharField(
        max_length=254, required=False, help_text="For example sales@example.org, or @example.org for a catch-all."
    )
    destinations = SimpleArrayField(forms.CharField(max_length=254), help_text="Addresses separated by commas.")

    class Meta:
        model = Alias
        fields = ["destinations", "active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields.pop("address", None)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "destinations" not in data:
            return data
        address = self.instance.address if self.instance.pk else data.get("address", "")
        if not address:
            self.add_error("address", "Give the alias's address.")
            return data
        checked = self._run(
            services.alias_check,
            address=address,
            destinations=data["destinations"],
            existing=self.instance if self.instance.pk else None,
        )
        data["address"], _, data["destinations"] = checked
        return data

    def save_via_service(self) -> Alias:
        data = self.cleaned_data
        if self.instance.pk:
            services.alias_update(alias=self.instance, destinations=data["destinations"], active=data["active"])
            return self.instance
        alias = services.alias_create(address=data["address"], destinations=data["destinations"])
        if not data["active"]:
            services.alias_update(alias=alias, destinations=alias.destinations, active=False)
        return alias
