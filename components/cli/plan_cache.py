"""Base-revision plans kept between runs, so `diff` does not plan a commit it has planned before.

Only a base revision's plan is kept: it depends on its commit (code and stack file, fixed by git), the stack,
a stack file outside the repository (its bytes and those of the stack files beside it, where an application
stack's platform may be: read bounded before planning) and the installed SDKs. The
working tree's plan is never kept: it is planned each time (a fraction of a second), so nothing a reviewer
reads can come from a plan of a file that has changed since.

Entries live in `$XDG_CACHE_HOME/irsa/plans` (default `~/.cache/irsa/plans`), used only while it is private
(`owned.open_private`: every directory from the cache root down is this user's, writable by no one else, never a
symbolic link; otherwise one warning line says why and how to fix it, and diff runs without the cache). Entries
are read through the bounded reader (this user's regular files only) and written and evicted through the
directory's file descriptor, so a link swapped in is never followed. At most MAX_ENTRIES entries and
MAX_TOTAL_BYTES are kept, the oldest removed first. `IRSA_PLAN_CACHE=0` turns the cache off. A missing or
unreadable entry is a miss, never an error.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
from pathlib import Path
from typing import Any

from components.cli import owned
from components.cli.untrusted import STACK_FILE_MAX_BYTES, read_bytes, read_json
from components.core.media import for_terminal
from components.core.problems import InvalidInput

ENTRY_MAX_BYTES = 64 * 1024 * 1024
MAX_ENTRIES = 200
MAX_TOTAL_BYTES = 512 * 1024 * 1024
PACKAGE = Path(__file__).resolve().parent.parent  # components/


def enabled() -> bool:
    return os.environ.get("IRSA_PLAN_CACHE", "1") != "0"


BELOW_ROOT = ("irsa", "plans")


def directory() -> Path:
    return owned.cache_root().joinpath(*BELOW_ROOT)


def environment() -> str:
    """What else decides a plan: this Python, its installed packages (a reinstall changes the mtime), and the
    variables the Kubernetes SDK reads into its provider's inputs."""
    sites = [p for p in sys.path if p.endswith("site-packages") and os.path.isdir(p)]
    variables = sorted((k, v) for k, v in os.environ.items() if k.startswith("PULUMI_K8S_") or k == "KUBECONFIG")
    return json.dumps([sys.version, sys.executable, [(p, os.stat(p).st_mtime_ns) for p in sites], variables])


def key(*parts: str | bytes) -> str:
    digest = hashlib.sha256()
    for part in (environment(), *parts):
        data = part if isinstance(part, bytes) else part.encode()
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


def base_key(commit: str, stack: str, config: str | None) -> str | None:
    """A revision's plan: its commit fixes code and stack file; a config outside the repository is read here,
    bounded (a regular file of at most 1 MiB), before anything is planned. None: nothing is kept."""
    if not enabled():
        return None
    content = b""
    if config is not None and os.path.isabs(config):
        # The stack files beside it too: an application stack's platform may be one (no commit fixes them).
        outside = Path(config)
        files = [outside, *sorted(p for p in outside.parent.glob("Pulumi.*.yaml") if p.name != outside.name)]
        try:
            for path in files:
                content += path.name.encode() + b"\0" + read_bytes(path, "--config", "stack file", STACK_FILE_MAX_BYTES)
        except InvalidInput:
            return None
        if b"irsa:workloadFiles" in content:  # its workload files are outside any commit too: not kept
            return None
    from components.cli.stackfile import STACK_OUTPUTS

    given = []  # platform outputs given with --stack-outputs decide an application stack's plan too
    for reference, path in sorted(STACK_OUTPUTS.items()):
        flag = f"--stack-outputs {reference}"  # an unreadable file is the reader's one line, exit 2
        given.append(reference.encode() + b"=" + read_bytes(path, flag, "platform outputs file", STACK_FILE_MAX_BYTES))
    return key("base", commit, stack, config or "", content, *given)


_WARNED: set[str] = set()


def _private_directory(create: bool) -> int | None:
    """A file descriptor of the cache directory if it is private to this user (created so when asked), else
    None — with one warning line, once, when it exists but someone else could change it."""
    try:
        return owned.open_private(owned.cache_root(), BELOW_ROOT, create=create)
    except owned.NotPrivate as error:
        if str(error) not in _WARNED:
            _WARNED.add(str(error))
            print(for_terminal(f"warning: the plan cache is not used: {error}"), file=sys.stderr)
        return None
    except OSError:
        return None


def load(entry: str | None) -> dict[str, Any] | None:
    if entry is None or not enabled():
        return None
    fd = _private_directory(create=False)
    if fd is None:
        return None
    try:
        plan = read_json(f"{entry}.json", "plan cache", "cache entry", ENTRY_MAX_BYTES, "a plan", dir_fd=fd, owned=True)
    except InvalidInput:
        return None
    finally:
        os.close(fd)
    return plan if isinstance(plan, dict) and isinstance(plan.get("resources"), list) else None


def store(entry: str | None, plan_json: str) -> None:
    """Keep a plan (its JSON text), then evict the oldest past the caps; a cache that cannot be written is no
    error."""
    if entry is None or not enabled() or len(plan_json) > ENTRY_MAX_BYTES:
        return
    fd = _private_directory(create=True)
    if fd is None:
        return
    temporary = f".{entry}.{os.getpid()}.tmp"
    try:
        out = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600, dir_fd=fd)
        with os.fdopen(out, "w", encoding="utf-8") as handle:
            handle.write(plan_json)
        os.replace(temporary, f"{entry}.json", src_dir_fd=fd, dst_dir_fd=fd)
        evict(fd)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary, dir_fd=fd)
    finally:
        os.close(fd)


def evict(fd: int) -> None:
    """Remove the oldest entries of the cache directory `fd` until at most MAX_ENTRIES and MAX_TOTAL_BYTES
    remain."""
    entries = []
    for found in os.scandir(fd):
        if not found.name.endswith(".json"):
            continue
        try:
            info = found.stat(follow_symlinks=False)
        except OSError:
            continue
        entries.append((info.st_mtime_ns, info.st_size, found.name))
    entries.sort(reverse=True)  # newest first
    total = 0
    for i, (_, size, name) in enumerate(entries):
        total += size
        if i >= MAX_ENTRIES or total > MAX_TOTAL_BYTES:
            with contextlib.suppress(OSError):
                os.unlink(name, dir_fd=fd)
