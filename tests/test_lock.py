"""The locks `make` installs from agree with the ranges users depend on: every package a requirements file
names is locked at a version its range allows, every locked package carries hashes, the runtime lock is
the dev lock's runtime part, and what is installed here is what is locked."""

from __future__ import annotations

import importlib.metadata
import re
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent


def _locked(lock: str) -> dict[str, tuple[str, list[str]]]:
    """name → (version, hashes) of a pip-compile lock."""
    found: dict[str, tuple[str, list[str]]] = {}
    for entry in re.split(r"\n(?=[A-Za-z0-9])", (ROOT / lock).read_text()):
        head = re.match(r"([A-Za-z0-9_.-]+)==([^\s\\]+)", entry)
        if head:
            found[canonicalize_name(head[1])] = (head[2], re.findall(r"--hash=sha256:([0-9a-f]{64})", entry))
    return found


def _ranges(requirements: str) -> list[Requirement]:
    found = []
    for line in (ROOT / requirements).read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            found.append(Requirement(line))
    return found


@pytest.mark.parametrize(
    ("requirements", "lock"),
    [("requirements.txt", "requirements.lock"), ("requirements-dev.txt", "requirements-dev.lock")],
)
def test_each_range_is_locked_within_it_with_hashes(requirements: str, lock: str) -> None:
    locked = _locked(lock)
    for requirement in _ranges(requirements):
        version, _ = locked[canonicalize_name(requirement.name)]
        assert requirement.specifier.contains(version, prereleases=True), (requirement, version)
    assert locked and all(hashes for _, hashes in locked.values()), [n for n, (_, h) in locked.items() if not h]


def test_the_runtime_lock_is_the_dev_locks_runtime_part() -> None:
    runtime, dev = _locked("requirements.lock"), _locked("requirements-dev.lock")
    assert {n: v for n, (v, _) in runtime.items()} == {n: dev[n][0] for n in runtime}


def test_what_is_installed_is_what_is_locked() -> None:
    """The goldens and the engine tests were made with these versions: a venv that drifted is caught here."""
    drifted = {}
    for name, (version, _) in _locked("requirements-dev.lock").items():
        installed = importlib.metadata.version(name)
        if installed != version:
            drifted[name] = (installed, version)
    assert drifted == {}


def test_the_provider_plugin_installs_the_same_ranges() -> None:
    assert (ROOT / "provider" / "requirements.txt").read_text() == (ROOT / "requirements.txt").read_text()
