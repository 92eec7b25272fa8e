#!/usr/bin/env python3
"""Pin Roost's Python dependencies, with hashes, from pyproject.toml:

    requirements/base.txt   what runs Roost (deploy/setup.sh installs it)
    requirements/dev.txt    the same pins plus the test, lint and type tools (deploy/test.sh installs it)

Run after changing a dependency in pyproject.toml:

    python3 deploy/lock.py             keep every pin that still fits, pin what is new
    python3 deploy/lock.py --upgrade   take the newest versions pyproject.toml allows
    python3 deploy/lock.py --check     fail if the lock files were made from other dependencies

The files are resolved for every platform and Python version pyproject.toml admits (uv's universal
mode), so one lock serves every machine. Each file records a digest of the dependency tables it was
made from; --check (and deploy/lib.sh before installing) compares it. Standard library only: the check
runs before the virtual environment exists.
"""

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"
LOCKS = {"base": ROOT / "requirements" / "base.txt", "dev": ROOT / "requirements" / "dev.txt"}
DIGEST_PREFIX = "# pyproject.toml dependencies sha256: "
COMMAND = "python3 deploy/lock.py"


def dependencies_digest(pyproject: Path = PYPROJECT) -> str:
    """A digest of what the lock is made from: the dependency tables, not the tool settings beside them."""
    project = tomllib.loads(pyproject.read_text())["project"]
    tables = {key: project.get(key) for key in ("requires-python", "dependencies", "optional-dependencies")}
    return hashlib.sha256(json.dumps(tables, sort_keys=True).encode()).hexdigest()


def recorded_digest(lock: Path) -> str | None:
    if not lock.exists():
        return None
    for line in lock.read_text().splitlines():
        if line.startswith(DIGEST_PREFIX):
            return line.removeprefix(DIGEST_PREFIX).strip()
    return None


def pins(lock: Path) -> dict[str, str]:
    """name -> version of every pin in a lock file (names in lower case, '_' and '.' as '-')."""
    found = {}
    for line in lock.read_text().splitlines():
        name, sep, rest = line.partition("==")
        if sep and line[:1].isalnum():
            found[name.strip().lower().replace("_", "-").replace(".", "-")] = rest.split(";")[0].split()[0]
    return found


def stale_locks(pyproject: Path = PYPROJECT, locks: dict[str, Path] = LOCKS) -> list[Path]:
    digest = dependencies_digest(pyproject)
    return [lock for lock in locks.values() if recorded_digest(lock) != digest]


def find_uv() -> str:
    for candidate in (ROOT / ".venv" / "bin" / "uv", shutil.which("uv")):
        if candidate and os.access(candidate, os.X_OK):
            return str(candidate)
    sys.exit("roost: uv is missing: install the dev tools first (bash deploy/test.sh --unit), or pip install uv")


def compile_lock(uv: str, lock: Path, extras: list[str], constraints: list[Path], upgrade: bool) -> None:
    lock.parent.mkdir(exist_ok=True)
    command = [uv, "pip", "compile", str(PYPROJECT.relative_to(ROOT)), "--output-file", str(lock.relative_to(ROOT))]
    command += ["--universal", "--python-version", "3.11", "--generate-hashes", "--quiet"]
    command += ["--custom-compile-command", COMMAND]
    command += [arg for extra in extras for arg in ("--extra", extra)]
    command += [arg for path in constraints for arg in ("--constraint", str(path.relative_to(ROOT)))]
    if upgrade:
        command.append("--upgrade")
    subprocess.run(command, cwd=ROOT, check=True)
    lines = [line for line in lock.read_text().splitlines() if not line.startswith(DIGEST_PREFIX)]
    # After uv's own two header lines, so the file still says first how it was made.
    lines.insert(2, DIGEST_PREFIX + dependencies_digest())
    lock.write_text("\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--upgrade", action="store_true", help="take the newest allowed versions")
    parser.add_argument("--check", action="store_true", help="only check that the lock files are current")
    args = parser.parse_args()
    if args.check:
        stale = stale_locks()
        if stale:
            names = ", ".join(str(lock.relative_to(ROOT)) for lock in stale)
            sys.exit(f"roost: {names} do not match the dependencies in pyproject.toml: run `{COMMAND}`")
        return
    uv = find_uv()
    compile_lock(uv, LOCKS["base"], [], [], args.upgrade)
    # The dev tools are resolved around the pinned runtime, so both files name the same versions.
    try:
        compile_lock(uv, LOCKS["dev"], ["dev"], [LOCKS["base"]], args.upgrade)
    except subprocess.CalledProcessError:
        # uv can split a constrained universal resolution on the markers a runtime pin carries (qh3's list of
        # machines, through caldav) into environments where a wheel-only pin (psycopg-binary) has no wheel,
        # and give up. Resolved without the constraint, the dev file must still name the runtime's versions.
        print("roost: resolving the dev tools again without the runtime pins as constraints", file=sys.stderr)
        compile_lock(uv, LOCKS["dev"], ["dev"], [], args.upgrade)
        base, dev = pins(LOCKS["base"]), pins(LOCKS["dev"])
        differ = sorted(
            f"{name} {version} (dev: {dev.get(name)})" for name, version in base.items() if dev.get(name) != version
        )
        if differ:
            sys.exit(f"roost: the dev lock names other versions than the runtime lock: {', '.join(differ)}")


if __name__ == "__main__":
    main()
