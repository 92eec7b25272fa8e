"""New and edit (the form, saved through contact_save with the ETag it was opened with), delete, merge."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from contacts import services
from contacts.models import AddressBook, Contact
from contacts.selectors import (
    addressbook_get_for_user,
    addressbooks_for_user,
    contact_fields,
    contact_get,
    contacts_listing,
)
from contacts.services import addressbook_ensure_default, contact_save
from contacts.vcard import ContactFields, TypedValue
from core.access import Access
from core.bodylimit import accepts_uploads
from core.errors import NotFound, PreconditionFailed, RoostError

from .common import user_of
from .forms import ContactForm, book_id_of, fields_from_index, form_for, form_from_post
from .present import contact_url, detail_of, initials_of, tone_of

STALE = (
    "Someone changed this contact after you opened it (on another device, perhaps). Your version is below, "
    "nothing you typed is lost: save again to keep yours, or open the contact to see theirs."
)


def _form_page(
    request: HttpRequest,
    form: ContactForm,
    access: Access[AddressBook],
    *,
    contact: Contact | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    context = {
        "form": form,
        "contact": contact,
        "book": access.obj,
        "books": [a.obj for a in addressbooks_for_user(user=user_of(request)) if a.can_write],
        "error": error,
        "stale": status == 409,
        "avatar": {"initials": initials_of(contact.display_name), "tone": tone_of(contact.display_name)}
        if contact is not None and contact.display_name
        else {"initials": "", "tone": 0},
        "cancel_url": contact_url(access.obj.pk, contact.name)
        if contact
        else reverse("contacts:book", args=[access.obj.pk]),
    }
    return render(request, "contacts/form.html", context, status=status)


@accepts_uploads
@require_http_methods(["GET", "POST"])
@login_required
def contact_new(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    if request.method == "POST":
        access = addressbook_get_for_user(user=user, book_id=book_id_of(request.POST.get("book")))
        form = form_from_post(request.POST, request.FILES.get("photo"), stored=None)
        try:
            saved = contact_save(access=access, name=None, fields=form.check())
        except NotFound:
            raise
        except RoostError as error:
            return _form_page(request, form, access, error=str(error), status=error.status)
        messages.success(request, f"{saved.display_name} was added.")
        return redirect(contact_url(access.obj.pk, saved.name))
    wanted = request.GET.get("book")
    book_id = book_id_of(wanted) if wanted else addressbook_ensure_default(user=user).pk
    access = addressbook_get_for_user(user=user, book_id=book_id)
    prefill = ContactFields(
        formatted_name=request.GET.get("name", "").strip()[:200],
        emails=[TypedValue(request.GET["email"].strip()[:254], ("home",))] if request.GET.get("email") else [],
    )
    return _form_page(request, form_for(prefill, book_id=access.obj.pk), access)


@accepts_uploads
@require_http_methods(["GET", "POST"])
@login_required
def contact_edit(request: HttpRequest, book_id: int, name: str) -> HttpResponse:
    access = addressbook_get_for_user(user=user_of(request), book_id=book_id)
    contact = contact_get(book=access.obj, name=name)
    if request.method == "POST":
        stored = contact_fields(contact=contact)
        form = form_from_post(request.POST, request.FILES.get("photo"), stored=stored, kind=contact.kind)
        try:
            saved = contact_save(access=access, name=name, fields=form.check(), if_match=form.etag or contact.etag)
        except PreconditionFailed:
            form.etag = contact_get(book=access.obj, name=name).etag  # saving again now keeps this version
            return _form_page(request, form, access, contact=contact, error=STALE, status=409)
        except NotFound:
            raise
        except RoostError as error:
            return _form_page(request, form, access, contact=contact, error=str(error), status=error.status)
        messages.success(request, "Saved.")
        return redirect(contact_url(book_id, saved.name))
    fields = contact_fields(contact=contact) or fields_from_index(contact)
    form = form_for(fields, etag=contact.etag, book_id=book_id)
    return _form_page(request, form, access, contact=contact)


@require_http_methods(["GET", "POST"])
@login_required
def contact_delete(request: HttpRequest, book_id: int, name: str) -> HttpResponse:
    access = addressbook_get_for_user(user=user_of(request), book_id=book_id)
    contact = contact_get(book=access.obj, name=name)
    if request.method == "POST":
        services.contact_delete(access=access, name=name)
        what = "Group" if contact.kind == Contact.Kind.GROUP else "Contact"
        messages.success(request, f"{what} “{contact.display_name}” deleted.")
        return redirect("contacts:book", book_id=book_id)
    return render(request, "contacts/delete.html", {"contacts": [contact], "book": access.obj, "single": True})


@require_http_methods(["GET", "POST"])
@login_required
def contact_merge(request: HttpRequest, book_id: int, name: str) -> HttpResponse:
    """GET: choose the other contact, then compare the two; POST: merge them, keeping the one chosen."""
    user = user_of(request)
    access = addressbook_get_for_user(user=user, book_id=book_id)
    contact = contact_get(book=access.obj, name=name)
    if request.method == "POST":
        other = contact_get(book=access.obj, name=request.POST.get("other", ""))
        keep, gone = (other, contact) if request.POST.get("keep") == "other" else (contact, other)
        merged = services.contact_merge(access=access, keep_name=keep.name, merge_name=gone.name)
        messages.success(request, f"“{gone.display_name}” was merged into “{merged.display_name}”.")
        return redirect(contact_url(book_id, merged.name))
    context: dict[str, object] = {"contact": contact, "book": access.obj}
    if request.GET.get("other"):
        other = contact_get(book=access.obj, name=request.GET["other"])
        if other.name == contact.name:
            raise RoostError("Choose two different contacts to merge.")
        context.update(
            other=other,
            this_detail=detail_of(contact_fields(contact=contact), name=contact.display_name or contact.name),
            other_detail=detail_of(contact_fields(contact=other), name=other.display_name or other.name),
        )
    else:
        context["candidates"] = [c for c in contacts_listing(book=access.obj) if c.name != contact.name]
    return render(request, "contacts/merge.html", context)
