from collections.abc import AsyncIterator, Callable, Iterator
from urllib.parse import urlencode

from asgiref.sync import sync_to_async
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from accounts.access import request_user
from accounts.models import User
from core.errors import RoostError, error_status
from webmail.context_processors import MailSidebar
from webmail.mailstore import mail_account_for_request, mail_account_for_session
from webmail.mime.structure import MimePart, content_disposition_header
from webmail.remote.fetch import RemoteRefused
from webmail.selectors import preferences_for, remote_allowed_for
from webmail.services.contacts import message_correspondents
from webmail.services.links import part_link, part_link_open, remote_link
from webmail.services.parts import is_calendar_part
from webmail.services.preferences import remote_sender_allow
from webmail.services.reading import (
    message_body_html,
    message_open,
    message_page_open,
    message_part,
    message_source,
    part_stream,
)
from webmail.services.remote import remote_fetch
from webmail.validators import clean_folder, clean_part_id
from webmail.views.query import list_query, query_string

# A message's HTML runs in a sandboxed frame under this policy: no script, nothing remote (images
# come through Roost's proxy, which is 'self'), links open in a new, unsandboxed tab.
BODY_CSP = (
    "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; font-src 'none'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'self'; "
    "sandbox allow-popups allow-popups-to-escape-sandbox"
)
DOWNLOAD_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
# No application/pdf: Chromium's viewer runs a PDF's own JavaScript whatever CSP the response carries,
# so PDFs are always downloaded.
INLINE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}


async def _async_chunks(chunks: Iterator[bytes]) -> AsyncIterator[bytes]:
    """Under ASGI Django would read a synchronous iterator to the end before sending anything (the whole
    attachment in memory); an asynchronous one is sent chunk by chunk as it is fetched."""

    def pull() -> bytes | None:
        return next(chunks, None)

    while (chunk := await sync_to_async(pull, thread_sensitive=False)()) is not None:
        yield chunk


def _folder(request: HttpRequest) -> str:
    return clean_folder(request.GET.get("f", "INBOX"))


def _cid_url(folder: str, uid: int) -> Callable[[str, str], str]:
    def build(cid: str, part_id: str) -> str:
        base = reverse("webmail:message_part", kwargs={"uid": uid, "part_id": part_id})
        return base + "?" + urlencode({"f": folder, "inline": "1"})

    return build


def _frame_links(user: User, folder: str, uid: int) -> tuple[Callable[[str, str], str], Callable[[str], str]]:
    """Inline parts and proxied images for the body frame, whose requests carry no session cookie."""

    def cid(_cid: str, part_id: str) -> str:
        return part_link(user=user, folder=folder, uid=uid, part_id=part_id)

    def remote(url: str) -> str:
        return remote_link(user=user, url=url)

    return cid, remote


@login_required
def message_view(request: HttpRequest, uid: int) -> HttpResponse:
    account = mail_account_for_request(request)
    user = account.user
    folder = _folder(request)
    query = list_query(request, folder)
    show_remote = request.GET.get("remote") == "1"
    always: dict[str, bool] = {}  # the sender's standing choice, asked once for the service and the page

    def remote_allowed(address: str) -> bool:
        always[address] = remote_allowed_for(user, address)
        return show_remote or always[address]

    frame_cid_url, frame_proxy_url = _frame_links(user, folder, uid)
    page = message_page_open(
        account=account,
        query=query,
        uid=uid,
        mark_read=preferences_for(user).mark_read_on_open,
        cid_url=_cid_url(folder, uid),
        frame_cid_url=frame_cid_url,
        proxy_url=frame_proxy_url,
        remote_allowed=remote_allowed,
    )
    view, folders = page.view, page.folders
    sender = view.head.sender[0].email if view.head.sender else ""
    people = message_correspondents(
        user=user,
        head=view.head,
        photo_url=reverse("webmail:contact_photo") + "?" + urlencode({"address": sender.lower()}),
    )
    list_qs = query_string(query)
    context = {
        "view": view,
        "head": view.head,
        "folders": folders,
        "mail_sidebar": MailSidebar(folders=folders),  # the page has them: the sidebar need not ask the cache
        "current": next((f for f in folders if f.name == folder), None),
        "query": query,
        "list_qs": list_qs,
        "back_url": reverse("webmail:folder", kwargs={"folder": folder}) + (f"?{list_qs}" if list_qs else ""),
        "prev_url": _message_url(page.prev_uid, folder, list_qs) if page.prev_uid else None,
        "next_url": _message_url(page.next_uid, folder, list_qs) if page.next_uid else None,
        "remote_allowed": always[sender.lower()] if sender.lower() in always else remote_allowed_for(user, sender),
        "sender": sender,
        "fq": urlencode({"f": folder}),
        "show_remote": show_remote,
        "previewable": INLINE_TYPES,
        "correspondent": people.sender,
        "known_addresses": people.known,
        "calendar_parts": [a for a in view.attachments if is_calendar_part(a)],
    }
    return render(request, "webmail/message.html", context)


def _message_url(uid: int, folder: str, list_qs: str) -> str:
    return (
        reverse("webmail:message", kwargs={"uid": uid})
        + "?"
        + urlencode({"f": folder})
        + (f"&{list_qs}" if list_qs else "")
    )


@login_required
@xframe_options_sameorigin
def message_body(request: HttpRequest, uid: int) -> HttpResponse:
    try:
        account = mail_account_for_request(request)
        user = account.user
        folder = _folder(request)
        once = request.GET.get("remote") == "1"
        cid_url, proxy_url = _frame_links(user, folder, uid)
        body = message_body_html(
            account=account,
            folder=folder,
            uid=uid,
            cid_url=cid_url,
            proxy_url=proxy_url,
            remote_allowed=lambda sender: once or remote_allowed_for(user, sender),
        )
    except RoostError as error:
        body_html, status = f"<p>{escape(str(error))}</p>", error_status(error)
    else:
        body_html, status = body.html, 200
    response = render(request, "webmail/body_frame.html", {"body": body_html}, status=status)
    response["Content-Security-Policy"] = BODY_CSP
    response["Referrer-Policy"] = "no-referrer"
    return response


@login_required
def message_part_download(request: HttpRequest, uid: int, part_id: str) -> HttpResponseBase:
    account = mail_account_for_request(request)
    folder = _folder(request)
    part = message_part(account=account, folder=folder, uid=uid, part_id=clean_part_id(part_id))
    chunks = part_stream(account=account, folder=folder, uid=uid, part=part)
    return _part_response(part, chunks, inline=request.GET.get("inline") == "1")


def inline_part(request: HttpRequest) -> HttpResponseBase:
    """An inline (cid:) part for the body frame. No session comes with the frame's requests: the signed
    link names the user whose mailbox is opened, so it can never reach another user's message."""
    link = part_link_open(token=request.GET.get("t", ""))
    # External mode keeps the IMAP password in the session: use it only when it is the link's own user's.
    account = mail_account_for_session(link.user, request.session if request.user.pk == link.user.pk else None)
    part = message_part(account=account, folder=link.folder, uid=link.uid, part_id=link.part_id)
    chunks = part_stream(account=account, folder=link.folder, uid=link.uid, part=part)
    return _part_response(part, chunks, inline=True)


def _part_response(part: MimePart, chunks: Iterator[bytes], *, inline: bool) -> StreamingHttpResponse:
    inline = inline and part.content_type in INLINE_TYPES
    name = part.filename or f"part-{part.part_id}"
    response = StreamingHttpResponse(
        _async_chunks(chunks), content_type=part.content_type if inline else "application/octet-stream"
    )
    response["Content-Disposition"] = content_disposition_header(name, "inline" if inline else "attachment")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Security-Policy"] = DOWNLOAD_CSP
    return response


@login_required
def message_source_raw(request: HttpRequest, uid: int) -> HttpResponse:
    raw = message_source(account=mail_account_for_request(request), folder=_folder(request), uid=uid)
    response = HttpResponse(raw, content_type="text/plain; charset=utf-8")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
def message_print(request: HttpRequest, uid: int) -> HttpResponse:
    folder = _folder(request)
    view = message_open(
        account=mail_account_for_request(request),
        folder=folder,
        uid=uid,
        mark_read=False,
        cid_url=_cid_url(folder, uid),
    )
    response = render(request, "webmail/print.html", {"view": view, "head": view.head, "body": view.body_html})
    response["Content-Security-Policy"] = (
        "default-src 'self'; script-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    )
    return response


def remote_content(request: HttpRequest) -> HttpResponse:
    """No login: the body frame's requests carry no session; the signed link names its user."""
    try:
        image = remote_fetch(token=request.GET.get("t", ""))
    except RemoteRefused as error:
        return HttpResponse(str(error), status=403, content_type="text/plain; charset=utf-8")
    response = HttpResponse(image.data, content_type=image.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=86400"
    return response


@require_POST
@login_required
def remote_allow(request: HttpRequest) -> HttpResponse:
    sender = request.POST.get("sender", "")
    if sender and "@" in sender and len(sender) <= 254:
        remote_sender_allow(user=request_user(request), address=sender)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect("webmail:home")
    return redirect(back)
