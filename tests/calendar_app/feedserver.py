"""A real HTTP server on loopback for the subscription tests: calendar files with ETags (and 304 for a
matching If-None-Match), and the misbehaving answers a guard must survive (too large, trickling, a redirect
into the private network), for GET and for the PROPFIND/REPORT a CalDAV client sends."""

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Feeds:
    files: dict[str, tuple[bytes, str]] = field(default_factory=dict)  # path -> (body, etag)
    seen: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)  # (method, path, headers)
    big_size: int = 0

    def put(self, path: str, text: str, etag: str) -> None:
        self.files[path] = (text.encode(), etag)

    def requests_to(self, path: str) -> list[dict[str, str]]:
        return [headers for _method, seen_path, headers in self.seen if seen_path == path]


class _Handler(BaseHTTPRequestHandler):
    feeds: Feeds

    def _misbehave(self) -> bool:
        path = self.path
        if path.startswith("/slow"):
            self._trickle()
            return True
        if path.startswith("/big"):
            self.send_response(207 if self.command != "GET" else 200)
            self.send_header("Content-Type", "text/calendar" if self.command == "GET" else "application/xml")
            if path.startswith("/big-declared"):
                self.send_header("Content-Length", str(self.feeds.big_size))
            self.end_headers()  # otherwise no length: the body runs until the connection closes
            chunk = b"X" * 65536
            try:
                for _ in range(self.feeds.big_size // len(chunk) + 1):
                    self.wfile.write(chunk)
            except OSError:
                pass  # the client stopped reading, as it should
            return True
        if path.startswith("/to-private"):
            self.send_response(302)
            self.send_header("Location", "http://10.0.0.1/calendar/")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return True
        return False

    def _trickle(self) -> None:
        """A byte every 0.2 s: each arrives well within a socket timeout, the whole never within a deadline."""
        self.wfile.write(b"HTTP/1.0 200 OK\r\nContent-Type: text/calendar\r\nContent-Length: 100000\r\n\r\n")
        try:
            for _ in range(200):
                self.wfile.write(b"B")
                self.wfile.flush()
                time.sleep(0.2)
        except OSError:
            pass

    def do_GET(self) -> None:
        self.feeds.seen.append(("GET", self.path, dict(self.headers.items())))
        if self._misbehave():
            return
        path = self.path
        if path.startswith("/delayed"):  # a whole answer, a second late
            time.sleep(1.0)
            path = path.removeprefix("/delayed")
        found = self.feeds.files.get(path)
        if found is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body, etag = found
        if etag and self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/calendar; charset=utf-8")
        if etag:
            self.send_header("ETag", etag)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _dav(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self.feeds.seen.append((self.command, self.path, dict(self.headers.items())))
        if not self._misbehave():
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()

    do_PROPFIND = _dav
    do_REPORT = _dav
    do_OPTIONS = _dav

    def log_message(self, *args: object) -> None:
        pass


@dataclass
class FeedServer:
    url: str
    feeds: Feeds


def feed_server(big_size: int) -> Iterator[FeedServer]:
    feeds = Feeds(big_size=big_size)
    handler = type("Handler", (_Handler,), {"feeds": feeds})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield FeedServer(url=f"http://127.0.0.1:{httpd.server_address[1]}", feeds=feeds)
    finally:
        httpd.shutdown()
        httpd.server_close()


def ics(*events: str) -> str:
    return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Feed tests//EN\r\n" + "".join(events) + "END:VCALENDAR\r\n"


def vevent(uid: str, summary: str, start: str, end: str, *extra: str, stamp: str = "20261201T000000Z") -> str:
    lines = [f"UID:{uid}", f"DTSTAMP:{stamp}", f"DTSTART:{start}", f"DTEND:{end}", f"SUMMARY:{summary}", *extra]
    return "BEGIN:VEVENT\r\n" + "".join(line + "\r\n" for line in lines) + "END:VEVENT\r\n"
