"""Bench rows: the real `pulumi preview` of a generated stack beside the offline `plan` of the same stack.

The engine is the one `make engine` built (tests/engine/harness.py sets it up: file backend, stand-in
providers, moto on 127.0.0.1). A new stack is previewed, so every resource is a create, as in a PR that adds
the stack; the providers' start-up is part of what is timed, as it is for a user.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "engine"))
sys.path.insert(0, str(ROOT))

import harness  # noqa: E402
from generate import write  # noqa: E402


def _timed(args: list[str], cwd: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(args, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


FLOOR_PROGRAM = """\
import os, sys
sys.path.insert(0, {bench!r})
from floor import program
program(int(os.environ["FLOOR_N"]))
"""


def floor_project(base: Path, project: harness.Project) -> Path:
    """The floor (bench/floor.py: the same resources by hand, with the SDK's generated classes) as a Pulumi program
    of its own, on the same backend, engine and providers."""
    folder = base / "floor"
    folder.mkdir()
    venv = str(ROOT / ".venv")
    (folder / "Pulumi.yaml").write_text(f"name: irsa\nruntime:\n  name: python\n  options:\n    virtualenv: {venv}\n")
    (folder / "__main__.py").write_text(FLOOR_PROGRAM.format(bench=str(ROOT / "bench")))
    return folder


def engine_rows(tmp: Path, repeats: int, sizes: tuple[int, ...] = (1, 100, 1000)) -> list[str]:
    engine = harness.engine_dir()
    if not (engine / "bin" / "pulumi").exists():
        return [f"(no real-engine rows: `make engine` has not built {engine})"]
    base = tmp / "engine"
    base.mkdir()
    home = base / "home"
    harness.install_plugins(home, engine)
    rows = [
        f"Real `pulumi preview` (Pulumi CLI {harness.pinned_version()}, stand-in aws provider, real kubernetes "
        f"provider rendering) of a new stack beside the offline `plan --format json`, median of {repeats}:",
        "",
        "| N | `plan` s | `pulumi preview` s | preview/plan | floor program's `pulumi preview` s | irsa/floor |",
        "|---|---|---|---|---|---|",
    ]
    with harness.moto_server() as url:
        fixtures = harness.standin_fixtures("ap-northeast-2", url)
        fixtures["eksClusters"]["bench-cluster"] = harness.eks_fixture("bench-cluster", "ap-northeast-2")
        fixtures_file = base / "fixtures.json"
        fixtures_file.write_text(json.dumps(fixtures))
        project = harness.make_project(base, engine, home, fixtures_file)
        floor = floor_project(base, project)
        cold = {**os.environ, "IRSA_PLAN_CACHE": "0"}
        for n in sizes:
            config = write(n, tmp)
            shutil.copy(config, project.stack_file(f"bench{n}"))
            if (tmp / f"bench{n}").is_dir():  # its workload files (past the engine's config wall), beside it
                shutil.copytree(tmp / f"bench{n}", project.stack_file(f"bench{n}").parent / f"bench{n}")
            project.init(f"bench{n}")
            floor_env = {**project.env, "FLOOR_N": str(n)}
            subprocess.run(["pulumi", "stack", "init", f"floor{n}", "--non-interactive"], cwd=floor, env=floor_env,
                           check=True, capture_output=True)  # fmt: skip
            floor_preview = ["pulumi", "preview", "--stack", f"floor{n}", "--non-interactive"]
            plan = [sys.executable, "-m", "components", "plan", "--stack", f"bench{n}", "--config", str(config),
                    "--format", "json"]  # fmt: skip
            preview = ["pulumi", "preview", "--stack", f"bench{n}", "--non-interactive"]
            plans, previews, floors = [], [], []
            for _ in range(repeats):
                plans.append(_timed(plan, ROOT, cold))
                previews.append(_timed(preview, project.root, project.env))
                floors.append(_timed(floor_preview, floor, floor_env))
            p, e, f = statistics.median(plans), statistics.median(previews), statistics.median(floors)
            rows.append(f"| {n} | {p:.2f} | {e:.2f} | {e / p:.1f} | {f:.2f} | {e / f:.2f} |")
            print(f"N={n}: plan {p:.2f}s, pulumi preview {e:.2f}s, the floor's {f:.2f}s", file=sys.stderr)
    return rows
