"""Workloads in files beside the stack file (`irsa:workloadFiles`), so a stack's config stays small.

The engine hands a program its whole config in one environment string (at most 131,072 bytes on Linux); a stack
of about 710 generated workloads passes that, and its program cannot start. A stack file that names its workloads'
files keeps its config a few hundred bytes; `pulumi up` (the stack program) and `plan` read the files alike,
through the bounded reader, each a regular file of at most 1 MiB: `workloads:` then a list, as `irsa:workloads`.

Paths are relative to the stack file's directory (`stacks/`), end in `.yaml`, and stay inside it: no `..`, no
absolute path, no symbolic link out of it. Problems and warnings name the file and its own index.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from components.cli.untrusted import STACK_FILE_MAX_BYTES, read_bytes, utf8
from components.core.display import quote
from components.core.model import ConfigError, Problem, Settings

KEY = "irsa:workloadFiles"
MAX_FILES = 100
PATH = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)*\.yaml", re.ASCII)
INDEX = re.compile(r"irsa:workloads\[(\d+)\]")
Parse = Callable[[str, str], Any]


@dataclasses.dataclass(frozen=True)
class Origins:
    """Where each workload of the combined list came from: (file label, index in it); the stack file's own first."""

    inline: int = 0
    files: tuple[tuple[str, int], ...] = ()

    def name(self, text: str) -> str:
        """`text` with each `irsa:workloads[k]` of a file's workload as `<file>: workloads[j]`."""

        def where(found: re.Match[str]) -> str:
            k = int(found.group(1))
            if k < self.inline or k - self.inline >= len(self.files):
                return found.group(0)
            label, j = self.files[k - self.inline]
            return f"{label}: workloads[{j}]"

        return INDEX.sub(where, text)

    def problems(self, error: ConfigError) -> ConfigError:
        return ConfigError([dataclasses.replace(p, path=self.name(p.path), wrong=self.name(p.wrong))
                            for p in error.problems])  # fmt: skip

    def settings(self, settings: Settings) -> Settings:
        return dataclasses.replace(settings, warnings=tuple(self.name(w) for w in settings.warnings))


def _paths(raw: Any, base: Path, shown: str) -> tuple[list[tuple[Path, str]], list[Problem]]:
    """The files named, resolved inside `base`, with the label each is named by; problems otherwise."""
    if not isinstance(raw, list) or not raw or len(raw) > MAX_FILES:
        return [], [Problem(KEY, f"{quote(raw)} is not a list of files" if not isinstance(raw, list) else
                            f"names {len(raw)} files", f"a list of 1-{MAX_FILES} paths")]  # fmt: skip
    found, problems, seen = [], [], set()
    inside = os.path.realpath(base)
    for i, item in enumerate(raw):
        path = f"{KEY}[{i}]"
        if not isinstance(item, str) or not PATH.fullmatch(item) or ".." in item.split("/"):
            problems.append(Problem(path, f"{quote(item)} is not a workload file's path",
                                    "a relative path ending in .yaml, inside the stack file's directory, of letters, "
                                    "digits and _.-/"))  # fmt: skip
            continue
        real = os.path.realpath(base / item)
        if os.path.commonpath([inside, real]) != inside:
            problems.append(Problem(path, f"{quote(item)} leads out of the stack file's directory",
                                    "a file inside it, not through a symbolic link out"))  # fmt: skip
        elif real in seen:
            problems.append(Problem(path, f"{quote(item)} is named twice", "each file once"))
        else:
            seen.add(real)
            found.append((Path(real), f"{shown}/{item}" if shown else item))
    return found, problems


def expand(config: Mapping[str, Any], base: Path, shown: str, parse: Parse) -> tuple[dict[str, Any], Origins]:
    """The config with `irsa:workloads` followed by each named file's workloads (in order), and where each came
    from; `base`: the stack file's directory, `shown`: how messages name it; `parse`: the stack files' bounded YAML
    reader. ConfigError listing every file that cannot be read or is not a workload file."""
    if KEY not in config:
        return dict(config), Origins()
    files, problems = _paths(config[KEY], base, shown)
    inline = config.get("irsa:workloads")
    if inline is not None and not isinstance(inline, list):
        problems.append(Problem("irsa:workloads", f"{quote(inline)} is not a list",
                                "the stack file's own workloads, which come before the files'"))  # fmt: skip
    combined = list(inline) if isinstance(inline, list) else []
    origins: list[tuple[str, int]] = []
    for path, label in files:
        try:
            document = parse(utf8(read_bytes(path, label, "workload file", STACK_FILE_MAX_BYTES), label,
                                  "workload file"), label)  # fmt: skip
        except ConfigError as error:  # a path inside the file (an alias bomb's key) is named with the file
            problems += [p if p.path.startswith(label) else dataclasses.replace(p, path=f"{label}: {p.path}")
                         for p in error.problems]  # fmt: skip
            continue
        listed = document.get("workloads") if isinstance(document, dict) else None
        if not isinstance(listed, list) or set(document) != {"workloads"}:
            problems.append(Problem(label, "is not a workload file", "a YAML map with only `workloads:`, a list of "
                                    "workloads as irsa:workloads holds them"))  # fmt: skip
            continue
        combined += listed
        origins += [(label, j) for j in range(len(listed))]
    if problems:
        raise ConfigError(problems)
    expanded = {k: v for k, v in config.items() if k != KEY}
    expanded["irsa:workloads"] = combined
    return expanded, Origins(len(inline) if isinstance(inline, list) else 0, tuple(origins))


def stack_config_dir(project: Path, parse: Parse) -> Path:
    """Where a project's stack files are: Pulumi.yaml's `stackConfigDir`, else the project's directory."""
    document = parse(utf8(read_bytes(project / "Pulumi.yaml", "Pulumi.yaml", "project file", STACK_FILE_MAX_BYTES),
                          "Pulumi.yaml", "project file"), "Pulumi.yaml")  # fmt: skip
    found = document.get("stackConfigDir") if isinstance(document, dict) else None
    return project / found if isinstance(found, str) and found else project
