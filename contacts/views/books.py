"""Address books: new, rename, delete (never the last one), and the CardDAV address phones sync with."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from contacts.selectors import addressbook_get_for_user, addressbooks_for_user, contact_counts, groups_for_user
from contacts.services import addressbook_create, addressbook_delete, addressbook_update
from core.errors import RoostError

from .common import user_of


@require_http_methods(["GET", "POST"])
@login_required
def book_new(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        book = addressbook_create(owner=user_of(request), name=request.POST.get("name", "")[:400])
        messages.success(request, f"Address book “{book.name}” created.")
        return redirect("contacts:book", book_id=book.pk)
    return render(request, "contacts/book_new.html")


@require_http_methods(["GET", "POST"])
@login_required
def book_settings(request: HttpRequest, book_id: int) -> HttpResponse:
    user = user_of(request)
    access = addressbook_get_for_user(user=user, book_id=book_id)
    if request.method == "POST":
        addressbook_update(access=access, name=request.POST.get("name", "")[:400])
        messages.success(request, "Renamed.")
        return redirect("contacts:book_settings", book_id=book_id)
    book = access.obj
    context = {
        "book": book,
        "carddav_url": request.build_absolute_uri(f"/dav/addressbooks/{user.username}/{book.slug}/"),
        "only_book": len(addressbooks_for_user(user=user)) == 1,
        "people": contact_counts(user=user).get(book.pk, 0),
        "groups": sum(1 for g in groups_for_user(user=user) if g.book_id == book.pk),
    }
    return render(request, "contacts/book_settings.html", context)


@require_POST
@login_required
def book_delete(request: HttpRequest, book_id: int) -> HttpResponse:
    user = user_of(request)
    access = addressbook_get_for_user(user=user, book_id=book_id)
    if request.POST.get("confirm") != "yes":
        raise RoostError("Tick the box to confirm that the address book and all its contacts go.")
    if len(addressbooks_for_user(user=user)) == 1:
        raise RoostError("This is your only address book; make another one before you delete it.")
    name = access.obj.name
    addressbook_delete(access=access)
    messages.success(request, f"Address book “{name}” deleted.")
    return redirect("contacts:home")
