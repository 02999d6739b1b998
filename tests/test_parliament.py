"""parliament, an independent IAM linter, over every permission document the shipped stacks render and a
fixture with every preset: no unknown action, prefix, malformed statement or action/resource mismatch,
except findings accepted in tests/parliament_allowlist.json with the reason."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import plan_of
from grant_fixtures import EVERYTHING, stack
from parliament import analyze_policy_string

from components.core import presets

ALLOWLIST = json.loads(Path(__file__).with_name("parliament_allowlist.json").read_text())["accepted"]
EVERY_PRESET = presets.PresetOptions(
    "prod-cluster",
    "aws",
    ("Z0123456789ABCDEFGHIJ",),
    ("arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:db-AbCdEf",),
    ("arn:aws:ssm:ap-northeast-2:123456789012:parameter/app/*",),
    ("arn:aws:iam::123456789012:role/KarpenterNodeRole-prod",),
    ("arn:aws:sqs:ap-northeast-2:123456789012:prod-cluster-interruptions",),
    "ap-northeast-2",
)


def findings(document: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """(issue, actions) of every finding; actions from the detail parliament gives."""
    result = []
    for finding in analyze_policy_string(json.dumps(document)).findings:
        detail = finding.detail
        if isinstance(detail, list):
            actions = sorted({str(d["action"]) if isinstance(d, dict) else str(d) for d in detail})
        else:
            text = str(detail)
            actions = [word for word in text.replace(",", " ").split() if ":" in word and not word.endswith(":")]
            actions = [a for a in actions if a.split(":")[0].replace("-", "").isalnum()][-1:]
        result.append((finding.issue, actions))
    return result


def accepted(issue: str, actions: list[str]) -> dict[str, Any] | None:
    return next((a for a in ALLOWLIST if a["issue"] == issue and set(actions) <= set(a["actions"])), None)


def documents(shipped_plans: dict[str, dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    docs = [
        (f"{stack} {r['name']}", json.loads(r["inputs"]["policy"]))
        for stack, plan in shipped_plans.items()
        for r in plan["resources"]
        if r["type"] == "aws:iam/rolePolicy:RolePolicy"
    ]
    everything = tuple(n for n, p in presets.PRESETS.items() if p.statements)
    [grants] = [r for r in plan_of(stack(**EVERYTHING))["resources"] if r["type"] == "aws:iam/rolePolicy:RolePolicy"]
    docs.append(("every grant", json.loads(grants["inputs"]["policy"])))
    docs.append(("every preset", {"Version": "2012-10-17", "Statement": presets.statements(everything, EVERY_PRESET)}))
    return docs


def test_every_document_is_clean_or_accepted(shipped_plans: dict[str, dict[str, Any]]) -> None:
    refused, used = [], set()
    checked = documents(shipped_plans)
    for label, document in checked:
        for issue, actions in findings(document):
            entry = accepted(issue, actions)
            if entry is None:
                refused.append(f"{label}: {issue} {actions}")
            else:
                used.add(ALLOWLIST.index(entry))
    assert refused == []
    assert used == set(range(len(ALLOWLIST))), "an allowlist entry no finding uses: remove it"
    assert len(checked) >= 8


@pytest.mark.parametrize(
    "document,issue",
    [
        ({"Statement": [{"Effect": "Allow", "Action": "s3:GetObjekt", "Resource": "*"}]}, "UNKNOWN_ACTION"),
        ({"Statement": [{"Effect": "Allow", "Action": "s4:GetObject", "Resource": "*"}]}, "UNKNOWN_PREFIX"),
        (
            {"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket"}]},
            "RESOURCE_MISMATCH",
        ),
    ],
)
def test_the_linter_catches_what_it_is_here_for(document: dict[str, Any], issue: str) -> None:
    assert issue in {i for i, _ in findings({"Version": "2012-10-17", **document})}
