from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from accounts.access import request_user
from core.errors import RoostError
from webmail.imap.folders import list_folders
from webmail.mailstore import mailbox_connection
from webmail.services.search import search_everywhere
from webmail.views.errors import error_status
from webmail.views.query import list_query, query_string


@login_required
def search_view(request: HttpRequest) -> HttpResponse:
    """The advanced search form; with all=1 the results from every folder, otherwise the chosen folder's list."""
    user = request_user(request)
    try:
        query = list_query(request, request.GET.get("folder") or "INBOX")
        if request.GET.get("run") and not request.GET.get("all"):
            return redirect(
                reverse("webmail:folder", kwargs={"folder": query.folder}) + "?" + query_string(query, page=1)
            )
        if request.GET.get("all") and query.filtered:
            page = search_everywhere(user=user, session=request.session, query=query)
            return render(
                request,
                "webmail/search_results.html",
                {
                    "page": page,
                    "query": query,
                    "folders": page.folders,
                    "qs_base": urlencode({"all": "1"}) + "&" + query_string(query, page=1),
                },
            )
        with mailbox_connection(user, request.session) as conn:
            folders = list_folders(conn, with_counts=False)
    except RoostError as error:
        return render(request, "webmail/error.html", {"error": str(error)}, status=error_status(error))
    return render(request, "webmail/search.html", {"query": query, "folders": folders})
