"""The lock files (requirements/*.txt) pin exactly what pyproject.toml asks for, each with its hashes,
so a dependency added to pyproject.toml without `python3 deploy/lock.py` fails here, not on a new machine."""

import importlib.util
import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("lock", ROOT / "deploy" / "lock.py")
assert spec
assert spec.loader
lock = importlib.util.module_from_spec(spec)
spec.loader.exec_module(lock)

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^ ;\\]+)")


def pins(path: Path) -> dict[str, str]:
    found = {}
    for line in path.read_text().splitlines():
        match = PIN.match(line)
        if match:
            found[canonicalize_name(match[1])] = match[2]
    return found


def test_the_lock_files_were_made_from_these_dependencies() -> None:
    stale = lock.stale_locks()
    assert not stale, f"{[str(p) for p in stale]} are stale: run `python3 deploy/lock.py` and commit the result"


@pytest.mark.parametrize("kind", ["base", "dev"])
def test_every_dependency_is_pinned_within_its_range(kind: str) -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = project["dependencies"] + (project["optional-dependencies"]["dev"] if kind == "dev" else [])
    pinned = pins(lock.LOCKS[kind])
    for line in wanted:
        requirement = Requirement(line)
        name = canonicalize_name(requirement.name)
        assert name in pinned, f"{requirement.name} is not in requirements/{kind}.txt: run `python3 deploy/lock.py`"
        assert requirement.specifier.contains(pinned[name], prereleases=True), (requirement, pinned[name])


def test_dev_pins_the_same_versions_as_base() -> None:
    base, dev = pins(lock.LOCKS["base"]), pins(lock.LOCKS["dev"])
    assert {name: dev.get(name) for name in base} == base


@pytest.mark.parametrize("kind", ["base", "dev"])
def test_every_pin_carries_a_hash(kind: str) -> None:
    text = lock.LOCKS[kind].read_text()
    entries = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 3)[3])
    assert entries
    for entry in entries:
        assert PIN.match(entry), entry[:80]
        assert "--hash=sha256:" in entry, entry[:80]


def test_a_changed_dependency_makes_the_lock_stale(tmp_path: Path) -> None:
    text = (ROOT / "pyproject.toml").read_text()
    changed = tmp_path / "pyproject.toml"
    changed.write_text(text.replace('"nh3>=', '"nh3>0.1,!=0.2.0,>=', 1))
    assert text != changed.read_text()
    assert lock.stale_locks(changed) == list(lock.LOCKS.values())
    # Tool settings beside the dependencies do not touch the lock.
    changed.write_text(text.replace("line-length = 120", "line-length = 100", 1))
    assert lock.stale_locks(changed) == []
