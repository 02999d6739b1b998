"""`diff`: each kind of change shows as a reviewer needs it.

Most tests compare two in-process plans with `diff.compare` and render them; a few run the real
command on a temporary git repository (the base planned with its own code, exit codes, errors).
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import DIFF_STACK

from components.cli import diff as diff_module
from components.cli import diff_render
from components.cli.plan import run_plan
from components.core.settings import parse_settings

Change = Callable[[dict[str, Any]], None]


@pytest.fixture(scope="module")
def base_plan() -> dict[str, Any]:
    return run_plan(parse_settings(DIFF_STACK["config"], "dev")).to_dict()


def changed(base_plan: dict[str, Any], change: Change) -> diff_module.PlanDiff:
    """The diff a reviewer sees after `change(config)`, against the unchanged stack."""
    config = copy.deepcopy(DIFF_STACK["config"])
    change(config)
    head = run_plan(parse_settings(config, "dev")).to_dict()
    return diff_module.compare(base_plan, head, "dev", "main")


def edit(repo: Path, change: Change) -> None:
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


def test_no_change(base_plan: dict[str, Any]) -> None:
    assert diff_render.to_text(changed(base_plan, lambda c: None)) == "irsa diff dev: no changes against main\n"


def test_a_real_change_through_the_command_exits_1(repo: Path) -> None:
    """End to end: git, both plans as subprocesses, --exit-code."""
    assert diff(repo).returncode == 0
    edit(repo, lambda c: c["irsa:workloads"][0]["s3"][0].update(bucket="app-uploads-v2"))
    result = diff(repo)
    assert result.returncode == 1, result.stderr
    assert "~ aws:iam/rolePolicy:RolePolicy writer-policy (policy)" in result.stdout


def test_changed_bucket_shows_the_policy_json_diff(base_plan: dict[str, Any]) -> None:
    text = diff_render.to_text(
        changed(base_plan, lambda c: c["irsa:workloads"][0]["s3"][0].update(bucket="app-uploads-v2"))
    )
    assert "0 to add, 0 to remove, 1 to change" in text
    assert "~ aws:iam/rolePolicy:RolePolicy writer-policy (policy)" in text
    assert '-  "Resource": "arn:aws:s3:::app-uploads/in/*",' in text.replace("      ", "  ")
    assert '+  "Resource": "arn:aws:s3:::app-uploads-v2/in/*",' in text.replace("      ", "  ")


def test_new_workload_is_added_with_its_documents(base_plan: dict[str, Any]) -> None:
    result = changed(
        base_plan,
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
    text = diff_render.to_text(result)
    for line in (
        "+ irsa:index:WorkloadIdentity auditor",
        "+ aws:iam/role:Role auditor-role",
        "+ aws:iam/rolePolicy:RolePolicy auditor-policy",
        "+ kubernetes:core/v1:ServiceAccount auditor-sa",
    ):
        assert line in text.splitlines()
    assert "4 to add, 0 to remove, 0 to change" in text
    assert "system:serviceaccount:audit:auditor" in text


def test_removed_workload_is_removed_and_nothing_else_changes(base_plan: dict[str, Any]) -> None:
    report = json.loads(diff_render.to_json(changed(base_plan, lambda c: c["irsa:workloads"].pop(1))))
    assert sorted(r["name"] for r in report["removed"]) == ["reader", "reader-policy", "reader-role", "reader-sa"]
    assert report["added"] == [] and report["modified"] == []


def test_changed_audience_touches_provider_trust_and_service_accounts(base_plan: dict[str, Any]) -> None:
    result = changed(base_plan, lambda c: c["irsa:cluster"].update(audience="my-audience"))
    modified = {m["name"]: m for m in json.loads(diff_render.to_json(result))["modified"]}
    assert set(modified) == {"dev-cluster-oidc-provider", "writer-role", "reader-role", "writer-sa", "reader-sa"}
    assert '+    "my-audience"' in modified["dev-cluster-oidc-provider"]["diffs"]["inputs"]
    assert (
        '+          "<unknown: OIDC issuer URL of EKS cluster dev-cluster>:aud": "my-audience",'
        in modified["writer-role"]["diffs"]["assumeRolePolicy"]
    )
    assert "+    eks.amazonaws.com/audience: my-audience" in modified["writer-sa"]["diffs"]["manifest"]


def test_markdown_is_a_pr_comment_with_collapsible_sections(base_plan: dict[str, Any]) -> None:
    markdown = diff_render.to_markdown(
        changed(base_plan, lambda c: c["irsa:workloads"][0]["s3"][0].update(access="read-write"))
    )
    assert markdown.startswith("### irsa plan diff: `dev` against `main`")
    assert "<details>" in markdown and "```diff" in markdown
    assert '+        "s3:DeleteObject"' in markdown


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
