"""A role path reaches every ARN of a role the stack creates: what workloads may assume, what trusts name, what a
ServiceAccount, a Pod Identity target and the outputs carry. Judged by the IAM simulator (and core/iam_eval.py,
which must agree)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import by_type
from simulator import Request, agreed, decide

from components.cli.plan import run_plan
from components.core.model import ConfigError
from components.core.settings import parse_settings

ACCOUNT, OTHER = "123456789012", "210987654321"
PATH = "/workloads/"
READER = f"arn:aws:iam::{OTHER}:role{PATH}finance-reader"
WORKLOAD = {
    "name": "reports",
    "namespace": "analytics",
    "serviceAccount": "reports",
    "sampleJob": False,
    "s3": [{"bucket": "reports-out", "prefix": "daily/", "access": "write"}],
}


def stack(mechanism: str = "irsa", **workload: Any) -> dict[str, Any]:
    return {
        "aws:region": "ap-northeast-2",
        "irsa:accountId": ACCOUNT,
        "irsa:defaults": {"rolePath": PATH},
        "irsa:cluster": {"kind": "eks", "name": "dev-cluster", "mechanism": mechanism},
        "irsa:workloads": [{**WORKLOAD, **workload}],
        "irsa:crossAccount": {
            "accountId": OTHER,
            "profile": "data",
            "roles": [
                {
                    "name": "finance-reader",
                    "trustedWorkloads": ["reports"],
                    "sessionTags": True,
                    "s3": [{"bucket": "finance-reports", "prefix": "monthly/", "access": "read"}],
                }
            ],
        },
    }


def test_the_workload_may_assume_and_tag_the_cross_account_role_where_it_is_created() -> None:
    plan = run_plan(parse_settings(stack(), "dev")).to_dict()
    created = {r["inputs"]["name"]: r["inputs"] for r in by_type(plan, "aws:iam/role:Role")}
    assert created["finance-reader"]["path"] == PATH == created["irsa-dev-reports"]["path"]
    policy = json.loads(next(p for p in by_type(plan, "aws:iam/rolePolicy:RolePolicy")
                             if p["inputs"]["role"] == "irsa-dev-reports")["inputs"]["policy"])  # fmt: skip
    workload_role = f"arn:aws:iam::{ACCOUNT}:role{PATH}irsa-dev-reports"
    cases: list[tuple[str, str, dict[str, str]]] = [
        ("sts:AssumeRole", READER, {}),
        ("sts:TagSession", READER, {}),
        ("sts:AssumeRole", f"arn:aws:iam::{OTHER}:role/finance-reader", {}),  # no role has this ARN
        ("sts:AssumeRole", f"arn:aws:iam::{OTHER}:role{PATH}finance-writer", {}),
    ]
    assert agreed([policy], cases, workload_role, ACCOUNT) == [True, True, False, False]

    # The created role's trust names the workload's role by the ARN IAM gave it, path included.
    trust = json.loads(created["finance-reader"]["assumeRolePolicy"])
    assert trust["Statement"][0]["Principal"]["AWS"] in (workload_role, [workload_role])
    [decisions] = decide(
        [(trust, [Request(workload_role, a, READER, OTHER) for a in ("sts:AssumeRole", "sts:TagSession")])],
        identity=[policy],
    )
    assert decisions == ["Allowed", "Allowed"]


def test_every_planned_arn_of_a_created_role_carries_its_path() -> None:
    plan = run_plan(parse_settings(stack(sampleJob=True), "dev")).to_dict()
    text = json.dumps(plan)
    assert f":role{PATH}irsa-dev-reports" in text
    assert ":role/irsa-dev-reports" not in text and ":role/finance-reader" not in text
    assert plan["outputs"]["workloads"]["reports"]["roleArn"] == f"arn:aws:iam::{ACCOUNT}:role{PATH}irsa-dev-reports"
    assert plan["outputs"]["crossAccountRoles"]["finance-reader"] == READER
    [sa] = by_type(plan, "kubernetes:core/v1:ServiceAccount")
    assert sa["inputs"]["metadata"]["annotations"]["eks.amazonaws.com/role-arn"].endswith(f"{PATH}irsa-dev-reports")


def test_a_pod_identity_target_created_by_the_stack_is_named_with_its_path() -> None:
    plan = run_plan(parse_settings(stack("pod-identity", targetRoleArn=READER), "dev")).to_dict()
    [association] = by_type(plan, "aws:eks/podIdentityAssociation:PodIdentityAssociation")
    assert association["inputs"]["targetRoleArn"] == READER
    with pytest.raises(ConfigError) as refused:
        parse_settings(stack("pod-identity", targetRoleArn=f"arn:aws:iam::{OTHER}:role/finance-reader"), "dev")
    assert [str(p) for p in refused.value.problems] == [
        "irsa:workloads[0].targetRoleArn: names 'finance-reader' without the path the stack creates it under, so no "
        f"role has that ARN (the role's ARN: {READER})"
    ]
