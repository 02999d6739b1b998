"""The per-workload rows a reviewer reads first mark every change in who may assume a role or what it may do, read
from the rendered documents — not from a list of config keys (which missed these three)."""

from __future__ import annotations

from typing import Any

from conftest import EKS_CONFIG, config, plan_of

from components.cli import diff

NODE_ROLE, ADMIN_ROLE = "arn:aws:iam::123456789012:role/KarpenterNodeRole-dev", "arn:aws:iam::123456789012:role/Admin"
STATEMENT = {"Sid": "Logs", "Effect": "Allow", "Action": ["logs:PutLogEvents"],
             "Resource": "arn:aws:logs:ap-northeast-2:123456789012:log-group:app:*",
             "Condition": {"StringEquals": {"aws:RequestedRegion": "ap-northeast-2"}}}  # fmt: skip


def _changes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    def stack(workload: dict[str, Any]) -> dict[str, Any]:
        return config(EKS_CONFIG, **{"irsa:workloads": [{**EKS_CONFIG["irsa:workloads"][0], **workload}]})

    [row] = diff.compare(plan_of(stack(before)), plan_of(stack(after)), "dev", "main").workloads
    return row.changes


def test_a_wildcard_subject_marks_the_trust() -> None:
    changes = _changes({}, {"extraSubjects": ["system:serviceaccount:team-*:ci"]})
    assert any(c.startswith("~ trust (s3-writer-role) ") and "team-*" in c for c in changes), changes


def test_a_swapped_karpenter_node_role_marks_the_permissions() -> None:
    karpenter = {"presets": ["karpenter"], "sampleJob": False, "namespace": "karpenter", "serviceAccount": "karpenter"}
    changes = _changes({**karpenter, "presetOptions": {"nodeRoleArns": [NODE_ROLE]}},
                       {**karpenter, "presetOptions": {"nodeRoleArns": [ADMIN_ROLE]}})  # fmt: skip
    assert any("permissions" in c and ADMIN_ROLE in c for c in changes), changes


def test_a_condition_widened_to_a_wildcard_marks_the_permissions() -> None:
    widened = {**STATEMENT, "Condition": {"StringLike": {"aws:RequestedRegion": "*"}}}
    changes = _changes({"statements": [STATEMENT]}, {"statements": [widened]})
    assert any(c.startswith("~ permissions (s3-writer-policy) Logs.Condition") for c in changes), changes
