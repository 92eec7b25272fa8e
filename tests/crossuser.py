"""The second-user check for every URL: signed in as someone else, each URL that names the owner's object
answers 404 and changes nothing of the owner's. A test lists a case for every URL pattern of an app (or says
why a pattern names nothing owned by anyone), so a new URL without a case fails until it gets one."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse


@dataclass(frozen=True)
class Probe:
    """One request as the intruder, naming the owner's object."""

    url_name: str
    method: str = "get"
    args: tuple[object, ...] = ()
    query: dict[str, str] = field(default_factory=dict)
    data: dict[str, object] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | None = None  # "application/json": data is sent as a JSON body

    def url(self) -> str:
        from urllib.parse import urlencode

        base = reverse(self.url_name, args=self.args)
        return base + ("?" + urlencode(self.query) if self.query else "")


@dataclass(frozen=True)
class NotOwned:
    """A URL that names nothing owned by another user (the signed-in user's own settings, say): it is still
    requested as the intruder, and must change nothing of the owner's."""

    url_name: str
    reason: str
    method: str = "get"
    args: tuple[object, ...] = ()
    data: dict[str, object] = field(default_factory=dict)


def url_names(namespace: str) -> set[str]:
    """Every named URL pattern of an app namespace, e.g. {"webmail:message", ...}."""
    found: set[str] = set()

    def walk(patterns: Iterable[URLPattern | URLResolver], prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
                walk(pattern.url_patterns, ns)
            elif pattern.name and prefix == f"{namespace}:":
                found.add(prefix + pattern.name)

    walk(get_resolver().url_patterns, "")
    return found


def assert_covered(namespace: str, cases: Iterable[Probe | NotOwned]) -> None:
    missing = url_names(namespace) - {case.url_name for case in cases}
    assert not missing, f"URLs without a second-user case: {sorted(missing)}"


def assert_second_user_sees_nothing(
    intruder: Client, cases: Iterable[Probe | NotOwned], owner_state: Callable[[], object]
) -> None:
    """Each Probe answers 404; no request (Probe or NotOwned) changes owner_state()."""
    before = owner_state()
    wrong: list[str] = []
    for case in cases:
        if isinstance(case, Probe):
            extra = {"content_type": case.content_type} if case.content_type else {}
            response = getattr(intruder, case.method)(case.url(), case.data, headers=case.headers, **extra)
            if response.status_code != 404:
                wrong.append(f"{case.method.upper()} {case.url()} answered {response.status_code}, not 404")
        else:
            response = getattr(intruder, case.method)(reverse(case.url_name, args=case.args), case.data)
            if response.status_code >= 500:
                wrong.append(f"{case.method.upper()} {case.url_name} answered {response.status_code}")
    assert not wrong, wrong
    assert owner_state() == before, "a second user's requests changed the owner's data"
