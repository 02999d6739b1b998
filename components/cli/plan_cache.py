"""Plans kept between runs, so `diff` does not plan what it already knows.

A base revision's plan depends only on its commit, the stack and the installed SDKs: it is kept under
that key. The working tree's plan depends on this package's code and the stack file: `plan` keeps it,
and a `diff` right after reuses it. Entries live in `$XDG_CACHE_HOME/irsa/plans` (default
`~/.cache/irsa/plans`); `IRSA_PLAN_CACHE=0` turns the cache off. A damaged or foreign entry is a miss.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

ENTRY_MAX_BYTES = 256 * 1024 * 1024
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


def code_fingerprint() -> str:
    """This package's source as it is on disk now: each module's path, size and modification time (what
    Python itself checks its bytecode against), without reading them."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*.py")):
        stat = path.stat()
        digest.update(f"{path.relative_to(PACKAGE)}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
    return digest.hexdigest()


def key(*parts: str | bytes) -> str:
    digest = hashlib.sha256()
    for part in (environment(), *parts):
        data = part if isinstance(part, bytes) else part.encode()
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


def head_key(stack: str, config: str | None, stack_file: Path) -> str | None:
    """The working tree's plan of a stack, or None when the stack file cannot be read or nothing is kept."""
    if not enabled():
        return None
    try:
        content = stack_file.read_bytes()
    except OSError:
        return None
    return key("head", code_fingerprint(), stack, config or "", content)


def base_key(commit: str, stack: str, config: str | None) -> str | None:
    """A revision's plan: its commit fixes code and stack file; a config outside the repository is read."""
    if not enabled():
        return None
    content = b""
    if config is not None and os.path.isabs(config):
        try:
            content = Path(config).read_bytes()
        except OSError:
            return None
    return key("base", commit, stack, config or "", content)


def load(entry: str | None) -> dict[str, Any] | None:
    if entry is None or not enabled():
        return None
    try:
        path = directory() / f"{entry}.json"
        if path.stat().st_size > ENTRY_MAX_BYTES:
            return None
        plan = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    return plan if isinstance(plan, dict) and isinstance(plan.get("resources"), list) else None


def store(entry: str | None, plan_json: str) -> None:
    """Keep a plan (its JSON text); a cache that cannot be written is no error."""
    if entry is None or not enabled():
        return
    folder = directory()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=folder, delete=False, suffix=".tmp") as f:
            f.write(plan_json)
        os.replace(f.name, folder / f"{entry}.json")
    except OSError:
        return
