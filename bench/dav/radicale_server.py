"""Radicale from PyPI in the benchmark's own virtual environment (bench/.venv-radicale, never the project's
.venv), started on a free loopback port with htpasswd (plain) auth and its storage in a temporary folder.

The same environment carries icalendar and recurring-ical-events, which the benchmark uses to work out which
events truly fall in the queried month; bench/dav_bench.py re-runs itself inside it."""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType
from urllib.parse import unquote

from bench.dav.data import DavObject

BENCH_DIR = Path(__file__).resolve().parents[1]
VENV = BENCH_DIR / ".venv-radicale"
# Pinned so figures from different days compare; bump deliberately (and say so next to the figures).
REQUIREMENTS = ("radicale==3.9.0", "icalendar==7.3.2", "recurring-ical-events==3.8.2", "defusedxml==0.7.1")


def venv_python() -> Path:
    return VENV / "bin" / "python"


def ensure_venv() -> Path:
    """Create bench/.venv-radicale with the pinned packages, once; recreate it when the pins change."""
    marker = VENV / "bench-requirements.txt"
    wanted = "\n".join(REQUIREMENTS) + "\n"
    if marker.exists() and marker.read_text() == wanted and venv_python().exists():
        return venv_python()
    if VENV.exists():
        shutil.rmtree(VENV)
    print(f"creating {VENV} with {', '.join(REQUIREMENTS)}", file=sys.stderr)
    subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    subprocess.run(
        [str(venv_python()), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *REQUIREMENTS],
        check=True,
    )
    marker.write_text(wanted)
    return venv_python()


def running_in_venv() -> bool:
    return Path(sys.prefix).resolve() == VENV.resolve()


class RadicaleServer:
    """`with RadicaleServer(user, password) as server:` gives a running Radicale at server.url, gone after."""

    def __init__(self, user: str, password: str, *, keep_storage: bool = False) -> None:
        self.user = user
        self.password = password
        self.keep_storage = keep_storage
        self.root = Path(tempfile.mkdtemp(prefix="roost-bench-radicale-"))
        self.storage = self.root / "collections"
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> "RadicaleServer":
        self.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    def start(self) -> None:
        users = self.root / "users"
        users.write_text(f"{self.user}:{self.password}\n")
        users.chmod(0o600)
        config = self.root / "config"
        config.write_text(
            "[server]\n"
            f"hosts = 127.0.0.1:{self.port}\n"
            "[auth]\n"
            "type = htpasswd\n"
            f"htpasswd_filename = {users}\n"
            "htpasswd_encryption = plain\n"
            "[rights]\n"
            "type = owner_only\n"
            "[storage]\n"
            f"filesystem_folder = {self.storage}\n"
            "[web]\n"
            "type = none\n"
            "[logging]\n"
            "level = warning\n"
            "mask_passwords = True\n"
        )
        log = (self.root / "radicale.log").open("wb")
        self._process = subprocess.Popen(
            [str(venv_python()), "-m", "radicale", "--config", str(config)],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"Radicale exited at start:\n{(self.root / 'radicale.log').read_text()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("Radicale did not listen within 30 s")

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None
        if not self.keep_storage:
            shutil.rmtree(self.root, ignore_errors=True)

    def write_items(self, collection_path: str, objects: Iterable[DavObject]) -> int:
        """Bulk load: write each object as Radicale's multifilesystem storage keeps it
        (collection-root/<user>/<collection>/<name>), into a collection made over HTTP beforehand.
        Radicale builds its item cache and sync state on the next read, so only the load skips HTTP."""
        folder = self.storage / "collection-root" / unquote(collection_path).strip("/")
        if not (folder / ".Radicale.props").exists():
            raise RuntimeError(f"{folder} is not a Radicale collection (make it over HTTP first)")
        written = 0
        for obj in objects:
            (folder / obj.name).write_text(obj.text, encoding="utf-8", newline="")
            written += 1
        return written

    @property
    def log_path(self) -> Path:
        return self.root / "radicale.log"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def exec_in_venv(script: Path, argv: list[str]) -> None:
    """Replace this process by the same script run with the bench environment's Python."""
    python = ensure_venv()
    env = dict(os.environ, PYTHONPATH=str(BENCH_DIR.parent))
    os.execve(str(python), [str(python), str(script), *argv], env)
