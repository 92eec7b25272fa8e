"""Remote content through Roost's proxy: URLs are signed when the body is made safe, so the proxy
fetches only what a message asked for, and never for someone who is not signed in."""

import ipaddress

from django.conf import settings
from django.core import signing
from django.urls import reverse

from webmail.remote.fetch import RemoteImage, RemoteRefused, fetch_image

_SALT = "roost.remote-content"


def proxy_url(url: str) -> str:
    return reverse("webmail:remote") + "?t=" + signing.dumps(url, salt=_SALT, compress=True)


def remote_fetch(*, token: str) -> RemoteImage:
    try:
        url = signing.loads(token, salt=_SALT, max_age=7 * 24 * 3600)
    except signing.BadSignature:
        raise RemoteRefused("That remote content link is not valid.") from None
    networks = [ipaddress.ip_network(n, strict=False) for n in settings.ROOST_REMOTE_ALLOW_NETWORKS]
    return fetch_image(str(url), allowed_networks=networks)
