"""What a reviewer sees: every change and every permission shows, nothing shown is invented,
and the text plan and markdown diff of every shipped stack are pinned as golden files.

Regenerate the golden files after an intended change with `make golden`, and review their diff.
"""

from __future__ import annotations

import copy
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT

from components.cli import diff, diff_render, render
from components.cli.plan import run_plan
from components.cli.stackfile import known_stacks, read_config
from components.core.settings import parse_settings
from components.version import VERSION

GOLDEN = Path(__file__).with_name("golden")
UPDATE = os.environ.get("IRSA_UPDATE_GOLDEN") == "1"
EMPTY = {"project": "irsa", "stack": "", "summary": [], "resources": [], "outputs": {}}


def plan_with(stack: str, change: Any = None) -> dict[str, Any]:
    """The plan of a shipped stack, optionally after `change(config)` edits its config."""
    raw = read_config(ROOT / "stacks" / f"Pulumi.{stack}.yaml", stack)
    if change is not None:
        raw = copy.deepcopy(raw)
        change(raw)
    return run_plan(parse_settings(raw, stack)).to_dict()


def longer_sessions(raw: dict[str, Any]) -> None:
    reader = next(w for w in raw["irsa:workloads"] if w["name"] == "report-reader")
    reader["maxSessionDuration"] = 43200
    reader["s3"].append({"bucket": "prod-reports", "prefix": "yearly/", "access": "read"})


@pytest.fixture(scope="module")
def prod_change(shipped_plans: dict[str, dict[str, Any]]) -> diff.PlanDiff:
    return diff.compare(shipped_plans["prod"], plan_with("prod", longer_sessions), "prod", "main")


# defect 1: every changed input appears, old → new ------------------------------------------------------------------


def test_non_document_change_shows_in_every_format(prod_change: diff.PlanDiff) -> None:
    [role] = [c for c in prod_change.changed if c.name == "report-reader-role"]
    assert role.paths == {"maxSessionDuration": {"before": 7200, "after": 43200}}
    assert '-  "maxSessionDuration": 7200,\n+  "maxSessionDuration": 43200,' in role.diffs["inputs"]
    assert '+  "maxSessionDuration": 43200,' in diff_render.to_text(prod_change)
    assert '+  "maxSessionDuration": 43200,' in diff_render.to_markdown(prod_change)
    modified = {m["name"]: m for m in json.loads(diff_render.to_json(prod_change))["modified"]}
    assert modified["report-reader-role"]["inputs"] == {"maxSessionDuration": {"before": 7200, "after": 43200}}
    assert modified["report-reader-role"]["parent"] is None and modified["report-reader-role"]["protect"] is None


def test_json_paths_reach_inside_documents(prod_change: diff.PlanDiff) -> None:
    [policy] = [c for c in prod_change.changed if c.name == "report-reader-policy"]
    # A list that grew changes as a whole; equal-length lists would change element by element.
    assert list(policy.paths) == ["policy.Statement"]
    assert len(policy.paths["policy.Statement"]["after"]) == len(policy.paths["policy.Statement"]["before"]) + 2
    assert json.loads(diff_render.to_json(prod_change))["outputs"] is None  # unchanged sections are null


def test_working_tree_is_labelled_as_such(prod_change: diff.PlanDiff) -> None:
    text = diff_render.to_text(prod_change)
    assert "+++ working-tree/report-reader-role.inputs.json" in text and "head/" not in text


def test_summary_says_what_changed_per_workload(prod_change: diff.PlanDiff) -> None:
    rows = {w.workload: w for w in prod_change.workloads}
    changes = rows["report-reader"].changes
    assert changes[:2] == ["maxSessionDuration: 7200 → 43200", "+ s3 read prod-reports/yearly/*"]
    # ...and, read from the documents, the two statements that grant it
    assert [c.split(":")[0] for c in changes[2:]] == [
        "+ permissions (report-reader-policy) Objects1",
        "+ permissions (report-reader-policy) List1",
    ]
    assert rows["uploads-api"].changes == []
    markdown = diff_render.to_markdown(prod_change)
    assert "`maxSessionDuration: 7200 → 43200`<br>`+ s3 read prod-reports/yearly/*`" in markdown
    assert markdown.index("| workload |") < markdown.index("| | type | name |")


def test_a_base_without_summary_claims_no_workload_change(shipped_plans: dict[str, dict[str, Any]]) -> None:
    old = {k: v for k, v in shipped_plans["prod"].items() if k != "summary"}
    result = diff.compare(old, plan_with("prod", longer_sessions), "prod", "v0")
    assert not result.base_has_summary and all(w.changes == [] for w in result.workloads)
    assert "(the plan at v0 has no summary" in diff_render.to_text(result)


# defect 2: the text plan shows every permission ------------------------------------------------------------------


@pytest.mark.parametrize(
    "stack,expected",
    [
        ("prod", ["policyArn: arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy"]),
        ("prod", ["maxSessionDuration: 7200"]),
        ("prod", ["name: irsa-prod-report-reader", "description: Web identity of analytics/report-reader"]),
        ("pod-identity", ["clusterName: platform-cluster", "namespace: media", "serviceAccount: thumbnailer"]),
        ("cross-account", ["--- pulumi:providers:aws cross-account", "allowedAccountIds: '[\"210987654321\"]'"]),
    ],
)
def test_text_plan_shows_every_permission(stack: str, expected: list[str], shipped_plans: dict[str, Any]) -> None:
    text = render.to_text(shipped_plans[stack])
    for line in expected:
        assert line in text


def test_text_plan_starts_with_the_workload_summary(shipped_plans: dict[str, dict[str, Any]]) -> None:
    lines = render.to_text(shipped_plans["prod"]).splitlines()
    assert lines[2] == "Workloads:"
    assert "      managed service-role/AmazonEBSCSIDriverPolicy" in lines
    assert "      preset external-dns on Z0123456789ABCDEFGHIJ" in lines


# defect 3: nothing derived from a placeholder --------------------------------------------------------------------


@pytest.mark.parametrize("stack", known_stacks())
def test_values_are_never_derived_from_placeholders(stack: str, shipped_plans: dict[str, dict[str, Any]]) -> None:
    text = json.dumps(shipped_plans[stack])
    assert not re.search(r"<unknown: [^>]*<unknown", text), "a placeholder inside a placeholder"
    hashes = re.findall(r'"irsa.pulumi.com/role-arn-sha256": "([^"]*)"', text)
    has_jobs = any(r["type"] == "kubernetes:batch/v1:Job" for r in shipped_plans[stack]["resources"])
    assert bool(hashes) == has_jobs and all(re.fullmatch(r"[0-9a-f]{16}|<unknown: [^<>]*>", h) for h in hashes)


def test_a_known_role_arn_still_gets_a_hash(shipped_plans: dict[str, dict[str, Any]]) -> None:
    assert re.search(r'"irsa.pulumi.com/role-arn-sha256": "[0-9a-f]{16}"', json.dumps(shipped_plans["prod"]))


# defect 4: no noise -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("stack", known_stacks())
def test_the_verification_script_prints_once(stack: str, shipped_plans: dict[str, dict[str, Any]]) -> None:
    script = (ROOT / "components" / "verify_s3.py").read_text()
    first_line = script.splitlines()[0]
    jobs = sum(r["type"] == "kubernetes:batch/v1:Job" for r in shipped_plans[stack]["resources"])
    assert render.to_text(shipped_plans[stack]).count(first_line) == min(jobs, 1)


@pytest.mark.parametrize("stack", known_stacks())
def test_tree_columns_line_up(stack: str, shipped_plans: dict[str, dict[str, Any]]) -> None:
    lines = render.to_text(shipped_plans[stack]).splitlines()
    start = lines.index(next(line for line in lines if line.lstrip().startswith("Type")))
    rows = lines[start : lines.index("", start)]
    name_column = rows[0].index("Name")
    assert len(rows) == len(shipped_plans[stack]["resources"]) + 1
    for row in rows[1:]:
        assert row[name_column - 2 : name_column] == "  " and row[name_column] != " ", row


# defect 6: a newcomer never stalls -------------------------------------------------------------------------------


def test_version_answers(capsys: pytest.CaptureFixture[str]) -> None:
    from components.cli import main as cli

    with pytest.raises(SystemExit) as exit_:
        cli.main(["--version"])
    assert exit_.value.code == 0 and capsys.readouterr().out == f"irsa {VERSION}\n"


def test_every_option_has_help() -> None:
    from components.cli import main as cli

    for verb in cli.parser()._subparsers._group_actions[0].choices.values():  # type: ignore[union-attr]
        for action in verb._actions:
            assert action.help, f"{verb.prog} {action.option_strings} has no help"


def test_readme_commands_work_without_activating_the_venv() -> None:
    readme = (ROOT / "README.md").read_text()
    assert ".venv/bin/python -m components plan" in readme
    assert "pulumi stack select --create" in readme or "pulumi stack init" in readme
    assert "make bench ARGS=" in readme and "make golden" in readme


# golden files ----------------------------------------------------------------------------------------------------


def golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)
    assert path.exists(), f"no golden file {name}: run make golden"
    assert text == path.read_text(), f"{name} changed: review it, then run make golden"


@pytest.mark.parametrize("stack", known_stacks())
def test_golden_text_plan(stack: str, shipped_plans: dict[str, dict[str, Any]]) -> None:
    golden(f"{stack}.plan.txt", render.to_text(shipped_plans[stack]))


@pytest.mark.parametrize("stack", known_stacks())
def test_golden_markdown_diff_of_a_new_stack(stack: str, shipped_plans: dict[str, dict[str, Any]]) -> None:
    golden(f"{stack}.new.diff.md", diff_render.to_markdown(diff.compare(EMPTY, shipped_plans[stack], stack, "main")))


def test_golden_markdown_diff_of_a_change(prod_change: diff.PlanDiff) -> None:
    golden("prod.longer-sessions.diff.md", diff_render.to_markdown(prod_change))


def test_every_golden_file_belongs_to_a_test() -> None:
    expected = {f"{s}.plan.txt" for s in known_stacks()} | {f"{s}.new.diff.md" for s in known_stacks()}
    assert {p.name for p in GOLDEN.iterdir()} == expected | {"prod.longer-sessions.diff.md"}
