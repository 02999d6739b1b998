"""The working tree's plan of a stack, computed in this process (this is the working tree's code), never kept."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from components.cli import plan_cache

if TYPE_CHECKING:
    from components.core.model import Settings

PACKAGE_ROOT = plan_cache.PACKAGE.parent  # the checkout this code runs from


def planned(stack: str, config: str | None) -> tuple[Settings, dict[str, Any]]:
    """A stack's settings and its plan, as `plan` computes them."""
    from components import gc_tuning
    from components.cli.plan import run_plan
    from components.cli.stackfile import load_settings

    settings = load_settings(stack, config)
    gc_tuning.tune()
    return settings, run_plan(settings).to_dict()


def plan_of_file(stack: str, stack_file: Path, label: str) -> dict[str, Any]:
    """The plan of a stack file as `plan --format json` prints it, by this process's code (a base revision
    whose code is this code); an empty plan when the revision has no such file."""
    from components.cli import render
    from components.cli.plan import run_plan
    from components.cli.stackfile import settings_of

    if not stack_file.exists():
        return {"project": "irsa", "stack": stack, "resources": [], "outputs": {}, "unmodeled": {}}
    plan: dict[str, Any] = json.loads(render.to_json(run_plan(settings_of(stack_file, label, stack)).to_dict()))
    return plan


def runs_here(root: Path) -> bool:
    """Whether this process's code is the working tree `root` (then its plan needs no second process)."""
    return root.resolve() == PACKAGE_ROOT and Path.cwd().resolve() == root.resolve()


def head_plan(stack: str, config: str | None) -> dict[str, Any]:
    """The working tree's plan as `plan --format json` prints it, planned now from the file as it is now."""
    from components.cli import render

    plan: dict[str, Any] = json.loads(render.to_json(planned(stack, config)[1]))
    return plan
