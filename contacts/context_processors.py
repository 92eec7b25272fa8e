from dataclasses import dataclass, field

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from accounts.models import User

from .selectors import addressbooks_for_user, contact_counts, groups_for_user


@dataclass(frozen=True)
class SidebarBook:
    id: int
    name: str
    count: int
    current: bool


@dataclass(frozen=True)
class SidebarGroup:
    book_id: int
    name: str  # the card's name in its book (the URL's last part)
    label: str
    book_name: str
    current: bool


@dataclass(frozen=True)
class ContactsSidebar:
    books: list[SidebarBook] = field(default_factory=list)
    groups: list[SidebarGroup] = field(default_factory=list)
    on_gal: bool = False
    current_book_id: int | None = None  # where "New contact" and "New group" put things

    @property
    def several_books(self) -> bool:
        return len(self.books) > 1


def _sidebar(request: HttpRequest) -> ContactsSidebar:
    user = getattr(request, "user", None)
    if not isinstance(user, User):
        return ContactsSidebar()
    match = getattr(request, "resolver_match", None)
    kwargs = match.kwargs if match is not None else {}
    book_id = kwargs.get("book_id")
    if book_id is None and request.GET.get("book", "").isdigit():
        book_id = int(request.GET["book"])
    counts = contact_counts(user=user)
    accesses = addressbooks_for_user(user=user)
    books = [SidebarBook(a.obj.pk, a.obj.name, counts.get(a.obj.pk, 0), a.obj.pk == book_id) for a in accesses]
    names = {b.id: b.name for b in books}
    groups = [
        SidebarGroup(
            g.book_id,
            g.name,
            g.display_name or "Unnamed group",
            names.get(g.book_id, ""),
            g.book_id == book_id and kwargs.get("name") == g.name,
        )
        for g in groups_for_user(user=user)
    ]
    current = book_id if book_id in names else min(names, default=None)
    on_gal = match is not None and match.url_name in ("gal", "gal_entry")
    return ContactsSidebar(books=books, groups=groups, on_gal=on_gal, current_book_id=current)


def contacts_sidebar(request: HttpRequest) -> dict[str, object]:
    """The address books (with counts) and groups of the sidebar, for every contacts page, computed only when
    a template shows them."""
    return {"contacts_sidebar": SimpleLazyObject(lambda: _sidebar(request))}
