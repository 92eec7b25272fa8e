"""Remote content through Roost's proxy: URLs are signed for one user when the body is made safe, so the
proxy fetches only what a message asked for, and only while that user can still sign in."""

import ipaddress

from django.conf import settings

from webmail.remote.fetch import RemoteImage, RemoteRefused, fetch_image
from webmail.services.links import LinkInvalid, remote_link_open


def remote_fetch(*, token: str) -> RemoteImage:
    try:
        link = remote_link_open(token=token)
    except LinkInvalid:
        raise RemoteRefused("That remote content link is not valid.") from None
    networks = [ipaddress.ip_network(n, strict=False) for n in settings.ROOST_REMOTE_ALLOW_NETWORKS]
    return fetch_image(link.url, allowed_networks=networks)
