"""The demo's calendars and contacts: a shared team calendar with a recurring stand-up (one day skipped, one
moved), a fortnightly review, a meeting with guests, personal appointments, a calendar bob shares with alice,
and an address book with the people the demo mail comes from plus a group. Everything is placed around the
week the demo is first seeded and has a fixed UID, so seeding again adds only what is missing."""

from dataclasses import dataclass
from datetime import date, timedelta

from accounts.models import User
from calendar_app.models import Calendar
from calendar_app.selectors import calendar_objects, calendars_for_user
from calendar_app.services import calendar_create, calendar_object_put, calendar_share
from contacts.selectors import addressbooks_for_user, contacts_in_book
from contacts.services import contact_put
from core.access import Access, Role

from .messages import DOMAIN, PEOPLE

ZONE = "Europe/Berlin"


@dataclass
class GroupwareReport:
    events: int = 0
    contacts: int = 0


def _vcalendar(*events: str) -> str:
    body = "".join(f"BEGIN:VEVENT\r\n{e.strip()}\r\nEND:VEVENT\r\n" for e in events)
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Roost//Demo//EN\r\n{body}END:VCALENDAR\r\n"


def _lines(*pairs: str) -> str:
    return "\r\n".join(p for p in pairs if p)


def _at(day: date, hour: int, minute: int = 0) -> str:
    return f"TZID={ZONE}:{day:%Y%m%d}T{hour:02d}{minute:02d}00"


def _stamp() -> str:
    return "DTSTAMP:20261101T080000Z"


def _attendee(local: str, partstat: str) -> str:
    return f"ATTENDEE;CN={PEOPLE[local]};PARTSTAT={partstat};ROLE=REQ-PARTICIPANT:mailto:{local}@{DOMAIN}"


def _team_events(monday: date) -> dict[str, str]:
    wednesday, friday = monday + timedelta(days=2), monday + timedelta(days=4)
    standup = _lines(
        "UID:demo-standup@example.test",
        _stamp(),
        f"DTSTART;{_at(monday - timedelta(days=7), 9)}",
        "DURATION:PT15M",
        "SUMMARY:Team stand-up",
        "LOCATION:Room 2.14",
        "RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
        f"EXDATE;{_at(wednesday + timedelta(days=1), 9)}",
        "BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT5M\r\nDESCRIPTION:Stand-up\r\nEND:VALARM",
    )
    moved = _lines(
        "UID:demo-standup@example.test",
        _stamp(),
        f"RECURRENCE-ID;{_at(wednesday, 9)}",
        f"DTSTART;{_at(wednesday, 10, 30)}",
        "DURATION:PT15M",
        "SUMMARY:Team stand-up (late start)",
        "LOCATION:Room 2.14",
    )
    review = _lines(
        "UID:demo-review@example.test",
        _stamp(),
        f"DTSTART;{_at(friday, 15)}",
        f"DTEND;{_at(friday, 16)}",
        "SUMMARY:Sprint review",
        "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=FR;COUNT=12",
        "DESCRIPTION:What we shipped, what we learned.",
    )
    kickoff = _lines(
        "UID:demo-openday-kickoff@example.test",
        _stamp(),
        f"DTSTART;{_at(monday + timedelta(days=1), 14)}",
        f"DTEND;{_at(monday + timedelta(days=1), 15, 30)}",
        "SUMMARY:Open day kick-off",
        "LOCATION:Library seminar room",
        f"ORGANIZER;CN={PEOPLE['alice']}:mailto:alice@{DOMAIN}",
        _attendee("alice", "ACCEPTED"),
        _attendee("bob", "ACCEPTED"),
        _attendee("carol", "TENTATIVE"),
        "DESCRIPTION:Agenda: stands\\, tours\\, the printed programme.",
    )
    open_day = _lines(
        "UID:demo-openday@example.test",
        _stamp(),
        f"DTSTART;VALUE=DATE:{monday + timedelta(days=10):%Y%m%d}",
        f"DTEND;VALUE=DATE:{monday + timedelta(days=12):%Y%m%d}",
        "SUMMARY:Spring open day",
        "TRANSP:TRANSPARENT",
    )
    return {
        "demo-standup.ics": _vcalendar(standup, moved),
        "demo-review.ics": _vcalendar(review),
        "demo-openday-kickoff.ics": _vcalendar(kickoff),
        "demo-openday.ics": _vcalendar(open_day),
    }


def _personal_events(monday: date) -> dict[str, str]:
    tuesday = monday + timedelta(days=1)
    return {
        "demo-dentist.ics": _vcalendar(
            _lines(
                "UID:demo-dentist@example.test",
                _stamp(),
                f"DTSTART;{_at(tuesday, 16, 30)}",
                f"DTEND;{_at(tuesday, 17, 15)}",
                "SUMMARY:Dentist",
                "CLASS:PRIVATE",
                "BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT1H\r\nDESCRIPTION:Dentist\r\nEND:VALARM",
            )
        ),
        "demo-gym.ics": _vcalendar(
            _lines(
                "UID:demo-gym@example.test",
                _stamp(),
                f"DTSTART;{_at(monday - timedelta(days=7), 18)}",
                f"DTEND;{_at(monday - timedelta(days=7), 19)}",
                "SUMMARY:Gym",
                "RRULE:FREQ=WEEKLY;BYDAY=MO,TH",
                "CATEGORIES:health",
            )
        ),
        "demo-birthday.ics": _vcalendar(
            _lines(
                "UID:demo-birthday@example.test",
                _stamp(),
                f"DTSTART;VALUE=DATE:{monday.year - 40}{monday + timedelta(days=3):%m%d}",
                "DURATION:P1D",
                "SUMMARY:Mum's birthday",
                "RRULE:FREQ=YEARLY",
                "TRANSP:TRANSPARENT",
            )
        ),
    }


def _bob_events(monday: date) -> dict[str, str]:
    return {
        "demo-conference.ics": _vcalendar(
            _lines(
                "UID:demo-conference@example.test",
                _stamp(),
                f"DTSTART;VALUE=DATE:{monday + timedelta(days=7):%Y%m%d}",
                f"DTEND;VALUE=DATE:{monday + timedelta(days=10):%Y%m%d}",
                "SUMMARY:EduConf 2026 (Bob away)",
                "LOCATION:Lyon",
            )
        )
    }


def _put_missing(access: Access[Calendar], events: dict[str, str], report: GroupwareReport) -> None:
    have = {o.name for o in calendar_objects(calendar=access.obj)}
    for name, text in events.items():
        if name not in have:
            calendar_object_put(access=access, name=name, data=text, if_none_match_any=True)
            report.events += 1


def _calendar(owner: User, name: str, color: str) -> Access[Calendar]:
    for access in calendars_for_user(user=owner):
        if access.obj.owner_id == owner.pk and access.obj.name == name:
            return access
    return Access(calendar_create(owner=owner, name=name, color=color), Role.OWNER)


_CARDS = [
    ("jose", "José", "Álvarez", "jose@partners.test", "+34 91 555 0142", "Partners Consulting", "Project lead"),
    ("yuki", "由紀", "佐藤", "yuki@partners.test", "+81 3 5555 0199", "Partners Consulting", "Designer"),
    ("printshop", "", "", "billing@printshop.test", "+49 30 5550 1234", "PrintShop", ""),
    (
        "dana",
        "Dana",
        "Fischer",
        "dana.fischer@city-museum.test",
        "+49 30 5550 7788",
        "City Museum",
        "Education officer",
    ),
    ("li", "Li", "Wei", "li.wei@university.test", "", "University of Example", "Researcher"),
    ("omar", "Omar", "Haddad", "omar@haddad-family.test", "+49 170 5550 321", "", ""),
]


def _vcard(key: str, given: str, family: str, email: str, phone: str, org: str, title: str) -> str:
    full = f"{given} {family}".strip() or org
    lines = [
        "BEGIN:VCARD",
        "VERSION:4.0",
        f"UID:urn:uuid:demo-{key}",
        f"FN:{full}",
        f"N:{family};{given};;;",
        f"EMAIL;TYPE=work:{email}",
        f"TEL;TYPE=work,voice:{phone}" if phone else "",
        f"ORG:{org}" if org else "",
        f"TITLE:{title}" if title else "",
        "END:VCARD",
    ]
    return "\r\n".join(line for line in lines if line) + "\r\n"


def _group() -> str:
    members = "".join(f"MEMBER:urn:uuid:demo-{key}\r\n" for key in ("jose", "yuki", "dana"))
    return (
        "BEGIN:VCARD\r\nVERSION:4.0\r\nUID:urn:uuid:demo-openday-team\r\nKIND:group\r\nFN:Open day team\r\n"
        f"{members}END:VCARD\r\n"
    )


def groupware_seed(*, users: dict[str, User], today: date) -> GroupwareReport:
    report = GroupwareReport()
    alice, bob, carol = (users[f"{local}@{DOMAIN}"] for local in ("alice", "bob", "carol"))
    monday = today - timedelta(days=today.weekday())
    team = _calendar(alice, "Team", "#0e9384")
    _put_missing(team, _team_events(monday), report)
    for person in (bob, carol):
        if not any(a.obj.pk == team.obj.pk for a in calendars_for_user(user=person)):
            calendar_share(access=team, user=person, can_write=True)
    _put_missing(calendars_for_user(user=alice)[0], _personal_events(monday), report)
    travel = _calendar(bob, "Travel", "#7c3aed")
    _put_missing(travel, _bob_events(monday), report)
    if not any(a.obj.pk == travel.obj.pk for a in calendars_for_user(user=alice)):
        calendar_share(access=travel, user=alice, can_write=False)
    book = addressbooks_for_user(user=alice)[0]
    have = {c.name for c in contacts_in_book(book=book.obj)}
    for key, *fields in _CARDS:
        if f"demo-{key}.vcf" not in have:
            contact_put(access=book, name=f"demo-{key}.vcf", data=_vcard(key, *fields), if_none_match_any=True)
            report.contacts += 1
    if "demo-openday-team.vcf" not in have:
        contact_put(access=book, name="demo-openday-team.vcf", data=_group(), if_none_match_any=True)
        report.contacts += 1
    return report
