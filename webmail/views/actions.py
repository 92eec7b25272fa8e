from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from core.errors import NotFound, RoostError
from core.middleware import wants_json
from webmail.mailstore import mail_account_for_request
from webmail.services.actions import messages_apply
from webmail.validators import clean_folder, clean_uids


@require_POST
@login_required
def messages_action(request: HttpRequest, folder: str) -> HttpResponse:
    reply_json = wants_json(request)
    try:
        result = messages_apply(
            account=mail_account_for_request(request),
            folder=clean_folder(folder),
            uids=clean_uids(request.POST.getlist("uid")),
            action=request.POST.get("action", ""),
            target=clean_folder(request.POST["target"]) if request.POST.get("target") else None,
        )
    except RoostError as error:
        if reply_json or isinstance(error, NotFound):
            raise  # the error middleware answers: 404 for "not there", JSON with the status for scripts
        messages.error(request, str(error))
    else:
        if reply_json:
            return JsonResponse({"ok": True, "message": result.message})
        messages.success(request, result.message)
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}) and back.startswith("/"):
        return redirect(back)
    return redirect("webmail:folder", folder=folder)
