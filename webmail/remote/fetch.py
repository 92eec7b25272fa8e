"""Fetching a remote image for a message, on the user's request, through core.netguard (public addresses
only, the checked address connected to, redirects checked again, size and time limited); only raster
images pass."""

from collections.abc import Sequence
from dataclasses import dataclass

from core.netguard import FetchRefused, Network, fetch

IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp", "image/avif", "image/bmp", "image/x-icon"}

RemoteRefused = FetchRefused  # the name the proxy's callers know


@dataclass(frozen=True)
class RemoteImage:
    content_type: str
    data: bytes


def fetch_image(
    url: str, *, allowed_networks: Sequence[Network] = (), max_bytes: int = 5 << 20, timeout: float = 5.0
) -> RemoteImage:
    fetched = fetch(
        url,
        allowed_networks=allowed_networks,
        max_bytes=max_bytes,
        timeout=timeout,
        headers={"User-Agent": "Roost image proxy", "Accept": "image/*"},
        what="remote image",
    )
    content_type = fetched.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in IMAGE_TYPES:
        raise RemoteRefused("Only images are shown from remote content.")
    return RemoteImage(content_type, fetched.body)
