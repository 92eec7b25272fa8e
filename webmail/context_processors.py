from dataclasses import dataclass, field

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from accounts.models import User
from core.errors import RoostError
from webmail.imap.folders import Folder
from webmail.mailstore import mail_account_for_request
from webmail.services.folders import folder_tree


@dataclass(frozen=True)
class MailSidebar:
    folders: list[Folder] = field(default_factory=list)
    problem: str = ""


def _sidebar(request: HttpRequest) -> MailSidebar:
    if not isinstance(getattr(request, "user", None), User):
        return MailSidebar()
    try:
        return MailSidebar(folders=folder_tree(account=mail_account_for_request(request)))
    except RoostError as error:  # the page still renders; the sidebar says why it has no folders
        return MailSidebar(problem=str(error))


def mail_sidebar(request: HttpRequest) -> dict[str, object]:
    """The mail sidebar's folders for every page of the mail app (and its error pages), fetched only
    when a template shows them, from a short per-user cache."""
    return {"mail_sidebar": SimpleLazyObject(lambda: _sidebar(request))}
