"""After a config change, the real `pulumi preview` and `python -m components diff` name the same resources and,
for each, the same changed inputs.

The base stack is deployed with `pulumi up` and committed in a git repository of the project copy; the change
is written to the working tree. `diff` plans both offline; the engine previews the change against what it
deployed. Inputs are compared by top-level name (`policy`, `metadata`, `spec`): the engine's detailed diff
and our paths nest differently below that.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from typing import Any

import pytest
import yaml
from harness import ROOT, Project

Change = Callable[[dict[str, Any]], None]


def _workload(config: dict[str, Any], name: str) -> dict[str, Any]:
    (found,) = [w for w in config["irsa:workloads"] if w["name"] == name]
    return found


def _add_workload(config: dict[str, Any]) -> None:
    config["irsa:workloads"].append(
        {
            "name": "auditor",
            "namespace": "audit",
            "serviceAccount": "auditor",
            "createNamespace": True,
            "s3": [{"bucket": "audit-logs", "access": "read"}],
        }
    )


def _remove_workload(config: dict[str, Any]) -> None:
    config["irsa:workloads"] = [w for w in config["irsa:workloads"] if w["name"] != "report-reader"]


def _tag_everything(config: dict[str, Any]) -> None:
    config["irsa:defaults"]["tags"]["owner"] = "ledger-team"


CHANGES: dict[str, tuple[str, Change]] = {
    "s3-prefix": ("dev", lambda c: _workload(c, "s3-writer")["s3"][0].update(prefix="inbox/")),
    "session-length": ("dev", lambda c: _workload(c, "s3-writer").update(maxSessionDuration=7200)),
    "namespace-move": ("dev", lambda c: _workload(c, "s3-writer").update(namespace="analytics2")),
    "new-workload": ("dev", _add_workload),
    "removed-workload": ("prod", _remove_workload),
    "aks-token-lifetime": ("staging", lambda c: _workload(c, "uploader").update(tokenExpirationSeconds=7200)),
    "default-tags": ("payments", _tag_everything),
}


def _top(path: str) -> str:
    return re.split(r"[.\[]", path, maxsplit=1)[0]


def _git(project: Project, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
        cwd=project.root,
        check=True,
        capture_output=True,
    )


def ours(project: Project, stack: str) -> dict[str, set[str]]:
    """What `python -m components diff` says changed: URN → changed top-level inputs (`+`/`-` for add/remove)."""
    done = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "-m", "components", "diff", "--stack", stack, "--base", "HEAD",
         "--format", "json"],
        cwd=project.root, env=project.env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    found = yaml.safe_load(done.stdout)
    changed: dict[str, set[str]] = {r["urn"]: {"+"} for r in found["added"]}
    changed.update({r["urn"]: {"-"} for r in found["removed"]})
    for r in found["modified"]:
        if r["inputs"]:
            changed[r["urn"]] = {_top(path) for path in r["inputs"]}
    return changed


def engines(project: Project, stack: str) -> dict[str, set[str]]:
    """What the real `pulumi preview` will do: URN → changed top-level inputs (`+`/`-` for create/delete)."""
    steps = project.pulumi("preview", "--stack", stack, "--json").json()["steps"]
    changed: dict[str, set[str]] = {}
    for step in steps:
        if step["urn"].split("::")[2].rsplit("$", 1)[-1].startswith("pulumi:"):
            continue  # the stack and the providers: not resources of the plan
        if step["op"] == "create":
            changed[step["urn"]] = {"+"}
        elif step["op"] == "delete":
            changed[step["urn"]] = {"-"}
        elif step["op"] != "same":
            keys = step.get("detailedDiff") or {k: None for k in step.get("diffReasons") or []}
            changed[step["urn"]] = {_top(k) for k in keys}
    return changed


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_the_offline_diff_names_what_the_engine_will_change(change: str, project: Project) -> None:
    stack, edit = CHANGES[change]
    project.init(stack)
    project.pulumi("up", "--yes", "--stack", stack)
    _git(project, "init", "-q", "-b", "main")
    _git(project, "add", "-A")
    _git(project, "commit", "-qm", "deployed")
    document = yaml.safe_load(project.stack_file(stack).read_text())
    edit(document["config"])
    project.stack_file(stack).write_text(yaml.safe_dump(document, sort_keys=False))

    predicted, previewed = ours(project, stack), engines(project, stack)
    assert predicted, "the change changes nothing offline"
    assert predicted == previewed
