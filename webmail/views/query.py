"""Reading the list parameters from a request, validated, into a ListQuery."""

from urllib.parse import urlencode

from django.http import HttpRequest

from webmail.services.listing import ListQuery
from webmail.validators import clean_date, clean_folder, clean_search_text, clean_sort


def list_query(request: HttpRequest, folder: str) -> ListQuery:
    params = request.GET
    try:
        page = int(params.get("page", "1"))
    except ValueError:
        page = 1
    return ListQuery(
        folder=clean_folder(folder),
        sort=clean_sort(params.get("sort")),
        reverse=params.get("order", "desc") != "asc",
        page=page,
        text=clean_search_text(params.get("q", "")),
        sender=clean_search_text(params.get("from", "")),
        subject=clean_search_text(params.get("subject", "")),
        unseen=params.get("unseen") == "1",
        flagged=params.get("flagged") == "1",
        attachments=params.get("attachments") == "1",
        since=clean_date(params.get("since")),
        before=clean_date(params.get("before")),
        threads=params.get("view") == "threads",
    )


def query_string(query: ListQuery, **changes: object) -> str:
    """The list parameters as a query string, for links that keep the user's place."""
    values: dict[str, object] = {
        "sort": query.sort,
        "order": "desc" if query.reverse else "asc",
        "page": query.page,
        "q": query.text,
        "from": query.sender,
        "subject": query.subject,
        "unseen": "1" if query.unseen else "",
        "flagged": "1" if query.flagged else "",
        "attachments": "1" if query.attachments else "",
        "since": query.since.isoformat() if query.since else "",
        "before": query.before.isoformat() if query.before else "",
        "view": "threads" if query.threads else "",
    }
    values.update(changes)
    defaults = {"sort": "date", "order": "desc", "page": 1}
    return urlencode({k: v for k, v in values.items() if v not in ("", None) and defaults.get(k) != v})
