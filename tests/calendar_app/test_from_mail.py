"""Add to calendar from a mail message: a real message with an .ics attachment in alice's INBOX (the test mail
stack), its events summarised, imported into her calendar, updated when imported again; broken files and
non-calendar parts get a clear 4xx and store nothing; bob reaches none of it."""

from email.message import EmailMessage

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from calendar_app.models import CalendarObject
from calendar_app.selectors import calendar_get_for_user, calendars_for_user
from calendar_app.services import calendar_create, calendar_share
from tests import personas
from tests.webmail.helpers import append, signed_in

pytestmark = [pytest.mark.integration]
ALICE = "alice@example.test"
JSON = {"Accept": "application/json"}


def ics(*events: str, method: str = "PUBLISH") -> str:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Partners//EN\r\n"
        + (f"METHOD:{method}\r\n" if method else "")
        + "".join(events)
        + "END:VCALENDAR\r\n"
    )


def vevent(uid: str, summary: str, start: str, end: str, *extra: str) -> str:
    lines = [f"UID:{uid}", "DTSTAMP:20261101T000000Z", f"DTSTART{start}", f"DTEND{end}", f"SUMMARY:{summary}", *extra]
    return "BEGIN:VEVENT\r\n" + "".join(f"{line}\r\n" for line in lines) + "END:VEVENT\r\n"


KICKOFF = vevent("kickoff@partners.test", "Kick-off", ":20261202T100000Z", ":20261202T113000Z", "LOCATION:Room 4")
OPEN_DAY = vevent("openday@partners.test", "Open day", ";VALUE=DATE:20261207", ";VALUE=DATE:20261210")


def mail_with(calendar: str | bytes, *, filename: str = "invite.ics", charset: str = "utf-8") -> bytes:
    msg = EmailMessage()
    msg["From"] = "Olga <olga@partners.test>"
    msg["To"] = "Alice <alice@example.test>"
    msg["Subject"] = "Kick-off"
    msg.set_content("See the attached invitation.")
    data = calendar.encode(charset) if isinstance(calendar, str) else calendar
    msg.add_attachment(data, maintype="text", subtype="calendar", filename=filename)
    if charset != "utf-8":
        msg.get_payload()[1].set_param("charset", charset)
    msg.add_attachment(b"%PDF-1.4 minutes", maintype="application", subtype="pdf", filename="minutes.pdf")
    return msg.as_bytes()


def url(uid: int = 1, part: str = "2", folder: str = "INBOX") -> str:
    return reverse("calendar_app:mail_part", args=[uid, part]) + f"?f={folder}"


@pytest.fixture
def alice(mail_stack: None, client: Client) -> Client:
    personas.mailbox("alice")
    personas.mailbox("bob")
    client.cookies["roost_tz"] = "Europe/Berlin"
    return signed_in(client)


def alice_user() -> User:
    return User.objects.get(username=ALICE)


def stored() -> list[tuple[str, str]]:
    return sorted(CalendarObject.objects.filter(calendar__owner__username=ALICE).values_list("uid", "summary"))


def test_summary_then_import_then_update(alice: Client) -> None:
    append(ALICE, "INBOX", [mail_with(ics(KICKOFF, OPEN_DAY, method="REQUEST"))])
    personal = calendars_for_user(user=alice_user())[0].obj
    data = alice.get(url(), headers=JSON).json()
    assert data["ok"] is True
    assert (data["filename"], data["method"], data["zone"]) == ("invite.ics", "REQUEST", "Europe/Berlin")
    assert [(e["title"], e["when"], e["location"], e["kind"]) for e in data["events"]] == [
        ("Kick-off", "Wed 2 Dec 2026, 11:00 – 12:30", "Room 4", "event"),
        ("Open day", "Mon 7 Dec 2026 – Wed 9 Dec 2026", "", "event"),
    ]
    assert data["problems"] == []
    assert data["calendars"] == [{"id": personal.pk, "name": personal.name, "color": personal.color, "selected": True}]
    assert stored() == []  # a preview stores nothing

    response = alice.post(url(), {"calendar_id": personal.pk}, headers=JSON)
    assert response.status_code == 200
    report = response.json()
    assert (report["ok"], report["created"], report["updated"], report["skipped"]) == (True, 2, 0, [])
    assert report["message"] == f"2 events added to “{personal.name}”."
    assert stored() == [("kickoff@partners.test", "Kick-off"), ("openday@partners.test", "Open day")]

    again = alice.get(url(), headers=JSON).json()
    assert [e["existing"] for e in again["events"]] == [[{"id": personal.pk, "name": personal.name}]] * 2
    report = alice.post(url(), {"calendar_id": personal.pk}, headers=JSON).json()
    assert (report["created"], report["updated"]) == (0, 2)
    assert report["message"] == f"2 events updated in “{personal.name}”."
    assert len(stored()) == 2


def test_the_chosen_calendar_gets_the_events_and_read_only_ones_are_not_offered(alice: Client) -> None:
    append(ALICE, "INBOX", [mail_with(ics(KICKOFF))])
    bob = User.objects.get(username="bob@example.test")
    personal = calendars_for_user(user=alice_user())[0].obj
    work = calendar_create(owner=alice_user(), name="Work")
    bobs = calendar_create(owner=bob, name="Bob's plans")
    calendar_share(access=calendar_get_for_user(user=bob, calendar_id=bobs.pk), user=alice_user(), can_write=False)
    offered = [c["name"] for c in alice.get(url(), headers=JSON).json()["calendars"]]
    assert offered == [personal.name, "Work"]  # not Bob's plans, which alice may only read
    assert alice.post(url(), {"calendar_id": work.pk}, headers=JSON).json()["created"] == 1
    assert list(CalendarObject.objects.filter(calendar=work).values_list("uid", flat=True)) == ["kickoff@partners.test"]
    refused = alice.post(url(), {"calendar_id": bobs.pk}, headers=JSON)
    assert refused.status_code == 403
    assert not CalendarObject.objects.filter(calendar=bobs).exists()
    assert alice.post(url(), {"calendar_id": "x"}, headers=JSON).status_code == 400


def test_a_broken_file_is_a_clear_400_and_stores_nothing(alice: Client) -> None:
    append(ALICE, "INBOX", [mail_with("BEGIN:VCALENDAR\r\nthis is not iCalendar\r\n")])
    personal = calendars_for_user(user=alice_user())[0].obj
    preview = alice.get(url(), headers=JSON)
    assert preview.status_code == 400
    assert preview.json()["ok"] is False
    assert "calendar data" in preview.json()["error"]
    imported = alice.post(url(), {"calendar_id": personal.pk}, headers=JSON)
    assert imported.status_code == 400
    assert stored() == []


def test_broken_events_are_reported_and_the_good_ones_added(alice: Client) -> None:
    no_uid = "BEGIN:VEVENT\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261203T090000Z\r\nSUMMARY:Lunch\r\nEND:VEVENT\r\n"
    bad_end = vevent("bad@partners.test", "Backwards", ":20261204T100000Z", ":20261204T090000Z")
    append(ALICE, "INBOX", [mail_with(ics(KICKOFF, no_uid, bad_end))])
    personal = calendars_for_user(user=alice_user())[0].obj
    data = alice.get(url(), headers=JSON).json()
    assert [e["title"] for e in data["events"]] == ["Kick-off"]
    assert [p["label"] for p in data["problems"]] == ["Lunch", "Backwards"]
    assert all(p["reason"] for p in data["problems"])
    report = alice.post(url(), {"calendar_id": personal.pk}, headers=JSON).json()
    assert (report["created"], [s["label"] for s in report["skipped"]]) == (1, ["Lunch", "Backwards"])
    assert report["message"] == f"1 event added to “{personal.name}”. 2 could not be read."
    assert stored() == [("kickoff@partners.test", "Kick-off")]

    append(ALICE, "INBOX", [mail_with(ics(no_uid))])
    assert alice.get(reverse("webmail:folder", args=["INBOX"])).status_code == 200  # where the new mail is seen
    nothing = alice.post(url(uid=2), {"calendar_id": personal.pk}, headers=JSON)
    assert nothing.status_code == 400, nothing.json()
    assert nothing.json()["error"] == "Nothing was added: the event could not be read."
    assert len(stored()) == 1


def test_a_part_in_another_charset_is_read_as_text(alice: Client) -> None:
    cafe = vevent("cafe@partners.test", "Café crème", ":20261202T100000Z", ":20261202T110000Z", "LOCATION:Zürich")
    append(ALICE, "INBOX", [mail_with(ics(cafe), charset="iso-8859-1")])
    [event] = alice.get(url(), headers=JSON).json()["events"]
    assert (event["title"], event["location"]) == ("Café crème", "Zürich")


def test_only_calendar_parts_of_existing_messages(alice: Client) -> None:
    append(ALICE, "INBOX", [mail_with(ics(KICKOFF))])
    not_ics = alice.get(url(part="3"), headers=JSON)
    assert (not_ics.status_code, not_ics.json()["error"]) == (400, "This attachment is not a calendar file.")
    assert alice.get(url(part="9"), headers=JSON).status_code == 404
    assert alice.get(url(uid=7), headers=JSON).status_code == 404
    assert alice.get(url(folder="Nowhere"), headers=JSON).status_code == 404
    assert alice.get(url(part="1..2"), headers=JSON).status_code == 400


def test_bob_gets_404_for_alices_message_part(alice: Client) -> None:
    append(ALICE, "INBOX", [mail_with(ics(KICKOFF))])
    personal = calendars_for_user(user=alice_user())[0].obj
    bob = signed_in(Client(), "bob@example.test")
    bob_calendar = calendars_for_user(user=User.objects.get(username="bob@example.test"))[0].obj
    assert bob.get(url(), headers=JSON).status_code == 404
    assert bob.post(url(), {"calendar_id": bob_calendar.pk}, headers=JSON).status_code == 404
    assert bob.post(url(), {"calendar_id": personal.pk}, headers=JSON).status_code == 404
    assert not CalendarObject.objects.exists()


def test_the_message_page_shows_a_card_for_attached_and_inline_calendars(alice: Client) -> None:
    inline = EmailMessage()
    inline["From"] = "Olga <olga@partners.test>"
    inline["To"] = ALICE
    inline["Subject"] = "Outlook style"
    inline.set_content("Join us.")
    inline.add_alternative(ics(KICKOFF, method="REQUEST"), subtype="calendar", params={"method": "REQUEST"})
    append(ALICE, "INBOX", [mail_with(ics(KICKOFF)), inline.as_bytes()])
    first = alice.get(reverse("webmail:message", args=[1]) + "?f=INBOX").content.decode()
    assert first.count("data-ics-card") == 1
    assert f'data-src="{url(part="2")}"' in first
    second = alice.get(reverse("webmail:message", args=[2]) + "?f=INBOX").content.decode()
    assert f'data-src="{url(uid=2, part="2")}"' in second
    [event] = alice.get(url(uid=2, part="2"), headers=JSON).json()["events"]
    assert event["title"] == "Kick-off"
