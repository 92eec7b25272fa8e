"""Check a seeded benchmark mailbox over IMAP, the way the benchmark will see it.

    .venv/bin/python bench/check_seed.py --address bench10k@example.test --count 10000

Logs in as "<address>*<master user>" with ROOST_DOVECOT_MASTER_PASSWORD (from /etc/roost/stack/stack.env).
Exits non-zero if anything is off; prints what it found and how long each IMAP command took.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from imapclient import IMAPClient
from seed_mailbox import (
    HUGE_SUBJECT_PREFIX,
    MARKER_NAME,
    MIN_COUNT,
    PLANTED_SUBJECT,
    PLANTED_WORD,
    PlantedCounts,
    load_env_files,
)

T = TypeVar("T")


class Checker:
    def __init__(self) -> None:
        self.failures: list[str] = []

    def timed(self, label: str, call: Callable[[], T]) -> T:
        started = time.monotonic()
        result = call()
        print(f"  {label}: {time.monotonic() - started:.2f} s")
        return result

    def expect(self, ok: bool, message: str) -> None:
        print(f"{'ok  ' if ok else 'FAIL'} {message}")
        if not ok:
            self.failures.append(message)


def thread_sizes(threads: Sequence[Any]) -> list[int]:
    """Number of messages in each top-level thread of a THREAD answer (nested tuples of UIDs)."""

    def size(node: Any) -> int:
        return sum(size(child) for child in node) if isinstance(node, tuple | list) else 1

    return [size(thread) for thread in threads]


def check(client: IMAPClient, count: int, checker: Checker) -> None:
    planted = PlantedCounts.for_count(count)
    expect = checker.expect

    selected = checker.timed("SELECT INBOX", lambda: client.select_folder("INBOX"))
    expect(selected[b"EXISTS"] == count, f"EXISTS {selected[b'EXISTS']} (expected {count})")

    folders = [name for _flags, _sep, name in client.list_folders()]
    expect(not any("bench-seed" in name for name in folders), f"no folder made of {MARKER_NAME}: {folders}")

    found = checker.timed("SEARCH SUBJECT", lambda: client.search(["SUBJECT", PLANTED_SUBJECT]))
    expect(len(found) == planted.subject, f'SEARCH SUBJECT "{PLANTED_SUBJECT}": {len(found)} ({planted.subject})')

    found = checker.timed("SEARCH BODY", lambda: client.search(["BODY", PLANTED_WORD]))
    expect(len(found) == planted.word, f"SEARCH BODY {PLANTED_WORD}: {len(found)} ({planted.word})")

    huge = checker.timed("SEARCH SUBJECT huge", lambda: client.search(["SUBJECT", HUGE_SUBJECT_PREFIX]))
    expect(len(huge) == planted.huge, f"SEARCH SUBJECT {HUGE_SUBJECT_PREFIX}: {len(huge)} ({planted.huge})")
    sizes = {uid: item[b"RFC822.SIZE"] for uid, item in client.fetch(huge, ["RFC822.SIZE"]).items()}
    expect(bool(sizes) and min(sizes.values()) > 10_000_000, f"{HUGE_SUBJECT_PREFIX} RFC822.SIZE: {sizes}")

    replies = len(client.search(["HEADER", "In-Reply-To", "@"]))
    expect(0.15 < replies / count < 0.25, f"replies (with In-Reply-To): {replies}")
    threads = checker.timed("THREAD REFERENCES", lambda: client.thread("REFERENCES", ["ALL"], "UTF-8"))
    lengths = thread_sizes(threads)
    # THREAD REFERENCES also joins unrelated messages of the same subject, so there are a few threads less.
    expect(
        sum(lengths) == count and len(lengths) <= count - replies,
        f"THREAD REFERENCES: {len(lengths)} threads of {sum(lengths)} messages, longest {max(lengths)}",
    )

    alternative = checker.timed(
        "SEARCH HEADER Content-Type",
        lambda: client.search(["HEADER", "Content-Type", "multipart/alternative"]),
    )
    uid = random.Random().choice(alternative)
    structure = client.fetch([uid], ["BODYSTRUCTURE"])[uid][b"BODYSTRUCTURE"]
    expect(
        structure.is_multipart and structure[1].upper() == b"ALTERNATIVE",
        f"UID {uid} BODYSTRUCTURE multipart/{structure[1].decode().lower()} ({len(alternative)} HTML messages)",
    )

    total = len(client.search(["ALL"]))
    seen, flagged, answered = (len(client.search([flag])) for flag in ("SEEN", "FLAGGED", "ANSWERED"))
    expect(
        0.65 < seen / total < 0.75 and 0.03 < flagged / total < 0.07 and 0.07 < answered / total < 0.13,
        f"flags: {seen} seen, {flagged} flagged, {answered} answered of {total}",
    )

    first, last = 1, max(client.search(["ALL"]))
    dates = client.fetch([first, last], ["INTERNALDATE", "ENVELOPE"])
    internal = [dates[uid][b"INTERNALDATE"] for uid in (first, last)]
    header = [dates[uid][b"ENVELOPE"].date for uid in (first, last)]
    expect(
        internal[0] < internal[1]
        and all(abs((i - h).total_seconds()) < 1 for i, h in zip(internal, header, strict=True)),
        f"INTERNALDATE follows Date and UID order: {internal[0]:%Y-%m-%d} .. {internal[1]:%Y-%m-%d}",
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--address", required=True)
    parser.add_argument("--count", type=int, required=True, help=f"the seeded count (at least {MIN_COUNT})")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int)
    args = parser.parse_args(argv)
    load_env_files()
    master = os.environ.get("ROOST_DOVECOT_MASTER_USER", "roost")
    password = os.environ.get("ROOST_DOVECOT_MASTER_PASSWORD")
    if not password:
        raise SystemExit("ROOST_DOVECOT_MASTER_PASSWORD is not set (and not in /etc/roost/stack/stack.env).")
    port = args.port or int(os.environ.get("ROOST_IMAP_PORT", "143"))

    checker = Checker()
    with IMAPClient(args.host, port=port, ssl=False, timeout=300) as client:
        client.login(f"{args.address}*{master}", password)
        check(client, args.count, checker)
    if checker.failures:
        print(f"{len(checker.failures)} check(s) failed.")
        return 1
    print("All checks passed.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
