"""`diff` on a temporary git repository: each kind of change shows as a reviewer needs it."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml


def edit(repo: Path, change: Callable[[dict[str, Any]], None]) -> None:
    path = repo / "stacks" / "Pulumi.dev.yaml"
    stack = yaml.safe_load(path.read_text())
    change(stack["config"])
    path.write_text(yaml.safe_dump(stack))


def diff(repo: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "components", "diff", "--stack", "dev", "--base", "main", "--exit-code", *extra],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_no_change(repo: Path) -> None:
    result = diff(repo)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "irsa diff dev: no changes against main\n"


def test_changed_bucket_shows_the_policy_json_diff(repo: Path) -> None:
    edit(repo, lambda c: c["irsa:workloads"][0]["s3"][0].update(bucket="app-uploads-v2"))
    result = diff(repo)
    assert result.returncode == 1, result.stderr
    assert "0 to add, 0 to remove, 1 to change" in result.stdout
    assert "~ aws:iam/rolePolicy:RolePolicy writer-policy (policy)" in result.stdout
    assert '-  "Resource": "arn:aws:s3:::app-uploads/in/*",' in result.stdout.replace("      ", "  ")
    assert '+  "Resource": "arn:aws:s3:::app-uploads-v2/in/*",' in result.stdout.replace("      ", "  ")


def test_new_workload_is_added_with_its_documents(repo: Path) -> None:
    edit(
        repo,
        lambda c: c["irsa:workloads"].append(
            {
                "name": "auditor",
                "namespace": "audit",
                "serviceAccount": "auditor",
                "sampleJob": False,
                "s3": [{"bucket": "audit-logs", "access": "read"}],
            }
        ),
    )
    result = diff(repo)
    assert result.returncode == 1, result.stderr
    for line in (
        "+ irsa:index:WorkloadIdentity auditor",
        "+ aws:iam/role:Role auditor-role",
        "+ aws:iam/rolePolicy:RolePolicy auditor-policy",
        "+ kubernetes:core/v1:ServiceAccount auditor-sa",
    ):
        assert line in result.stdout.splitlines()
    assert "4 to add, 0 to remove, 0 to change" in result.stdout
    assert "system:serviceaccount:audit:auditor" in result.stdout


def test_removed_workload_is_removed_and_nothing_else_changes(repo: Path) -> None:
    edit(repo, lambda c: c["irsa:workloads"].pop(1))
    result = diff(repo, "--format", "json")
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert sorted(r["name"] for r in report["removed"]) == ["reader", "reader-policy", "reader-role", "reader-sa"]
    assert report["added"] == [] and report["modified"] == []


def test_changed_audience_touches_provider_trust_and_service_accounts(repo: Path) -> None:
    edit(repo, lambda c: c["irsa:cluster"].update(audience="my-audience"))
    result = diff(repo, "--format", "json")
    assert result.returncode == 1, result.stderr
    modified = {m["name"]: m for m in json.loads(result.stdout)["modified"]}
    assert set(modified) == {"dev-cluster-oidc-provider", "writer-role", "reader-role", "writer-sa", "reader-sa"}
    assert '+    "my-audience"' in modified["dev-cluster-oidc-provider"]["diffs"]["inputs"]
    assert (
        '+          "<unknown: OIDC issuer URL of EKS cluster dev-cluster>:aud": "my-audience",'
        in modified["writer-role"]["diffs"]["assumeRolePolicy"]
    )
    assert "+    eks.amazonaws.com/audience: my-audience" in modified["writer-sa"]["diffs"]["manifest"]


def test_markdown_is_a_pr_comment_with_collapsible_sections(repo: Path) -> None:
    edit(repo, lambda c: c["irsa:workloads"][0]["s3"][0].update(access="read-write"))
    result = diff(repo, "--format", "markdown")
    assert result.returncode == 1, result.stderr
    assert result.stdout.startswith("### irsa plan diff: `dev` against `main`")
    assert "<details>" in result.stdout and "```diff" in result.stdout
    assert '+        "s3:DeleteObject"' in result.stdout


def test_base_runs_its_own_code(repo: Path) -> None:
    """A change to the code (not the config) shows too: the base plan ran the base's code."""
    path = repo / "components" / "core" / "names.py"
    path.write_text(path.read_text().replace('return f"irsa-{workload}-s3"', 'return f"irsa-{workload}-s3-v2"'))
    result = diff(repo, "--format", "json")
    assert result.returncode == 1, result.stderr
    modified = {m["name"] for m in json.loads(result.stdout)["modified"]}
    assert modified == {"writer-policy", "reader-policy"}


def test_unknown_revision_exits_2(repo: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "components", "diff", "--stack", "dev", "--base", "no-such-ref"],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr == (
        '--base: "no-such-ref" is not a commit here (a branch, tag or commit of this repository, e.g. origin/main)\n'
    )


def test_invalid_working_tree_config_exits_2(repo: Path) -> None:
    edit(repo, lambda c: c["irsa:cluster"].update(kind="gke"))
    result = diff(repo)
    assert result.returncode == 2
    assert result.stderr.strip() == 'irsa:cluster.kind: "gke" is not a supported cluster kind (eks or aks)'
