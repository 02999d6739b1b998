"""`python -m components plan` as users run it: every shipped stack, every format, exit codes."""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.cli import main as cli
from components.cli import render
from components.cli.stackfile import known_stacks

ROOT = Path(__file__).resolve().parent.parent
STACKS = known_stacks()


def in_process(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(list(args))
    return code, out.getvalue(), err.getvalue()


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "components", *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_shipped_stacks() -> None:
    assert {"dev", "staging", "prod"} <= set(STACKS)


def test_plan_as_users_run_it() -> None:
    """The real entry, as a subprocess: JSON on stdout, nothing on stderr, not even a shutdown traceback."""
    result = run("plan", "--stack", "dev", "--format", "json")
    assert result.returncode == 0 and result.stderr == "", result.stderr
    assert json.loads(result.stdout)["stack"] == "dev"


WITHOUT_WORKLOADS = {"platform"}  # a platform stack: clusters and OIDC providers only


@pytest.mark.parametrize("stack", STACKS)
def test_plan_json_matches_the_contract(stack: str, shipped_plans: dict[str, dict[str, Any]]) -> None:
    plan = json.loads(render.to_json(shipped_plans[stack]))
    assert (plan["project"], plan["stack"]) == ("irsa", stack)
    urns = {r["urn"] for r in plan["resources"]}
    for r in plan["resources"]:
        assert set(r) == {"urn", "type", "name", "parent", "dependsOn", "protect", "inputs"}
        assert r["parent"] is None or r["parent"] in urns
        assert set(r["dependsOn"]) <= urns
    roles = [r for r in plan["resources"] if r["type"] == "aws:iam/role:Role"]
    assert (bool(roles) != (stack in WITHOUT_WORKLOADS)) and all(
        isinstance(json.loads(r["inputs"]["assumeRolePolicy"]), dict) for r in roles
    )
    workload_roles = [r for r in roles if "irsa:index:WorkloadIdentity$" in r["urn"]]
    shared = [r for r in plan["resources"] if r["type"] == "irsa:index:SharedRole"]
    assert set(plan["outputs"]["workloads"]) == {r["name"].removesuffix("-role") for r in workload_roles} | {
        w for r in shared for w in r["inputs"]["sharedBy"]}


@pytest.mark.parametrize("stack", STACKS)
def test_plan_yaml_equals_json(stack: str, shipped_plans: dict[str, dict[str, Any]]) -> None:
    plan = shipped_plans[stack]
    assert yaml.safe_load(render.to_yaml(plan)) == json.loads(render.to_json(plan))


@pytest.mark.parametrize("stack", STACKS)
def test_plan_text_reads_like_a_preview(stack: str, shipped_plans: dict[str, dict[str, Any]]) -> None:
    text = render.to_text(shipped_plans[stack])
    assert "pulumi:pulumi:Stack" in text and f"irsa-{stack}" in text
    if stack in WITHOUT_WORKLOADS:  # a platform: its clusters' OIDC providers, and the contract it exports
        assert "--- aws:iam/openIdConnectProvider:OpenIdConnectProvider" in text and "irsaPlatform" in text
        return
    assert "--- aws:iam/role:Role" in text
    assert ("sts:AssumeRoleWithWebIdentity" in text) != (stack in ("pod-identity", "shared-roles"))
    assert "--- kubernetes:core/v1:ServiceAccount" in text


def test_lookup_values_are_explicit_placeholders(shipped_plans: dict[str, dict[str, Any]]) -> None:
    assert shipped_plans["dev"]["outputs"]["issuerUrl"].startswith("<unknown")


def test_config_file_at_any_path(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text((ROOT / "stacks" / "Pulumi.prod.yaml").read_text())
    code, out, err = in_process("plan", "--stack", "mine", "--config", str(path), "--format", "json")
    assert code == 0, err
    assert json.loads(out)["stack"] == "mine"


def test_invalid_config_exits_2_with_one_line_per_problem(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "config:\n  aws:region: ap-northeast-2\n  irsa:cluster: {kind: eks, name: c}\n"
        "  irsa:workloads:\n    - {name: a, namespace: Prod_NS, serviceAccount: a, s3: [{bucket: b1x, access: read}]}\n"
        "    - {name: a, namespace: ok, serviceAccount: a, s3: [{bucket: b1x, access: read}]}\n"
    )
    result = run("plan", "--stack", "bad", "--config", str(path))
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        'irsa:workloads[0].namespace: "Prod_NS" is not a valid Kubernetes namespace '
        "(lowercase RFC 1123 label, at most 63 characters)",
        'irsa:workloads[1].name: "a" is already used by irsa:workloads[0] (unique workload names)',
    ]


def test_yaml_syntax_error_points_at_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("config:\n  aws:region: ap-northeast-2\n  irsa:cluster: {kind: eks\n")
    result = run("plan", "--stack", "x", "--config", str(path))
    assert result.returncode == 2
    assert result.stderr.startswith(f"{path}:4:1: YAML syntax error: ")
    assert "Traceback" not in result.stderr


def test_unknown_stack_exits_2() -> None:
    result = run("plan", "--stack", "nope")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"--stack: no stack file stacks/Pulumi.nope.yaml (one of: {', '.join(STACKS)}; "
        "or pass --stack NAME --config FILE)"
    )


def test_bad_flags_exit_2_without_traceback() -> None:
    result = run("plan", "--stack", "dev", "--format", "xml")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "--format" in result.stderr


def test_wildcard_subject_prints_a_warning(tmp_path: Path) -> None:
    stack = yaml.safe_load((ROOT / "stacks" / "Pulumi.dev.yaml").read_text())
    stack["config"]["irsa:workloads"][0]["extraSubjects"] = ["system:serviceaccount:production:s3-*"]
    path = tmp_path / "wild.yaml"
    path.write_text(yaml.safe_dump(stack))
    code, out, err = in_process("plan", "--stack", "dev", "--config", str(path), "--format", "json")
    assert code == 0, err
    assert err.startswith("warning: irsa:workloads[0].extraSubjects: 'system:serviceaccount:production:s3-*'")
    role = next(r for r in json.loads(out)["resources"] if r["type"] == "aws:iam/role:Role")
    assert "StringLike" in json.loads(role["inputs"]["assumeRolePolicy"])["Statement"][0]["Condition"]
