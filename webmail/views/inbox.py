from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core.errors import RoostError
from webmail.services.inbox import folder_overview


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    try:
        overview = folder_overview(user=request.user, session=request.session)  # type: ignore[arg-type]
    except RoostError as error:
        return render(request, "webmail/inbox.html", {"error": str(error)}, status=503)
    return render(request, "webmail/inbox.html", {"overview": overview})
