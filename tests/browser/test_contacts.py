"""Contacts in Chromium: add someone through the form (a big photo made small in the browser), find them by
search, open them; select two rows; the global address book lists alice's colleagues and copies one into her
contacts; a phone goes list -> detail -> back with 44 px targets. What the form did is checked in the store."""

import re
import struct
import zlib

import pytest
from playwright.sync_api import Browser, Page, expect

from accounts.models import User
from contacts.models import Contact
from contacts.selectors import addressbooks_for_user, contact_fields
from contacts.services import contact_save, group_create, group_members_add
from contacts.vcard import ContactFields, PostalAddress, TypedValue
from tests import personas
from tests.browser.conftest import DESKTOP, PHONE, PageWatch, screenshot, sign_in

pytestmark = [pytest.mark.integration, pytest.mark.browser]
PEOPLE = [
    ("Grace", "Hopper", "grace@navy.example", "US Navy"),
    ("Alan", "Turing", "alan@bletchley.example", "Bletchley Park"),
    ("Katherine", "Johnson", "katherine@nasa.example", "NASA"),
    ("Margaret", "Hamilton", "margaret@mit.example", "MIT"),
    ("Edsger", "Dijkstra", "edsger@tue.example", "TU Eindhoven"),
    ("Barbara", "Liskov", "barbara@mit.example", "MIT"),
    ("Donald", "Knuth", "", "Stanford"),
    ("Frances", "Allen", "fran@ibm.example", "IBM"),
]


@pytest.fixture
def alice(mail_stack: None) -> str:
    personas.mailbox("alice")
    personas.mailbox("bob")
    personas.mailbox("carol")
    return "alice@example.test"


def _noise_png(width: int, height: int) -> bytes:
    """A picture far over the 256 KB photo limit (stored, not compressed), for the browser to shrink."""
    import os

    raw = b"".join(b"\x00" + os.urandom(width * 3) for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 0)) + chunk(b"IEND", b"")


def _seed(address: str) -> None:
    user = User.objects.get(username=address)
    book = addressbooks_for_user(user=user)[0]
    made = {}
    for given, family, email, org in PEOPLE:
        fields = ContactFields(
            given=given, family=family, organisation=org,
            emails=[TypedValue(email, ("work",))] if email else [],
        )  # fmt: skip
        made[given] = contact_save(access=book, name=None, fields=fields)
    grace = contact_fields(contact=made["Grace"])
    assert grace is not None
    grace.title = "Rear Admiral"
    grace.phones = [TypedValue("+1 202 555 0147", ("cell",)), TypedValue("+1 202 555 0100", ("work",))]
    grace.addresses = [
        PostalAddress(street="1000 Navy Pentagon", locality="Washington", region="DC", postal_code="20350",
                      country="USA", types=("work",))
    ]  # fmt: skip
    grace.birthday = "1906-12-09"
    grace.note = "Found the first actual bug (a moth) in the Mark II."
    grace.categories = ["Navy", "Compilers"]
    contact_save(access=book, name=made["Grace"].name, fields=grace)
    club = group_create(access=book, name="Pioneers")
    group_members_add(access=book, group_name=club.name, member_names=[made["Grace"].name, made["Alan"].name])


def _shot(page: Page, name: str) -> None:
    """A full-page screenshot from the top, so sticky bars sit where a person sees them."""
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, name)


def _open(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("html[data-contacts-ready]", state="attached")


def test_add_a_contact_find_it_and_open_it_on_the_desktop(alice: str, live_server, browser: Browser, tmp_path) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    watch = PageWatch(page, live_server.url)
    sign_in(page, live_server.url, alice)
    _seed(alice)
    _open(page, f"{live_server.url}/contacts/")
    expect(page.get_by_role("heading", name="Contacts", exact=True)).to_be_visible()
    page.get_by_role("link", name="New contact").first.click()
    page.wait_for_selector("[data-ct-form]")
    page.get_by_label("First name").fill("Ada")
    page.get_by_label("Last name").fill("Lovelace")
    page.get_by_label("Organisation").fill("Analytical Engines")
    page.get_by_label("Job title").fill("Programmer")
    page.get_by_label("E-mail address").first.fill("ada@engines.example")
    page.get_by_role("button", name="Add e-mail").click()
    page.get_by_label("E-mail address").nth(1).fill("ada@home.example")
    page.locator("select[name=email_type]").nth(1).select_option(label="Home")
    page.get_by_label("Phone number").first.fill("+44 20 7946 0018")
    page.get_by_role("button", name="Add address").click()
    page.get_by_label("Street").fill("12 St James's Square")
    page.get_by_label("City").fill("London")
    page.get_by_label("Postal code").fill("SW1Y 4JH")
    page.get_by_role("button", name="Add website").click()
    page.get_by_role("textbox", name="Website").fill("ada.example.org")
    page.get_by_label("Birthday").fill("1815-12-10")
    page.get_by_role("textbox", name="Notes").fill("Wrote the first program.")
    big = tmp_path / "portrait.png"
    big.write_bytes(_noise_png(420, 420))
    assert big.stat().st_size > 400 * 1024
    page.locator("[data-ct-photo-input]").set_input_files(str(big))
    expect(page.locator("[data-ct-photo-hint]")).to_have_text("New photo chosen; it is saved with the contact.")
    expect(page.locator("[data-ct-photo-preview]")).to_be_visible()
    _shot(page, "contacts-form-desktop")
    page.locator(".ct-form-foot").get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Ada Lovelace", level=1)).to_be_visible()

    ada = Contact.objects.get(display_name="Ada Lovelace")
    fields = contact_fields(contact=ada)
    assert fields is not None
    assert [e.value for e in fields.emails] == ["ada@engines.example", "ada@home.example"]
    assert fields.emails[1].types == ("home",)
    assert fields.addresses[0].locality == "London"
    assert fields.birthday == "1815-12-10"
    assert fields.photo is not None
    assert fields.photo.media_type == "image/jpeg"
    assert len(fields.photo.data) <= 256 * 1024

    # Find her by search from another page, then open her.
    _open(page, f"{live_server.url}/contacts/")
    search = page.get_by_role("searchbox", name="Search contacts")
    search.fill("engines")
    search.press("Enter")
    expect(page.get_by_role("heading", name="Search results")).to_be_visible()
    rows = page.locator("[data-ct-row]")
    expect(rows).to_have_count(1)
    rows.first.click()
    expect(page.get_by_role("heading", name="Ada Lovelace", level=1)).to_be_visible()
    email = page.locator("[data-ct-email]").first
    expect(email).to_have_attribute("href", "/mail/compose/?to=ada%40engines.example")
    expect(page.locator(".ct-detail-pane img[data-ct-photo]")).to_be_visible()

    # Compose offers her as soon as a few letters of her name are typed.
    page.goto(f"{live_server.url}/mail/compose/")
    to = page.get_by_role("combobox", name="To", exact=True)
    to.press_sequentially("Lovel", delay=30)
    offered = page.get_by_role("option", name="Ada Lovelace")
    expect(offered.first).to_be_visible()
    _shot(page, "contacts-offered-in-compose-desktop")
    offered.first.click()
    expect(to).to_have_value(re.compile(r"ada@engines\.example"))

    # The whole book, a detail open beside it: the screenshot of list + detail.
    grace = Contact.objects.get(display_name="Grace Hopper")
    _open(page, f"{live_server.url}/contacts/books/{grace.book_id}/c/{grace.name}/")
    expect(page.get_by_role("heading", name="Grace Hopper", level=1)).to_be_visible()
    expect(page.get_by_text("9 December 1906")).to_be_visible()
    expect(page.locator(".ct-chip-group", has_text="Pioneers")).to_be_visible()
    letters = page.locator(".ct-letter").all_inner_texts()
    assert letters == sorted(letters)
    _shot(page, "contacts-list-detail-desktop")

    # Select two rows: the bar offers merge, export and delete.
    page.get_by_label("Select Alan Turing").check()
    page.get_by_label("Select Frances Allen").check()
    bar = page.locator("[data-ct-bulkbar]")
    expect(bar).to_be_visible()
    expect(bar).to_contain_text("2 selected")
    expect(bar.get_by_role("button", name="Merge")).to_be_enabled()
    _shot(page, "contacts-selection-desktop")
    bar.get_by_role("button", name="Merge").click()
    expect(page.get_by_role("heading", name="Merge two contacts")).to_be_visible()
    _shot(page, "contacts-merge-desktop")
    page.get_by_role("link", name="Cancel").click()
    page.wait_for_selector("html[data-contacts-ready]", state="attached")
    page.get_by_label("Select Frances Allen").check()
    expect(bar.get_by_role("button", name="Merge")).to_be_disabled()  # one selected: nothing to merge
    page.get_by_label("Select Frances Allen").uncheck()
    expect(bar).to_be_hidden()

    # A group's page lists its members; the book's settings show the CardDAV address.
    page.get_by_role("link", name="Pioneers").click()
    expect(page.get_by_role("heading", name="Pioneers", level=1)).to_be_visible()
    expect(page.locator(".ct-member")).to_have_count(2)
    _shot(page, "contacts-group-desktop")
    page.get_by_role("link", name="Settings of Contacts").click()
    expect(page.get_by_label("CardDAV address")).to_have_value(
        re.compile(r"/dav/addressbooks/alice@example.test/contacts/$")
    )
    _shot(page, "contacts-book-settings-desktop")
    _open(page, f"{live_server.url}/contacts/books/{grace.book_id}/c/{grace.name}/")

    # Edit: the form as the person left it.
    page.get_by_role("link", name="Edit").click()
    expect(page.get_by_label("First name")).to_have_value("Grace")
    expect(page.locator("select[name=phone_type]").first).to_have_value("cell|")
    _shot(page, "contacts-edit-desktop")
    watch.assert_clean()
    context.close()


def test_the_global_address_book_lists_colleagues(alice: str, live_server, browser: Browser) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    watch = PageWatch(page, live_server.url)
    sign_in(page, live_server.url, alice)
    _open(page, f"{live_server.url}/contacts/")
    page.get_by_role("link", name="Global address book").click()
    page.wait_for_selector("html[data-contacts-ready]", state="attached")
    rows = page.locator("[data-ct-row]")
    expect(rows.filter(has_text="bob@example.test")).to_be_visible()
    expect(rows.filter(has_text="carol@example.test")).to_be_visible()
    page.get_by_role("searchbox", name="Search contacts").fill("carol")
    page.keyboard.press("Enter")
    expect(rows).to_have_count(1)
    rows.first.click()
    expect(page.get_by_role("heading", name="Carol", level=1)).to_be_visible()
    _shot(page, "contacts-gal-desktop")
    page.get_by_role("button", name="Add to my contacts").click()
    expect(page.get_by_text("Carol was added to your contacts.")).to_be_visible()
    expect(page.get_by_role("link", name="Edit")).to_be_visible()
    user = User.objects.get(username=alice)
    assert Contact.objects.filter(book__owner=user, emails__contains=["carol@example.test"]).count() == 1

    # Import a small file: Carol again (skipped, with the reason) and someone new.
    page.get_by_role("link", name="Import").click()
    cards = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Carol C.\r\nEMAIL:carol@example.test\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Dan Brown\r\nEMAIL:dan@example.net\r\nEND:VCARD\r\n"
    )
    page.get_by_label("File").set_input_files(
        files=[{"name": "people.vcf", "mimeType": "text/vcard", "buffer": cards.encode()}]
    )
    page.get_by_label("Skip").check()
    page.get_by_role("button", name="Import").click()
    report = page.locator("[data-ct-report]")
    expect(report).to_contain_text("1imported")
    expect(report).to_contain_text("carol@example.test is already in the address book (Carol)")
    _shot(page, "contacts-import-desktop")
    assert Contact.objects.filter(book__owner=user, display_name="Dan Brown").exists()
    watch.assert_clean()
    context.close()


def _box_of(page: Page, selector: str) -> dict[str, float]:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, selector
    return box


def test_the_phone_shows_one_pane_at_a_time(alice: str, live_server, browser: Browser) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    watch = PageWatch(page, live_server.url)
    sign_in(page, live_server.url, alice)
    _seed(alice)
    _open(page, f"{live_server.url}/contacts/")
    list_pane, detail_pane = page.locator(".ct-list-pane"), page.locator(".ct-detail-pane")
    expect(list_pane).to_be_visible()
    expect(detail_pane).to_be_hidden()
    expect(page.locator(".ct-fab")).to_be_visible()
    for selector in ("[data-ct-row]", ".ct-pick", ".ct-fab"):
        box = _box_of(page, selector)
        assert box["height"] >= 44, (selector, box)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    _shot(page, "contacts-list-phone")

    page.locator("[data-ct-row]", has_text="Grace Hopper").tap()
    expect(page.get_by_role("heading", name="Grace Hopper", level=1)).to_be_visible()
    expect(list_pane).to_be_hidden()
    back = page.get_by_role("link", name="Back to the list")
    expect(back).to_be_visible()
    for selector in (".ct-back", ".ct-action", ".ct-chip-x"):
        box = _box_of(page, selector)
        assert box["height"] >= 36 if selector == ".ct-chip-x" else box["height"] >= 44, (selector, box)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    _shot(page, "contacts-detail-phone")

    back.tap()
    expect(list_pane).to_be_visible()
    expect(detail_pane).to_be_hidden()
    page.get_by_role("button", name="Address books").tap()
    page.wait_for_timeout(300)
    _shot(page, "contacts-drawer-phone")
    page.keyboard.press("Escape")
    page.locator(".ct-fab").tap()
    page.wait_for_selector("[data-ct-form]")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    _shot(page, "contacts-form-phone")
    watch.assert_clean()
    context.close()
