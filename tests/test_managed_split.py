"""Past the 10,240-character inline quota, permissions move to customer-managed policies of at most 6,144
characters each, deterministically, within the account's per-role attachment quota; the plan says so."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import EKS_CONFIG, by_type, config, plan_of

from components.cli import diff as diff_module
from components.core import documents
from components.core.model import ConfigError
from components.core.settings import parse_settings
from components.core.stack_plan import stack_plans


def big(grants: int = 45, **extra: Any) -> dict[str, Any]:
    s3 = [
        {"bucket": f"team-data-bucket-{i:03d}", "prefix": f"datasets/region-{i:03d}/daily/", "access": "read"}
        for i in range(grants)
    ]
    workload = {**EKS_CONFIG["irsa:workloads"][0], "s3": s3, "sampleJob": False}
    return config(EKS_CONFIG, **{"irsa:workloads": [workload], "irsa:accountId": "123456789012", **extra})


def test_a_stack_under_the_quota_keeps_its_inline_policy() -> None:
    plan = plan_of(big(10))
    assert len(by_type(plan, "aws:iam/rolePolicy:RolePolicy")) == 1 and by_type(plan, "aws:iam/policy:Policy") == []


def test_past_the_quota_permissions_move_to_managed_policies() -> None:
    raw = big()
    settings = parse_settings(raw, "dev")
    [workload_plan] = stack_plans(settings)
    full = workload_plan.inline_policy_for("123456789012")
    assert full is not None and documents.compact_size(full) > 10240
    plan = plan_of(raw)
    assert by_type(plan, "aws:iam/rolePolicy:RolePolicy") == []
    policies = sorted(by_type(plan, "aws:iam/policy:Policy"), key=lambda r: r["name"])
    assert [p["name"] for p in policies] == [f"s3-writer-policy-{i}" for i in range(len(policies))]
    assert [p["inputs"]["name"] for p in policies] == [f"irsa-dev-s3-writer-{i}" for i in range(len(policies))]
    statements = []
    for policy in policies:
        document = json.loads(policy["inputs"]["policy"])
        assert documents.compact_size(document) <= 6144
        statements += document["Statement"]
    assert statements == full["Statement"]  # the same permissions, in order, nothing lost or added
    attachments = by_type(plan, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    assert {a["inputs"]["policyArn"] for a in attachments} == {
        f"arn:aws:iam::123456789012:policy/irsa-dev-s3-writer-{i}" for i in range(len(policies))
    }
    assert any("customer-managed policies carry them" in w for w in settings.warnings)


def test_the_split_is_deterministic() -> None:
    first = [r["urn"] for r in by_type(plan_of(big()), "aws:iam/policy:Policy")]
    assert first == [r["urn"] for r in by_type(plan_of(big()), "aws:iam/policy:Policy")]


def test_attachments_stay_within_the_per_role_quota() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_settings(big(300), "dev")
    assert str(caught.value.problems[0]).startswith("irsa:workloads[0]: needs ")
    assert "irsa:managedPoliciesPerRole" in str(caught.value.problems[0])
    parse_settings(big(300, **{"irsa:managedPoliciesPerRole": 20}), "dev")


def test_a_managed_policy_change_reads_as_a_document_diff() -> None:
    """The diff parses a customer-managed policy's document like an inline one (it was one opaque JSON string)."""
    base = plan_of(big())
    changed = big()
    changed["irsa:workloads"][0]["s3"][0]["prefix"] = "datasets/region-000/hourly/"
    result = diff_module.compare(base, plan_of(changed), "dev", "main")
    (policy,) = [c for c in result.changed if c.type == "aws:iam/policy:Policy"]
    assert list(policy.diffs) == ["policy"]
    assert "policy.Statement[0].Resource" in policy.paths
    added = '+      "Resource": "arn:aws:s3:::team-data-bucket-000/datasets/region-000/hourly/*",'
    assert added in policy.diffs["policy"]
    (row,) = result.workloads
    assert any(line.startswith("~ permissions (s3-writer-policy-0) Objects0.Resource") for line in row.changes)
