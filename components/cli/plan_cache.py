"""Base-revision plans kept between runs, so `diff` does not plan a commit it has planned before.

Only a base revision's plan is kept: it depends on its commit (code and stack file, fixed by git), the stack,
a stack file outside the repository (its bytes and those of the stack files beside it, where an application
stack's platform may be: read bounded before planning) and the installed SDKs. The
working tree's plan is never kept: it is planned each time (a fraction of a second), so nothing a reviewer
reads can come from a plan of a file that has changed since.

Entries live in a private directory, `$XDG_CACHE_HOME/irsa/plans` (default `~/.cache/irsa/plans`): created with
mode 0700, used only while it is a real directory owned by this user that no one else may write; an entry is
read only if it is a regular file owned by this user, read bounded and without following links or blocking on
a FIFO. At most MAX_ENTRIES entries and MAX_TOTAL_BYTES are kept, the oldest removed first.
`IRSA_PLAN_CACHE=0` turns the cache off. Anything unexpected is a miss, never an error.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
import tempfile
from pathlib import Path
from typing import Any

ENTRY_MAX_BYTES = 64 * 1024 * 1024
MAX_ENTRIES = 200
MAX_TOTAL_BYTES = 512 * 1024 * 1024
PACKAGE = Path(__file__).resolve().parent.parent  # components/


def enabled() -> bool:
    return os.environ.get("IRSA_PLAN_CACHE", "1") != "0"


def directory() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "irsa" / "plans"


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
        from components.cli.untrusted import STACK_FILE_MAX_BYTES, read_bytes
        from components.core.problems import InvalidInput

        # The stack files beside it too: an application stack's platform may be one (no commit fixes them).
        outside = Path(config)
        files = [outside, *sorted(p for p in outside.parent.glob("Pulumi.*.yaml") if p.name != outside.name)]
        try:
            for path in files:
                content += path.name.encode() + b"\0" + read_bytes(path, "--config", "stack file", STACK_FILE_MAX_BYTES)
        except InvalidInput:
            return None
    from components.cli.stackfile import STACK_OUTPUTS

    given = []  # platform outputs given with --stack-outputs decide an application stack's plan too
    for reference, path in sorted(STACK_OUTPUTS.items()):
        try:
            given.append(reference.encode() + b"=" + path.read_bytes()[: 1 << 20])
        except OSError:
            return None
    return key("base", commit, stack, config or "", content, *given)


def _private_directory(create: bool) -> Path | None:
    """The cache directory if it is private to this user (created so when asked), else None."""
    folder = directory()
    if create:
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError:
            return None
    try:
        info = os.lstat(folder)
    except OSError:
        return None
    private = stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid() and not info.st_mode & 0o022
    return folder if private else None


def load(entry: str | None) -> dict[str, Any] | None:
    if entry is None or not enabled():
        return None
    folder = _private_directory(create=False)
    if folder is None:
        return None
    try:
        fd = os.open(folder / f"{entry}.json", os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid() or info.st_size > ENTRY_MAX_BYTES:
            return None
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(ENTRY_MAX_BYTES + 1)
        plan = json.loads(data.decode("utf-8")) if len(data) <= ENTRY_MAX_BYTES else None
    except (OSError, ValueError, RecursionError):
        return None
    finally:
        os.close(fd)
    return plan if isinstance(plan, dict) and isinstance(plan.get("resources"), list) else None


def store(entry: str | None, plan_json: str) -> None:
    """Keep a plan (its JSON text), then evict the oldest past the caps; a cache that cannot be written is no
    error."""
    if entry is None or not enabled() or len(plan_json) > ENTRY_MAX_BYTES:
        return
    folder = _private_directory(create=True)
    if folder is None:
        return
    try:
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=folder, delete=False, suffix=".tmp") as f:
            f.write(plan_json)  # NamedTemporaryFile creates it 0600
        os.replace(f.name, folder / f"{entry}.json")
        evict(folder)
    except OSError:
        return


def evict(folder: Path) -> None:
    """Remove the oldest entries until at most MAX_ENTRIES and MAX_TOTAL_BYTES remain."""
    entries = []
    for path in folder.glob("*.json"):
        try:
            info = os.lstat(path)
        except OSError:
            continue
        entries.append((info.st_mtime_ns, info.st_size, path))
    entries.sort(reverse=True)  # newest first
    total = 0
    for i, (_, size, path) in enumerate(entries):
        total += size
        if i >= MAX_ENTRIES or total > MAX_TOTAL_BYTES:
            path.unlink(missing_ok=True)
