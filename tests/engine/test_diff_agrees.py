"""After a config change, the real `pulumi preview` and `python -m components diff` name the same resources and,
for each, the same changed inputs, and replace the same resources (`+-`).

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


def _managed(arn: str) -> Change:
    return lambda c: _workload(c, "s3-writer").update(managedPolicyArns=[f"arn:aws:iam::aws:policy/{arn}"])


def _rename_other_account_role(config: dict[str, Any]) -> None:
    config["irsa:crossAccount"]["roles"][0]["name"] = "analytics-report-reader-v2"


# One forcing change per kind irsa registers: Kubernetes objects (decided by the real pulumi-kubernetes
# provider), a role's path and name, an inline policy's role, an attachment's policy, an association.
CHANGES: dict[str, tuple[str, Change]] = {
    "role-path": ("dev", lambda c: c.setdefault("irsa:defaults", {}).update(rolePath="/workloads/")),
    "association-namespace": ("pod-identity", lambda c: _workload(c, "thumbnailer").update(namespace="media2")),
    "other-account-role-renamed": ("cross-account", _rename_other_account_role),
    "managed-policy-swapped": ("dev", _managed("AmazonSQSReadOnlyAccess")),
    "s3-prefix": ("dev", lambda c: _workload(c, "s3-writer")["s3"][0].update(prefix="inbox/")),
    "session-length": ("dev", lambda c: _workload(c, "s3-writer").update(maxSessionDuration=7200)),
    "namespace-move": ("dev", lambda c: _workload(c, "s3-writer").update(namespace="analytics2")),
    "new-workload": ("dev", _add_workload),
    "removed-workload": ("prod", _remove_workload),
    "aks-token-lifetime": ("staging", lambda c: _workload(c, "uploader").update(tokenExpirationSeconds=7200)),
    "default-tags": ("payments", _tag_everything),
    # A shared role: one workload's new grant changes the role's union and that workload's session policy only.
    "shared-role-grant": ("shared-roles", lambda c: _workload(c, "publisher")["s3"].append(
        {"bucket": "media-extra", "prefix": "p/", "access": "read"})),
    "shared-role-joined": ("shared-roles", lambda c: _workload(c, "ledger-reader").update(sharedRole="media")),
    # Onto a shared role from its own: its role and inline policy go, the shared role comes, its association
    # changes in place (role, session policy, session tags off); its ServiceAccount stays.
    "own-role-to-shared": ("pod-identity", lambda c: _workload(c, "thumbnailer").update(sharedRole="media")),
}


# What each forcing change replaces (so an agreement on nothing cannot pass).
REPLACES = {
    "namespace-move": {"ServiceAccount", "ConfigMap", "Job"},
    # The role is deleted first (its name is given): what takes its name or ARN on an input its provider replaces
    # on goes with it — the inline policy (`role`) and the ServiceAccount (its metadata, unknown meanwhile); the
    # Job's pod template carries a hash of the role's ARN.
    "role-path": {"Role", "RolePolicy", "ServiceAccount", "Job"},
    "association-namespace": {"PodIdentityAssociation", "ServiceAccount", "ConfigMap", "Job"},
    "other-account-role-renamed": {"Job"},  # the role is named in its URN: a new role; the Job checks the chain
    "s3-prefix": {"Job"},  # its pod template carries the grant it proves
    "aks-token-lifetime": {"Job"},  # and the projected token's lifetime
    "managed-policy-swapped": {"RolePolicyAttachment"},
    # Moving onto another shared role: URNs name the parents' types, not their names, so the workload keeps its
    # resources; both unions and its association's role change in place, and its Job's pod names the new role.
    "shared-role-joined": {"Job"},
    "own-role-to-shared": {"Job"},
}

# What a change needs deployed first.
PREPARED: dict[str, Change] = {"managed-policy-swapped": _managed("AmazonS3ReadOnlyAccess")}
REPLACING_OPS = ("replace", "create-replacement", "delete-replaced")


def _top(path: str) -> str:
    return re.split(r"[.\[]", path, maxsplit=1)[0]


def _git(project: Project, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
        cwd=project.root,
        check=True,
        capture_output=True,
    )


def our_diff(project: Project, stack: str) -> Any:
    """`python -m components diff --format json` of the project's stack against its HEAD."""
    done = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "-m", "components", "diff", "--stack", stack, "--base", "HEAD",
         "--format", "json"],
        cwd=project.root, env=project.env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return yaml.safe_load(done.stdout)


def ours(project: Project, stack: str) -> dict[str, set[str]]:
    """What `python -m components diff` says changed: URN → changed top-level inputs (`+`/`-` for add/remove,
    `+-` for a replacement)."""
    found = our_diff(project, stack)
    changed: dict[str, set[str]] = {r["urn"]: {"+"} for r in found["added"]}
    changed.update({r["urn"]: {"-"} for r in found["removed"]})
    for r in found["modified"]:
        if r["inputs"]:
            changed[r["urn"]] = {_top(path) for path in r["inputs"]}
        if r["replace"]:
            changed.setdefault(r["urn"], set()).add("+-")
    return changed


def engines(project: Project, stack: str) -> dict[str, set[str]]:
    """What the real `pulumi preview` will do: URN → changed top-level inputs (`+`/`-` for create/delete, `+-`
    for a replacement)."""
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
            changed.setdefault(step["urn"], set()).update(_top(k) for k in keys)
            if step["op"] in REPLACING_OPS:
                changed[step["urn"]].add("+-")
    return changed


def deleted_first(project: Project, stack: str) -> set[str]:
    """The names of the resources `pulumi preview` replaces by deleting the original first: in its plan, in the
    order the engine will run the steps, `-- <type> <name> delete original` comes before `++ … create replacement`
    (the JSON output lists a replacement's steps without that order)."""
    shown = project.pulumi("preview", "--stack", stack).stdout.splitlines()
    first: dict[str, str] = {}
    for line in shown:
        found = re.match(r"^\s*(--|\+\+) \S+ (\S+) (delete original|create replacement)\b", line)
        if found:
            first.setdefault(found[2], found[3])
    return {name for name, step in first.items() if step == "delete original"}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_the_offline_diff_names_what_the_engine_will_change(change: str, project: Project) -> None:
    stack, edit = CHANGES[change]
    project.init(stack)
    if change in PREPARED:
        _edit(project, stack, PREPARED[change])
    project.pulumi("up", "--yes", "--stack", stack)
    _git(project, "init", "-q", "-b", "main")
    _git(project, "add", "-A")
    _git(project, "commit", "-qm", "deployed")
    _edit(project, stack, edit)

    predicted, previewed = _inputs_named(ours(project, stack)), _inputs_named(engines(project, stack))
    assert predicted, "the change changes nothing offline"
    # Which replacements delete first: irsa's diff says so per resource; the engine orders its steps so.
    first = {r["name"] for r in our_diff(project, stack)["modified"] if (r["replace"] or {}).get("deleteFirst")}
    assert first == deleted_first(project, stack)
    # The same resources, replaced alike; for a replaced one the flag decides (the engine names whatever input
    # is unknown until its replacement exists, a whole `metadata` when it was computed from the new role).
    assert predicted.keys() == previewed.keys()
    replaced = {u for u, keys in predicted.items() if "+-" in keys}
    assert {u.split("::")[2].rsplit(":", 1)[-1] for u in replaced} == REPLACES.get(change, set())
    assert replaced == {u for u, keys in previewed.items() if "+-" in keys}
    assert {u: k for u, k in predicted.items() if u not in replaced} == {
        u: k for u, k in previewed.items() if u not in replaced
    }


def _inputs_named(changed: dict[str, set[str]]) -> dict[str, set[str]]:
    """A component's changed inputs unnamed: no provider diffs them, so the engine names none (a SharedRole's
    `sharedBy` when a workload joins it)."""
    return {u: (set() if u.split("::")[2].rsplit("$", 1)[-1].startswith("irsa:index:") and keys <= {"sharedBy"}
                else keys) for u, keys in changed.items()}  # fmt: skip


def _edit(project: Project, stack: str, edit: Change) -> None:
    document = yaml.safe_load(project.stack_file(stack).read_text())
    edit(document["config"])
    project.stack_file(stack).write_text(yaml.safe_dump(document, sort_keys=False))


def test_a_new_issuer_replaces_the_protected_provider_and_the_engine_stops_there(project: Project) -> None:
    """The OIDC provider's url forces a replacement; irsa protects the provider, so the real preview refuses
    the plan, and the offline diff says both."""
    stack = "staging"
    project.init(stack)
    project.pulumi("up", "--yes", "--stack", stack)
    _git(project, "init", "-q", "-b", "main")
    _git(project, "add", "-A")
    _git(project, "commit", "-qm", "deployed")
    issuer = "https://koreacentral.oic.prod-aks.azure.com/00000000-0000-0000-0000-000000000001/other-cluster/"
    _edit(project, stack, lambda c: c["irsa:cluster"].update(issuerUrl=issuer))

    replaced = {m["type"]: m["replace"] for m in our_diff(project, stack)["modified"] if m["replace"]}
    oidc = replaced.pop("aws:iam/openIdConnectProvider:OpenIdConnectProvider")
    assert oidc["inputs"] == ["url"] and "unprotect" in oidc["meaning"]
    preview = project.pulumi("preview", "--stack", stack, check=False)
    assert preview.code != 0
    assert "protect" in preview.stdout + preview.stderr
