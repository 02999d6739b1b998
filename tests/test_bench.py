"""The benchmark's floor registers exactly what `plan` does, and its graph measures are right.
(Timings live in bench/, never in tests.)"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import generate  # noqa: E402
import run as bench  # noqa: E402


def _json_of(command: list[str]) -> dict[str, Any]:
    """The JSON a command prints."""
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True, timeout=120)
    return dict(json.loads(result.stdout))


@pytest.mark.parametrize("n", [2, 12])
def test_floor_registers_the_same_resources_as_plan(n: int, tmp_path: Path) -> None:
    config = generate.write(n, tmp_path)
    plan = _json_of(
        [sys.executable, "-m", "components", "plan", "--stack", "bench", "--config", str(config), "--format", "json"]
    )
    for script in ("floor.py", "floor_raw.py"):
        floor = _json_of([sys.executable, str(ROOT / "bench" / script), str(n)])
        assert sorted((r["type"], r["name"]) for r in floor["resources"]) == sorted(
            (r["type"], r["name"]) for r in plan["resources"]
        ), script
    assert bench.per_workload(plan, n) == (7.0 if n <= 10 else 4.0)
    assert len(plan["lookups"]) == 1


def test_critical_path_counts_the_longest_dependency_chain() -> None:
    plan = {
        "resources": [
            {"urn": "a", "dependsOn": []},
            {"urn": "b", "dependsOn": ["a"]},
            {"urn": "c", "dependsOn": ["b", "a"]},
            {"urn": "d", "dependsOn": ["a"]},
            {"urn": "e", "dependsOn": []},
        ]
    }
    assert bench.critical_path(plan) == 3


def test_shipped_stacks_keep_the_critical_path_within_four(shipped_plans: dict) -> None:
    for stack, plan in shipped_plans.items():
        assert bench.critical_path(plan) <= 4, stack
