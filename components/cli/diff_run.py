"""`diff`'s run: start the base revision's plan in its own process first, then plan the working tree in this
one while it runs (two cores, two plans), then compare. Imports stay light until the base has started."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from components.cli import plan_cache, working_tree
from components.cli.git_tree import PLANNED, git_root, materialise, resolve, reuse_bytecode, same_code
from components.core.display import one_line
from components.core.problems import InvalidInput, Problem

if TYPE_CHECKING:
    from components.cli.diff import PlanDiff

PLAN_TIMEOUT = 300.0  # one side's plan; an old revision's code may hang
AS_PRINTED = "a plan as --format json prints it"


class PlanFailed(InvalidInput):
    """A side of the diff did not plan."""

    @classmethod
    def because(cls, label: str, wrong: str, allowed: str) -> PlanFailed:
        return cls([Problem(f"{label}plan", wrong, allowed)])


def start_plan(tree: Path, stack: str, config: Path | None) -> subprocess.Popen[str] | None:
    """Start planning a tree with its own code in another process; None when the stack is absent there."""
    stack_file = config if config is not None else tree / "stacks" / f"Pulumi.{stack}.yaml"
    if not stack_file.exists():
        return None
    # `--flag=value`: a value starting with '-' is never read as another flag.
    args = [sys.executable, "-m", "components", "plan", f"--stack={stack}", "--format=json"]
    if config is not None:
        args.append(f"--config={config}")
    env = {**os.environ, "IRSA_PLAN_CACHE": "0"}  # its code is not this code: it keeps nothing under our keys
    return subprocess.Popen(
        args, cwd=tree, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, errors="replace", env=env
    )


def plan_at(
    tree: Path, stack: str, config: Path | None, label: str = "", timeout: float = PLAN_TIMEOUT
) -> dict[str, Any]:
    """Plan JSON from a source tree, run with that tree's own code; an empty plan if the stack is absent there."""
    return finish_plan(start_plan(tree, stack, config), stack, label, timeout)


def finish_plan(
    process: subprocess.Popen[str] | None, stack: str, label: str = "", timeout: float = PLAN_TIMEOUT
) -> dict[str, Any]:
    """The plan a started process printed, or PlanFailed saying why there is none."""
    if process is None:
        return {"project": "irsa", "stack": stack, "resources": [], "outputs": {}}
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise PlanFailed.because(
            label, f"did not finish within {timeout:g} s", "raise --timeout, or fix that revision"
        ) from None
    if process.returncode != 0:
        lines = [one_line(line) for line in stderr.strip().splitlines()] or [f"plan exited {process.returncode}"]
        if process.returncode != 2:
            lines = lines[-3:]  # a crash of an old revision's code: its last lines say why
        allowed = "a revision whose plan of this stack succeeds"
        raise PlanFailed([Problem.from_line(f"{label}{line}", f"{label}plan", allowed) for line in lines[:50]])
    try:
        plan = json.loads(stdout)
    except (ValueError, RecursionError):
        raise PlanFailed.because(label, f"printed {len(stdout)} characters that are not JSON", AS_PRINTED) from None
    if not _is_plan(plan):
        raise PlanFailed.because(label, "printed JSON without a list of resources", AS_PRINTED)
    return dict(plan)


def _is_plan(plan: Any) -> bool:
    """Whether JSON has the plan's shape, as far as compare() relies on it."""
    if not isinstance(plan, dict) or not isinstance(plan.get("resources"), list):
        return False
    return all(
        isinstance(r, dict)
        and all(isinstance(r.get(k), str) for k in ("urn", "type", "name"))
        and isinstance(r.get("inputs"), dict)
        for r in plan["resources"]
    )


def run(stack: str, ref: str, config: str | None, cwd: Path, timeout: float = PLAN_TIMEOUT) -> PlanDiff:
    """Plan `ref` and the working tree at once (the base in another process, with its own code), then compare.
    A base plan is kept per commit; the working tree's plan that `plan` just made is reused."""
    root = git_root(cwd)
    commit = resolve(root, ref)
    config_path = Path(config).resolve() if config else None
    inside = config_path is not None and config_path.is_relative_to(root)
    base_entry = plan_cache.base_key(
        commit, stack, str(config_path.relative_to(root)) if config_path and inside else (config and str(config_path))
    )
    base = plan_cache.load(base_entry)
    here = working_tree.runs_here(root)
    label = f"at {ref}: "
    with tempfile.TemporaryDirectory(prefix="irsa-diff-") as tmp:
        started, same_as_here = None, None
        if base is None:
            base_tree = Path(tmp) / "base"
            base_tree.mkdir()
            top = config_path.relative_to(root).parts[0] if config_path is not None and inside else None
            # The base's code is this code: it needs only its stack file, and after the working tree its plan
            # costs only its registrations. Otherwise its own code plans it, in its own process, meanwhile.
            same = here and same_code(root, commit)
            materialise(root, commit, base_tree, (top,) if top else (), ("stacks",) if same else PLANNED)
            base_config = None
            if config_path is not None:
                base_config = base_tree / config_path.relative_to(root) if inside else config_path
            if same:
                same_as_here = base_config or base_tree / "stacks" / f"Pulumi.{stack}.yaml"
            else:
                reuse_bytecode(root, base_tree)
                started = start_plan(base_tree, stack, base_config)
        # The base plans in its own process from here on; this one imports the rest and plans the working tree.
        from components.cli.diff import compare

        try:
            if here:
                head = working_tree.head_plan(stack, str(config_path) if config_path else None)
            else:
                head = plan_at(root, stack, config_path, timeout=timeout)
        except BaseException:
            if started is not None:
                started.kill()
                started.communicate()
            raise
        if base is None and same_as_here is not None:
            shown = f"stacks/Pulumi.{stack}.yaml" if base_config is None else str(base_config)
            try:
                base = working_tree.plan_of_file(stack, same_as_here, shown)
            except InvalidInput as error:
                raise PlanFailed([Problem(f"{label}{p.path}", p.wrong, p.allowed) for p in error.problems]) from None
            plan_cache.store(base_entry, json.dumps(base))
        elif base is None:
            base = finish_plan(started, stack, label=label, timeout=timeout)
            plan_cache.store(base_entry, json.dumps(base))
    return compare(base, head, stack, ref)
