from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.access import request_user
from core.errors import RoostError
from webmail.services import folders as folder_services
from webmail.validators import clean_folder
from webmail.views.errors import error_status


@login_required
def folders_manage(request: HttpRequest) -> HttpResponse:
    try:
        folders = folder_services.folder_tree(user=request_user(request), session=request.session)
    except RoostError as error:
        return render(request, "webmail/error.html", {"error": str(error)}, status=error_status(error))
    return render(request, "webmail/folders.html", {"folders": folders, "all_folders": folders})


@require_POST
@login_required
def folder_change(request: HttpRequest) -> HttpResponse:
    """One endpoint for the folder operations; the form says which."""
    post = request.POST
    op = post.get("op", "")
    user, session = request_user(request), request.session
    target = "webmail:folders"
    try:
        parent = clean_folder(post["parent"]) if post.get("parent") else None
        if op == "create":
            name = folder_services.folder_create(user=user, session=session, name=post.get("name", ""), parent=parent)
            messages.success(request, f"Created {name}.")
        elif op == "rename":
            name = folder_services.folder_rename(
                user=user,
                session=session,
                folder=clean_folder(post.get("folder")),
                name=post.get("name", ""),
                parent=parent,
            )
            messages.success(request, f"Renamed to {name}.")
        elif op == "delete":
            folder = clean_folder(post.get("folder"))
            folder_services.folder_delete(user=user, session=session, folder=folder)
            messages.success(request, f"Deleted {folder} and everything in it.")
        elif op in ("subscribe", "unsubscribe"):
            folder = clean_folder(post.get("folder"))
            folder_services.folder_subscribe(user=user, session=session, folder=folder, subscribed=op == "subscribe")
            messages.success(request, f"{'Showing' if op == 'subscribe' else 'Hiding'} {folder}.")
        elif op == "empty":
            folder = clean_folder(post.get("folder"))
            count = folder_services.folder_empty(user=user, session=session, folder=folder)
            messages.success(request, f"Emptied {folder}: {count} message{'s' if count != 1 else ''} deleted for good.")
            return redirect("webmail:folder", folder=folder)
        else:
            messages.error(request, "Unknown folder operation.")
    except RoostError as error:
        messages.error(request, str(error))
    return redirect(target)
