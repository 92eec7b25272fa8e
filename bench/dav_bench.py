#!/usr/bin/env python3
"""CalDAV and CardDAV speed: Roost against Radicale (from PyPI, in the benchmark's own environment) in one
run, on the same data, through the same client code. Prints medians and 90th percentiles, response sizes and
the Roost/Radicale ratio of each figure:

1. a one-month time-range calendar-query REPORT with calendar-data over a calendar of --events events
   (10% recurring); both servers must return the same events as icalendar + recurring-ical-events say
   fall in the month (UIDs and the overridden instances that come with them), else the run exits 1;
2. sync-collection on that calendar: an initial sync (empty token) and one after 10 changes
   (4 adds, 3 edits, 3 deletes), so the incremental cost shows against the initial one;
3. the same two syncs on an address book of --cards vCards.

    python3 bench/dav_bench.py --roost-url http://127.0.0.1:8000 --user alice@example.test \\
        --password-env ROOST_DEMO_PASSWORD [--events 10000] [--cards 5000] [--runs 15] [--only radicale]

The first run creates bench/.venv-radicale (python3 -m venv + pip); the script then re-runs itself with
that environment's Python. See bench/README.md for what each figure means.
"""

import argparse
import os
import secrets
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.dav.radicale_server import RadicaleServer, exec_in_venv, running_in_venv  # noqa: E402

if __name__ == "__main__" and not running_in_venv():
    exec_in_venv(Path(__file__).resolve(), sys.argv[1:])  # the client needs defusedxml, the truth icalendar

from bench.dav import compare, data  # noqa: E402
from bench.dav.client import (  # noqa: E402
    ICALENDAR,
    VCARD,
    DavClient,
    DavError,
    Response,
    parse_multistatus,
)


@dataclass
class Target:
    name: str
    client: DavClient
    radicale: RadicaleServer | None = None
    calendar: str = ""
    book: str = ""
    timings: dict[str, list[float]] = field(default_factory=dict)
    sizes: dict[str, int] = field(default_factory=dict)

    def record(self, figure: str, answer: Response) -> None:
        self.timings.setdefault(figure, []).append(answer.seconds)
        self.sizes[figure] = len(answer.body)


def main() -> int:
    args = parse_args()
    events = data.events(args.events, seed=args.seed)
    cards = data.cards(args.cards, seed=args.seed)
    print(f"data: {len(events)} events ({sum(e.recurring for e in events)} recurring), {len(cards)} vCards")
    started = time.perf_counter()
    truth = data.expected_in_range(events, data.QUERY_START, data.QUERY_END)
    print(
        f"truth: {len(truth)} events overlap {data.QUERY_START:%Y-%m-%d}..{data.QUERY_END:%Y-%m-%d} "
        f"(icalendar + recurring-ical-events, {time.perf_counter() - started:.1f} s)"
    )

    targets: list[Target] = []
    radicale: RadicaleServer | None = None
    try:
        if args.only != "radicale":
            password = os.environ.get(args.password_env, "")
            if not password:
                print(f"set {args.password_env} to {args.user}'s Roost password (or use --only radicale)")
                return 2
            targets.append(Target("Roost", DavClient(args.roost_url, args.user, password)))
        if args.only != "roost":
            radicale = RadicaleServer(args.user, secrets.token_urlsafe(16), keep_storage=args.keep)
            radicale.start()
            print(f"Radicale {radicale.url} (storage {radicale.storage})")
            targets.append(Target("Radicale", DavClient(radicale.url, args.user, radicale.password), radicale))

        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        for target in targets:
            load(target, args, events, cards, stamp)
        ok = measure(targets, args, events, truth)
        print_table(targets, args)
    finally:
        for target in targets:
            if not args.keep:
                remove_collections(target)
            target.client.close()
        if radicale is not None:
            radicale.stop()
    if not ok:
        print("\nFAILED: the servers' answers differ (see MISMATCH above)")
        return 1
    return 0


def remove_collections(target: Target) -> None:
    for path in (target.calendar, target.book):
        if path:
            try:
                target.client.delete(path)
            except (OSError, DavError) as error:
                print(f"{target.name}: could not delete {path}: {error}")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--roost-url", default="http://127.0.0.1:8000")
    parser.add_argument("--user", default="alice@example.test")
    parser.add_argument("--password-env", default="ROOST_DEMO_PASSWORD", help="variable holding the password")
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--cards", type=int, default=5_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--only", choices=("roost", "radicale"))
    parser.add_argument(
        "--radicale-load",
        choices=("files", "http"),
        default="files",
        help="fill Radicale by writing its storage files (fast; the default) or by PUT like Roost",
    )
    parser.add_argument("--keep", action="store_true", help="leave the collections (and Radicale's storage)")
    return parser.parse_args()


def load(
    target: Target, args: argparse.Namespace, events: list[data.DavObject], cards: list[data.DavObject], stamp: str
) -> None:
    client = target.client
    target.calendar = client.discover_home("caldav").rstrip("/") + f"/bench-{stamp}-events/"
    target.book = client.discover_home("carddav").rstrip("/") + f"/bench-{stamp}-cards/"
    client.make_calendar(target.calendar, f"Bench {stamp} events")
    client.make_addressbook(target.book, f"Bench {stamp} cards")
    for collection, objects, content_type in ((target.calendar, events, ICALENDAR), (target.book, cards, VCARD)):
        started = time.perf_counter()
        if target.radicale is not None and args.radicale_load == "files":
            target.radicale.write_items(collection, objects)
            how = "written to Radicale's storage"
        else:
            client.put_many(collection, objects, content_type, workers=4)
            how = "PUT, 4 at a time"
        print(
            f"{target.name}: {len(objects)} objects into {collection} ({how}) in {time.perf_counter() - started:.1f} s"
        )


def measure(targets: list[Target], args: argparse.Namespace, events: list[data.DavObject], truth: set[str]) -> bool:
    ok = True
    # 1. The month's calendar-query; the first answer of each server is checked against the truth.
    query: Callable[[Target], Response] = lambda t: t.client.calendar_query(  # noqa: E731
        t.calendar, data.QUERY_START, data.QUERY_END
    )
    answers = repeat(targets, args, "query", query)
    expected = compare.expected_instances(events, truth)
    found = {t.name: compare.found_instances(answers[t.name].body) for t in targets}
    for target in targets:
        problems = compare.query_mismatch(target.name, expected, found[target.name])
        print("\n".join(problems or [f"{target.name}: calendar-query returned the expected {len(expected)} events"]))
        ok &= not problems
    if len(targets) == 2:  # the same set from both, whatever the truth says
        a, b = targets
        problems = compare.query_mismatch(a.name, found[b.name], found[a.name], against=b.name)
        print("\n".join(problems or [f"{a.name} and {b.name} returned the same events"]))
        ok &= not problems

    # 2. Calendar sync: initial, then 10 changes, then the sync from the initial token.
    ok &= sync_figures(
        targets,
        args,
        "cal",
        lambda t: t.calendar,
        data.calendar_changes(args.events, seed=args.seed),
        ICALENDAR,
        args.events,
    )
    # 3. Address book sync, the same way.
    ok &= sync_figures(
        targets, args, "book", lambda t: t.book, data.card_changes(args.cards, seed=args.seed), VCARD, args.cards
    )
    return ok


def repeat(
    targets: list[Target], args: argparse.Namespace, figure: str, call: Callable[[Target], Response]
) -> dict[str, Response]:
    """Warm up, then run `call` --runs times per server, interleaved so drift hits both alike."""
    first: dict[str, Response] = {}
    for target in targets:
        for _ in range(args.warmup):
            first.setdefault(target.name, call(target))
    for _ in range(args.runs):
        for target in targets:
            answer = call(target)
            first.setdefault(target.name, answer)
            target.record(figure, answer)
    return first


def sync_figures(
    targets: list[Target],
    args: argparse.Namespace,
    figure: str,
    collection: Callable[[Target], str],
    changes: data.Changes,
    content_type: str,
    count: int,
) -> bool:
    ok = True
    initial = repeat(targets, args, f"{figure}-initial", lambda t: t.client.sync_collection(collection(t)))
    tokens: dict[str, str] = {}
    for target in targets:
        problems = compare.initial_sync_mismatch(f"{target.name} {figure}", initial[target.name].body, count)
        print("\n".join(problems or [f"{target.name}: initial {figure} sync listed all {count} resources"]))
        ok &= not problems
        tokens[target.name] = parse_multistatus(initial[target.name].body).sync_token or ""
        path = collection(target)
        for obj in (*changes.added, *changes.edited):
            target.client.put(path, obj, content_type)
        for name in changes.deleted:
            target.client.delete(path + name)
    incremental = repeat(
        targets, args, f"{figure}-changes", lambda t: t.client.sync_collection(collection(t), tokens[t.name])
    )
    for target in targets:
        problems = compare.changes_sync_mismatch(f"{target.name} {figure}", incremental[target.name].body, changes)
        print("\n".join(problems or [f"{target.name}: {figure} sync after the changes listed exactly those 10"]))
        ok &= not problems
    return ok


def percentile_90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10, method="inclusive")[8] if len(values) > 1 else values[0]


def print_table(targets: list[Target], args: argparse.Namespace) -> None:
    rows = (
        ("query", f"calendar-query, 1 month of {args.events} events"),
        ("cal-initial", f"calendar sync, initial ({args.events})"),
        ("cal-changes", "calendar sync, after 10 changes"),
        ("book-initial", f"address book sync, initial ({args.cards})"),
        ("book-changes", "address book sync, after 10 changes"),
    )
    names = [t.name for t in targets]
    head = f"{'figure':<44}" + "".join(f"{n + ' median':>16}{'p90':>10}{'bytes':>11}" for n in names)
    if len(targets) == 2:
        head += f"{'time ratio':>12}{'bytes ratio':>13}"
    print(f"\n{args.runs} runs each after {args.warmup} warm-up, medians in ms\n" + head)
    for key, label in rows:
        line = f"{label:<44}"
        for target in targets:
            runs = target.timings[key]
            line += f"{statistics.median(runs) * 1000:>16.1f}{percentile_90(runs) * 1000:>10.1f}"
            line += f"{target.sizes[key]:>11,}"
        if len(targets) == 2:
            a, b = targets
            line += f"{ratio(a, b, key):>12.3f}{a.sizes[key] / max(b.sizes[key], 1):>13.3f}"
        print(line)
    print("\nincremental sync against initial (10 changes; the ideal is proportional: 10/N)")
    for target in targets:
        for what, count in (("cal", args.events), ("book", args.cards)):
            time_share = statistics.median(target.timings[f"{what}-changes"]) / statistics.median(
                target.timings[f"{what}-initial"]
            )
            byte_share = target.sizes[f"{what}-changes"] / max(target.sizes[f"{what}-initial"], 1)
            print(
                f"  {target.name:<9} {'calendar' if what == 'cal' else 'address book':<13} time x{time_share:.4f}, "
                f"bytes x{byte_share:.4f} (10/{count} = {10 / count:.4f})"
            )
    if len(targets) == 2 and targets[0].name == "Roost":
        median = statistics.median(targets[0].timings["query"])
        share = ratio(targets[0], targets[1], "query")
        print(
            "\ntarget: Roost calendar-query < 100 ms: "
            f"{'met' if median < 0.1 else 'NOT met'} ({median * 1000:.1f} ms); "
            f"<= 0.05x Radicale: {'met' if share <= 0.05 else 'NOT met'} ({share:.3f}x)"
        )


def ratio(a: Target, b: Target, key: str) -> float:
    return statistics.median(a.timings[key]) / statistics.median(b.timings[key])


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (DavError, ConnectionError) as error:  # a server that is down or says no: one line, not a trace
        print(f"error: {error}", file=sys.stderr)
        sys.exit(2)
