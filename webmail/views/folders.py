from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core.errors import NotFound, RoostError
from webmail.mailstore import mail_account_for_request
from webmail.services import folders as folder_services
from webmail.validators import clean_folder


@login_required
def folders_manage(request: HttpRequest) -> HttpResponse:
    folders = folder_services.folder_tree(account=mail_account_for_request(request), fresh=True)
    return render(request, "webmail/folders.html", {"folders": folders, "all_folders": folders})


@require_POST
@login_required
def folder_change(request: HttpRequest) -> HttpResponse:
    """One endpoint for the folder operations; the form says which."""
    post = request.POST
    op = post.get("op", "")
    account = mail_account_for_request(request)
    target = "webmail:folders"
    try:
        parent = clean_folder(post["parent"]) if post.get("parent") else None
        if op == "create":
            name = folder_services.folder_create(account=account, name=post.get("name", ""), parent=parent)
            messages.success(request, f"Created {name}.")
        elif op == "rename":
            name = folder_services.folder_rename(
                account=account,
                folder=clean_folder(post.get("folder")),
                name=post.get("name", ""),
                parent=parent,
            )
            messages.success(request, f"Renamed to {name}.")
        elif op == "delete":
            folder = clean_folder(post.get("folder"))
            folder_services.folder_delete(account=account, folder=folder)
            messages.success(request, f"Deleted {folder} and everything in it.")
        elif op in ("subscribe", "unsubscribe"):
            folder = clean_folder(post.get("folder"))
            folder_services.folder_subscribe(account=account, folder=folder, subscribed=op == "subscribe")
            messages.success(request, f"{'Showing' if op == 'subscribe' else 'Hiding'} {folder}.")
        elif op == "empty":
            folder = clean_folder(post.get("folder"))
            count = folder_services.folder_empty(account=account, folder=folder)
            messages.success(request, f"Emptied {folder}: {count} message{'s' if count != 1 else ''} deleted for good.")
            return redirect("webmail:folder", folder=folder)
        else:
            messages.error(request, "Unknown folder operation.")
    except NotFound:
        raise  # not yours or not there: 404 from the error middleware
    except RoostError as error:
        messages.error(request, str(error))
    return redirect(target)
