"""The GitHub Actions workflows: least privilege, OIDC only, one update per stack at a time."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = {p.stem: p for p in (ROOT / ".github" / "workflows").glob("*.yml")}
CLOUD_LOGINS = ("aws-actions/configure-aws-credentials", "azure/login", "pulumi/auth-actions")


def load(name: str) -> dict[str, Any]:
    # BaseLoader keeps `on:` a string key instead of YAML 1.1's boolean True.
    return dict(yaml.load(WORKFLOWS[name].read_text(), Loader=yaml.BaseLoader))


def steps_using(job: dict[str, Any], prefix: str) -> list[dict[str, Any]]:
    return [s for s in job.get("steps", []) if str(s.get("uses", "")).startswith(prefix)]


def test_the_three_workflows_exist() -> None:
    assert set(WORKFLOWS) == {"pull-request", "pr-comment", "deploy"}


@pytest.mark.parametrize("name", sorted(WORKFLOWS))
def test_least_privilege_permissions(name: str) -> None:
    workflow = load(name)
    assert workflow["permissions"] == {}, "top-level permissions: {} so every job asks for what it needs"
    for job_name, job in workflow["jobs"].items():
        assert "permissions" in job, f"{job_name} states its permissions"
        logs_in = any(steps_using(job, p) for p in CLOUD_LOGINS)
        wants_token = job["permissions"] != {} and job["permissions"].get("id-token") == "write"
        assert logs_in == wants_token, f"{job_name}: id-token: write exactly where a cloud login happens"


@pytest.mark.parametrize("name", sorted(WORKFLOWS))
def test_no_static_cloud_keys(name: str) -> None:
    text = WORKFLOWS[name].read_text()
    for pattern in (
        r"AWS_ACCESS_KEY_ID",
        r"AWS_SECRET_ACCESS_KEY",
        r"aws-access-key-id",
        r"aws-secret-access-key",
        r"\bcreds:",
        r"client-secret",
        r"AZURE_CREDENTIALS",
        r"PULUMI_ACCESS_TOKEN",
        r"secrets\.",
    ):
        assert not re.search(pattern, text), f"{name} mentions {pattern}"
    for job in load(name)["jobs"].values():
        for step in steps_using(job, "aws-actions/configure-aws-credentials"):
            assert "role-to-assume" in step["with"]


def test_fork_pull_requests_get_plan_and_diff_without_secrets() -> None:
    jobs = load("pull-request")["jobs"]
    plan = jobs["plan-diff"]
    assert plan["permissions"] == {"contents": "read"} and "if" not in plan
    script = "\n".join(s.get("run", "") for s in plan["steps"])
    assert "components plan --stack" in script and "components diff --stack" in script
    assert "--format markdown" in script
    assert jobs["preview"]["if"] == "github.event.pull_request.head.repo.full_name == github.repository"
    preview = steps_using(jobs["preview"], "pulumi/actions")[0]["with"]
    assert preview["command"] == "preview" and preview["comment-on-pr"] == "true"
    assert preview["policyPacks"] == "policy"


def test_the_comment_workflow_never_runs_pull_request_code() -> None:
    workflow = load("pr-comment")
    assert workflow["on"] == {"workflow_run": {"workflows": ["pull request"], "types": ["completed"]}}
    job = workflow["jobs"]["comment"]
    assert not steps_using(job, "actions/checkout")
    assert job["permissions"] == {"actions": "read", "pull-requests": "write"}
    script = "\n".join(s.get("run", "") for s in job["steps"])
    assert "<!-- irsa-plan-diff -->" in script and "PATCH" in script  # one comment, updated in place


def test_deploy_runs_each_stack_in_its_environment_one_update_at_a_time() -> None:
    workflow = load("deploy")
    assert workflow["on"] == {"push": {"branches": ["main"]}}
    job = workflow["jobs"]["up"]
    assert job["strategy"]["matrix"]["stack"] == ["dev", "staging", "prod"]
    assert job["environment"] == "${{ matrix.stack }}"
    assert job["concurrency"] == {"group": "pulumi-up-${{ matrix.stack }}", "cancel-in-progress": "false"}
    up = steps_using(job, "pulumi/actions")[0]["with"]
    assert up["command"] == "up" and up["policyPacks"] == "policy"


def test_pull_requests_diff_every_shipped_stack_and_main_deploys_the_environments() -> None:
    from components.cli.stackfile import known_stacks

    jobs = load("pull-request")["jobs"]
    assert sorted(jobs["plan-diff"]["strategy"]["matrix"]["stack"]) == known_stacks()
    assert jobs["preview"]["strategy"]["matrix"]["stack"] == ["dev", "staging", "prod"]
    assert load("deploy")["jobs"]["up"]["strategy"]["matrix"]["stack"] == ["dev", "staging", "prod"]


def test_actionlint_passes() -> None:
    binary = shutil.which("actionlint", path=str(Path(sys.executable).parent))
    assert binary, "actionlint comes with requirements-actionlint.txt (pinned by hash)"
    result = subprocess.run(
        [binary, "-no-color", "-oneline", "-shellcheck=", "-pyflakes=", *map(str, WORKFLOWS.values())],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


FAKE_GH = """#!/usr/bin/env python3
import json, os, sys
args = sys.argv[1:]
log = open(os.environ["GH_LOG"], "a")
if "--method" in args:
    method, path = args[args.index("--method") + 1], args[args.index("--method") + 2]
    body = open(args[-1].split("@", 1)[1], encoding="utf-8").read()
    log.write(json.dumps({"method": method, "path": path, "body": body}) + "\\n")
elif args[1].endswith("/comments"):
    for comment in json.load(open(os.environ["GH_COMMENTS"])):
        print(json.dumps(comment))
else:
    print(os.environ["HEAD_SHA"] + " " + os.environ["HEAD_REPO"] + " open")
"""


def _post_comment(tmp_path: Path, comments: list[dict[str, Any]], diffs: dict[str, str]) -> list[dict[str, Any]]:
    """Run the comment step's own script, with a fake `gh` serving these comments; what it sent to GitHub."""
    [step] = [s for s in load("pr-comment")["jobs"]["comment"]["steps"] if "run" in s]
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / "gh").write_text(FAKE_GH.replace("#!/usr/bin/env python3", f"#!{sys.executable}"))
    (bin_dir / "gh").chmod(0o755)
    (tmp_path / "artifacts" / "pr-number").mkdir(parents=True)
    (tmp_path / "artifacts" / "pr-number" / "number").write_text("7")
    for stack, text in diffs.items():
        (tmp_path / "artifacts" / f"plan-diff-{stack}").mkdir()
        (tmp_path / "artifacts" / f"plan-diff-{stack}" / f"diff-{stack}.md").write_text(text)
    (tmp_path / "comments.json").write_text(json.dumps(comments))
    env = {
        "PATH": f"{bin_dir}:{os.environ['PATH']}", "GH_LOG": str(tmp_path / "log"), "REPO": "org/irsa",
        "HEAD_REPO": "org/irsa", "HEAD_SHA": "abc", "RUN_ID": "99", "GH_COMMENTS": str(tmp_path / "comments.json"),
    }  # fmt: skip
    subprocess.run(["bash", "-e", "-c", step["run"]], cwd=tmp_path, env=env, check=True, capture_output=True)
    return [json.loads(line) for line in (tmp_path / "log").read_text().splitlines()]


MARKER = "<!-- irsa-plan-diff -->"


def test_the_comment_is_found_by_marker_and_author(tmp_path: Path) -> None:
    theirs = {"id": 1, "user": {"login": "mallory"}, "body": f"{MARKER}\nlooks fine, merge it"}
    ours = {"id": 2, "user": {"login": "github-actions[bot]"}, "body": f"{MARKER}\nold diff"}
    [sent] = _post_comment(tmp_path / "a", [theirs], {"dev": "### irsa plan diff: `dev`\n\nNo changes.\n"})
    assert sent["method"] == "POST" and sent["path"] == "repos/org/irsa/issues/7/comments"  # never mallory's
    [sent] = _post_comment(tmp_path / "b", [theirs, ours], {"dev": "### irsa plan diff: `dev`\n\nNo changes.\n"})
    assert sent["method"] == "PATCH" and sent["path"] == "repos/org/irsa/issues/comments/2"


def test_a_diff_past_githubs_limit_still_posts_each_stacks_summary(tmp_path: Path) -> None:
    big = "x" * 9000
    diffs = {f"s{i:02d}": f"### irsa plan diff: `s{i:02d}`\n\n**3** to add\n\n| | workload |\n|---|---|\n| ➕ | w |\n\n"
             f"| | type | name |\n|---|---|---|\n{big}\n" for i in range(12)}  # fmt: skip
    [sent] = _post_comment(tmp_path, [], diffs)
    assert len(sent["body"]) <= 65536
    assert all(f"### irsa plan diff: `{s}`" in sent["body"] for s in diffs) and big not in sent["body"]
    assert "/org/irsa/actions/runs/99" in sent["body"]


@pytest.mark.parametrize("name", sorted(WORKFLOWS))
def test_every_action_is_pinned_to_a_commit_with_its_tag_beside_it(name: str) -> None:
    """A tag can be moved to other code; a commit cannot. The comment says which release the commit is."""
    uses = [line for line in WORKFLOWS[name].read_text().splitlines() if line.strip().lstrip("- ").startswith("uses:")]
    assert uses
    for line in uses:
        assert re.search(r"uses: [\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$", line), line


def test_the_one_zizmor_ignore_says_why() -> None:
    lines = [(n, line) for n, p in WORKFLOWS.items() for line in p.read_text().splitlines()]
    ignores = [(n, line) for n, line in lines if "zizmor: ignore" in line]
    audits = [(n, line.split("ignore[")[1].split("]")[0]) for n, line in ignores]
    assert audits == [("pr-comment", "dangerous-triggers")]
    assert "reason" in ignores[0][1]
