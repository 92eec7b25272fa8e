#!/usr/bin/env python3
"""Webmail speed: Roost over HTTP, as a browser calls it, against raw imapclient doing the same IMAP
work on the same Dovecot, in one run. Prints medians and 95th percentiles, warm and cold, and each
Roost figure as a ratio to the raw IMAP floor.

    .venv/bin/python bench/webmail_bench.py [--address bench100k@example.test] [--runs 20]

Needs the demo stack (deploy/setup.sh) and the seeded mailboxes (bench/seed_mailbox.py, which this
script runs first; it does nothing when the seed is already there). It starts its own web server
from this checkout on --port, so the figures are for the code in front of you.
"""

import argparse
import http.client
import os
import secrets
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import quote, urlencode

from imapclient import IMAPClient

ROOT = Path(__file__).resolve().parents[1]
PYTHON = str(ROOT / ".venv" / "bin" / "python")


def load_env() -> None:
    for path in ("/etc/roost/roost.env", "/etc/roost/stack/stack.env"):
        if Path(path).exists():
            for line in Path(path).read_text().splitlines():
                key, _, value = line.partition("=")
                if key and not key.startswith("#"):
                    os.environ.setdefault(key.strip(), value.strip())
    os.environ.setdefault("ROOST_DB_NAME", "roost")
    os.environ.setdefault("ROOST_DB_USER", "roost")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")


class Web:
    """A browser-like HTTP client: one keep-alive connection, the session cookie, CSRF on POST."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, bytes]:
        headers = {"Host": f"127.0.0.1:{self.port}", "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
            headers["Referer"] = f"http://127.0.0.1:{self.port}/"
            headers["Origin"] = f"http://127.0.0.1:{self.port}"
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        except (http.client.HTTPException, OSError):
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        data = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(header)
            for key, morsel in cookie.items():
                self.cookies[key] = morsel.value
        return response.status, data

    def get(self, path: str) -> bytes:
        status, data = self.request("GET", path)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}: {data[:300]!r}")
        return data

    def login(self, address: str, password: str) -> None:
        self.get("/login/")
        status, data = self.request(
            "POST",
            "/login/",
            urlencode({"address": address, "password": password, "csrfmiddlewaretoken": self.cookies["csrftoken"]}),
        )
        if status != 302:
            raise RuntimeError(f"login failed ({status}): {data[:300]!r}")


def start_server(port: int) -> subprocess.Popen[bytes]:
    env = dict(os.environ, ROOST_BASE_URL=f"http://127.0.0.1:{port}", ROOST_LOGIN_MAX_FAILURES="1000")
    # the server and options deploy/run.sh starts
    command = [str(ROOT / ".venv" / "bin" / "uvicorn"), "--host", "127.0.0.1", "--port", str(port)]
    command += ["--no-proxy-headers", "--lifespan", "off", "--ws", "websockets-sansio", "config.asgi:application"]
    server = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/login/")
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("the benchmark web server did not start")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=30)


def timed(fn: Callable[[], object], runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def imap_connect(address: str) -> IMAPClient:
    client = IMAPClient("127.0.0.1", int(os.environ.get("ROOST_IMAP_PORT", "143")), ssl=False, timeout=120)
    client.login(
        f"{address}*{os.environ.get('ROOST_DOVECOT_MASTER_USER', 'roost')}", os.environ["ROOST_DOVECOT_MASTER_PASSWORD"]
    )
    return client


SUMMARY = ["UID", "FLAGS", "ENVELOPE", "INTERNALDATE", "RFC822.SIZE", "BODYSTRUCTURE", "SNIPPET (FUZZY)"]


def raw_list(client: IMAPClient, keys: list[str], page: int, select: bool = True) -> None:
    if select:
        client.select_folder("INBOX")
    uids = client.sort(keys)
    client.fetch(uids[(page - 1) * 50 : page * 50], SUMMARY)


def raw_threads(client: IMAPClient) -> None:
    client.select_folder("INBOX")
    threads = client.thread("REFERENCES")
    newest = sorted((max(_flat(t)) for t in threads), reverse=True)[:50]
    client.fetch(newest, SUMMARY)


def _flat(node: object) -> list[int]:
    if isinstance(node, int):
        return [node]
    return [uid for child in node for uid in _flat(child)]  # type: ignore[attr-defined]


def raw_open(client: IMAPClient, uid: int, sections: list[str], select: bool = True) -> None:
    if select:
        client.select_folder("INBOX")
    client.fetch([uid], ["FLAGS", "ENVELOPE", "RFC822.SIZE", "BODYSTRUCTURE", "INTERNALDATE"])
    client.fetch([uid], [f"BODY.PEEK[{s}]" for s in sections])


def raw_search(client: IMAPClient, criteria: list[object]) -> None:
    client.select_folder("INBOX")
    uids = client.sort(["REVERSE", "DATE"], criteria)
    client.fetch(uids[:50], SUMMARY)


def raw_download(client: IMAPClient, uid: int, part: str) -> int:
    client.select_folder("INBOX")
    total, offset, chunk = 0, 0, 1 << 20
    while True:
        data = client.fetch([uid], [f"BODY.PEEK[{part}]<{offset}.{chunk}>"])[uid]
        piece = data.get(f"BODY[{part}]<{offset}>".encode()) or b""
        total += len(piece)
        if len(piece) < chunk:
            return total
        offset += len(piece)


def find_uids(client: IMAPClient) -> dict[str, tuple[int, str]]:
    """A plain message, an HTML message with attachments, and a 10 MB attachment, by structure."""
    client.select_folder("INBOX", readonly=True)
    found: dict[str, tuple[int, str]] = {}
    big = client.search(["SUBJECT", "[bench-10mb]"])
    if big:
        found["download"] = (big[0], "2")
    uids = client.search(["SINCE", "01-Jan-2000"])[-400:]
    for uid, item in client.fetch(uids, ["BODYSTRUCTURE", "RFC822.SIZE"]).items():
        bs = item[b"BODYSTRUCTURE"]
        if not bs.is_multipart and bs[0].lower() == b"text" and "plain" not in found:
            found["plain"] = (uid, "1")
        elif bs.is_multipart and bs[1].lower() == b"mixed" and "html" not in found:
            first = bs[0][0]
            if first.is_multipart and first[1].lower() == b"alternative":
                found["html"] = (uid, "1.2")
    return found


def forget_list_cache() -> None:
    """Cold means no cached UID list either: drop Roost's list cache keys."""
    scan = ["redis-cli", "-n", "0", "--scan", "--pattern", "roost:*:*"]
    keys = [
        k
        for k in subprocess.run(scan, capture_output=True, text=True).stdout.split()
        if ":uids:" in k or ":threads:" in k
    ]
    if keys:
        subprocess.run(["redis-cli", "-n", "0", "DEL", *keys], capture_output=True)


class _SkipDownload(Exception):
    pass


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def count_checkouts(address: str, paths: list[str]) -> list[tuple[str, int, int]]:
    """IMAP checkouts and FETCH commands of each request, counted in this process: Django's test client
    against the same settings, stack and mailbox as the server (the server's own pool cannot be asked).
    Each path is requested once first, so the sidebar's folder cache and the list cache are warm."""
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.conf import settings
    from django.test import Client

    from accounts.models import User
    from webmail import mailstore

    counts = {"checkouts": 0, "fetches": 0}
    real_connection = mailstore.POOL.connection

    def counting_connection(*args: object, **kwargs: object) -> object:
        counts["checkouts"] += 1
        return real_connection(*args, **kwargs)  # type: ignore[arg-type]

    real_fetch = IMAPClient.fetch

    def counting_fetch(self: IMAPClient, *args: object, **kwargs: object) -> object:
        counts["fetches"] += 1
        return real_fetch(self, *args, **kwargs)  # type: ignore[arg-type]

    client = Client(HTTP_HOST=settings.ALLOWED_HOSTS[0])
    client.force_login(User.objects.get(username=address))
    mailstore.POOL.connection = counting_connection  # type: ignore[method-assign]
    IMAPClient.fetch = counting_fetch  # type: ignore[method-assign]
    found = []
    try:
        for path in paths:
            page, frame = path, path.replace("/?", "/body/?", 1)
            client.get(page)
            client.get(frame)
            for url in (page, frame):
                counts.update(checkouts=0, fetches=0)
                if client.get(url).status_code != 200:
                    raise RuntimeError(f"GET {url} failed in the counting client")
                found.append((url, counts["checkouts"], counts["fetches"]))
            # The frame right after its page, as a browser loads them: the body may come from the page's work.
            client.get(page)
            counts.update(checkouts=0, fetches=0)
            client.get(frame)
            found.append((frame + " (after its page)", counts["checkouts"], counts["fetches"]))
    finally:
        mailstore.POOL.connection = real_connection  # type: ignore[method-assign]
        IMAPClient.fetch = real_fetch  # type: ignore[method-assign]
        mailstore.POOL.clear()
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--address", default="bench100k@example.test")
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--cold-runs", type=int, default=5)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated scenario names to run (e.g. 'open plain,open html+att'); all by default",
    )
    args = parser.parse_args()
    only = {name.strip() for name in args.only.split(",") if name.strip()}
    load_env()
    # A fresh password each run unless one is given: the seed script sets it, so no fixed one exists.
    password = os.environ.get("ROOST_BENCH_PASSWORD") or secrets.token_urlsafe(15)
    seed = [PYTHON, str(ROOT / "bench" / "seed_mailbox.py"), "--address", args.address, "--count", str(args.count)]
    subprocess.run([*seed, "--password", password], check=True)

    raw = imap_connect(args.address)
    targets = find_uids(raw)
    print(f"mailbox {args.address}: {raw.select_folder('INBOX')[b'EXISTS']} messages; picked {targets}")
    inbox = "/mail/f/INBOX/"
    plain_uid, html_uid = targets["plain"][0], targets["html"][0]
    big_uid, big_part = targets["download"]
    scenarios: list[tuple[str, str, Callable[[IMAPClient], object]]] = [
        ("list page 1", inbox, lambda c: raw_list(c, ["REVERSE", "DATE"], 1)),
        ("list page 500", inbox + "?page=500", lambda c: raw_list(c, ["REVERSE", "DATE"], 500)),
        ("list by sender", inbox + "?sort=from", lambda c: raw_list(c, ["REVERSE", "FROM"], 1)),
        ("conversations", inbox + "?view=threads", raw_threads),
        ("open plain", f"/mail/m/{plain_uid}/?f=INBOX", lambda c: raw_open(c, plain_uid, ["1"])),
        ("open html+att", f"/mail/m/{html_uid}/?f=INBOX", lambda c: raw_open(c, html_uid, ["1.2"])),
        ("html body frame", f"/mail/m/{html_uid}/body/?f=INBOX", lambda c: raw_open(c, html_uid, ["1.2"])),
        (
            "search subject",
            inbox + "?subject=" + quote("Quarterly budget review"),
            lambda c: raw_search(c, ["SUBJECT", "Quarterly budget review"]),
        ),
        (
            "search body",
            inbox + "?q=zanzibarquux",
            lambda c: raw_search(
                c,
                [
                    "OR",
                    "OR",
                    "FROM",
                    "zanzibarquux",
                    "TO",
                    "zanzibarquux",
                    "OR",
                    "OR",
                    "CC",
                    "zanzibarquux",
                    "SUBJECT",
                    "zanzibarquux",
                    "BODY",
                    "zanzibarquux",
                ],
            ),
        ),
        ("download 10 MB", f"/mail/m/{big_uid}/part/{big_part}/?f=INBOX", lambda c: raw_download(c, big_uid, big_part)),
    ]
    if only:
        scenarios = [s for s in scenarios if s[0] in only]
    body_runs = {"search body": 3, "conversations": 5, "download 10 MB": max(5, args.runs // 2)}

    server = start_server(args.port)
    rows = []
    try:
        web = Web(args.port)
        web.login(args.address, password)
        for name, path, raw_fn in scenarios:
            runs = body_runs.get(name, args.runs)
            web.get(path)  # warm: the server's pooled connection and the list cache are in place
            roost = timed(lambda p=path: web.get(p), runs)
            raw_fn(raw)
            floor = timed(lambda f=raw_fn: f(raw), runs)
            rows.append((name, "warm", roost, floor))
        # The stricter floor: the same FETCHes on a connection that has INBOX selected already.
        raw.select_folder("INBOX")
        kept = {
            "list page 1": lambda: raw.fetch(raw.sort(["REVERSE", "DATE"])[:50], SUMMARY),
            "open plain": lambda: raw_open(raw, plain_uid, ["1"], select=False),
            "open html+att": lambda: raw_open(raw, html_uid, ["1.2"], select=False),
        }
        for name, fn in kept.items():
            if only and name not in only:
                continue
            roost = next(r for n, k, r, _ in rows if n == name and k == "warm")
            rows.append((name, "kept", roost, timed(fn, args.runs)))
        if only and "download 10 MB" not in only:
            raise _SkipDownload
        before = rss_kb(server.pid)
        peak = before
        conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=120)
        conn.request(
            "GET",
            f"/mail/m/{big_uid}/part/{big_part}/?f=INBOX",
            headers={"Cookie": "; ".join(f"{k}={v}" for k, v in web.cookies.items())},
        )
        response = conn.getresponse()
        received = 0
        while chunk := response.read(256 * 1024):
            received += len(chunk)
            peak = max(peak, rss_kb(server.pid))
        grown = (peak - before) / 1024
        print(f"download: {received / 1e6:.1f} MB streamed; server RSS {before / 1024:.0f} MB, +{grown:.1f} MB at peak")
    except _SkipDownload:
        pass
    finally:
        stop_server(server)

    cold_names = {"list page 1", "list page 500", "open plain", "open html+att"}
    for name, path, raw_fn in [s for s in scenarios if s[0] in cold_names]:
        roost_cold, raw_cold = [], []
        for _ in range(args.cold_runs):
            server = start_server(args.port)
            try:
                web = Web(args.port)
                web.login(args.address, password)
                forget_list_cache()
                start = time.perf_counter()
                web.get(path)
                roost_cold.append((time.perf_counter() - start) * 1000)
            finally:
                stop_server(server)
            start = time.perf_counter()
            fresh = imap_connect(args.address)
            raw_fn(fresh)
            raw_cold.append((time.perf_counter() - start) * 1000)
            fresh.logout()
        rows.append((name, "cold", roost_cold, raw_cold))
    raw.logout()
    counted = count_checkouts(args.address, [f"/mail/m/{plain_uid}/?f=INBOX", f"/mail/m/{html_uid}/?f=INBOX"])

    print()
    print("IMAP checkouts and FETCH commands per request (warm sidebar and list caches):")
    for url, checkouts, fetches in counted:
        print(f"  {url:<50} checkouts {checkouts}  fetches {fetches}")
    print()
    print("warm: Roost's pooled connection and list cache in place; raw does SELECT + SORT/SEARCH + FETCH.")
    print("kept: raw on a connection with INBOX already selected (no SELECT). cold: new server / new connection.")
    print(f"{'scenario':<18} {'':<5} {'Roost median':>13} {'p95':>8} {'raw IMAP median':>16} {'p95':>8} {'ratio':>6}")
    for name, kind, roost, floor in rows:
        ratio = statistics.median(roost) / max(statistics.median(floor), 0.001)
        roost_m, floor_m = statistics.median(roost), statistics.median(floor)
        figures = f"{roost_m:>10.1f} ms {p95(roost):>6.1f} {floor_m:>13.1f} ms {p95(floor):>6.1f} {ratio:>6.2f}"
        print(f"{name:<18} {kind:<5} {figures}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
