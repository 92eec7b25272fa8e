from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.access import request_user
from core.errors import NotFound, RoostError
from webmail.models import Identity, RemoteContentSender
from webmail.selectors import preferences_for
from webmail.services.identities import identities_for, identity_update
from webmail.services.preferences import preferences_update, remote_sender_forget


@require_http_methods(["GET", "POST"])
@login_required
def mail_settings(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if request.method == "POST":
        if request.POST.get("identity"):
            try:
                identity_update(
                    user=user,
                    address=request.POST["identity"],
                    display_name=request.POST.get("display_name", "")[:200],
                    signature=request.POST.get("signature", "")[:5000],
                    signature_html=request.POST.get("signature_html", "")[:20000],
                    is_default=request.POST.get("is_default") == "on",
                )
            except NotFound:
                raise  # not one of theirs: the 404 page
            except RoostError as error:
                messages.error(request, str(error))
                return redirect("webmail:settings")
            messages.success(request, f"Saved how you appear as {request.POST['identity']}.")
        elif request.POST.get("forget"):
            remote_sender_forget(user=user, address=request.POST["forget"])
            messages.success(request, f"Remote content from {request.POST['forget']} is blocked again.")
        else:
            preferences_update(
                user=user,
                mark_read_on_open=request.POST.get("mark_read_on_open") == "on",
                rich_text=request.POST.get("rich_text") == "on",
            )
            messages.success(request, "Settings saved.")
        return redirect("webmail:settings")
    context = {
        "preferences": preferences_for(user),
        "senders": RemoteContentSender.objects.filter(user=user).order_by("address"),
        "identities": identities_for(user),
        "default_identity": Identity.objects.filter(user=user, is_default=True)
        .values_list("address", flat=True)
        .first(),
    }
    return render(request, "webmail/settings.html", context)
