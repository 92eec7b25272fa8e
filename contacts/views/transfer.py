"""Import (small files at once with the report; big ones as a worker's job the page follows), export of a book
or of the list's selection, and what the list's selection bar does (delete, export, merge two)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from contacts.models import ImportJob
from contacts.selectors import (
    addressbook_get_for_user,
    addressbooks_for_user,
    contacts_in_book,
    import_job_get_for_user,
)
from contacts.services import contacts_delete, contacts_export, contacts_import, contacts_import_start
from core.bodylimit import accepts_uploads
from core.errors import NotFound, RoostError
from core.middleware import wants_json

from .common import download, user_of
from .forms import export_format, import_upload, selection_of

# Files up to this size are imported while the page waits; bigger ones go to a worker.
INLINE_IMPORT_MAX_BYTES = 256 * 1024


@require_GET
@login_required
def book_export(request: HttpRequest, book_id: int) -> HttpResponse:
    access = addressbook_get_for_user(user=user_of(request), book_id=book_id)
    fmt = export_format(request.GET.get("fmt"))
    return download(contacts_export(access=access, fmt=fmt), filename=access.obj.slug, fmt=fmt)


@require_GET
@login_required
def export_view(request: HttpRequest) -> HttpResponse:
    return render(
        request, "contacts/export.html", {"books": [a.obj for a in addressbooks_for_user(user=user_of(request))]}
    )


@require_POST
@login_required
def selection(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    chosen = selection_of(request.POST)
    accesses = {book_id: addressbook_get_for_user(user=user, book_id=book_id) for book_id in chosen.by_book}
    action = request.POST.get("action", "")
    if action == "delete":
        if request.POST.get("confirm") != "yes":
            people = [
                c
                for book_id, names in chosen.by_book.items()
                for c in contacts_in_book(book=accesses[book_id].obj, names=names)
            ]
            return render(request, "contacts/delete.html", {"contacts": people, "single": False})
        gone = sum(contacts_delete(access=accesses[b], names=names) for b, names in chosen.by_book.items())
        messages.success(request, f"{gone} contact{'s' if gone != 1 else ''} deleted.")
        return redirect("contacts:book", book_id=next(iter(chosen.by_book)))
    if action in ("export_vcf", "export_csv"):
        book_id, names = chosen.only_book("Export of a selection")
        fmt = action.removeprefix("export_")
        data = contacts_export(access=accesses[book_id], names=names, fmt=fmt)
        return download(data, filename=f"{accesses[book_id].obj.slug}-selection", fmt=fmt)
    if action == "merge":
        book_id, names = chosen.only_book("Merging")
        if len(names) != 2:
            raise RoostError("Select exactly two contacts to merge.")
        url = reverse("contacts:contact_merge", args=[book_id, names[0]])
        return redirect(url + "?" + urlencode({"other": names[1]}))
    raise RoostError("Choose what to do with the selected contacts.")


@accepts_uploads
@require_http_methods(["GET", "POST"])
@login_required
def import_view(request: HttpRequest) -> HttpResponse:
    user = user_of(request)
    books = [a.obj for a in addressbooks_for_user(user=user) if a.can_write]
    context: dict[str, object] = {"books": books, "chosen": books[0].pk if books else 0, "on_duplicate": "merge"}
    if request.method == "POST":
        try:
            upload = import_upload(request.POST, request.FILES.get("file"))
            access = addressbook_get_for_user(user=user, book_id=upload.book_id)
            context.update(chosen=upload.book_id, on_duplicate=upload.on_duplicate)
            if len(upload.data) > INLINE_IMPORT_MAX_BYTES:
                job = contacts_import_start(
                    access=access, data=upload.data, filename=upload.filename, on_duplicate=upload.on_duplicate
                )
                return redirect("contacts:import_job", job_id=job.pk)
            context["report"] = contacts_import(
                access=access, data=upload.data, filename=upload.filename, on_duplicate=upload.on_duplicate
            )
            context["book"] = access.obj
        except NotFound:
            raise
        except RoostError as error:
            return render(request, "contacts/import.html", {**context, "error": str(error)}, status=error.status)
    return render(request, "contacts/import.html", context)


def _job_state(job: ImportJob) -> dict[str, object]:
    return {
        "ok": True,
        "state": job.state,
        "done": job.state in (ImportJob.State.DONE, ImportJob.State.FAILED),
        "processed": job.processed,
        "total": job.total,
        "imported": job.imported,
        "merged": job.merged,
        "skipped": job.skipped,
        "problems": job.problems,
        "error": job.error,
    }


@require_GET
@login_required
def import_job(request: HttpRequest, job_id: int) -> HttpResponse:
    """The job's page, or (for the page's script, Accept: application/json) its counts so far."""
    job = import_job_get_for_user(user=user_of(request), job_id=job_id)
    if wants_json(request):
        return JsonResponse(_job_state(job))
    return render(request, "contacts/import_job.html", {"job": job, "state": _job_state(job)})
