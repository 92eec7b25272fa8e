"""Adding the events of a calendar file inside a mail message to one of the user's calendars."""

from calendar_app.frommail import mail_calendar_data
from calendar_app.models import Calendar
from calendar_app.types import ImportReport
from core.access import Access
from webmail.mailstore import MailAccount

from .objects import require_writer
from .transfer import calendar_import


def calendar_import_from_mail(
    *, access: Access[Calendar], account: MailAccount, folder: str, uid: int, part_id: str
) -> ImportReport:
    """The part is read from the account's own mailbox (another user's message is NotFound) and imported as an
    .ics file: new UIDs created, known ones updated in place, each broken object skipped with its reason."""
    require_writer(access)
    _, data = mail_calendar_data(account=account, folder=folder, uid=uid, part_id=part_id)
    return calendar_import(access=access, data=data)
