from dataclasses import dataclass, field

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from accounts.models import User

from .selectors import calendar_hidden_shares, calendars_for_user


@dataclass(frozen=True)
class SidebarCalendar:
    id: int
    name: str
    color: str
    owner_name: str
    hidden: bool = False


@dataclass(frozen=True)
class CalendarSidebar:
    own: list[SidebarCalendar] = field(default_factory=list)
    shared: list[SidebarCalendar] = field(default_factory=list)
    problem: str = ""


def _sidebar(request: HttpRequest) -> CalendarSidebar:
    user = getattr(request, "user", None)
    if not isinstance(user, User):
        return CalendarSidebar()
    own: list[SidebarCalendar] = []
    shared: list[SidebarCalendar] = []
    hidden_shares = calendar_hidden_shares(user=user)
    for access in calendars_for_user(user=user):
        c = access.obj
        mine = c.owner_id == user.pk
        item = SidebarCalendar(
            id=c.pk,
            name=c.name,
            color=c.color,
            owner_name=c.owner.get_full_name() or c.owner.username,
            hidden=c.hidden if mine else c.pk in hidden_shares,
        )
        (own if mine else shared).append(item)
    return CalendarSidebar(own=own, shared=shared)


def calendar_sidebar(request: HttpRequest) -> dict[str, object]:
    """The calendar list of the sidebar, for every calendar page, computed only when a template shows it."""
    return {"calendar_sidebar": SimpleLazyObject(lambda: _sidebar(request))}
