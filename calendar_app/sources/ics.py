"""An .ics feed over http(s), through core.netguard, with a conditional GET (ETag / Last-Modified)."""

from collections.abc import Sequence
from dataclasses import dataclass

from core.netguard import Network, fetch


@dataclass(frozen=True)
class IcsAnswer:
    changed: bool  # False: 304 Not Modified, body empty
    body: bytes
    etag: str
    last_modified: str


def ics_fetch(
    url: str,
    *,
    etag: str = "",
    last_modified: str = "",
    allowed_networks: Sequence[Network] = (),
    max_bytes: int,
    timeout: float,
) -> IcsAnswer:
    headers = {"Accept": "text/calendar, */*;q=0.5", "Accept-Encoding": "identity"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    fetched = fetch(
        url,
        allowed_networks=allowed_networks,
        max_bytes=max_bytes,
        timeout=timeout,
        headers=headers,
        ok_statuses=(200, 304) if etag or last_modified else (200,),
        what="calendar file",
    )
    if fetched.status == 304:
        return IcsAnswer(changed=False, body=b"", etag=etag, last_modified=last_modified)
    return IcsAnswer(
        changed=True,
        body=fetched.body,
        etag=fetched.headers.get("etag", "")[:255],
        last_modified=fetched.headers.get("last-modified", "")[:64],
    )
