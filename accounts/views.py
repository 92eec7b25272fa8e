from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import RoostError

from .devices import device_remember
from .forms import LoginForm
from .services import session_login, session_logout
from .throttle import LoginThrottled


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    status, retry_after = 200, None
    if request.method == "POST" and form.is_valid():
        try:
            session_login(request=request, address=form.cleaned_data["address"], password=form.cleaned_data["password"])
        except LoginThrottled as error:
            form.add_error(None, str(error))
            status, retry_after = 429, error.retry_after
        except RoostError as error:
            form.add_error(None, str(error))
            status = 400
        else:
            target = request.GET.get("next", "")
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                target = "webmail:home"
            signed_in = redirect(target)
            device_remember(request=request, response=signed_in, user=request.user)  # type: ignore[arg-type]
            return signed_in
    response = render(request, "accounts/login.html", {"form": form}, status=status)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


@require_POST
@login_required
def logout_view(request: HttpRequest) -> HttpResponse:
    session_logout(request=request)
    return redirect("accounts:login")


def admin_login_view(request: HttpRequest) -> HttpResponse:
    """The Django admin's sign-in, answering as Roost's own does: 429 with Retry-After while throttled,
    and a successful sign-in remembers the browser (accounts.devices)."""
    response = admin.site.login(request)
    context = getattr(response, "context_data", None) or {}
    retry_after = getattr(context.get("form"), "retry_after", None)
    if retry_after is not None:
        response.status_code = 429
        response["Retry-After"] = str(retry_after)
    elif request.method == "POST" and response.status_code == 302 and request.user.is_authenticated:
        device_remember(request=request, response=response, user=request.user)
    return response
