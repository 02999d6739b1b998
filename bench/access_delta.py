"""The access delta's cost in `diff`: 100 workloads, each changed (its prefix widened to the whole bucket and a
namespace of ServiceAccounts added to its trust), timed in-process: the diff without the delta, and the delta."""

from __future__ import annotations

import copy
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository root holds `components`

from generate import stack  # noqa: E402

from components.cli import diff, diff_render  # noqa: E402
from components.cli.plan import run_plan  # noqa: E402
from components.core import access_delta  # noqa: E402
from components.core.settings import parse_settings  # noqa: E402


def _plans(n: int) -> tuple[dict[str, Any], dict[str, Any]]:
    base = stack(n)["config"]
    head = copy.deepcopy(base)
    for w in head["irsa:workloads"]:
        w["s3"] = [{**g, "prefix": ""} for g in w["s3"]]
        w["extraSubjects"] = [f"system:serviceaccount:{w['namespace']}-batch:*"]
    return run_plan(parse_settings(base, "bench")).to_dict(), run_plan(parse_settings(head, "bench")).to_dict()


def _seconds(run: Any, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def access_rows(repeats: int, n: int = 100) -> list[str]:
    base, head = _plans(n)

    def whole() -> None:
        diff_render.to_markdown(diff.compare(base, head, "bench", "main"))

    def delta() -> None:
        was, now = access_delta.access_by_workload(base), access_delta.access_by_workload(head)
        for name in now:
            access_delta.delta(was[name], now[name])

    with_delta, alone = _seconds(whole, repeats), _seconds(delta, repeats)
    planned = _seconds(lambda: _plans(n), repeats)
    without = with_delta - alone
    found = diff.compare(base, head, "bench", "main")
    assert len(found.access) == n and all(d.widened for d in found.access.values())
    return [
        f"`diff`'s access delta, {n} changed workloads (prefix widened, ServiceAccounts added), in-process:", "",
        "| part | s | ratio | target |", "|---|---|---|---|",
        f"| compare + markdown without the delta | {without:.3f} | | |",
        f"| the delta (probe, evaluate, say) | {alone:.3f} | {with_delta / without:.2f} × compare | |",
        f"| both plans + compare + markdown | {planned + with_delta:.3f} | "
        f"{(planned + with_delta) / (planned + without):.2f} × today's `diff` | ≤ 1.5 |",
    ]  # fmt: skip


if __name__ == "__main__":
    print("\n".join(access_rows(3)))
