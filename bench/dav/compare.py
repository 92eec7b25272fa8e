"""Judging the servers' answers: which events (and which of their instances) a calendar-query returned, and
which resources a sync-collection listed, against what the data says they must be. Each check gives the
lines to print, none when all is well."""

from collections.abc import Iterable

from bench.dav.client import calendar_data, components, parse_multistatus
from bench.dav.data import Changes, DavObject

# Per UID, the components a server sent: the master (None) and the RECURRENCE-IDs of its overrides.
Found = dict[str, frozenset[str | None]]


def expected_instances(events: Iterable[DavObject], uids: set[str]) -> Found:
    return {e.uid: frozenset(rid for _, rid in components(e.text)) for e in events if e.uid in uids}


def found_instances(body: bytes) -> Found:
    found: dict[str, set[str | None]] = {}
    for entry in parse_multistatus(body).entries:
        for uid, rid in components(calendar_data(entry)):
            found.setdefault(uid, set()).add(rid)
    return {uid: frozenset(rids) for uid, rids in found.items()}


def query_mismatch(name: str, expected: Found, found: Found, *, against: str = "the truth") -> list[str]:
    missing = sorted(set(expected) - set(found))
    extra = sorted(set(found) - set(expected))
    differing = sorted(uid for uid in set(expected) & set(found) if expected[uid] != found[uid])
    if not (missing or extra or differing):
        return []
    lines = [f"MISMATCH {name}: calendar-query returned {len(found)} events, {against} has {len(expected)}"]
    for label, uids in ((f"only in {against}", missing), (f"not in {against}", extra), ("other instances", differing)):
        if uids:
            lines.append(f"  {label} ({len(uids)}): {', '.join(uids[:10])}{' ...' if len(uids) > 10 else ''}")
    return lines


def initial_sync_mismatch(name: str, body: bytes, count: int) -> list[str]:
    status = parse_multistatus(body)
    if len(status.entries) == count and status.sync_token:
        return []
    return [
        f"MISMATCH {name}: initial sync listed {len(status.entries)} of {count} resources, "
        f"sync token {status.sync_token!r}"
    ]


def changes_sync_mismatch(name: str, body: bytes, changes: Changes) -> list[str]:
    """The sync after the changes must list exactly the changed resources: 200 if added or edited,
    404 if deleted (RFC 6578 section 3.5)."""
    want = {name: 404 if name in changes.deleted else 200 for name in changes.names}
    got = {e.href.rstrip("/").rsplit("/", 1)[-1]: e.status for e in parse_multistatus(body).entries}
    if got == want:
        return []
    return [f"MISMATCH {name}: sync after 10 changes listed {sorted(got.items())}, want {sorted(want.items())}"]
