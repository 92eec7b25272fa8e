from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from webmail.mailstore import mail_account_for_request
from webmail.services.folders import folder_tree
from webmail.services.search import search_everywhere
from webmail.views.query import list_query, query_string


@login_required
def search_view(request: HttpRequest) -> HttpResponse:
    """The advanced search form; with all=1 the results from every folder, otherwise the chosen folder's list."""
    account = mail_account_for_request(request)
    query = list_query(request, request.GET.get("folder") or "INBOX")
    if request.GET.get("run") and not request.GET.get("all"):
        return redirect(reverse("webmail:folder", kwargs={"folder": query.folder}) + "?" + query_string(query, page=1))
    if request.GET.get("all") and query.filtered:
        page = search_everywhere(account=account, query=query)
        context = {
            "page": page,
            "query": query,
            "folders": page.folders,
            "qs_base": urlencode({"all": "1"}) + "&" + query_string(query, page=1),
        }
        return render(request, "webmail/search_results.html", context)
    return render(request, "webmail/search.html", {"query": query, "folders": folder_tree(account=account)})
