"""The base revision of a diff as files: find the repository, resolve the revision to a commit (never an
option), and unpack what a plan of it reads."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import tarfile
from pathlib import Path

from components.cli.untrusted import read_bytes
from components.core.display import quote
from components.core.problems import ConfigError, InvalidInput, Problem

GIT_TIMEOUT = 60.0
MODULE_MAX_BYTES = 4 * 1024 * 1024


def git_root(start: Path) -> Path:
    """The git work tree holding `start`; ConfigError if there is none."""
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"], cwd=start, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        raise ConfigError(
            [Problem("--base", f"{start} is not inside a git work tree", "run diff in a clone")]
        ) from None
    return Path(out)


def resolve(root: Path, ref: str) -> str:
    """The commit a user-given revision names, as a full hash; ConfigError if it names none.

    The text is handed to git only after --end-of-options, so `--output=...` or `--remote=...` is read
    as a (non-existent) revision, never as an option.
    """
    allowed = "a branch, tag or commit of this repository, e.g. origin/main"
    if not ref or any(ch in ref for ch in "\0\n\r") or len(ref) > 1024:
        raise ConfigError([Problem("--base", f"{quote(ref)} is not a git revision", allowed)])
    try:
        found = subprocess.run(
            ["git", "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise ConfigError([Problem("--base", f"git rev-parse failed: {error}", allowed)]) from None
    commit = found.stdout.strip()
    if found.returncode != 0 or not re.fullmatch(r"[0-9a-f]{40}([0-9a-f]{24})?", commit):
        raise ConfigError([Problem("--base", f"{quote(ref)} is not a commit here", allowed)])
    return commit


PLANNED = ("components", "stacks", "Pulumi.yaml")  # what a plan of a revision reads


def materialise(
    root: Path, commit: str, into: Path, extra: tuple[str, ...] = (), only: tuple[str, ...] = PLANNED
) -> None:
    """Write what a plan of a resolved commit reads — `only` (its code, stacks and Pulumi.yaml) and `extra`
    top-level entries (a stack file elsewhere in it) — into a directory (git archive: no checkout, no index
    changes)."""
    assert re.fullmatch(r"[0-9a-f]{40,64}", commit), "resolve() the revision first"
    wanted = [e for e in _tree_entries(root, commit) if e in (*only, *extra)]
    if not wanted:  # an empty tree (a common first commit), or one without this project: nothing to plan
        return
    archive_file = into.parent / "base.tar"
    try:
        with archive_file.open("wb") as out:
            subprocess.run(
                ["git", "archive", "--format=tar", commit, "--", *wanted],
                cwd=root,
                stdout=out,
                stderr=subprocess.PIPE,
                check=True,
                timeout=GIT_TIMEOUT,
            )
    except (OSError, subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
        detail = getattr(error, "stderr", b"") or b""
        reason = detail.decode(errors="replace").strip().splitlines()[-1:] or [str(error)]
        raise ConfigError(
            [Problem("--base", f"cannot read the tree of {commit}: {quote(reason[0])}", "a readable commit")]
        ) from None
    try:
        with tarfile.open(archive_file, "r:") as tar:
            tar.extractall(into, filter="data")
    except (tarfile.TarError, OSError) as error:
        raise ConfigError(
            [Problem("--base", f"cannot unpack the tree of {commit}: {error}", "a readable commit")]
        ) from None


def _tree_entries(root: Path, commit: str) -> list[str]:
    listed = subprocess.run(
        ["git", "ls-tree", "--name-only", commit], cwd=root, capture_output=True, text=True, timeout=GIT_TIMEOUT
    )
    return listed.stdout.splitlines()


def same_code(root: Path, commit: str) -> bool:
    """Whether the working tree's tracked `components/` is the commit's, byte for byte (git compares them,
    using its index's stat cache: no file is unpacked for it)."""
    assert re.fullmatch(r"[0-9a-f]{40,64}", commit), "resolve() the revision first"
    found = subprocess.run(
        ["git", "diff", "--quiet", "--no-ext-diff", "--no-textconv", commit, "--", "components"],
        cwd=root,
        capture_output=True,
        timeout=GIT_TIMEOUT,
    )
    return found.returncode == 0


def reuse_bytecode(root: Path, tree: Path) -> int:
    """Give the unpacked tree the working tree's bytecode of every module whose source is byte-identical
    (its mtime too, which the bytecode is checked against): the base then compiles only what changed. Where
    PYTHONDONTWRITEBYTECODE is set nothing else would, and compiling the package costs a plan ~0.05 s.
    Returns how many modules it gave."""
    given = 0
    for source in (tree / "components").rglob("*.py"):
        twin = root / source.relative_to(tree)
        compiled = Path(importlib.util.cache_from_source(str(twin)))
        try:
            if not compiled.is_file() or _source(twin) != _source(source):
                continue
            stat = twin.stat()
            os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns))
            target = Path(importlib.util.cache_from_source(str(source)))
            target.parent.mkdir(exist_ok=True)
            shutil.copyfile(compiled, target)
            given += 1
        except (OSError, InvalidInput):
            continue
    return given


def _source(path: Path) -> bytes:
    """A module's source, bounded: the base revision's tree is another commit's, not this code."""
    return read_bytes(path, str(path), "Python module", MODULE_MAX_BYTES)
