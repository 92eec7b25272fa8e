"""The list and the detail: one page with two panes on the desktop, one pane at a time on a phone."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from accounts.models import User
from contacts.models import AddressBook, Contact
from contacts.selectors import (
    addressbook_get_for_user,
    addressbooks_for_user,
    contact_fields,
    contact_get,
    contact_groups,
    contacts_listing,
    contacts_search,
    group_members,
    groups_for_user,
)
from contacts.selectors import contact_photo as stored_photo
from contacts.services import addressbook_ensure_default
from core.errors import NotFound

from .common import search_text, user_of
from .forms import photo_type
from .present import contact_row, detail_of, member_views, photo_url, sections

SEARCH_LIMIT = 200


def listing(user: User, book: AddressBook, *, q: str = "", selected: str = "") -> dict[str, object]:
    """The list pane: the book's people under letter headers, or search results from all the user's books."""
    if q:
        found = contacts_search(user=user, q=q, limit=SEARCH_LIMIT)
        names = {a.obj.pk: a.obj.name for a in addressbooks_for_user(user=user)} if found else {}
        several = len({c.book_id for c in found}) > 1
        rows = [
            (c.sort_key, contact_row(c, q=q, selected=selected, book_name=names.get(c.book_id, "") if several else ""))
            for c in found
        ]
        title, count = "Search results", len(found)
    else:
        people = contacts_listing(book=book)
        rows = [(c.sort_key, contact_row(c, selected=selected)) for c in people]
        title, count = book.name, len(people)
    list_url = reverse("contacts:book", args=[book.pk])
    return {
        "mode": "search" if q else "book",
        "book": book,
        "q": q,
        "list_title": title,
        "list_count": count,
        "sections": sections(rows),
        "list_url": list_url + ("?" + urlencode({"q": q}) if q else ""),
        "search_action": list_url,
        "truncated": bool(q) and count >= SEARCH_LIMIT,
    }


def detail(user: User, contact: Contact) -> dict[str, object]:
    fields = contact_fields(contact=contact)
    has_photo = fields is not None and fields.photo is not None and bool(fields.photo.data)
    shown = detail_of(fields, name=contact.display_name or contact.name, photo=photo_url(contact) if has_photo else "")
    context: dict[str, object] = {"contact": contact, "detail": shown}
    book_groups = [g for g in groups_for_user(user=user) if g.book_id == contact.book_id]
    if contact.kind == Contact.Kind.GROUP:
        members = member_views(group_members(group=contact), book_id=contact.book_id)
        inside = {m.contact_name for m in members}
        context["members"] = members
        context["candidates"] = [c for c in contacts_listing(book=contact.book) if c.name not in inside]
    else:
        mine = contact_groups(contact=contact)
        context["groups"] = mine
        context["other_groups"] = [g for g in book_groups if g.pk not in {m.pk for m in mine}]
    return context


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    book = addressbook_ensure_default(user=user_of(request))
    query = f"?{request.GET.urlencode()}" if request.GET.get("q") else ""
    return redirect(reverse("contacts:book", args=[book.pk]) + query)


@require_GET
@login_required
def book(request: HttpRequest, book_id: int) -> HttpResponse:
    user = user_of(request)
    access = addressbook_get_for_user(user=user, book_id=book_id)
    return render(request, "contacts/people.html", listing(user, access.obj, q=search_text(request)))


@require_GET
@login_required
def contact(request: HttpRequest, book_id: int, name: str) -> HttpResponse:
    user = user_of(request)
    access = addressbook_get_for_user(user=user, book_id=book_id)
    found = contact_get(book=access.obj, name=name)
    context = listing(user, access.obj, q=search_text(request), selected=name)
    context.update(detail(user, found))
    return render(request, "contacts/people.html", context)


@require_GET
@login_required
def contact_photo(request: HttpRequest, book_id: int, name: str) -> HttpResponse:
    access = addressbook_get_for_user(user=user_of(request), book_id=book_id)
    photo = contact_photo_of(contact_get(book=access.obj, name=name))
    response = HttpResponse(photo[0], content_type=photo[1])
    response["Cache-Control"] = "private, max-age=604800"  # the URL carries the card's etag
    response["Content-Security-Policy"] = "default-src 'none'"
    return response


def contact_photo_of(contact: Contact) -> tuple[bytes, str]:
    """The photo's bytes and their type, told from the bytes themselves (never an SVG or HTML)."""
    photo = stored_photo(contact=contact)
    media = photo_type(photo.data) if photo is not None else ""
    if photo is None or not media:
        raise NotFound("This contact has no photo.")
    return photo.data, media
