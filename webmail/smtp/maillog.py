"""Asking a Postfix we run whether it accepted a message, from its log, when the reply to the final
dot never reached us. Postfix logs `<queue id>: message-id=<...>` (cleanup) as soon as it reads the
header, and `<queue id>: from=<...>, size=..., nrcpt=... (queue active)` (qmgr) only once the message
is safely in its queue. The first alone proves nothing: a connection that broke inside the body leaves
it too. So a message counts as accepted only with both lines for one queue id, and as never received
only when the log is readable, reaches back past the moment the message started to go, and has no
trace of its Message-ID at all. Anything else is unknown, and unknown is never taken as "not sent"."""

import enum
import os
import re
from datetime import datetime, timedelta

_MONTHS = {
    name: number
    for number, name in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), start=1
    )
}
# Postfix's own maillog_file and classic syslog: "Nov 30 10:44:28 host postfix/..."; rsyslog's
# high-precision format: "2026-11-30T10:44:28.123456+00:00 host postfix/...".
_CLASSIC = re.compile(rb"^([A-Z][a-z]{2}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) ")
_ISO = re.compile(rb"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?) ")
_QUEUE_ACTIVE = re.compile(rb" postfix(?:/[\w.-]+)*/qmgr\[\d+\]: ([0-9A-Za-z]+): from=<.*\(queue active\)")
_CLEANUP = re.compile(rb" postfix(?:/[\w.-]+)*/cleanup\[\d+\]: ([0-9A-Za-z]+): message-id=(\S*)")
_BLOCK = 256 * 1024
# Log timestamps have whole seconds and the log and this process may sit on different clocks.
_SLACK = timedelta(seconds=5)


class Delivery(enum.Enum):
    ACCEPTED = "accepted"  # Postfix queued it: it is sent
    NOT_FOUND = "not_found"  # the log covers the whole time and never saw it: it was not received
    UNKNOWN = "unknown"  # the log is unreadable, too short, or saw the header without the queueing


def _timestamp(line: bytes, now: datetime) -> datetime | None:
    """The time a log line was written, aware; None when the line has no recognisable stamp."""
    iso = _ISO.match(line)
    if iso:
        try:
            stamp = datetime.fromisoformat(iso.group(1).decode().replace("Z", "+00:00"))
        except ValueError:
            return None
        return stamp if stamp.tzinfo else stamp.astimezone()
    classic = _CLASSIC.match(line)
    if not classic or classic.group(1).decode() not in _MONTHS:
        return None
    month, day, hour, minute, second = _MONTHS[classic.group(1).decode()], *map(int, classic.groups()[1:])
    # Classic stamps have no year and are in the server's local time.
    for year in (now.year, now.year - 1):
        try:
            stamp = datetime(year, month, day, hour, minute, second).astimezone()
        except ValueError:  # 29 February in the wrong year
            continue
        if stamp <= now + timedelta(days=1):
            return stamp
    return None


def postfix_log_lookup(path: str, *, message_id: str, since: datetime, max_bytes: int = 64 * 1024 * 1024) -> Delivery:
    """Whether the Postfix whose log is at `path` accepted the message with this Message-ID (angle
    brackets included) at or after `since` (aware). Reads the log backwards from its end, only as far
    as `since` (and never more than max_bytes), so the cost follows the time asked about, not the
    log's size."""
    wanted = message_id.strip().encode()
    if not wanted:
        return Delivery.UNKNOWN
    now = datetime.now().astimezone()
    earliest = since - _SLACK
    seen: set[bytes] = set()  # queue ids whose cleanup logged the Message-ID
    queued: set[bytes] = set()  # queue ids qmgr took into its active queue
    covered = False
    try:
        with open(path, "rb") as log:
            end = log.seek(0, os.SEEK_END)
            position, carry, read = end, b"", 0
            while position > 0 and not covered and read < max_bytes:
                step = min(_BLOCK, position)
                position -= step
                log.seek(position)
                chunk = log.read(step) + carry
                read += step
                lines = chunk.split(b"\n")
                # The first piece may be a line cut at the block's start: finish it with the next block up.
                carry = lines.pop(0) if position > 0 else b""
                for line in reversed(lines):
                    if _scan(line, wanted, seen, queued, earliest, now):
                        covered = True
                        break
    except OSError:
        return Delivery.UNKNOWN
    if seen & queued:
        return Delivery.ACCEPTED
    if covered and not seen:
        return Delivery.NOT_FOUND
    # Not covered: the log starts after `since` (rotated or cut meanwhile) or is longer than max_bytes.
    return Delivery.UNKNOWN


def _scan(line: bytes, wanted: bytes, seen: set[bytes], queued: set[bytes], earliest: datetime, now: datetime) -> bool:
    """Note what one line says about the message; True once the line is older than `earliest`."""
    stamp = _timestamp(line, now)
    if stamp is not None and stamp < earliest:
        return True
    active = _QUEUE_ACTIVE.search(line)
    if active:
        queued.add(active.group(1))
        return False
    cleanup = _CLEANUP.search(line)
    if cleanup and cleanup.group(2) == wanted:
        seen.add(cleanup.group(1))
    return False
