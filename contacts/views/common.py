from django.http import HttpRequest, HttpResponse

from accounts.models import User
from core.errors import RoostError

SEARCH_MAX = 100


def user_of(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def search_text(request: HttpRequest) -> str:
    q = request.GET.get("q", "").strip()
    if len(q) > SEARCH_MAX:
        raise RoostError(f"Search for at most {SEARCH_MAX} characters.")
    return q


def download(data: bytes, *, filename: str, fmt: str) -> HttpResponse:
    content_type = "text/vcard; charset=utf-8" if fmt == "vcf" else "text/csv; charset=utf-8"
    response = HttpResponse(data, content_type=content_type)
    safe = "".join(ch for ch in filename if ch.isascii() and (ch.isalnum() or ch in "-_")) or "contacts"
    response["Content-Disposition"] = f'attachment; filename="{safe}.{fmt}"'
    return response
