"""Mail with contacts and calendars, in headless Chromium on desktop and a 390x844 phone: compose completes a
contact group and a contact, an address of a message is added to contacts, and an .ics attachment's card adds
its event to a calendar."""

from email.message import EmailMessage

import pytest
from playwright.sync_api import Browser, Page, expect

from accounts.models import User
from calendar_app.models import CalendarObject
from calendar_app.selectors import calendars_for_user
from calendar_app.services import calendar_create
from contacts.models import Contact
from contacts.selectors import addressbooks_for_user
from contacts.services import contact_put
from tests import personas
from tests.browser.conftest import DESKTOP, PHONE, PageWatch, screenshot, sign_in
from tests.webmail.helpers import append

pytestmark = [pytest.mark.integration, pytest.mark.browser]
ALICE = "alice@example.test"
PEOPLE = [
    ("jose", "José García", "jose@partners.test"),
    ("yuki", "Yuki Sato", "yuki@partners.test"),
    ("dana", "Dana Fischer", "dana.fischer@city-museum.test"),
]
INVITE = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Partners//EN\r\nMETHOD:PUBLISH\r\nBEGIN:VEVENT\r\n"
    "UID:openday-kickoff@partners.test\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261202T090000Z\r\n"
    "DTEND:20261202T103000Z\r\nSUMMARY:Open day kick-off\r\nLOCATION:City Museum, room 2\r\nEND:VEVENT\r\n"
    "END:VCALENDAR\r\n"
)


def _card(key: str, name: str, email: str) -> str:
    return f"BEGIN:VCARD\r\nVERSION:4.0\r\nUID:urn:uuid:{key}\r\nFN:{name}\r\nEMAIL:{email}\r\nEND:VCARD\r\n"


@pytest.fixture
def world(mail_stack: None) -> None:
    alice = personas.mailbox("alice").user
    book = addressbooks_for_user(user=alice)[0]
    for key, name, email in PEOPLE:
        contact_put(access=book, name=f"{key}.vcf", data=_card(key, name, email))
    members = "".join(f"MEMBER:urn:uuid:{key}\r\n" for key, _, _ in PEOPLE)
    group = (
        f"BEGIN:VCARD\r\nVERSION:4.0\r\nUID:urn:uuid:team\r\nKIND:group\r\nFN:Open day team\r\n{members}END:VCARD\r\n"
    )
    contact_put(access=book, name="team.vcf", data=group)
    calendars_for_user(user=alice)
    calendar_create(owner=alice, name="Open day", color="#0e9384")
    msg = EmailMessage()
    msg["From"] = "Marta Kowalska <marta@city-museum.test>"
    msg["To"] = "Alice <alice@example.test>"
    msg["Cc"] = "José García <jose@partners.test>"
    msg["Subject"] = "Kick-off for the open day"
    msg.set_content("Hello Alice,\n\nthe kick-off is in the attached invitation.\n\nMarta")
    msg.add_attachment(INVITE.encode(), maintype="text", subtype="calendar", filename="kickoff.ics")
    broken = EmailMessage()
    broken["From"] = "Printer <noreply@printshop.test>"
    broken["To"] = ALICE
    broken["Subject"] = "Your pickup slot"
    broken.set_content("Pick up your order at the slot in the attachment.")
    broken.add_attachment(
        b"BEGIN:VCALENDAR\r\nnot really\r\n", maintype="text", subtype="calendar", filename="slot.ics"
    )
    append(ALICE, "INBOX", [msg.as_bytes(), broken.as_bytes()])


def _compose_completes(page: Page, name: str) -> None:
    page.get_by_role("link", name="Compose").first.click()
    to = page.get_by_role("combobox", name="To", exact=True)
    to.press_sequentially("Open", delay=30)
    group = page.get_by_role("option", name="Open day team")
    expect(group).to_be_visible()
    expect(group).to_contain_text("3 people")
    page.wait_for_timeout(200)
    screenshot(page, f"compose-group-{name}")
    group.click()
    expect(to).to_have_value("jose@partners.test, yuki@partners.test, dana.fischer@city-museum.test, ")
    to.press_sequentially("yu", delay=30)
    expect(page.get_by_role("option", name="Yuki Sato")).to_be_visible()
    to.press("Enter")  # Yuki is a member already: chosen again, she is not added twice
    expect(to).to_have_value("jose@partners.test, yuki@partners.test, dana.fischer@city-museum.test, ")
    cc = page.get_by_role("combobox", name="Cc", exact=True)
    cc.press_sequentially("Jos", delay=30)
    expect(page.get_by_role("option", name="José García")).to_be_visible()
    cc.press("ArrowDown")
    cc.press("Escape")
    expect(page.get_by_role("listbox")).to_have_count(0)
    cc.press_sequentially("é", delay=30)
    expect(page.get_by_role("option", name="José García")).to_be_visible()
    cc.press("Enter")
    expect(cc).to_have_value("José García <jose@partners.test>, ")


def _ics_card_adds(page: Page, name: str) -> None:
    page.get_by_text("Kick-off for the open day").first.click()
    card = page.locator("[data-ics-card]")
    expect(card.get_by_text("Open day kick-off")).to_be_visible()
    expect(card.get_by_text("City Museum, room 2")).to_be_visible()
    card.get_by_label("Calendar").select_option(label="Open day")
    page.wait_for_timeout(200)
    screenshot(page, f"ics-card-{name}")
    card.get_by_role("button", name="Add to calendar").click()
    expect(card.get_by_role("status")).to_contain_text("1 event added to “Open day”.")
    expect(card.get_by_role("button", name="Added")).to_be_disabled()
    assert list(CalendarObject.objects.filter(calendar__name="Open day").values_list("uid", "summary")) == [
        ("openday-kickoff@partners.test", "Open day kick-off")
    ]
    page.wait_for_timeout(300)
    screenshot(page, f"ics-card-added-{name}")


def _sender_added(page: Page, name: str) -> None:
    sender = page.locator("summary.addr-sender")
    sender.click()
    menu = page.locator("details.addr[open] .addr-menu")
    expect(menu.get_by_text("marta@city-museum.test")).to_be_visible()
    page.wait_for_timeout(150)
    screenshot(page, f"address-menu-{name}")
    menu.get_by_role("button", name="Add to contacts").click()
    expect(page.locator(".toast").last).to_have_text("Marta Kowalska was added to your contacts.")
    assert Contact.objects.filter(book__owner__username=ALICE, emails__contains=["marta@city-museum.test"]).exists()
    sender.click()
    expect(page.locator("details.addr[open]").get_by_text("In your contacts")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("details.addr[open]")).to_have_count(0)
    # José, in Cc, was a contact all along.
    page.locator("summary.addr-chip", has_text="José García").click()
    expect(page.locator("details.addr[open]").get_by_text("In your contacts")).to_be_visible()
    page.keyboard.press("Escape")


def test_desktop_completion_contacts_and_calendar(world: None, live_server, browser: Browser) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport=DESKTOP)
    watch = PageWatch(page, live_server.url)
    sign_in(page, live_server.url)
    _compose_completes(page, "desktop")
    page.goto(f"{live_server.url}/mail/")
    _ics_card_adds(page, "desktop")
    _sender_added(page, "desktop")
    page.goto(f"{live_server.url}/mail/")
    page.get_by_text("Your pickup slot").first.click()
    card = page.locator("[data-ics-card]")
    expect(card).to_have_attribute("data-ics-ready", "error")
    expect(card).to_contain_text("calendar data")
    expect(card.get_by_role("button")).to_have_count(0)
    screenshot(page, "ics-card-broken-desktop")
    watch.assert_clean()
    page.close()


def test_phone_completion_contacts_and_calendar(world: None, live_server, browser: Browser) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    watch = PageWatch(page, live_server.url)
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/mail/compose/")
    to = page.get_by_role("combobox", name="To", exact=True)
    to.press_sequentially("Open", delay=30)
    group = page.get_by_role("option", name="Open day team")
    expect(group).to_be_visible()
    page.wait_for_timeout(200)
    screenshot(page, "compose-group-phone")
    group.tap()
    expect(to).to_have_value("jose@partners.test, yuki@partners.test, dana.fischer@city-museum.test, ")
    page.goto(f"{live_server.url}/mail/")
    _ics_card_adds(page, "phone")
    sender = page.locator("summary.addr-sender")
    sender.tap()
    menu = page.locator("details.addr[open] .addr-menu")
    expect(menu.get_by_role("button", name="Add to contacts")).to_be_visible()
    page.wait_for_timeout(150)
    screenshot(page, "address-menu-phone")
    menu.get_by_role("button", name="Add to contacts").tap()
    expect(page.locator(".toast").last).to_have_text("Marta Kowalska was added to your contacts.")
    assert User.objects.get(username=ALICE).address_books.get().contacts.filter(display_name="Marta Kowalska").exists()
    watch.assert_clean()
    context.close()
