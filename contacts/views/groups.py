"""Groups: make one, rename it, and add or remove members from the group's page or from a contact's."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from contacts import services
from contacts.selectors import addressbook_get_for_user, addressbooks_for_user, contact_get
from contacts.services import group_create, group_members_add, group_members_remove
from core.errors import RoostError

from .common import user_of
from .forms import book_id_of, names_of
from .present import contact_url


def _op(request: HttpRequest) -> str:
    op = request.POST.get("op", "")
    if op not in ("add", "remove"):
        raise RoostError("Say whether to add to the group or remove from it.")
    return op


@require_http_methods(["GET", "POST"])
@login_required
def group_new(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    if request.method == "POST":
        access = addressbook_get_for_user(user=user, book_id=book_id_of(request.POST.get("book")))
        group = group_create(access=access, name=request.POST.get("name", "")[:400])
        messages.success(request, f"Group “{group.display_name}” created. Add people to it below.")
        return redirect(contact_url(access.obj.pk, group.name))
    books = [a.obj for a in addressbooks_for_user(user=user) if a.can_write]
    chosen = request.GET.get("book", "")
    return render(
        request, "contacts/group_new.html", {"books": books, "chosen": int(chosen) if chosen.isdigit() else 0}
    )


@require_POST
@login_required
def group_members(request: HttpRequest, book_id: int, name: str) -> HttpResponse:
    """The group's own page: add the chosen contacts, or remove a member (a contact or a plain address)."""
    access = addressbook_get_for_user(user=user_of(request), book_id=book_id)
    group = contact_get(book=access.obj, name=name)
    if _op(request) == "add":
        group_members_add(access=access, group_name=group.name, member_names=names_of(request.POST, "member"))
        messages.success(request, "Added to the group.")
    else:
        group_members_remove(
            access=access,
            group_name=group.name,
            member_names=names_of(request.POST, "member"),
            addresses=names_of(request.POST, "address"),
        )
        messages.success(request, "Removed from the group.")
    return redirect(contact_url(book_id, group.name))


@require_POST
@login_required
def contact_groups(request: HttpRequest, book_id: int, name: str) -> HttpResponse:
    """A contact's page: put the contact into a group of its book, or take it out of one."""
    access = addressbook_get_for_user(user=user_of(request), book_id=book_id)
    person = contact_get(book=access.obj, name=name)
    group_name = request.POST.get("group", "")
    if not group_name:
        raise RoostError("Choose a group.")
    if _op(request) == "add":
        group = group_members_add(access=access, group_name=group_name, member_names=[person.name])
        messages.success(request, f"Added to “{group.display_name}”.")
    else:
        group = group_members_remove(access=access, group_name=group_name, member_names=[person.name])
        messages.success(request, f"Removed from “{group.display_name}”.")
    return redirect(contact_url(book_id, person.name))


@require_POST
@login_required
def group_rename(request: HttpRequest, book_id: int, name: str) -> HttpResponse:
    access = addressbook_get_for_user(user=user_of(request), book_id=book_id)
    group = services.group_rename(
        access=access,
        group_name=contact_get(book=access.obj, name=name).name,
        new_name=request.POST.get("name", "")[:400],
    )
    messages.success(request, f"Renamed to “{group.display_name}”.")
    return redirect(contact_url(book_id, group.name))
