"""The global address book: browse and search it, read-only; copy an entry into one's own contacts."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from contacts.selectors import gal_cards, gal_search
from contacts.services import gal_card_copy
from core.errors import NotFound

from .common import search_text, user_of
from .present import contact_url, gal_detail, gal_row, sections

SEARCH_LIMIT = 200


def _listing(user: User, *, q: str, selected: str = "") -> dict[str, object]:
    cards = gal_search(user=user, q=q, limit=SEARCH_LIMIT) if q else gal_cards(user=user)
    cards = cards if q else sorted(cards, key=lambda c: c.display_name.casefold())
    rows = [(c.display_name.casefold(), gal_row(c, q=q, selected=selected)) for c in cards]
    list_url = reverse("contacts:gal")
    return {
        "mode": "gal",
        "q": q,
        "list_title": "Search results" if q else "Global address book",
        "list_count": len(cards),
        "sections": sections(rows),
        "list_url": list_url + ("?" + urlencode({"q": q}) if q else ""),
        "search_action": list_url,
        "truncated": bool(q) and len(cards) >= SEARCH_LIMIT,
    }


@require_GET
@login_required
def gal(request: HttpRequest) -> HttpResponse:
    return render(request, "contacts/people.html", _listing(user_of(request), q=search_text(request)))


@require_GET
@login_required
def gal_entry(request: HttpRequest, name: str) -> HttpResponse:
    user = user_of(request)
    card = next(iter(gal_cards(user=user, names=[name])), None)
    if card is None:
        raise NotFound("There is no such entry in the global address book.")
    context = _listing(user, q=search_text(request), selected=name)
    context.update(gal_card=card, detail=gal_detail(card))
    return render(request, "contacts/people.html", context)


@require_POST
@login_required
def gal_add(request: HttpRequest, name: str) -> HttpResponse:
    contact, created = gal_card_copy(user=user_of(request), name=name)
    if created:
        messages.success(request, f"{contact.display_name} was added to your contacts.")
    else:
        messages.info(request, f"{contact.display_name} is already in your contacts.")
    return redirect(contact_url(contact.book_id, contact.name))
