"""The demo's mail: a few dozen realistic messages with fixed Message-IDs, so seeding can tell
what is already delivered."""

import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from .files import pdf_document

DOMAIN = "example.test"
PEOPLE = {
    "alice": "Alice Martin",
    "bob": "Bob Okafor",
    "carol": "Carol Nguyen",
}
OUTSIDERS = {
    "news@campus-weekly.test": "Campus Weekly",
    "billing@printshop.test": "PrintShop Billing",
    "jose@partners.test": "José Álvarez",
    "yuki@partners.test": "佐藤 由紀",
    "noreply@conference.test": "EduConf 2026",
}


@dataclass(frozen=True)
class DemoMessage:
    message_id: str
    sender: str
    recipients: tuple[str, ...]
    message: EmailMessage


def _addr(address: str) -> Address:
    local, _, domain = address.partition("@")
    name = PEOPLE.get(local) if domain == DOMAIN else OUTSIDERS.get(address, "")
    return Address(display_name=name or "", username=local, domain=domain)


def _tiny_png(rgb: tuple[int, int, int], size: int = 48) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")

    row = b"\x00" + bytes(rgb) * size
    header = size.to_bytes(4, "big") * 2 + b"\x08\x02\x00\x00\x00"
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(row * size)) + chunk(b"IEND", b"")
    )


_THREAD = [
    (
        "bob",
        ["alice", "carol"],
        "Planning the spring open day",
        "Hi both,\n\nShall we meet on Thursday to plan the open day? I'd like to settle the room list\n"
        "and who takes the morning tours.\n\nBob",
    ),
    (
        "alice",
        ["bob", "carol"],
        "Re: Planning the spring open day",
        "Thursday works for me, after 14:00.\n\n> Shall we meet on Thursday to plan the open day?\n\nAlice",
    ),
    (
        "carol",
        ["alice", "bob"],
        "Re: Planning the spring open day",
        "Same here. I'll book room B204 and bring last year's feedback forms.\n\nCarol",
    ),
]

_SINGLES = [
    (
        "bob",
        ["alice"],
        "Lab safety training moved to Monday",
        "Hi Alice,\n\nThe lab safety training is moved to Monday 9:00, same room.\n"
        "Please tell your group.\n\nThanks,\nBob",
    ),
    (
        "carol",
        ["alice"],
        "Minutes of the staff meeting",
        "Hello Alice,\n\nAttached are the minutes from yesterday. Action items are on page 1.\n\nCarol",
        "pdf",
    ),
    (
        "jose@partners.test",
        ["alice"],
        "Visita a Lyon — fechas",
        "Hola Alice,\n\n¿Te vienen bien las fechas del 12 al 14? Reservo el hotel hoy mismo.\n\nUn saludo,\nJosé",
    ),
    (
        "yuki@partners.test",
        ["alice"],
        "資料の送付について",
        "アリスさん\n\n来週の会議の資料をお送りします。ご確認ください。\n\n佐藤",
    ),
    (
        "billing@printshop.test",
        ["alice"],
        "Invoice 2026-1187 for poster printing",
        "Dear customer,\n\nPlease find invoice 2026-1187 attached. Payment is due within 30 days.\n\nPrintShop",
        "pdf",
    ),
    (
        "news@campus-weekly.test",
        ["alice", "bob", "carol"],
        "Campus Weekly: library hours, new café, and the robotics cup",
        None,
        "html",
    ),
    ("noreply@conference.test", ["alice"], "Your EduConf 2026 registration is confirmed", None, "html"),
    (
        "carol",
        ["alice"],
        "Photos from the field trip",
        "Two quick photos from Friday — more in the shared drive.\n\nCarol",
        "png",
    ),
    (
        "bob",
        ["alice"],
        "Budget spreadsheet question",
        "Alice, could you check line 42 of the budget? The travel total looks doubled.\n\nBob",
    ),
    (
        "alice",
        ["bob"],
        "Coffee on Wednesday?",
        "Bob, coffee on Wednesday at 10? I want to hear about the grant.\n\nAlice",
    ),
    (
        "carol",
        ["bob"],
        "Room booking for the seminar",
        "Hi Bob,\n\nI booked the seminar room for the 3rd. The projector is fixed now.\n\nCarol",
    ),
    ("bob", ["carol"], "Re: Room booking for the seminar", "Great, thanks Carol!\n\nBob"),
    (
        "alice",
        ["carol"],
        "Reading list for the new students",
        "Carol, here is my draft reading list — add anything I missed.\n\n"
        "1. Foundations\n2. Methods\n3. Ethics\n\nAlice",
    ),
    (
        "jose@partners.test",
        ["bob"],
        "Contract draft",
        "Hi Bob,\n\nThe contract draft is attached. Let me know if legal has comments.\n\nJosé",
        "pdf",
    ),
]

_REMINDERS = [
    "Timesheet reminder",
    "Printer on floor 2 is out of toner",
    "Parking permits renew this month",
    "Fire drill on Tuesday at 11:00",
    "New hire: please welcome Dana",
    "IT maintenance window Saturday",
    "Cake in the kitchen!",
    "Exam schedule draft",
    "Library returns overdue",
    "Quarterly report deadline",
    "Guest Wi-Fi password changes Monday",
    "Volunteer sign-up for the open day",
    "Bike shed keys",
    "Survey: how was the staff retreat?",
    "Holiday calendar published",
    "Shuttle bus timetable",
    "Recycling: new bins",
    "Desk move next week",
]


def _html_body(subject: str) -> str:
    return (
        '<html><body style="font-family: Georgia, serif; color: #222">'
        f'<h1 style="color:#2b5b84">{subject.split(":")[0]}</h1>'
        "<p>Hello,</p><p>Here is what's new this week. <strong>Library hours</strong> are extended to 22:00 "
        "during exams, the <em>new café</em> opens in the north building, and the robotics team "
        "won its regional cup.</p><ul><li>Library: open late</li><li>Café: opening Monday</li>"
        "<li>Robotics: on to the finals</li></ul><p>See you around campus!</p></body></html>"
    )


def demo_messages(now: datetime) -> list[DemoMessage]:
    """Every demo message, oldest first, dated over the month before `now`."""
    specs: list[tuple[str, list[str], str, str | None, str | None]] = []
    specs += [(s, r, subj, body, None) for s, r, subj, body in _THREAD]
    specs += [(*spec, None) if len(spec) == 4 else spec for spec in _SINGLES]  # type: ignore[misc]
    for index, subject in enumerate(_REMINDERS):
        sender = ["bob", "carol", "alice"][index % 3]
        recipient = ["alice", "alice", "bob"][index % 3]
        specs.append((sender, [recipient], subject, f"Hi,\n\n{subject}. Details on the intranet.\n\nThanks!", None))

    messages = []
    thread_root: str | None = None
    total = len(specs)
    for index, (sender, recipients, subject, body, extra) in enumerate(specs):
        sender_address = sender if "@" in sender else f"{sender}@{DOMAIN}"
        rcpts = tuple(r if "@" in r else f"{r}@{DOMAIN}" for r in recipients)
        message_id = f"<demo-{index:03d}@{DOMAIN}>"
        msg = EmailMessage()
        msg["From"] = _addr(sender_address)
        msg["To"] = [_addr(r) for r in rcpts]
        msg["Subject"] = subject
        msg["Date"] = format_datetime(now - timedelta(days=30) + timedelta(hours=int(index * 700 / total)))
        msg["Message-ID"] = message_id
        if index < len(_THREAD):
            if thread_root is None:
                thread_root = message_id
            else:
                msg["In-Reply-To"] = thread_root
                msg["References"] = thread_root
        if extra == "html":
            msg.set_content("This newsletter is best read in HTML. " + subject)
            msg.add_alternative(_html_body(subject), subtype="html")
        else:
            msg.set_content(body or "")
        if extra == "pdf":
            msg.add_attachment(
                pdf_document([subject[:40]]), maintype="application", subtype="pdf", filename="document.pdf"
            )
        elif extra == "png":
            msg.add_attachment(_tiny_png((70, 130, 180)), maintype="image", subtype="png", filename="lake.png")
            msg.add_attachment(_tiny_png((200, 120, 40)), maintype="image", subtype="png", filename="trail.png")
        messages.append(DemoMessage(message_id, sender_address, rcpts, msg))
    return messages
