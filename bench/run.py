"""Benchmark: the cost of `plan` against a hand-written floor on the same mock engine, as N grows.

python bench/run.py [--sizes 1 10 100 1000 10000] [--repeats 3] [--cdk] [--adopt]

For each N it generates an EKS stack (sampleJob false above 10), then runs, alternating and
`--repeats` times each, `python -m components plan --format json` and `python bench/floor.py N`,
taking the median wall time and peak RSS (from wait4, per process). From the plan it also reports
resources per workload, lookups per stack and the longest dependsOn chain (the critical path of a
real `pulumi up`). Then start-up: a bare `import pulumi`, the command line alone, `plan` and `diff` of
one workload (with nothing kept, and with the base's plan kept), and `plan`'s imports per package. `--cdk` also
times AWS CDK's synth of 100 ServiceAccounts (installed from npm into bench/cdk on first use); `--engine`
(the default when `make engine` has built it) times the real `pulumi preview` at N=1, 100 and 1,000 beside `plan`
and beside the floor run as a Pulumi program;
`--adopt` (the default) times `adopt --terraform` on states of 4 to 16 MiB. Always: the access delta's share of
`diff` on 100 changed workloads (bench/access_delta.py).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

from generate import FLOOR_MOST, write  # noqa: E402 - bench/ is not a package


def measure(args: list[str], out: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one process, its stdout written to `out`."""
    with out.open("wb") as sink:
        start = time.perf_counter()
        proc = subprocess.Popen(args, cwd=ROOT, stdout=sink, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} exited {proc.returncode}: {proc.stderr.read().decode()[-500:]}")
    return wall, usage.ru_maxrss / 1024


def critical_path(plan: dict[str, Any]) -> int:
    """Resources in the longest chain of dependsOn edges."""
    deps = {r["urn"]: r["dependsOn"] for r in plan["resources"]}
    memo: dict[str, int] = {}

    def depth(urn: str) -> int:
        if urn not in memo:
            memo[urn] = 1 + max((depth(d) for d in deps.get(urn, []) if d in deps), default=0)
        return memo[urn]

    return max((depth(u) for u in deps), default=0)


def per_workload(plan: dict[str, Any], n: int) -> float:
    """Resources registered per workload: everything under a WorkloadIdentity, itself included."""
    parents = {r["urn"]: r["parent"] for r in plan["resources"]}
    types = {r["urn"]: r["type"] for r in plan["resources"]}

    def under_workload(urn: str | None) -> bool:
        while urn is not None:
            if types.get(urn) == "irsa:index:WorkloadIdentity":
                return True
            urn = parents.get(urn)
        return False

    return sum(under_workload(r["urn"]) for r in plan["resources"]) / n


def aks_lookups(tmp: Path) -> int:
    """Lookups an AKS stack makes (its issuer and its credentials come from two Azure APIs)."""
    config = tmp / "Pulumi.aks.yaml"
    config.write_text((ROOT / "stacks" / "Pulumi.staging.yaml").read_text())
    out = tmp / "aks.json"
    measure(
        [sys.executable, "-m", "components", "plan", "--stack", "aks", "--config", str(config), "--format", "json"], out
    )
    return len(json.loads(out.read_text())["lookups"])


def import_breakdown(command: list[str]) -> list[tuple[str, float]]:
    """Seconds of import per top-level package in one run (`python -X importtime`, self times summed)."""
    done = subprocess.run(
        [command[0], "-X", "importtime", *command[1:]], cwd=ROOT, capture_output=True, text=True, check=True
    )
    totals: dict[str, float] = {}
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line or "self [us]" in line:
            continue
        self_us, _, name = (part.strip() for part in line.removeprefix("import time:").split("|"))
        top = name.split(".")[0]
        totals[top] = totals.get(top, 0.0) + int(self_us) / 1e6
    return sorted(totals.items(), key=lambda item: -item[1])


# What registering through the generated classes costs before any of irsa runs (issue 24).
SDK_IMPORTS = "import pulumi, pulumi_aws.iam, pulumi_aws.eks, pulumi_kubernetes.core.v1, pulumi_kubernetes.batch.v1"


def startup(tmp: Path, repeats: int) -> list[str]:
    """Start-up rows: a bare `import pulumi`, the command line alone (N=0), plan and diff of one workload."""
    config = write(1, tmp)
    py = sys.executable
    # As people run them: the default (text) output of each.
    plan = [py, "-m", "components", "plan", "--stack", "bench1", "--config", str(config)]
    diff = [py, "-m", "components", "diff", "--stack", "bench1", "--base", "HEAD", "--config", str(config)]
    cold = {**os.environ, "IRSA_PLAN_CACHE": "0"}
    # A base whose code differs (planned by its own code, in a second process): before the last code change.
    last = subprocess.run(
        ["git", "log", "-n1", "--format=%H", "--", "components"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    other = [*diff[:6], f"--base={last}^", *diff[8:]]
    runs: dict[str, list[float]] = {k: [] for k in ("import", "sdks", "version", "plan", "diff", "other", "kept")}
    for _ in range(repeats):
        runs["import"].append(timed([py, "-c", "import pulumi"]))
        runs["sdks"].append(timed([py, "-c", SDK_IMPORTS]))
        runs["version"].append(timed([py, "-m", "components", "--version"]))
        runs["plan"].append(timed(plan, cold))
        runs["diff"].append(timed(diff, cold))
        runs["other"].append(timed(other, cold))
        timed(diff)  # keeps the base's plan: the next diff plans only the working tree
        runs["kept"].append(timed(diff))
    m = {k: statistics.median(v) for k, v in runs.items()}
    rows = [
        "| run | s | ratio | target |",
        "|---|---|---|---|",
        f"| `python -c 'import pulumi'` | {m['import']:.2f} | 1.00 | |",
        f"| the same and the SDK modules of the classes irsa registers | {m['sdks']:.2f} "
        f"| {m['sdks'] / m['import']:.2f} × import | |",
        f"| `python -m components --version` (N=0) | {m['version']:.2f} "
        f"| {m['version'] / m['import']:.2f} × import | |",
        f"| `plan`, N=1 | {m['plan']:.2f} | {m['plan'] / m['sdks']:.2f} × SDK imports | ≤ 1.6 |",
        f"| `diff --base HEAD`, N=1, nothing kept | {m['diff']:.2f} | {m['diff'] / m['plan']:.2f} × plan | ≤ 1.4 |",
        f"| `diff` against a revision with other code, N=1, nothing kept | {m['other']:.2f} "
        f"| {m['other'] / m['plan']:.2f} × plan | |",
        f"| `diff --base HEAD`, the base's plan kept | {m['kept']:.2f} | {m['kept'] / m['plan']:.2f} × plan | |",
        "",
        "Imports of `plan`, N=1 (self time per top-level package, `python -X importtime`):",
        "",
        "| package | s |",
        "|---|---|",
        *(f"| `{name}` | {seconds:.3f} |" for name, seconds in import_breakdown(plan)[:8]),
    ]
    return rows


def adopt_rows(tmp: Path, repeats: int) -> list[str]:
    """`adopt --terraform` on states of 1 to 16 MiB, each with 300 IRSA roles and one role whose trust has 6,000
    statements: the time should grow with the state's size, not faster (it was quadratic in a role's statements)."""
    from adopt_state import write

    rows = ["`adopt --terraform` (300 roles and a 6,000-statement trust; the rest other resources):", "",
            "| state MiB | s | s per MiB |", "|---|---|---|"]  # fmt: skip
    for mib in (4, 8, 16):  # the 6,000-statement trust alone is 2.8 MiB
        state = write(mib, tmp, 300)
        mib = state.stat().st_size / 2**20
        cmd = [sys.executable, "-m", "components", "adopt", "--terraform", str(state), "--cluster", "c",
               "--region", "eu-west-1"]  # fmt: skip
        wall = statistics.median(measure(cmd, tmp / "adopted.yaml")[0] for _ in range(repeats))
        rows.append(f"| {mib:.1f} | {wall:.2f} | {wall / mib:.2f} |")
    return rows


def cdk_rows(tmp: Path, repeats: int, n: int = 100) -> list[str]:
    """AWS CDK's synth of the same N ServiceAccounts (bench/cdk/app.mjs) against `plan`: installs CDK from npm
    into bench/cdk (pinned by its package-lock.json) on first use. Never run by CI."""
    cdk = BENCH / "cdk"
    if not (cdk / "node_modules").is_dir():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=cdk, check=True)
    config = write(n, tmp)
    plan = [sys.executable, "-m", "components", "plan", "--stack", f"bench{n}", "--config", str(config)]
    synth = ["node", str(cdk / "app.mjs"), str(n), str(tmp / "cdk.out")]
    cold = {**os.environ, "IRSA_PLAN_CACHE": "0"}
    plans, synths = [], []
    for _ in range(repeats):
        plans.append(timed([*plan, "--format", "json"], cold))
        synths.append(timed(synth))
    p, c = statistics.median(plans), statistics.median(synths)
    return [
        f"AWS CDK {cdk_version(cdk)} synth of the same {n} ServiceAccounts (bench/cdk/app.mjs), median of {repeats}:",
        "",
        "| run | s | ratio | target |",
        "|---|---|---|---|",
        f"| `plan`, N={n} | {p:.2f} | 1.00 | |",
        f"| CDK synth, N={n} | {c:.2f} | {c / p:.2f} × plan | ≥ 4 |",
    ]


def cdk_version(cdk: Path) -> str:
    lock = json.loads((cdk / "package-lock.json").read_text())
    return str(lock["packages"]["node_modules/aws-cdk-lib"]["version"])


def timed(args: list[str], env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, env=env)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 10, 100, 1000, 10000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--cdk", action=argparse.BooleanOptionalAction, default=True, help="time AWS CDK's synth at N=100 (npm)"
    )
    parser.add_argument(
        "--engine",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="time the real `pulumi preview` at N=1, 100 and 1,000 beside `plan` and the floor program "
        "(needs `make engine`)",
    )
    parser.add_argument(
        "--adopt", action=argparse.BooleanOptionalAction, default=True, help="time `adopt` on states up to 16 MiB"
    )
    args = parser.parse_args()
    rows: list[str] = []
    with tempfile.TemporaryDirectory(prefix="irsa-bench-") as tmp_name:
        tmp = Path(tmp_name)
        for n in args.sizes:
            config = write(n, tmp)
            plan_cmd = [
                sys.executable,
                "-m",
                "components",
                "plan",
                "--stack",
                f"bench{n}",
                "--config",
                str(config),
                "--format",
                "json",
            ]
            if n > FLOOR_MOST:  # the fleet shape (shared roles, two clusters): no floor writes it; one run
                wall, mib = measure(plan_cmd, tmp / f"plan{n}.json")
                plan = json.loads((tmp / f"plan{n}.json").read_text())
                rows.append(f"| {n} | {wall:.2f} | — | — | — | — | — | — | {mib:.0f} | — | — "
                            f"| {per_workload(plan, n):.1f} | {len(plan['lookups'])} | {critical_path(plan)} |")
                print(f"N={n}: plan {wall:.2f}s {mib:.0f} MiB (targets: 60 s, 2,048 MiB)", file=sys.stderr)
                continue
            floor_cmd = [sys.executable, str(BENCH / "floor.py"), str(n)]
            tuned_cmd = [*floor_cmd, "--tuned-gc"]
            raw_cmd = [sys.executable, str(BENCH / "floor_raw.py"), str(n), "--tuned-gc"]
            plans, floors, tuned, raws = [], [], [], []
            for i in range(args.repeats):
                order = [
                    (plan_cmd, plans, "plan"),
                    (floor_cmd, floors, "floor"),
                    (tuned_cmd, tuned, "tuned"),
                    (raw_cmd, raws, "raw"),
                ]
                for cmd, sink, label in order if i % 2 == 0 else order[::-1]:
                    sink.append(measure(cmd, tmp / f"{label}{n}.json"))
            plan = json.loads((tmp / f"plan{n}.json").read_text())
            plan_s, plan_mb = statistics.median(w for w, _ in plans), statistics.median(m for _, m in plans)
            floor_s, floor_mb = statistics.median(w for w, _ in floors), statistics.median(m for _, m in floors)
            tuned_s = statistics.median(w for w, _ in tuned)
            raw_s = statistics.median(w for w, _ in raws)
            rows.append(
                f"| {n} | {plan_s:.2f} | {floor_s:.2f} | {plan_s / floor_s:.2f} "
                f"| {tuned_s:.2f} | {plan_s / tuned_s:.2f} | {raw_s:.2f} | {plan_s / raw_s:.2f} "
                f"| {plan_mb:.0f} | {floor_mb:.0f} | {plan_mb / floor_mb:.2f} | {per_workload(plan, n):.1f} "
                f"| {len(plan['lookups'])} | {critical_path(plan)} |"
            )
            print(f"N={n}: plan {plan_s:.2f}s floor {floor_s:.2f}s tuned floor {tuned_s:.2f}s", file=sys.stderr)
        adopted = adopt_rows(tmp, args.repeats) if args.adopt else []
        from access_delta import access_rows  # in-process: the delta's share of diff

        access = access_rows(args.repeats)
        aks = aks_lookups(tmp)
        started = startup(tmp, max(args.repeats, 5))
        cdk = cdk_rows(tmp, args.repeats) if args.cdk else []
        engine: list[str] = []
        if args.engine:
            from engine_preview import engine_rows  # the engine tests' harness: only when asked

            engine = engine_rows(tmp, args.repeats)
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; median of {args.repeats}, alternating\n"
    )
    print(
        "| N | plan s | floor s | plan/floor | floor s, plan's runtime settings | plan/that | raw floor s | plan/raw "
        "| plan MiB | floor MiB | memory plan/floor | resources/workload | lookups/stack | critical path |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    print(f"\nAn AKS stack (stacks/Pulumi.staging.yaml) makes {aks} lookups.")
    print("\nStart-up, text output (median of at least 5; `diff` plans the base with the code at HEAD):\n")
    print("\n".join(started))
    if adopted:
        print("\n".join(["", *adopted]))
    print("\n".join(["", *access]))
    if cdk:
        print("\n".join(["", *cdk]))
    if engine:
        print("\n".join(["", *engine]))


if __name__ == "__main__":
    main()
