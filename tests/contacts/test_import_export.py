"""Import (vCard and Google/Outlook CSV, duplicates by address) and export, and the worker's import job."""

from unittest import mock

import pytest
from django.db import transaction

from contacts.models import Contact, ImportJob
from contacts.selectors import contact_changes_since, contacts_in_book
from contacts.services import contacts_export, contacts_import, contacts_import_run, contacts_import_start
from contacts.vcard import parse_card, read_fields
from core.errors import RoostError
from tests import personas

from .helpers import SAMPLES, card, default_book

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def access():  # type: ignore[no-untyped-def]
    return default_book(personas.mailbox("alice").user)


def read(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def test_vcard_files_import_and_a_broken_card_is_reported(access) -> None:  # type: ignore[no-untyped-def]
    data = read("vcf/google-export-3.0.vcf") + read("vcf/broken-line.vcf") + read("vcf/apple-contacts-3.0.vcf")
    report = contacts_import(access=access, data=data, filename="all.vcf", on_duplicate="merge")
    assert (report.imported, report.merged, report.skipped) == (3, 0, 1)
    assert report.problems[0].entry == 3
    assert "cannot be read" in report.problems[0].reason
    grace = Contact.objects.get(display_name="Grace Hopper")
    assert grace.uid
    assert "item1.X-ABDATE:1992-01-01" in grace.data  # unknown properties kept
    assert len(contact_changes_since(book=access.obj, seq=0).changed) == 3


def test_google_and_outlook_csv_with_duplicates_merged(access) -> None:  # type: ignore[no-untyped-def]
    google = contacts_import(
        access=access, data=read("csv/google-contacts.csv"), filename="g.csv", on_duplicate="merge"
    )
    assert (google.imported, google.skipped) == (2, 1)
    assert "no name" in google.problems[0].reason
    outlook = contacts_import(
        access=access, data=read("csv/outlook-contacts.csv"), filename="contacts.csv", on_duplicate="merge"
    )
    assert (outlook.imported, outlook.merged, outlook.skipped) == (1, 1, 0)
    katherine = Contact.objects.get(emails__contains=["katherine@nasa.example"])
    fields = read_fields(parse_card(katherine.data))
    assert fields.organisation == "NASA"
    assert fields.phones[0].types == ("cell",)
    assert [a.locality for a in fields.addresses] == ["Hampton"]
    margaret = read_fields(parse_card(Contact.objects.get(display_name="Margaret Hamilton").data))
    assert margaret.birthday == "1936-08-17"
    assert margaret.categories == ["Apollo", "Heroes"]
    assert Contact.objects.count() == 3


def test_duplicates_skipped_or_added_as_chosen(access) -> None:  # type: ignore[no-untyped-def]
    first = card("1", "Ann", email="ann@x.org")
    contacts_import(access=access, data=first.encode(), filename="a.vcf", on_duplicate="merge")
    again = card("2", "Ann Again", email="ANN@x.org") + card("3", "Other", email="o@x.org")
    skipped = contacts_import(access=access, data=again.encode(), filename="b.vcf", on_duplicate="skip")
    assert (skipped.imported, skipped.skipped) == (1, 1)
    assert "ann@x.org is already in the address book (Ann)" in skipped.problems[0].reason
    added = contacts_import(access=access, data=first.encode(), filename="c.vcf", on_duplicate="add")
    assert added.imported == 1
    assert Contact.objects.filter(emails__contains=["ann@x.org"]).count() == 2
    assert len(set(Contact.objects.values_list("uid", flat=True))) == 3  # the added copy got a fresh UID


def test_bad_import_requests(access) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(RoostError, match="duplicates"):
        contacts_import(access=access, data=b"x", filename="a.vcf", on_duplicate="keep")  # type: ignore[arg-type]
    with pytest.raises(RoostError, match="columns"):
        contacts_import(access=access, data=b"a,b\r\n1,2\r\n", filename="x.csv", on_duplicate="merge")
    with pytest.raises(RoostError, match="empty"):
        contacts_import(access=access, data=b"  ", filename="x.vcf", on_duplicate="merge")


def test_export_vcf_round_trips_and_csv_reimports(access) -> None:  # type: ignore[no-untyped-def]
    contacts_import(access=access, data=read("vcf/google-export-3.0.vcf"), filename="g.vcf", on_duplicate="merge")
    exported = contacts_export(access=access, fmt="vcf")
    assert exported.count(b"BEGIN:VCARD") == 2
    assert exported.decode() == "".join(c.data for c in contacts_in_book(book=access.obj))
    csv_bytes = contacts_export(access=access, fmt="csv")
    other = default_book(personas.mailbox("bob").user)
    report = contacts_import(access=other, data=csv_bytes, filename="export.csv", on_duplicate="merge")
    assert report.imported == 2
    grace = read_fields(parse_card(Contact.objects.get(book=other.obj, display_name="Grace Hopper").data))
    assert [e.value for e in grace.emails] == ["grace@example.org", "g.hopper@navy.example"]
    assert grace.note == "Invented the first compiler, A-0.\nAlso COBOL."


def test_five_thousand_cards_through_the_job(access) -> None:  # type: ignore[no-untyped-def]
    data = "".join(card(f"u{i}", f"Person {i}", email=f"p{i}@x.org", extra=f"TEL:+1 555 {i:04d}") for i in range(5000))
    data += card("dup", "Person Dup", email="p7@x.org")
    with mock.patch("contacts.tasks.contacts_import_task.delay") as delay, transaction.atomic():
        job = contacts_import_start(access=access, data=data.encode(), filename="big.vcf", on_duplicate="skip")
        delay.assert_not_called()  # queued only after commit
        # pytest-django's test transaction: run the on_commit hooks by hand
    job = contacts_import_run(job_id=job.pk)
    assert (job.state, job.total, job.imported, job.skipped) == (ImportJob.State.DONE, 5001, 5000, 1)
    assert job.problems[0]["entry"] == 5001
    assert job.data == b""
    assert Contact.objects.filter(book=access.obj).count() == 5000
    assert contact_changes_since(book=access.obj, seq=0).seq == 5000


def test_task_is_queued_after_commit(access, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    with mock.patch("contacts.tasks.contacts_import_task.delay") as delay:
        with django_capture_on_commit_callbacks(execute=True):
            job = contacts_import_start(
                access=access, data=card("a", "A").encode(), filename="a.vcf", on_duplicate="merge"
            )
        delay.assert_called_once_with(job.pk)
    from contacts.tasks import contacts_import_task

    contacts_import_task.run(job.pk)
    job.refresh_from_db()
    assert (job.state, job.imported) == (ImportJob.State.DONE, 1)
