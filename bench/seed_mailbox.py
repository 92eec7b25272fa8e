"""Seed a big benchmark mailbox: realistic messages written straight into its Maildir, then indexed by Dovecot.

Run as root from the repository root:

    .venv/bin/python bench/seed_mailbox.py --address bench100k@example.test --count 100000

The mailbox is created through Roost if it is missing. A run that finds the marker file of an identical seed
leaves the mailbox as it is, so the benchmark can call this before every measurement. docs/bench.md says more.
"""

from __future__ import annotations

import argparse
import base64
import grp
import html
import io
import json
import math
import multiprocessing
import os
import pwd
import random
import secrets
import shutil
import subprocess
import sys
import textwrap
import time
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from email.header import Header
from email.utils import format_datetime
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from demo.files import pdf_document  # noqa: E402 - needs the repository root on sys.path first

ENV_FILES = (Path("/etc/roost/roost.env"), Path("/etc/roost/stack/stack.env"))
DEFAULT_DOVECOT_CONF = "/etc/roost/stack/dovecot/dovecot.conf"
DEFAULT_SEED = 20260101
DEFAULT_END_DATE = "2026-11-01"
DEFAULT_QUOTA_MB = 20480
MIN_COUNT = 100

# Bump whenever the generated content changes, so that old seeds are rewritten.
SEED_VERSION = 1
MARKER_NAME = ".roost-bench-seed.json"
MESSAGE_ID_DOMAIN = "example.test"

PLANTED_SUBJECT = "Quarterly budget review"
PLANTED_WORD = "zanzibarquux"
HUGE_SUBJECT_PREFIX = "[bench-10mb]"
HUGE_ATTACHMENT_BYTES = 10 * 1024 * 1024
PLANTED_SUBJECT_COUNT = 25
PLANTED_WORD_COUNT = 40
HUGE_COUNT = 3

SPAN_DAYS = 3 * 365
REPLY_SHARE = 0.20
HTML_SHARE = 0.30
ATTACHMENT_SHARE = 0.10
SEEN_SHARE = 0.70
ANSWERED_SHARE = 0.10
FLAGGED_SHARE = 0.05
WORKERS = 2
CHUNK = 500

# Index files of the INBOX (mail_location = maildir:~/Maildir keeps them beside the mail). The
# dovecot-uidvalidity files stay, so that a reseed gets a new UIDVALIDITY and clients notice.
INDEX_FILES = (
    "dovecot-uidlist",
    "dovecot-uidlist.lock",
    "dovecot-keywords",
    "dovecot.index",
    "dovecot.index.log",
    "dovecot.index.log.2",
    "dovecot.index.cache",
    "dovecot.index.thread",
    "dovecot.list.index",
    "dovecot.list.index.log",
    "dovecot.list.index.log.2",
    "maildirsize",
)


def planted_count(target: int, count: int) -> int:
    """The planted numbers hold at any count of 1000 or more; smaller seeds get proportionally fewer."""
    if count >= 1000:
        return target
    return max(1, target * count // 1000)


@dataclass(frozen=True)
class PlantedCounts:
    subject: int
    word: int
    huge: int

    @classmethod
    def for_count(cls, count: int) -> PlantedCounts:
        return cls(
            subject=planted_count(PLANTED_SUBJECT_COUNT, count),
            word=planted_count(PLANTED_WORD_COUNT, count),
            huge=planted_count(HUGE_COUNT, count),
        )


# ---------------------------------------------------------------------------------------------------------
# Environment and Roost


def load_env_files(paths: Sequence[Path] = ENV_FILES) -> None:
    """KEY=VALUE lines, as deploy/setup.sh writes them; values already in the environment win."""
    for path in paths:
        try:
            text = path.read_text()
        except OSError:
            continue
        for raw in text.splitlines():
            line = raw.strip()
            if not line or line.startswith("#") or "=" not in line:
                continue
            key, _, value = line.removeprefix("export ").partition("=")
            value = value.strip()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
                value = value[1:-1]
            os.environ.setdefault(key.strip(), value)
    os.environ.setdefault("ROOST_DB_USER", "roost")
    os.environ.setdefault("ROOST_DB_NAME", "roost")


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    import django

    django.setup()


def ensure_mailbox(address: str, password: str | None, quota_mb: int) -> tuple[bool, str | None]:
    """Creates the mailbox if it is missing, with the password asked for or else a random one; returns
    (whether it created it, the password it set if any). An existing mailbox gets the password only when one
    is asked for, and a smaller quota is raised, since a full mailbox would refuse the benchmark's own
    appends. No fixed default: a bench mailbox on a reachable server must not open with a published password."""
    from mailadmin.models import Mailbox
    from mailadmin.services import mailbox_create, mailbox_set_password, mailbox_update

    mailbox = Mailbox.objects.filter(address=address).first()
    if mailbox is None:
        password = password or secrets.token_urlsafe(15)
        local = address.partition("@")[0]
        mailbox_create(address=address, password=password, display_name=f"Bench {local}", quota_mb=quota_mb)
        return True, password
    if mailbox.quota_mb < quota_mb:
        mailbox_update(mailbox=mailbox, display_name=mailbox.display_name, quota_mb=quota_mb)
    if password:
        mailbox_set_password(mailbox=mailbox, password=password)
    return False, password


def doveadm(conf: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["doveadm", "-c", conf, *args], capture_output=True, text=True, check=False)


def dovecot_home(conf: str, address: str) -> Path | None:
    """The home Dovecot's userdb gives the address (None if Dovecot does not know it)."""
    result = doveadm(conf, "user", "-f", "home", address)
    home = result.stdout.strip()
    return Path(home) if result.returncode == 0 and home else None


def run_doveadm(conf: str, *args: str) -> float:
    started = time.monotonic()
    result = doveadm(conf, *args)
    if result.returncode != 0:
        raise SystemExit(f"doveadm {' '.join(args)} failed ({result.returncode}): {result.stderr.strip()}")
    return time.monotonic() - started


# ---------------------------------------------------------------------------------------------------------
# Word material

# fmt: off
FIRST_NAMES = (
    "Alice", "Bob", "Carol", "David", "Emma", "Frank", "Grace", "Henry", "Isabel", "Jack", "Karen", "Liam",
    "Maria", "Nathan", "Olivia", "Peter", "Quinn", "Rachel", "Samuel", "Tara", "Umar", "Victoria", "William",
    "Xavier", "Yasmin", "Zachary", "Aisha", "Benjamin", "Chloe", "Daniel", "Elena", "Fiona", "George", "Hannah",
    "Ivan", "Julia", "Kevin", "Laura", "Michael", "Nina", "Oscar", "Priya", "Ravi", "Sofia", "Thomas", "Uma",
    "José", "Zoë", "Łukasz", "Søren", "Anaïs", "Jürgen", "Åsa", "Çağla", "Renée", "Mónica", "François", "Björn",
)
LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Martin", "Lee", "Walker",
    "Hall", "Allen", "Young", "King", "Wright", "Scott", "Green", "Baker", "Adams", "Nelson", "Hill", "Campbell",
    "Mitchell", "Roberts", "Carter", "Phillips", "Evans", "Turner", "Okafor", "Nguyen", "Patel", "Kowalski",
    "Rossi", "Schneider", "Dubois", "Jansen", "Novak", "Silva", "Tanaka", "Kim", "Chen", "Haddad", "Ivanova",
    "Müller", "Álvarez", "Wójcik", "Søreide", "Lefèvre", "Größer", "Çelik", "Ångström", "Peña", "Dvořák",
)
WHOLE_NAMES = (
    "田中 太郎", "佐藤 由紀", "李伟", "王芳", "Σοφία Παπαδοπούλου", "Дмитрий Иванов", "Ольга Смирнова",
    "김민준", "Nguyễn Văn An", "Zeynep Yılmaz", "Fatma Şahin", "Ngozi Adébáyọ̀",
)
DOMAINS = (
    "northwind.example", "contoso.test", "fabrikam.example", "globex.test", "initech.example", "hooli.test",
    "umbrella-labs.example", "piedpiper.test", "vandelay.example", "wayne-ent.test", "stark.example",
    "acme.test", "tyrell.example", "soylent.test", "cyberdyne.example", "wonka.test", "gringotts.example",
    "oceanic.test", "monarch.example", "massive-dynamic.test", "aperture.example", "blackmesa.test",
    "dundermifflin.example", "bluth.test", "prestige.example", "sterling-cooper.test", "kramerica.example",
    "buynlarge.test", "weyland.example", "virtucon.test", "uni-example.example", "campus.test",
    "mail.example.org", "web.example.net", "post.example.com", "correo.example", "posteo.test",
    "lists.example.org", "notify.example.net", "shop.example",
)
SERVICES = (
    ("GitLab", "gitlab"), ("Jira", "jira"), ("Calendar", "calendar"), ("Billing", "billing"),
    ("Newsletter", "news"), ("IT Helpdesk", "helpdesk"), ("Payroll", "payroll"), ("Travel Desk", "travel"),
    ("Order Updates", "orders"), ("Security Alerts", "security"), ("Campus Weekly", "weekly"),
    ("Library", "library"), ("Conference Team", "events"), ("Monitoring", "alerts"), ("Build Bot", "ci"),
)
LISTS = ("dev", "announce", "ops", "design", "research", "social", "hiring", "security")
# A topic is a qualifier and a thing: 800 of them.
QUALIFIERS = (
    "the", "our", "the updated", "the revised", "the final", "the draft", "the new", "the Q1", "the Q2", "the Q3",
    "the Q4", "the 2026", "next year's", "the team's", "the client's", "the proposed", "the pending", "the open",
    "the internal", "the shared",
)
THINGS = (
    "migration plan", "roadmap", "hiring pipeline", "onboarding guide", "office move", "API redesign",
    "customer feedback", "release checklist", "conference talk", "vendor contracts", "data retention policy",
    "backup strategy", "mobile app", "search performance", "logo", "holiday schedule", "team offsite",
    "audit findings", "invoice run", "support backlog", "accessibility fixes", "style guide", "lab equipment",
    "grant application", "course materials", "printer fleet", "network upgrade", "user survey", "SSO rollout",
    "pricing page", "release notes", "partner workshop", "expense policy", "security review", "test plan",
    "training schedule", "staffing plan", "design system", "cost estimate", "project charter",
)
TEAMS = ("platform", "design", "sales", "support", "research", "finance", "ops", "mobile", "web", "data")
PROJECTS = (
    "Atlas", "Borealis", "Cobalt", "Delta", "Everest", "Falcon", "Granite", "Helios", "Iris", "Juniper",
    "Kestrel", "Lumen", "Meridian", "Nimbus", "Orion", "Polaris", "Quartz", "Redwood", "Sierra", "Tundra",
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# Most subjects combine several slots, so that unrelated messages rarely share one: THREAD REFERENCES
# also groups messages by subject, and too few distinct subjects would make giant threads.
SUBJECTS = (
    "{project} {team} status, week {week}", "Meeting notes: {topic} ({date})", "Question about {topic} for {project}",
    "Invoice #{num}", "Your order {num} has shipped", "Lunch with {name} on {date}?", "Draft {small} of {topic}",
    "Follow-up on {topic} ({project})", "{project}: review requested for {topic}", "Reminder: {topic} due {date}",
    "Weekly digest #{num}", "FYI: {topic} at {project}", "Can we move our call with {name} to {date}?",
    "Feedback on {topic} from {name}", "[{list}] {topic} for {project}", "[{list}] {project} kickoff on {date}",
    "Action items: {topic}, {date}", "Re-scheduling {topic} with {name}",
    "Welcome to the {project} {team} team, {name}!",
    "Ticket {num}: {topic}", "Build {num} failed on {project}", "Expense report {num}", "Slides for {topic}, {project}",
    "Thoughts on {topic} for {project}?", "Übersicht {project}: {topic}", "Café meeting with {name} on {date}",
    "Résumé of {topic} — {project}", "Réunion {project} : {topic}", "Travel booking confirmation {num}",
    "Your {project} password expires on {date}", "Security notice {num} for your account",
)
SENTENCES = (
    "I went through {topic} again and I think we are close to done.",
    "Could you take a look at the latest draft before {weekday}?",
    "The {project} team asked whether we can share the numbers by the end of the week.",
    "We agreed to revisit {topic} once the new figures are in.",
    "Attached are my notes; the second section still needs some work.",
    "Let me know if anything is unclear or if you would rather discuss this on a call.",
    "There is a small issue with {topic} that I would like to flag early.",
    "{name} mentioned that the deadline might move by a week or two.",
    "I have updated the tracker with the items we discussed on {weekday}.",
    "Thanks again for the quick turnaround on {topic}.",
    "The meeting room on the third floor is booked from ten until noon.",
    "We still need a decision on {topic} before we can move forward with {project}.",
    "If it helps, I can prepare a short summary for the steering group.",
    "Please double-check the figures in the appendix, some of them look off.",
    "According to {name}, the vendor will send a revised offer next {weekday}.",
    "The first results from {project} look promising, although the sample is small.",
    "I am out of office on {weekday} but will check my mail in the evening.",
    "We should probably loop in legal before we sign anything related to {topic}.",
    "The numbers for last month are in the shared folder, ticket {num} has the details.",
    "Happy to help with {topic} if you need another pair of hands.",
    "Viele Grüße aus dem Büro, wir melden uns nächste Woche wieder.",
    "Merci beaucoup pour votre réponse rapide, c'est très apprécié.",
    "¿Podemos hablar mañana sobre {topic}? Gracias de antemano.",
    "Спасибо за информацию, я посмотрю документы завтра.",
    "I added a comment to {num} with the reproduction steps & logs.",
    "The release of {project} is planned for {weekday}, assuming the tests pass.",
)
# fmt: on
GREETINGS = ("Hi,", "Hello,", "Hi all,", "Dear colleague,", "Hello team,", "Good morning,", "Hey,")
CLOSINGS = ("Best,", "Thanks,", "Cheers,", "Kind regards,", "Best regards,", "Talk soon,")
MAILERS = ("Thunderbird 128.3", "Roundcube Webmail/1.6", "Apple Mail (2.3776)", "Microsoft Outlook 16.0", "K-9 Mail")
ATTACHMENT_STEMS = {
    "pdf": ("report", "invoice", "scan", "slides", "agenda", "contract"),
    "png": ("photo", "screenshot", "diagram", "chart"),
    "txt": ("notes", "minutes", "readme", "log"),
    "csv": ("data", "export", "figures", "budget"),
    "zip": ("archive", "dataset"),
}
TIMEZONES = (-480, -300, -240, 0, 60, 120, 180, 330, 480, 540)  # minutes east of UTC


def _fill(template: str, rng: random.Random) -> str:
    return template.format(
        project=rng.choice(PROJECTS),
        topic=f"{rng.choice(QUALIFIERS)} {rng.choice(THINGS)}",
        team=rng.choice(TEAMS),
        weekday=rng.choice(WEEKDAYS),
        num=rng.randint(1000, 99999),
        list=rng.choice(LISTS),
        name=rng.choice(FIRST_NAMES),
        week=rng.randint(1, 52),
        date=f"{rng.randint(1, 28)} {rng.choice(MONTHS)}",
        small=rng.randint(2, 9),
    )


_UNDECOMPOSED = str.maketrans({"Ł": "L", "ł": "l", "Ø": "O", "ø": "o", "ß": "ss", "ı": "i", "Đ": "D", "đ": "d"})


def _ascii_slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.translate(_UNDECOMPOSED)).encode("ascii", "ignore").decode().lower()
    return "".join(c for c in folded if c.isalnum())


def encode_phrase(text: str) -> str:
    """A header phrase: plain if ASCII, else RFC 2047 encoded words (folded with LF)."""
    if text.isascii():
        return f'"{text}"' if any(c in text for c in ',.;:@<>()[]"') else text
    return Header(text, "utf-8").encode(linesep="\n")


@dataclass(frozen=True)
class Sender:
    name: str
    address: str
    header: str  # the From value, encoded
    tz_minutes: int
    kind: str  # "person", "service" or "list"
    list_name: str = ""


def build_senders(rng: random.Random, size: int = 500) -> list[Sender]:
    senders: list[Sender] = []
    used: set[str] = set()
    while len(senders) < size:
        roll = rng.random()
        domain = rng.choice(DOMAINS)
        list_name = ""
        if roll < 0.08:
            name, local = rng.choice(SERVICES)
            name = f"{name} ({domain.split('.')[0].title()})"
            kind = "service"
            local = rng.choice((local, "noreply", f"{local}-noreply"))
        elif roll < 0.12:
            list_name = rng.choice(LISTS)
            person = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            name, kind = f"{person} via {list_name}", "list"
            local = f"{list_name}-bounces+{_ascii_slug(person)}"
        else:
            kind = "person"
            if rng.random() < 0.04:
                name = rng.choice(WHOLE_NAMES)
                first, last = name, ""
            else:
                first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
                name = f"{first} {last}"
            first_slug, last_slug = _ascii_slug(first), _ascii_slug(last)
            if not first_slug:
                local = f"user{len(senders)}"
            else:
                patterns = [f"{first_slug}.{last_slug}", f"{first_slug[0]}{last_slug}", f"{first_slug}_{last_slug}"]
                local = rng.choice(patterns) if last_slug else first_slug
        address = f"{local}@{domain}"
        if address in used:
            continue
        used.add(address)
        header = f"{encode_phrase(name)} <{address}>"
        senders.append(Sender(name, address, header, rng.choice(TIMEZONES), kind, list_name))
    return senders


def build_paragraphs(rng: random.Random, size: int = 2000) -> list[str]:
    paragraphs = []
    for _ in range(size):
        sentences = [_fill(rng.choice(SENTENCES), rng) for _ in range(rng.randint(3, 8))]
        paragraphs.append(textwrap.fill(" ".join(sentences), width=72))
    return paragraphs


# ---------------------------------------------------------------------------------------------------------
# Attachments


def _png(rng: random.Random, width: int, height: int, level: int = 6) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")

    rows = b"".join(b"\x00" + rng.randbytes(width * 3) for _ in range(height))
    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + b"\x08\x02\x00\x00\x00"
    idat = zlib.compress(rows, level)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def _text_file(rng: random.Random, paragraphs: Sequence[str], size: int, csv: bool) -> bytes:
    out: list[str] = []
    total = 0
    if csv:
        out.append("date,project,amount,owner\n")
        while total < size:
            line = f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d},{rng.choice(PROJECTS)},"
            line += f"{rng.randint(10, 99999)}.{rng.randint(0, 99):02d},{rng.choice(LAST_NAMES)}\n"
            out.append(line)
            total += len(line)
    else:
        while total < size:
            paragraph = rng.choice(paragraphs) + "\n\n"
            out.append(paragraph)
            total += len(paragraph)
    return "".join(out).encode()


def b64_lines(data: bytes) -> str:
    encoded = base64.b64encode(data).decode("ascii")
    return "\n".join(encoded[i : i + 76] for i in range(0, len(encoded), 76))


@dataclass(frozen=True)
class Attachment:
    content_type: str
    extension: str
    body: str  # base64, in 76-character lines
    raw_size: int


def build_attachments(rng: random.Random, paragraphs: Sequence[str], size: int = 80) -> list[Attachment]:
    """A reusable pool: a few hundred bytes to 200 KB, most of them small."""
    pool = []
    for index in range(size):
        raw_size = int(min(200_000, max(300, math.exp(rng.gauss(math.log(12_000), 1.3)))))
        if index == 0:
            raw_size = 200_000
        kind = index % 4
        if kind == 0:
            lines = [_fill(rng.choice(SENTENCES), rng).encode("ascii", "replace").decode() for _ in range(30)]
            data = pdf_document(lines, rng.randbytes(max(0, raw_size - 2500)))
            pool.append(Attachment("application/pdf", "pdf", b64_lines(data), len(data)))
        elif kind == 1:
            side = max(4, int(math.sqrt(raw_size / 3)))
            data = _png(rng, side, side)
            pool.append(Attachment("image/png", "png", b64_lines(data), len(data)))
        else:
            data = _text_file(rng, paragraphs, raw_size, csv=kind == 3)
            content_type, extension = ("text/csv", "csv") if kind == 3 else ("text/plain", "txt")
            pool.append(Attachment(f"{content_type}; charset=utf-8", extension, b64_lines(data), len(data)))
    return pool


def huge_attachment(seed: int, which: int) -> Attachment:
    """One of the 10 MB attachments, made only by the worker that writes its message."""
    rng = random.Random(f"{seed}:huge:{which}")
    kind = which % 3
    if kind == 0:
        data = _png(rng, 2048, HUGE_ATTACHMENT_BYTES // (2048 * 3) + 2, level=1)
        return Attachment("image/png", "png", b64_lines(data), len(data))
    if kind == 1:
        data = pdf_document(["Benchmark attachment", f"Number {which}"], rng.randbytes(HUGE_ATTACHMENT_BYTES))
        return Attachment("application/pdf", "pdf", b64_lines(data), len(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("dataset.bin", rng.randbytes(HUGE_ATTACHMENT_BYTES))
    data = buffer.getvalue()
    return Attachment("application/zip", "zip", b64_lines(data), len(data))


# ---------------------------------------------------------------------------------------------------------
# The plan: everything that spans messages (dates, threads, planted items) is decided here, in order.


@dataclass(frozen=True, slots=True)
class Plan:
    n: int  # the message's number: Message-ID <bench-n@example.test>, and its file name
    timestamp: int
    sender: int
    subject: str
    references: tuple[int, ...]  # the thread's earlier Message-ID numbers, the parent last
    parent_sender: int
    parent_timestamp: int
    flags: str
    html: bool
    attachments: tuple[int, ...]
    huge: int  # 0, else which of the 10 MB attachments
    word: bool
    text_size: int
    cc: tuple[int, ...]


@dataclass(frozen=True)
class Corpus:
    seed: int
    owner_address: str
    owner_header: str
    senders: list[Sender]
    paragraphs: list[str]
    paragraphs_html: list[str]
    attachments: list[Attachment]


def message_timestamps(rng: random.Random, count: int, end: datetime) -> list[int]:
    """Spread over about three years, busier on working days and hours and a little busier lately."""
    start = end - timedelta(days=SPAN_DAYS)
    stamps = []
    for _ in range(count):
        day = start + timedelta(days=int(SPAN_DAYS * rng.random() ** 0.85))
        if day.weekday() >= 5 and rng.random() < 0.75:
            day -= timedelta(days=day.weekday() - 4)
        seconds = int(min(86_399, max(0, rng.gauss(13.5 * 3600, 3.5 * 3600))))
        stamps.append(int(day.timestamp()) + seconds)
    stamps.sort()
    return stamps


def build_plan(
    rng: random.Random, count: int, senders: Sequence[Sender], attachment_count: int, end: datetime
) -> list[Plan]:
    planted = PlantedCounts.for_count(count)
    special = rng.sample(range(count), planted.subject + planted.huge)
    subject_ids = set(special[: planted.subject])
    huge_ids = {index: number for number, index in enumerate(sorted(special[planted.subject :]), start=1)}
    word_ids = set(rng.sample(range(count), planted.word))
    people = [i for i, s in enumerate(senders) if s.kind == "person"]
    stamps = message_timestamps(rng, count, end)

    plans: list[Plan] = []
    root_subject: dict[int, str] = {}
    refs_of: dict[int, tuple[int, ...]] = {}
    open_threads: list[int] = []  # recent messages a reply may answer
    for index in range(count):
        n = index + 1
        sender = rng.randrange(len(senders))
        references: tuple[int, ...] = ()
        parent_sender = parent_timestamp = 0
        huge = huge_ids.get(index, 0)
        if index in subject_ids:
            subject = PLANTED_SUBJECT
        elif huge:
            subject = f"{HUGE_SUBJECT_PREFIX} {_fill(rng.choice(SUBJECTS), rng)}"
        elif open_threads and rng.random() < REPLY_SHARE:
            parent = rng.choice(open_threads[-300:])
            references = (*refs_of[parent][-9:], parent)
            parent_sender, parent_timestamp = plans[parent - 1].sender, plans[parent - 1].timestamp
            subject = f"Re: {root_subject[parent]}"
            root_subject[n] = root_subject[parent]
            sender = rng.choice(people)
        else:
            subject = _fill(rng.choice(SUBJECTS), rng)
            root_subject[n] = subject
        if n in root_subject:
            refs_of[n] = references
            open_threads.append(n)
            if len(open_threads) > 2000:
                del open_threads[:1000]

        seen = rng.random() < SEEN_SHARE
        answered = seen and rng.random() < ANSWERED_SHARE / SEEN_SHARE
        flagged = rng.random() < FLAGGED_SHARE
        flags = ("F" if flagged else "") + ("R" if answered else "") + ("S" if seen else "")
        attachments: tuple[int, ...] = ()
        if not huge and rng.random() < ATTACHMENT_SHARE:
            attachments = tuple(rng.randrange(attachment_count) for _ in range(rng.choice((1, 1, 1, 2, 3))))
        text_size = int(min(60_000, max(300, math.exp(rng.gauss(math.log(5200), 0.6)))))
        is_html = rng.random() < HTML_SHARE
        if is_html:
            text_size = max(300, text_size * 5 // 9)
        cc = tuple(rng.choice(people) for _ in range(rng.choice((0, 0, 0, 1, 2, 4))))
        plans.append(
            Plan(
                n,
                stamps[index],
                sender,
                subject,
                references,
                parent_sender,
                parent_timestamp,
                flags,
                is_html,
                attachments,
                huge,
                index in word_ids,
                text_size,
                cc,
            )
        )
    return plans


# ---------------------------------------------------------------------------------------------------------
# Rendering and writing (in the worker processes)

_corpus: Corpus | None = None
_target: Path | None = None


def _worker_init(corpus: Corpus, cur: Path, uid: int, gid: int) -> None:
    global _corpus, _target
    _corpus, _target = corpus, cur
    os.umask(0o077)
    # Files are created by vmail itself, so there is nothing to chown afterwards.
    if os.geteuid() == 0:
        os.setgroups([])
        os.setgid(gid)
        os.setuid(uid)


def _date_header(timestamp: int, tz_minutes: int) -> str:
    zone = timezone(timedelta(minutes=tz_minutes))
    return format_datetime(datetime.fromtimestamp(timestamp, zone))


def _text_body(plan: Plan, corpus: Corpus, rng: random.Random) -> tuple[list[int], str]:
    """Indexes of the chosen paragraphs, and the planted sentence or ''."""
    chosen: list[int] = []
    total = 0
    while total < plan.text_size:
        index = rng.randrange(len(corpus.paragraphs))
        chosen.append(index)
        total += len(corpus.paragraphs[index]) + 2
    extra = f"Please file this under {PLANTED_WORD} for now." if plan.word else ""
    return chosen, extra


def render(plan: Plan, corpus: Corpus) -> bytes:
    rng = random.Random(f"{corpus.seed}:{plan.n}")
    sender = corpus.senders[plan.sender]
    date = _date_header(plan.timestamp, sender.tz_minutes)
    domain = sender.address.partition("@")[2]
    received_date = format_datetime(datetime.fromtimestamp(plan.timestamp + rng.randint(1, 90), UTC))
    subject = plan.subject if plan.subject.isascii() else Header(plan.subject, "utf-8").encode(linesep="\n")
    head = [
        f"Return-Path: <{sender.address}>",
        f"Delivered-To: {corpus.owner_address}",
        f"Received: from mail.{domain} (mail.{domain} [192.0.2.{plan.n % 250 + 1}])\n"
        f"\tby mail.roost.test (Postfix) with ESMTPS id {plan.n:X}B{plan.timestamp:X}\n"
        f"\tfor <{corpus.owner_address}>; {received_date}",
        f"Date: {date}",
        f"From: {sender.header}",
        f"To: {corpus.owner_header}",
    ]
    if plan.cc:
        head.append("Cc: " + ",\n ".join(corpus.senders[i].header for i in plan.cc))
    head += [f"Subject: {subject}", f"Message-ID: <bench-{plan.n}@{MESSAGE_ID_DOMAIN}>"]
    if plan.references:
        head.append(f"In-Reply-To: <bench-{plan.references[-1]}@{MESSAGE_ID_DOMAIN}>")
        head.append("References: " + "\n ".join(f"<bench-{r}@{MESSAGE_ID_DOMAIN}>" for r in plan.references))
    if sender.kind == "list":
        head.append(f"List-Id: <{sender.list_name}.lists.{domain}>")
        head.append(f"List-Unsubscribe: <mailto:{sender.list_name}-unsubscribe@lists.{domain}>")
    elif sender.kind == "person" and rng.random() < 0.6:
        head.append(f"User-Agent: {rng.choice(MAILERS)}")
    head.append("MIME-Version: 1.0")

    chosen, extra = _text_body(plan, corpus, rng)
    first = sender.name.split(" ")[0]
    plain_parts = [rng.choice(GREETINGS), *(corpus.paragraphs[i] for i in chosen)]
    if extra:
        plain_parts.insert(1 + rng.randrange(len(chosen) + 1), extra)
    quoted = ""
    if plan.references:
        parent_date = _date_header(plan.parent_timestamp, sender.tz_minutes)
        parent_name = corpus.senders[plan.parent_sender].name
        lines = corpus.paragraphs[rng.randrange(len(corpus.paragraphs))].split("\n")
        quoted = f"On {parent_date}, {parent_name} wrote:\n" + "\n".join("> " + line for line in lines)
    plain = "\n\n".join(plain_parts) + f"\n\n{rng.choice(CLOSINGS)}\n{first}\n" + (f"\n{quoted}\n" if quoted else "")
    text_part = f"Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n{plain}"

    if plan.html:
        html_paragraphs = [html.escape(plain_parts[0])] + [corpus.paragraphs_html[i] for i in chosen]
        if extra:
            html_paragraphs.insert(plain_parts.index(extra), extra)
        html_body = "".join(f"<p>{p}</p>\n" for p in html_paragraphs)
        html_body += f"<p>{rng.choice(CLOSINGS)}<br>\n{html.escape(first)}</p>\n"
        if quoted:
            html_body += f"<blockquote>{html.escape(quoted)}</blockquote>\n"
        document = (
            '<!DOCTYPE html>\n<html><head><meta charset="utf-8">\n'
            "<style>body{font-family:Arial,sans-serif;font-size:14px;color:#222}p{margin:0 0 1em}</style>\n"
            f"</head><body>\n<div>\n{html_body}</div>\n</body></html>\n"
        )
        boundary = f"=_alt_{plan.n}_{rng.getrandbits(32):08x}"
        body_part = (
            f'Content-Type: multipart/alternative; boundary="{boundary}"\n\n'
            f"--{boundary}\n{text_part}\n--{boundary}\n"
            f"Content-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n{document}\n--{boundary}--\n"
        )
    else:
        body_part = text_part

    attachments = [corpus.attachments[i] for i in plan.attachments]
    if plan.huge:
        attachments = [huge_attachment(corpus.seed, plan.huge)]
    if not attachments:
        return ("\n".join(head) + "\n" + body_part).encode()
    boundary = f"=_mixed_{plan.n}_{rng.getrandbits(32):08x}"
    pieces = [
        "\n".join(head),
        f'\nContent-Type: multipart/mixed; boundary="{boundary}"\n\n',
        "This is a multi-part message in MIME format.\n",
    ]
    pieces += [f"\n--{boundary}\n", body_part]
    for number, attachment in enumerate(attachments, start=1):
        name = f"{rng.choice(ATTACHMENT_STEMS[attachment.extension])}-{plan.n}-{number}.{attachment.extension}"
        pieces.append(
            f'\n--{boundary}\nContent-Type: {attachment.content_type}; name="{name}"\n'
            f'Content-Disposition: attachment; filename="{name}"\nContent-Transfer-Encoding: base64\n\n'
        )
        pieces += [attachment.body, "\n"]
    pieces.append(f"\n--{boundary}--\n")
    return "".join(pieces).encode()


def file_base(plan: Plan) -> str:
    """Maildir base name. Dovecot numbers new files by the time at the start of the name, so UIDs follow dates."""
    return f"{plan.timestamp}.M{plan.n % 1_000_000}Q{plan.n}.bench"


def _write_chunk(plans: Sequence[Plan]) -> list[tuple[int, str, int]]:
    assert _corpus is not None
    assert _target is not None
    written = []
    for plan in plans:
        data = render(plan, _corpus)
        size = len(data)
        virtual_size = size + data.count(b"\n")  # as served over IMAP, with CRLF line ends
        base = f"{file_base(plan)},S={size},W={virtual_size}"
        fd = os.open(_target / f"{base}:2,{plan.flags}", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.utime(fd, (plan.timestamp, plan.timestamp))
        finally:
            os.close(fd)
        written.append((plan.n, base, size))
    return written


def _chunks(plans: Sequence[Plan], size: int) -> Iterator[Sequence[Plan]]:
    for start in range(0, len(plans), size):
        yield plans[start : start + size]


# ---------------------------------------------------------------------------------------------------------
# The Maildir


def vmail_ids() -> tuple[int, int]:
    return pwd.getpwnam("vmail").pw_uid, grp.getgrnam("vmail").gr_gid


def read_marker(maildir: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((maildir / MARKER_NAME).read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def marker_matches(marker: dict[str, Any] | None, args: argparse.Namespace) -> bool:
    return marker is not None and all(
        marker.get(key) == value
        for key, value in (
            ("version", SEED_VERSION),
            ("count", args.count),
            ("seed", args.seed),
            ("end_date", args.end_date),
        )
    )


def make_dir(path: Path, uid: int, gid: int) -> None:
    path.mkdir(mode=0o700, exist_ok=True)
    os.chown(path, uid, gid)


def clear_inbox(home: Path, maildir: Path, uid: int, gid: int) -> None:
    """Empties the INBOX and drops its indexes; the other folders (Sent, Drafts, ...) are left alone."""
    make_dir(home, uid, gid)
    make_dir(maildir, uid, gid)
    for name in (MARKER_NAME, *INDEX_FILES):
        (maildir / name).unlink(missing_ok=True)
    for name in ("cur", "new", "tmp"):
        shutil.rmtree(maildir / name, ignore_errors=True)
        make_dir(maildir / name, uid, gid)


def read_uids(maildir: Path) -> tuple[int, dict[str, int]]:
    """UIDVALIDITY and base file name -> UID, from dovecot-uidlist (version 3)."""
    lines = (maildir / "dovecot-uidlist").read_text().splitlines()
    header = lines[0].split()
    uidvalidity = next(int(field[1:]) for field in header[1:] if field.startswith("V"))
    uids = {}
    for line in lines[1:]:
        prefix, _, name = line.partition(":")
        if name:
            uids[name.split(",S=")[0]] = int(prefix.split()[0])
    return uidvalidity, uids


# ---------------------------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--address", required=True, help="the mailbox, e.g. bench100k@example.test")
    parser.add_argument("--count", type=int, required=True, help=f"number of messages (at least {MIN_COUNT})")
    parser.add_argument("--password", help="password if the mailbox is created (env ROOST_BENCH_PASSWORD)")
    parser.add_argument("--dovecot-conf", default=DEFAULT_DOVECOT_CONF)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed of the content")
    parser.add_argument("--end-date", default=DEFAULT_END_DATE, help="date of the newest messages (YYYY-MM-DD)")
    parser.add_argument("--quota-mb", type=int, default=DEFAULT_QUOTA_MB, help="the mailbox's quota at least")
    parser.add_argument("--workers", type=int, default=WORKERS)
    parser.add_argument("--force", action="store_true", help="rewrite even if an identical seed is there")
    args = parser.parse_args(argv)
    if args.count < MIN_COUNT:
        parser.error(f"--count must be at least {MIN_COUNT}")
    args.address = args.address.strip().lower()
    return args


def seed(args: argparse.Namespace, home: Path) -> dict[str, Any]:
    uid, gid = vmail_ids()
    maildir = home / "Maildir"
    end = datetime.fromisoformat(args.end_date).replace(tzinfo=UTC)
    local = args.address.partition("@")[0]

    # Open sessions would keep the old indexes in memory while they are deleted underneath.
    doveadm(args.dovecot_conf, "kick", args.address)
    clear_inbox(home, maildir, uid, gid)

    started = time.monotonic()
    rng = random.Random(args.seed)
    senders = build_senders(rng)
    paragraphs = build_paragraphs(rng)
    corpus = Corpus(
        seed=args.seed,
        owner_address=args.address,
        owner_header=f"Bench {local} <{args.address}>",
        senders=senders,
        paragraphs=paragraphs,
        paragraphs_html=[html.escape(p) for p in paragraphs],
        attachments=build_attachments(rng, paragraphs),
    )
    plans = build_plan(rng, args.count, senders, len(corpus.attachments), end)
    plan_seconds = time.monotonic() - started

    started = time.monotonic()
    context = multiprocessing.get_context("fork")
    with context.Pool(args.workers, _worker_init, (corpus, maildir / "cur", uid, gid)) as pool:
        written = [item for chunk in pool.imap_unordered(_write_chunk, _chunks(plans, CHUNK)) for item in chunk]
    write_seconds = time.monotonic() - started
    if len(written) != args.count:
        raise SystemExit(f"wrote {len(written)} messages, expected {args.count}")
    for path in (home, maildir, *(maildir / name for name in ("cur", "new", "tmp"))):
        os.chown(path, uid, gid)

    resync_seconds = run_doveadm(args.dovecot_conf, "force-resync", "-u", args.address, "INBOX")
    index_seconds = run_doveadm(args.dovecot_conf, "index", "-u", args.address, "INBOX")
    run_doveadm(args.dovecot_conf, "quota", "recalc", "-u", args.address)

    uidvalidity, uids = read_uids(maildir)
    base_of = {n: base.split(",S=")[0] for n, base, _ in written}
    total_bytes = sum(size for _, _, size in written)

    def uids_where(predicate: Callable[[Plan], bool]) -> list[int]:
        return sorted(uids[base_of[p.n]] for p in plans if predicate(p))

    subject_uids = uids_where(lambda p: p.subject == PLANTED_SUBJECT)
    word_uids = uids_where(lambda p: p.word)
    huge_uids = uids_where(lambda p: p.huge > 0)
    planted = {
        "subject": {"text": PLANTED_SUBJECT, "count": len(subject_uids), "uids": subject_uids},
        "body_word": {"text": PLANTED_WORD, "count": len(word_uids), "uids": word_uids},
        "huge": {
            "subject_prefix": HUGE_SUBJECT_PREFIX,
            "count": len(huge_uids),
            "uids": huge_uids,
            "message_ids": [f"<bench-{p.n}@{MESSAGE_ID_DOMAIN}>" for p in plans if p.huge],
        },
    }
    stats = {
        "replies": sum(1 for p in plans if p.references),
        "html": sum(1 for p in plans if p.html),
        "with_attachments": sum(1 for p in plans if p.attachments or p.huge),
        "seen": sum(1 for p in plans if "S" in p.flags),
        "answered": sum(1 for p in plans if "R" in p.flags),
        "flagged": sum(1 for p in plans if "F" in p.flags),
        "oldest": datetime.fromtimestamp(plans[0].timestamp, UTC).isoformat(),
        "newest": datetime.fromtimestamp(plans[-1].timestamp, UTC).isoformat(),
    }
    marker: dict[str, Any] = {
        "version": SEED_VERSION,
        "count": args.count,
        "seed": args.seed,
        "end_date": args.end_date,
        "address": args.address,
        "seeded_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "uidvalidity": uidvalidity,
        "total_bytes": total_bytes,
        "timings": {
            "plan_seconds": round(plan_seconds, 2),
            "write_seconds": round(write_seconds, 2),
            "resync_seconds": round(resync_seconds, 2),
            "index_seconds": round(index_seconds, 2),
            "messages_per_second": round(args.count / write_seconds),
        },
        "planted": planted,
        "stats": stats,
    }
    marker_path = maildir / MARKER_NAME
    marker_path.write_text(json.dumps(marker, indent=2) + "\n")
    os.chown(marker_path, uid, gid)
    marker_path.chmod(0o600)
    return marker


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    load_env_files()
    if os.geteuid() != 0:
        raise SystemExit("Run this as root: it writes into the vmail user's Maildir and runs doveadm.")

    asked = args.password or os.environ.get("ROOST_BENCH_PASSWORD")
    home = dovecot_home(args.dovecot_conf, args.address)
    if home is not None and not args.force and marker_matches(read_marker(home / "Maildir"), args):
        if asked:  # the benchmark passes the password it will sign in with
            setup_django()
            ensure_mailbox(args.address, asked, args.quota_mb)
        print(
            f"{args.address}: already seeded with {args.count} messages (seed version {SEED_VERSION}); nothing to do."
        )
        return 0

    setup_django()
    created, password = ensure_mailbox(args.address, asked, args.quota_mb)
    if created:
        print(f"{args.address}: mailbox created, password {password}")
    elif password:
        print(f"{args.address}: password set to the one given")
    home = dovecot_home(args.dovecot_conf, args.address)
    if home is None:
        raise SystemExit(f"Dovecot does not know {args.address}; is the mail stack running with this config?")

    print(f"{args.address}: writing {args.count} messages into {home / 'Maildir'} ...", flush=True)
    marker = seed(args, home)
    timings = marker["timings"]
    print(
        f"{args.address}: {args.count} messages, {marker['total_bytes'] / 1e6:.1f} MB; "
        f"plan {timings['plan_seconds']} s, write {timings['write_seconds']} s "
        f"({timings['messages_per_second']} messages/s), force-resync {timings['resync_seconds']} s, "
        f"index {timings['index_seconds']} s."
    )
    for key, item in marker["planted"].items():
        print(
            f"  planted {key}: {item['count']} messages, UIDs {item['uids'][:5]}{' ...' if item['count'] > 5 else ''}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
