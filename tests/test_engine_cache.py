"""The engine cache runs only binaries nobody else could have put there: `tests/engine/build.sh` refuses a cache
another user could change before it runs anything in it, and the engine tests check each binary's SHA-256."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

sys.path.insert(0, str(ROOT / "tests" / "engine"))

import harness  # noqa: E402

BUILD = ROOT / "tests" / "engine" / "build.sh"
OTHER = 4242  # another user: the tests run as root, which can hand a file to anyone


def _old_stamp() -> str:
    """The stamp build.sh once trusted alone: a hash of public sources, which anyone can compute."""
    names = ("go.mod", "go.sum", "languagehost/main.go", "sdkgen/sdkgen.go", "nodejsgen/main.go")
    lines = "".join(f"{hashlib.sha256((BUILD.parent / 'build' / n).read_bytes()).hexdigest()}  {n}\n" for n in names)
    lines += f"{hashlib.sha256(BUILD.read_bytes()).hexdigest()}  -\n"
    return hashlib.sha256(lines.encode()).hexdigest()[:32]


def _plant(home: Path, marker: Path) -> Path:
    """A cache with a fake `pulumi` of the pinned version under the stamp build.sh would compute."""
    version = harness.pinned_version()
    for part in harness.PARTS:
        (home / version / part).mkdir(parents=True)
    fake = home / version / "bin" / "pulumi"
    fake.write_text(f"#!/bin/sh\ntouch {marker}\necho v{version}\n")
    fake.chmod(0o755)
    (home / version / "bin" / ".stamp").write_text(_old_stamp() + "\n")
    return home / version


@pytest.mark.parametrize("how", ["world-writable home", "part of another uid", "irsa link of another uid"])
def test_a_cache_another_user_could_plant_is_refused_before_anything_in_it_runs(how: str, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    if how == "irsa link of another uid":
        shared, victim = tmp_path / "shared", tmp_path / "planted"
        shared.mkdir()  # yours: the link was there before you used it, or came with a shared home
        _plant(victim / "engine", marker)
        (shared / "irsa").symlink_to(victim)
        os.chown(shared / "irsa", OTHER, OTHER, follow_symlinks=False)
        env = {"XDG_CACHE_HOME": str(shared)}
    else:
        home = tmp_path / "engine"
        planted = _plant(home, marker)
        if how == "world-writable home":
            home.chmod(0o777)
        else:
            os.chown(planted / "bin", OTHER, OTHER)
        env = {"IRSA_ENGINE_HOME": str(home)}
    run_env = {k: v for k, v in os.environ.items() if k not in ("IRSA_ENGINE_HOME", "XDG_CACHE_HOME")}
    path = ":".join(p for p in os.environ["PATH"].split(":") if not (Path(p) / "pulumi").exists())
    done = subprocess.run([str(BUILD)], env={**run_env, "PATH": path, **env}, capture_output=True, text=True,
                          timeout=60, check=False)  # fmt: skip
    assert done.returncode == 2 and done.stdout == ""
    [line] = done.stderr.splitlines()
    assert line.startswith("make engine: the engine cache is refused: ")
    wrong = {"world-writable home": "may be written by others (mode 0777)",
             "part of another uid": f"is owned by uid {OTHER}",
             "irsa link of another uid": "/shared/irsa: is a symbolic link"}[how]  # fmt: skip
    assert wrong in line
    assert not marker.exists()  # the planted pulumi never ran


def test_the_engine_tests_refuse_a_binary_that_is_not_the_one_built(tmp_path: Path) -> None:
    home = tmp_path / "3.0.0"
    for part in harness.PARTS:
        (home / part).mkdir(parents=True, mode=0o700)
        (home / part).chmod(0o700)
        binary = home / part / "tool"
        binary.write_bytes(b"built")
        (home / part / ".stamp").write_text(f"stamp\n{hashlib.sha256(b'built').hexdigest()}  tool\n")
    assert harness.engine_problem(home) is None
    (home / "kubernetes" / "tool").write_bytes(b"swapped")
    assert harness.engine_problem(home) == f"{home / 'kubernetes' / 'tool'}: is not the binary `make engine` built " \
                                           "(its SHA-256 differs)"  # fmt: skip
    os.chown(home / "yaml" / "tool", OTHER, OTHER)
    (home / "kubernetes" / "tool").write_bytes(b"built")
    assert f"{home / 'yaml' / 'tool'}: is owned by uid {OTHER}" in str(harness.engine_problem(home))


SCRIPT_TOOLS = ("bash", "sh", "python3", "sed", "sort", "head", "tail", "dirname", "cut", "sha256sum", "wc",
                "date", "mkdir", "df", "awk", "cat", "printf", "env", "tr", "ln", "install", "mv", "id", "stat")


def _without(tool: str, shadow: Path) -> str:
    """A PATH of one directory linking the commands build.sh uses, but not `tool` (go may live in /usr/bin)."""
    shadow.mkdir()
    for name in SCRIPT_TOOLS:
        # python3: this interpreter itself (a version manager's shim on PATH needs the manager there too)
        found = str(Path(sys.executable).resolve()) if name == "python3" else shutil.which(name)
        if found is not None and name != tool:
            (shadow / name).symlink_to(found)
    return str(shadow)


def test_make_engine_without_go_says_in_one_line_what_it_needs(tmp_path: Path) -> None:
    home = tmp_path / "engine"
    home.mkdir(mode=0o700)
    run_env = {k: v for k, v in os.environ.items() if k not in ("IRSA_ENGINE_HOME", "XDG_CACHE_HOME")}
    env = {**run_env, "PATH": _without("go", tmp_path / "path"), "IRSA_ENGINE_HOME": str(home)}
    done = subprocess.run([str(BUILD)], env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2 and done.stdout == ""
    [line] = done.stderr.splitlines()
    needed = max((m for f in (BUILD.parent / "build").rglob("go.mod")
                  for m in [f.read_text().split("\ngo ", 1)[1].split("\n", 1)[0]]),
                 key=lambda v: tuple(int(x) for x in v.split(".")))  # fmt: skip
    assert line.startswith(f"make engine: needs Go >= {needed} to build the engine and finds no go on PATH: ")
    assert "GOTOOLCHAIN" in line


def test_make_engine_with_an_old_go_names_both_versions(tmp_path: Path) -> None:
    fake = tmp_path / "bin"
    fake.mkdir()
    go = fake / "go"
    go.write_text('#!/bin/sh\n[ "$1 $2" = "env GOVERSION" ] && echo go1.22.0 && exit 0\nexit 1\n')
    go.chmod(0o755)
    home = tmp_path / "engine"
    home.mkdir(mode=0o700)
    run_env = {k: v for k, v in os.environ.items() if k not in ("IRSA_ENGINE_HOME", "XDG_CACHE_HOME")}
    done = subprocess.run([str(BUILD)], env={**run_env, "PATH": f"{fake}:{_without('go', tmp_path / 'path')}",
                                             "IRSA_ENGINE_HOME": str(home)},
                          capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
    assert done.returncode == 2
    [line] = done.stderr.splitlines()
    assert "and finds Go 1.22.0" in line and "GOTOOLCHAIN=go" in line
