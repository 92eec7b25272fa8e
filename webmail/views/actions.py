from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from core.errors import NotFound, RoostError
from webmail.mailstore import mail_account_for_request
from webmail.services.actions import messages_apply
from webmail.validators import clean_folder, clean_uids


@require_POST
@login_required
def messages_action(request: HttpRequest, folder: str) -> HttpResponse:
    wants_json = "application/json" in request.headers.get("Accept", "")
    try:
        result = messages_apply(
            account=mail_account_for_request(request),
            folder=clean_folder(folder),
            uids=clean_uids(request.POST.getlist("uid")),
            action=request.POST.get("action", ""),
            target=clean_folder(request.POST["target"]) if request.POST.get("target") else None,
        )
    except NotFound:
        raise  # not yours or not there: 404 from the error middleware
    except RoostError as error:
        if wants_json:
            return JsonResponse({"ok": False, "error": str(error)}, status=error.status)
        messages.error(request, str(error))
    else:
        if wants_json:
            return JsonResponse({"ok": True, "message": result.message})
        messages.success(request, result.message)
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}) and back.startswith("/"):
        return redirect(back)
    return redirect("webmail:folder", folder=folder)
