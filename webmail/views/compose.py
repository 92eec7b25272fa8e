import uuid
from datetime import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import request_user
from core.bodylimit import accepts_uploads
from core.errors import NotFound, RoostError
from webmail.mailstore import mail_account_for_request
from webmail.mime.compose import Attachment, parse_address_list, text_to_editor_html
from webmail.mime.drafts import DraftState
from webmail.models import Outbox
from webmail.selectors import outbox_get_for_user, preferences_for
from webmail.services.completion import address_suggestions
from webmail.services.compose import MODES, ComposeRequest, compose_prefill, message_send
from webmail.services.drafts import DraftConflict, draft_open, draft_save, new_draft_key
from webmail.services.identities import identities_for
from webmail.services.outbox import OutboxConfirmationNeeded, outbox_cancel, outbox_discard, outbox_send_again
from webmail.validators import clean_folder, clean_part_id, clean_uid


def _send_at(value: str) -> datetime:
    """When "Send later" should send: a date it cannot read is refused, never taken as "now"."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        if not value.strip():
            raise RoostError("Choose a date and time to send it at.") from None
        raise RoostError(f"“{value[:40]}” is not a date and time; choose when to send it.") from None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _typed(request: HttpRequest) -> dict[str, object]:
    """What the person typed, as text: shown again on the page when the message is refused."""
    post = request.POST
    state: dict[str, object] = {
        name: post.get(name, "") for name in ("from_address", "to", "cc", "bcc", "subject", "text", "mode")
    }
    state["html"] = post.get("html", "") if post.get("editor") == "rich" else ""
    state["parent_folder"], state["parent_uid"] = post.get("parent_folder", ""), post.get("parent_uid", "")
    state["draft_key"] = post.get("draft_key", "")[:64]
    state["draft_uid"] = post.get("draft_uid", "") if post.get("draft_uid", "").isdigit() else ""
    version = post.get("draft_version", "")
    state["draft_version"] = int(version) if version.isdigit() else 0
    return state


def _compose_request(request: HttpRequest) -> ComposeRequest:
    post = request.POST
    uid = post.get("parent_uid", "")
    return ComposeRequest(
        idempotency_key=post.get("idempotency_key", "")[:64] or uuid.uuid4().hex,
        from_address=post.get("from_address", ""),
        to=parse_address_list(post.get("to", "")),
        cc=parse_address_list(post.get("cc", "")),
        bcc=parse_address_list(post.get("bcc", "")),
        subject=post.get("subject", ""),
        text=post.get("text", ""),
        html=post.get("html", "") if post.get("editor") == "rich" else "",
        attachments=[
            Attachment(f.name or "attachment", f.content_type or "application/octet-stream", f.read())
            for f in request.FILES.getlist("attachments")
        ],
        send_at=_send_at(post.get("send_at", "")) if post.get("later") else None,
        mode=post.get("mode", "") if post.get("mode", "") in MODES else "",
        parent_folder=clean_folder(post["parent_folder"]) if post.get("parent_folder") else "",
        parent_uid=clean_uid(uid) if uid else None,
        draft_key=post.get("draft_key", "")[:64],
        draft_uid=clean_uid(post["draft_uid"]) if post.get("draft_uid") else None,
        keep_parts=[clean_part_id(p) for p in post.getlist("keep_part")],
        keep_draft_parts=[clean_part_id(p) for p in post.getlist("keep_draft_part")],
    )


@accepts_uploads
@require_http_methods(["GET", "POST"])
@login_required
def compose(request: HttpRequest) -> HttpResponse:
    account = mail_account_for_request(request)
    user = account.user
    state: dict[str, object] = {}
    error = ""
    status = 200
    try:
        if request.method == "POST":
            state = _typed(request)
            row = message_send(account=account, request=_compose_request(request))
            return redirect(reverse("webmail:outbox") + f"?sent={row.pk}")
        if request.GET.get("draft"):
            state = draft_open(
                account=account,
                folder=clean_folder(request.GET.get("f", "Drafts")),
                uid=clean_uid(request.GET["draft"]),
            )
        elif request.GET.get("restore"):
            state = dict(outbox_get_for_user(user=user, outbox_id=clean_uid(request.GET["restore"])).obj.compose_state)
        elif request.GET.get("mode"):
            state = compose_prefill(
                account=account,
                mode=request.GET["mode"],
                folder=clean_folder(request.GET.get("f", "INBOX")),
                uid=clean_uid(request.GET.get("uid")),
            )
        else:
            state = {"to": request.GET.get("to", "")[:500]}
    except RoostError as err:
        error, status = str(err), err.status
    identities = identities_for(user)
    chosen = state.get("from_address") or (identities[0].address if identities else "")
    identity = next((i for i in identities if i.address == chosen), None)
    fresh = request.method == "GET" and not (request.GET.get("restore") or request.GET.get("draft"))
    rich = preferences_for(user).rich_text
    if rich and not state.get("html"):
        state["html"] = text_to_editor_html(str(state.get("text", "")))
    if fresh and identity is not None and identity.signature:
        state["text"] = f"\n\n-- \n{identity.signature}" + str(state.get("text", ""))
    if fresh and rich and identity is not None and (identity.signature_html or identity.signature):
        signature_html = identity.signature_html or text_to_editor_html(identity.signature)
        state["html"] = f"<div><br></div><div>-- </div>{signature_html}" + str(state.get("html", ""))
    context = {
        "rich": rich,
        "max_attachment_bytes": settings.ROOST_ATTACHMENT_MAX_BYTES,
        "state": state,
        "error": error,
        "identities": identities,
        "chosen": chosen,
        "idempotency_key": uuid.uuid4().hex,
        "draft_key": state.get("draft_key") or new_draft_key(),
        "draft_version": state.get("draft_version") or 0,
    }
    return render(request, "webmail/compose.html", context, status=status)


@login_required
def outbox_view(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    # The stored messages and typed state stay in the database: the list shows none of them.
    rows = Outbox.objects.filter(user=user).defer("raw", "sent_copy", "compose_state").order_by("-created")[:100]
    just_sent, confirm = request.GET.get("sent", ""), request.GET.get("confirm", "")
    context = {
        "rows": rows,
        "just_sent": int(just_sent) if just_sent.isdigit() else None,
        "confirm": int(confirm) if confirm.isdigit() else None,
        "now": timezone.now(),
    }
    return render(request, "webmail/outbox.html", context)


@require_POST
@login_required
def outbox_change(request: HttpRequest, outbox_id: int) -> HttpResponse:
    account = mail_account_for_request(request)
    user = account.user
    op = request.POST.get("op", "")
    try:
        if op == "undo":
            row = outbox_cancel(user=user, outbox_id=outbox_id)
            messages.success(request, "Sending undone. Your message is back in the editor.")
            return redirect(reverse("webmail:compose") + f"?restore={row.pk}")
        if op == "send_again":
            outbox_send_again(account=account, outbox_id=outbox_id, confirmed=request.POST.get("confirmed") == "yes")
            messages.success(request, "Sending again.")
        elif op == "edit":
            return redirect(reverse("webmail:compose") + f"?restore={outbox_id}")
        elif op == "discard":
            outbox_discard(user=user, outbox_id=outbox_id)
            messages.success(request, "Discarded.")
    except NotFound:
        raise  # not yours or not there: 404 from the error middleware
    except OutboxConfirmationNeeded:
        return redirect(reverse("webmail:outbox") + f"?confirm={outbox_id}#outbox-{outbox_id}")
    except RoostError as error:
        messages.error(request, str(error))
    return redirect("webmail:outbox")


@accepts_uploads
@require_POST
@login_required
def draft_autosave(request: HttpRequest) -> JsonResponse:
    """Save the draft being written; 409 when another window saved a newer version meanwhile."""
    post = request.POST
    state = DraftState.from_mapping(post.dict())  # the typed form state the service and the draft file share
    try:
        version = int(post.get("draft_version", "0"))
        uploads = [
            Attachment(f.name or "attachment", f.content_type or "application/octet-stream", f.read())
            for f in request.FILES.getlist("attachments")
        ]
        saved = draft_save(
            account=mail_account_for_request(request), key=post.get("draft_key", ""),
            base_version=version, state=state, uploads=uploads,
            keep_parts=[clean_part_id(p) for p in post.getlist("keep_draft_part")],
            replaces=clean_uid(post["draft_uid"]) if post.get("draft_uid") else None,
        )  # fmt: skip
    except DraftConflict as conflict:
        return JsonResponse(
            {"ok": False, "conflict": True, "version": conflict.version, "error": str(conflict)}, status=409
        )
    except (RoostError, ValueError) as error:
        status = error.status if isinstance(error, RoostError) else 400
        return JsonResponse({"ok": False, "error": str(error)}, status=status)
    return JsonResponse({"ok": True, "version": saved.version, "parts": saved.parts})


@login_required
def address_complete(request: HttpRequest) -> JsonResponse:
    found = address_suggestions(user=request_user(request), query=request.GET.get("q", "")[:100])
    return JsonResponse(
        {
            "suggestions": [
                {"label": str(s), "name": s.name, "email": s.email, "source": s.source, "members": list(s.members)}
                for s in found
            ]
        }
    )
