"""Import and export: vCard files (3.0/4.0, one card or many) and CSV from Google or Outlook. Duplicates are
found by e-mail address (and by UID) and merged, skipped or added as the person chose; the report lists every
entry that was not imported, with the reason. Large files go to a worker through an ImportJob the page polls."""

from collections.abc import Callable, Iterator, Sequence

from django.db import transaction
from django.utils import timezone

from contacts.csvcards import read_csv, write_csv
from contacts.locks import book_lock
from contacts.models import AddressBook, Contact, ImportJob
from contacts.services.cards import fill, log_changes, new_name, rev_now, stored_card, writable
from contacts.types import ImportProblem, ImportReport, OnDuplicate
from contacts.vcard import Card, card_index, merge_fields, new_uid, parse_cards, read_fields, serialize, write_card
from core.access import Access, Role
from core.errors import NotFound, PayloadTooLarge, RoostError

IMPORT_MAX_BYTES = 50 * 1024 * 1024
CHUNK = 500
PROBLEMS_KEPT = 200
_UPDATED = [
    "uid", "data", "version", "etag", "kind", "display_name", "sort_key", "organisation", "emails", "phones",
    "search_text", "modified",
]  # fmt: skip

Progress = Callable[[int, ImportReport], None]


def _check(data: bytes, on_duplicate: str) -> None:
    if on_duplicate not in ("merge", "skip", "add"):
        raise RoostError("Choose what to do with duplicates: merge, skip or add.")
    if len(data) > IMPORT_MAX_BYTES:
        raise PayloadTooLarge(f"An import file may be at most {IMPORT_MAX_BYTES // (1024 * 1024)} MB.")
    if not data.strip():
        raise RoostError("The file is empty.")


def _is_csv(data: bytes, filename: str) -> bool:
    if filename.lower().endswith(".csv"):
        return True
    if filename.lower().endswith((".vcf", ".vcard")):
        return False
    return not data.lstrip(b"\xef\xbb\xbf \r\n\t").upper().startswith(b"BEGIN:VCARD")


def _entries(data: bytes, filename: str) -> Iterator[Card | RoostError]:
    if not _is_csv(data, filename):
        yield from parse_cards(data)
        return
    for row in read_csv(data):
        if isinstance(row, RoostError):
            yield row
            continue
        try:
            yield write_card(row, version="4.0", rev=rev_now())
        except RoostError as error:
            yield error


def _import_chunk(
    book_id: int, chunk: list[tuple[int, Card | RoostError]], on_duplicate: OnDuplicate, report: ImportReport
) -> None:
    with transaction.atomic():
        book = book_lock(book_id)
        cards = [(n, c) for n, c in chunk if isinstance(c, Card)]
        for n, error in chunk:
            if isinstance(error, RoostError):
                report.skipped += 1
                report.problems.append(ImportProblem(n, str(error)))
        indexes = {n: card_index(c) for n, c in cards}
        emails = sorted({e for idx in indexes.values() for e in idx.emails})
        uids = [idx.uid for idx in indexes.values()]
        by_email: dict[str, Contact] = {}
        for contact in Contact.objects.filter(book=book, emails__overlap=emails) if emails else []:
            for email in contact.emails:
                by_email.setdefault(email, contact)
        by_uid = {c.uid: c for c in Contact.objects.filter(book=book, uid__in=uids)}
        created: list[Contact] = []
        updated: dict[int, Contact] = {}
        now = timezone.now()
        for n, card in cards:
            idx = indexes[n]
            duplicate = next((by_email[e] for e in idx.emails if e in by_email), None)
            if duplicate is None and on_duplicate != "add":
                duplicate = by_uid.get(idx.uid)
            if duplicate is not None and on_duplicate == "skip":
                report.skipped += 1
                why = next((e for e in idx.emails if e in by_email), None)
                reason = f"{why} is already in the address book" if why else "the same contact (UID) is already there"
                report.problems.append(ImportProblem(n, f"{idx.display_name}: {reason} ({duplicate.display_name})."))
                continue
            if duplicate is not None and on_duplicate == "merge":
                base = stored_card(duplicate)
                if base is None:
                    report.skipped += 1
                    report.problems.append(
                        ImportProblem(n, f"{idx.display_name}: the existing contact cannot be read.")
                    )
                    continue
                merged = write_card(merge_fields(read_fields(base), read_fields(card)), base=base, rev=rev_now())
                fill(duplicate, merged, serialize(merged))
                duplicate.modified = now
                if duplicate.pk is not None:
                    updated[duplicate.pk] = duplicate
                report.merged += 1
                contact = duplicate
            else:
                if idx.uid in by_uid:
                    card.set("UID", new_uid(card.version))
                contact = fill(Contact(book=book, name=new_name(), modified=now), card, serialize(card))
                created.append(contact)
                report.imported += 1
            by_uid[contact.uid] = contact
            for email in contact.emails:
                by_email.setdefault(email, contact)
        Contact.objects.bulk_create(created)
        Contact.objects.bulk_update(list(updated.values()), _UPDATED)
        log_changes(book, [c.name for c in created] + [c.name for c in updated.values()])


def contacts_import(
    *,
    access: Access[AddressBook],
    data: bytes,
    filename: str,
    on_duplicate: OnDuplicate,
    progress: Progress | None = None,
) -> ImportReport:
    """Import synchronously, in transactions of CHUNK entries (each a whole: a failure keeps earlier chunks)."""
    writable(access)
    _check(data, on_duplicate)
    entries = list(enumerate(_entries(data, filename), start=1))
    if not entries:
        raise RoostError("There are no contacts in this file.")
    report = ImportReport()
    for start in range(0, len(entries), CHUNK):
        _import_chunk(access.obj.pk, entries[start : start + CHUNK], on_duplicate, report)
        if progress is not None:
            progress(min(start + CHUNK, len(entries)), report)
    access.obj.refresh_from_db(fields=["sync_seq", "modified"])
    return report


def _estimate(data: bytes, filename: str) -> int:
    if _is_csv(data, filename):
        return max(0, len([line for line in data.splitlines() if line.strip()]) - 1)
    return data.upper().count(b"BEGIN:VCARD")


def contacts_import_start(
    *, access: Access[AddressBook], data: bytes, filename: str, on_duplicate: OnDuplicate
) -> ImportJob:
    """Queue a large import for a worker (after commit); the page polls the job's counts. `total` starts as an
    estimate (cards or CSV lines counted) so the page can show how far along it is; the worker sets it exactly."""
    book = writable(access)
    _check(data, on_duplicate)
    job = ImportJob.objects.create(
        owner=book.owner, book=book, filename=filename[:255], on_duplicate=on_duplicate, data=data,
        total=_estimate(data, filename),
    )  # fmt: skip
    from contacts.tasks import contacts_import_task

    transaction.on_commit(lambda: contacts_import_task.delay(job.pk))
    return job


def contacts_import_run(*, job_id: int) -> ImportJob:
    """The worker's half of contacts_import_start."""
    job = ImportJob.objects.select_related("book").filter(pk=job_id).first()
    if job is None:
        raise NotFound("There is no such import.")
    if job.state != ImportJob.State.QUEUED:
        return job
    job.state = ImportJob.State.RUNNING
    job.save(update_fields=["state"])

    def progress(done: int, report: ImportReport) -> None:
        job.processed, job.imported, job.merged, job.skipped = done, report.imported, report.merged, report.skipped
        job.save(update_fields=["processed", "imported", "merged", "skipped"])

    try:
        if job.book.owner_id != job.owner_id:
            raise NotFound("There is no such address book.")
        report = contacts_import(
            access=Access(job.book, Role.OWNER),
            data=bytes(job.data),
            filename=job.filename,
            on_duplicate=job.on_duplicate,  # type: ignore[arg-type]
            progress=progress,
        )
    except RoostError as error:
        job.state, job.error = ImportJob.State.FAILED, str(error)
    else:
        job.state = ImportJob.State.DONE
        job.total = job.processed
        job.problems = [{"entry": p.entry, "reason": p.reason} for p in report.problems[:PROBLEMS_KEPT]]
    job.data = b""
    job.finished = timezone.now()
    job.save(update_fields=["state", "error", "total", "problems", "data", "finished"])
    return job


def contacts_export(*, access: Access[AddressBook], names: Sequence[str] | None = None, fmt: str = "vcf") -> bytes:
    """The book's contacts (or those named) as one .vcf (each card as stored) or a Google-layout CSV."""
    if fmt not in ("vcf", "csv"):
        raise RoostError("Export as vcf or csv.")
    rows = Contact.objects.filter(book=access.obj).order_by("sort_key", "name")
    if names is not None:
        rows = rows.filter(name__in=list(names))
    if fmt == "vcf":
        return "".join(c.data if c.data.endswith("\n") else c.data + "\r\n" for c in rows).encode()
    fields = []
    for contact in rows.iterator(chunk_size=500):
        card = stored_card(contact)
        if card is not None and contact.kind != Contact.Kind.GROUP:
            fields.append(read_fields(card))
    return write_csv(fields)
