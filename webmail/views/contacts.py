"""The mail reader's address book doors: "Add to contacts" on an address of a message, and a contact's photo
for the message header."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from accounts.access import request_user
from contacts.selectors import contact_photo_for_address
from core.errors import NotFound, RoostError
from core.middleware import wants_json
from webmail.services.contacts import mail_contact_add


@require_POST
@login_required
def contact_add(request: HttpRequest) -> HttpResponse:
    reply_json = wants_json(request)
    try:
        added = mail_contact_add(
            user=request_user(request), name=request.POST.get("name", "")[:1000], email=request.POST.get("email", "")
        )
    except RoostError as error:
        if reply_json:
            raise
        messages.error(request, str(error))
    else:
        if reply_json:
            return JsonResponse({"ok": True, "created": added.created, "name": added.display_name,
                                 "email": added.email, "message": added.message})  # fmt: skip
        (messages.success if added.created else messages.info)(request, added.message)
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}) and back.startswith("/"):
        return redirect(back)
    return redirect("webmail:home")


@require_GET
@login_required
def contact_photo(request: HttpRequest) -> HttpResponse:
    """The photo of the signed-in user's own contact with ?address=; another user's contacts are never read."""
    address = request.GET.get("address", "")[:254]
    photo = contact_photo_for_address(user=request_user(request), email=address) if "@" in address else None
    if photo is None:
        raise NotFound("There is no photo for this address.")
    response = HttpResponse(photo.data, content_type=photo.media_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response
