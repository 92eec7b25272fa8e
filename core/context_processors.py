from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .shell import shell_app_current, shell_apps_for


def shell(request: HttpRequest) -> dict[str, object]:
    """The shell's app switcher and the current app, computed only when a template uses them."""
    return {
        "shell_apps": SimpleLazyObject(lambda: shell_apps_for(getattr(request, "user", None))),
        "shell_app": SimpleLazyObject(lambda: shell_app_current(request)),
    }
