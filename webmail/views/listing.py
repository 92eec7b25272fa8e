from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from webmail.mailstore import mail_account_for_request
from webmail.services.actions import ACTIONS
from webmail.services.listing import ListQuery, message_page
from webmail.views.query import list_query, query_string

SORT_CHOICES = [("date", "Date"), ("from", "Sender"), ("subject", "Subject"), ("size", "Size"), ("arrival", "Arrival")]


@login_required
def mail_home(request: HttpRequest) -> HttpResponse:
    return redirect("webmail:folder", folder="INBOX")


@login_required
def folder_view(request: HttpRequest, folder: str) -> HttpResponse:
    query = list_query(request, folder)
    page = message_page(account=mail_account_for_request(request), query=query)
    current = next(f for f in page.folders if f.name == query.folder)
    context = {
        "page": page,
        "query": query,
        "current": current,
        "folders": page.folders,
        "actions": ACTIONS,
        "first": (page.page - 1) * 50 + 1 if page.total else 0,
        "last": min(page.page * 50, page.total),
        "prev_url": _page_url(folder, query, page.page - 1) if page.page > 1 else None,
        "next_url": _page_url(folder, query, page.page + 1) if page.page < page.pages else None,
        "list_qs": query_string(query),
        "sort_choices": SORT_CHOICES,
    }
    return render(request, "webmail/list.html", context)


def _page_url(folder: str, query: ListQuery, number: int) -> str:
    return reverse("webmail:folder", kwargs={"folder": folder}) + "?" + query_string(query, page=number)
