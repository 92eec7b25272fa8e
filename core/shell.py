"""The page shell's app switcher. Each app registers itself once (in its AppConfig.ready) with what the
shell needs: its name and icon, the URL namespaces that belong to it, who may use it, and the templates
it puts in the shell's slots (sidebar, shortcuts). core knows no app; apps know only this registry."""

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest


def _everyone(user: object) -> bool:
    return True


@dataclass(frozen=True)
class ShellApp:
    key: str
    label: str
    url_name: str
    icon: str  # a symbol of templates/partials/icons.html
    namespaces: tuple[str, ...]
    sidebar_template: str | None = None
    shortcuts_template: str | None = None
    search_placeholder: str = ""
    drawer_label: str = "Menu"
    settings_url_name: str | None = None
    order: int = 100
    visible: Callable[[object], bool] = _everyone


_APPS: dict[str, ShellApp] = {}


def shell_app_register(app: ShellApp) -> None:
    _APPS[app.key] = app


def shell_apps_for(user: object) -> list[ShellApp]:
    """The apps this user may open, in switcher order; none for someone not signed in."""
    if not getattr(user, "is_authenticated", False):
        return []
    return sorted((a for a in _APPS.values() if a.visible(user)), key=lambda a: (a.order, a.label))


def shell_app_current(request: HttpRequest) -> ShellApp | None:
    match = getattr(request, "resolver_match", None)
    namespace = match.namespace if match is not None else ""
    for app in _APPS.values():
        if namespace in app.namespaces:
            return app
    return None
