"""EKS Pod Identity target roles (`targetRoleArn`): EKS assumes the workload's role, then with it the target.

Facts from the EKS user guide (pod-id-assign-target-role): the association takes `targetRoleArn`; the
workload's role needs sts:AssumeRole and sts:TagSession on the target; the target's trust admits the workload
role (tags pinned, or EKS's external ID when session tags are disabled); pods get the target's credentials.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import by_type, config
from simulator import Request, decide

from components.cli.plan import run_plan
from components.core import documents, iam_eval
from components.core.model import ConfigError
from components.core.settings import parse_settings

ACCOUNT, OTHER = "123456789012", "210987654321"
EXTERNAL = f"arn:aws:iam::{OTHER}:role/shared-reader"
CREATED = f"arn:aws:iam::{OTHER}:role/reports-reader"
WORKLOAD_ROLE = f"arn:aws:iam::{ACCOUNT}:role/irsa-dev-reporter"
REPORTER: dict[str, Any] = {"name": "reporter", "namespace": "analytics", "serviceAccount": "reporter"}
BASE: dict[str, Any] = {
    "aws:region": "ap-northeast-2",
    "irsa:accountId": ACCOUNT,
    "irsa:cluster": {"kind": "eks", "name": "dev-cluster", "mechanism": "pod-identity"},
    "irsa:workloads": [{**REPORTER, "targetRoleArn": EXTERNAL}],
}
CROSS: dict[str, Any] = {
    "accountId": OTHER,
    "profile": "data",
    "roles": [
        {
            "name": "reports-reader",
            "trustedWorkloads": ["reporter"],
            "sessionTags": True,
            "s3": [{"bucket": "finance-reports", "prefix": "monthly/", "access": "read"}],
        }
    ],
}


def planned(raw: dict[str, Any]) -> dict[str, Any]:
    return run_plan(parse_settings(raw, "dev")).to_dict()


def one(plan: dict[str, Any], type_: str) -> dict[str, Any]:
    [found] = [r for r in by_type(plan, type_) if "cross" not in r["name"]]
    return found


def env_of(plan: dict[str, Any]) -> dict[str, str]:
    job = one(plan, "kubernetes:batch/v1:Job")
    [container] = job["inputs"]["spec"]["template"]["spec"]["containers"]
    return {e["name"]: e.get("value", "") for e in container["env"]}


def test_the_association_chains_into_the_target_and_the_role_may_assume_it() -> None:
    plan = planned(BASE)
    association = one(plan, "aws:eks/podIdentityAssociation:PodIdentityAssociation")
    assert association["inputs"]["targetRoleArn"] == EXTERNAL
    policy = json.loads(one(plan, "aws:iam/rolePolicy:RolePolicy")["inputs"]["policy"])
    decisions = {
        (action, resource): iam_eval.evaluate([policy], iam_eval.Request(action, resource, {})).allowed
        for action in ("sts:AssumeRole", "sts:TagSession")
        for resource in (EXTERNAL, f"arn:aws:iam::{OTHER}:role/shared-writer")
    }
    assert decisions == {
        ("sts:AssumeRole", EXTERNAL): True,
        ("sts:TagSession", EXTERNAL): True,
        ("sts:AssumeRole", f"arn:aws:iam::{OTHER}:role/shared-writer"): False,
        ("sts:TagSession", f"arn:aws:iam::{OTHER}:role/shared-writer"): False,
    }
    # Pods act as the target role: the Job checks that, and none of the workload role's own grants.
    env = env_of(plan)
    assert env["IRSA_EXPECT_ROLE_ARN"] == EXTERNAL
    assert not {"IRSA_CHECK_BUCKET", "IRSA_CHECKS", "IRSA_CHAIN_ROLE_ARN"} & set(env)


def test_a_target_the_stack_creates_trusts_the_workload_role_as_eks_calls_it() -> None:
    raw = config(BASE, **{"irsa:crossAccount": CROSS})
    raw["irsa:workloads"][0]["targetRoleArn"] = CREATED
    plan = planned(raw)
    env = env_of(plan)
    assert (env["IRSA_EXPECT_ROLE_ARN"], env["IRSA_CHECK_BUCKET"], env["IRSA_CHECK_PREFIX"]) == (
        CREATED,
        "finance-reports",
        "monthly/",
    )
    [target] = [r for r in by_type(plan, "aws:iam/role:Role") if r["inputs"]["name"] == "reports-reader"]
    trust = json.loads(target["inputs"]["assumeRolePolicy"])
    tags = {
        "aws:RequestTag/eks-cluster-arn": f"arn:aws:eks:ap-northeast-2:{ACCOUNT}:cluster/dev-cluster",
        "aws:RequestTag/kubernetes-namespace": "analytics",
        "aws:RequestTag/kubernetes-service-account": "reporter",
    }
    other = f"arn:aws:iam::{ACCOUNT}:role/irsa-dev-other"
    requests = [
        Request(WORKLOAD_ROLE, "sts:AssumeRole", CREATED, OTHER, tags),
        Request(WORKLOAD_ROLE, "sts:TagSession", CREATED, OTHER, tags),
        Request(other, "sts:AssumeRole", CREATED, OTHER, tags),
        Request(f"arn:aws:iam::{ACCOUNT}:root", "sts:AssumeRole", CREATED, OTHER, tags),
    ]
    # Cross-account: the workload role's own (planned) policy must allow the call too.
    own = json.loads(one(plan, "aws:iam/rolePolicy:RolePolicy")["inputs"]["policy"])
    [decisions] = decide([(trust, requests)], identity=[own])
    assert decisions == ["Allowed", "Allowed", "ImplicitlyDenied", "ImplicitlyDenied"]
    [without] = decide([(trust, requests[:1])])
    assert without == ["ImplicitlyDenied"]  # the trust alone does not do it across accounts


@pytest.mark.parametrize(
    "workload,cross,expected",
    [
        ({"targetRoleArn": "arn:aws:iam::210987654321:root"}, None,
         'irsa:workloads[0].targetRoleArn: "arn:aws:iam::210987654321:root" is not an IAM role ARN'),
        ({"mechanism": "irsa"}, None, "irsa:workloads[0].targetRoleArn: is only used with mechanism pod-identity"),
        ({"targetRoleArn": CREATED}, {"trustedWorkloads": ["other"]},
         "irsa:workloads[0].targetRoleArn: irsa:crossAccount.roles[0] (reports-reader) does not trust workload"),
        ({"targetRoleArn": CREATED}, {"externalId": "mine"},
         "irsa:workloads[0].targetRoleArn: irsa:crossAccount.roles[0] (reports-reader) requires an external ID"),
        ({"targetRoleArn": CREATED}, {"sessionTags": False},
         "irsa:workloads[0].targetRoleArn: irsa:crossAccount.roles[0] (reports-reader) does not allow sts:TagSession"),
    ],
    ids=["not-a-role", "web-identity", "not-trusted", "own-external-id", "no-session-tags"],
)  # fmt: skip
def test_target_roles_are_checked(workload: dict[str, Any], cross: dict[str, Any] | None, expected: str) -> None:
    raw = config(BASE)
    raw["irsa:workloads"][0].update(workload)
    raw["irsa:workloads"][0].setdefault("s3", [{"bucket": "b-1", "prefix": "p/", "access": "read"}])
    if cross is not None:
        other = {
            "name": "other",
            "namespace": "x",
            "serviceAccount": "other",
            "s3": [{"bucket": "b-2", "access": "read"}],
        }
        raw["irsa:workloads"].append(other)
        raw["irsa:crossAccount"] = {**CROSS, "roles": [{**CROSS["roles"][0], **cross}]}
    with pytest.raises(ConfigError) as caught:
        parse_settings(raw, "dev")
    assert any(str(p).startswith(expected) for p in caught.value.problems), caught.value.problems


def test_without_session_tags_the_target_needs_no_tag_session() -> None:
    raw = config(BASE, **{"irsa:crossAccount": {**CROSS, "roles": [{**CROSS["roles"][0], "sessionTags": False}]}})
    raw["irsa:workloads"][0].update(targetRoleArn=CREATED, disableSessionTags=True)
    settings = parse_settings(raw, "dev")
    assert settings.workloads[0].target_role_arn == CREATED
    assert documents.role_trust_policy([WORKLOAD_ROLE])["Statement"][0]["Action"] == "sts:AssumeRole"
