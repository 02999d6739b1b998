"""The staged move from IRSA to EKS Pod Identity: irsa → both → pod-identity. `both` trusts the web
identity and pods.eks.amazonaws.com in separate statements (each pinned), creates the association and
keeps the ServiceAccount annotation, so pods move over as they restart: the EKS webhook gives container
credentials precedence once an association exists (amazon-eks-pod-identity-webhook,
pkg/handler/handler.go buildPodPatchConfig)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import rules
from conftest import EKS_CONFIG, by_type, config, plan_of
from policy_checks import check

from components.cli import diff as diff_module
from components.core import trust
from components.core.model import ConfigError
from components.core.settings import parse_settings
from components.core.stack_plan import stack_plans

ACCOUNT = "123456789012"
CLUSTER_ARN = f"arn:aws:eks:ap-northeast-2:{ACCOUNT}:cluster/dev-cluster"
HOST = "oidc.eks.ap-northeast-2.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF"
PROVIDER = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{HOST}"
SERVICE = "pods.eks.amazonaws.com"
TAGS = {
    "aws:SourceAccount": ACCOUNT,
    "aws:RequestTag/eks-cluster-arn": CLUSTER_ARN,
    "aws:RequestTag/kubernetes-namespace": "production",
    "aws:RequestTag/kubernetes-service-account": "s3-writer",
}


def stage(mechanism: str) -> dict[str, Any]:
    return config(EKS_CONFIG, **{"irsa:cluster": {"kind": "eks", "name": "dev-cluster", "mechanism": mechanism}})


@pytest.fixture(scope="module")
def plans() -> dict[str, dict[str, Any]]:
    return {m: plan_of(stage(m)) for m in ("irsa", "both", "pod-identity")}


def test_both_trusts_each_way_in_its_own_pinned_statement() -> None:
    [plan] = stack_plans(parse_settings(stage("both"), "dev"))
    document = plan.trust(PROVIDER, f"https://{HOST}", CLUSTER_ARN)
    web = {f"{HOST}:sub": "system:serviceaccount:production:s3-writer", f"{HOST}:aud": "sts.amazonaws.com"}
    assert trust.evaluate(document, PROVIDER, web).allowed
    assert trust.evaluate(document, SERVICE, TAGS, "sts:AssumeRole").allowed
    # neighbours stay out on both paths
    assert not trust.evaluate(
        document, PROVIDER, {**web, f"{HOST}:sub": "system:serviceaccount:production:other"}
    ).allowed
    assert not trust.evaluate(document, PROVIDER, {**web, f"{HOST}:aud": "other"}).allowed
    other_issuer = PROVIDER.replace("0123456789ABCDEF", "FEDCBA9876543210")
    assert not trust.evaluate(document, other_issuer, web).allowed
    assert not trust.evaluate(
        document, SERVICE, {**TAGS, "aws:RequestTag/kubernetes-namespace": "other"}, "sts:AssumeRole"
    ).allowed
    # the web-identity principal cannot use the Pod Identity statement, nor the reverse
    assert not trust.evaluate(document, SERVICE, web).allowed
    assert not trust.evaluate(document, PROVIDER, TAGS, "sts:AssumeRole").allowed


def test_both_plans_the_provider_the_association_and_the_annotation(plans: dict[str, dict[str, Any]]) -> None:
    plan = plans["both"]
    assert len(by_type(plan, "aws:iam/openIdConnectProvider:OpenIdConnectProvider")) == 1
    assert len(by_type(plan, "aws:eks/podIdentityAssociation:PodIdentityAssociation")) == 1
    [sa] = by_type(plan, "kubernetes:core/v1:ServiceAccount")
    assert "irsa-dev-s3-writer" in sa["inputs"]["metadata"]["annotations"]["eks.amazonaws.com/role-arn"]
    [role] = by_type(plan, "aws:iam/role:Role")
    statements = json.loads(role["inputs"]["assumeRolePolicy"])["Statement"]
    assert [s["Action"] for s in statements] == ["sts:AssumeRoleWithWebIdentity", ["sts:AssumeRole", "sts:TagSession"]]
    assert check(rules.trust_pins_sub_and_aud, "aws:iam/role:Role", role["inputs"]) == []
    assert plan["outputs"]["mechanism"] == "both" and "oidcProviderArn" in plan["outputs"]


def _step(before: dict[str, Any], after: dict[str, Any]) -> diff_module.PlanDiff:
    return diff_module.compare(before, after, "dev", "previous step")


def test_the_first_step_adds_the_association_and_widens_the_trust(plans: dict[str, dict[str, Any]]) -> None:
    step = _step(plans["irsa"], plans["both"])
    assert [r["type"] for r in step.added] == ["aws:eks/podIdentityAssociation:PodIdentityAssociation"]
    assert step.removed == []
    changed = {c.type: c for c in step.changed}
    # the ServiceAccount keeps its annotation, so no running pod loses its credentials; the Job now
    # waits for the association (a dependency, no input changes)
    assert "kubernetes:core/v1:ServiceAccount" not in changed and "aws:iam/role:Role" in changed
    assert all(not c.paths for t, c in changed.items() if t != "aws:iam/role:Role")
    assert set(changed["aws:iam/role:Role"].paths) == {"assumeRolePolicy.Statement", "description"}


def test_the_last_step_drops_the_web_identity(plans: dict[str, dict[str, Any]]) -> None:
    step = _step(plans["both"], plans["pod-identity"])
    removed = {r["type"] for r in step.removed}
    assert "aws:iam/openIdConnectProvider:OpenIdConnectProvider" in removed  # protected: see the README
    assert step.added == []
    changed = {c.type: c for c in step.changed}
    assert set(changed) >= {"aws:iam/role:Role", "kubernetes:core/v1:ServiceAccount"}
    assert any(p.startswith("metadata.annotations") for p in changed["kubernetes:core/v1:ServiceAccount"].paths)


def test_both_is_for_eks_only() -> None:
    raw = config(
        EKS_CONFIG, **{"irsa:cluster": {"kind": "aks", "name": "a", "resourceGroup": "rg", "mechanism": "both"}}
    )
    with pytest.raises(ConfigError, match=r"irsa:cluster.mechanism: both is only for kind: eks"):
        parse_settings(raw, "dev")


def two_workloads(cluster_mechanism: str, second: str) -> dict[str, Any]:
    raw = stage(cluster_mechanism)
    first = raw["irsa:workloads"][0]
    raw["irsa:workloads"].append({**first, "name": "reader", "serviceAccount": "reader", "mechanism": second})
    return raw


def test_one_workload_can_move_ahead_of_the_others() -> None:
    plan = plan_of(two_workloads("irsa", "both"))
    assert len(by_type(plan, "aws:iam/openIdConnectProvider:OpenIdConnectProvider")) == 1
    [association] = by_type(plan, "aws:eks/podIdentityAssociation:PodIdentityAssociation")
    assert association["inputs"]["serviceAccount"] == "reader"
    trusts = {
        r["name"]: [s["Principal"] for s in json.loads(r["inputs"]["assumeRolePolicy"])["Statement"]]
        for r in by_type(plan, "aws:iam/role:Role")
    }
    assert [list(p) for p in trusts["s3-writer-role"]] == [["Federated"]]
    assert [list(p) for p in trusts["reader-role"]] == [["Federated"], ["Service"]]
    rows = {w["workload"]: w["mechanism"] for w in plan["summary"]}
    assert rows == {"s3-writer": "irsa", "reader": "both"}


def test_a_web_identity_workload_on_a_pod_identity_cluster_still_gets_its_provider() -> None:
    plan = plan_of(two_workloads("pod-identity", "irsa"))
    assert len(by_type(plan, "aws:iam/openIdConnectProvider:OpenIdConnectProvider")) == 1
    [association] = by_type(plan, "aws:eks/podIdentityAssociation:PodIdentityAssociation")
    assert association["inputs"]["serviceAccount"] == "s3-writer"
    sas = {r["name"]: r["inputs"]["metadata"] for r in by_type(plan, "kubernetes:core/v1:ServiceAccount")}
    assert "annotations" not in sas["s3-writer-sa"] and "eks.amazonaws.com/role-arn" in sas["reader-sa"]["annotations"]


def test_a_workload_mechanism_is_checked_like_the_cluster_one() -> None:
    aks = config(EKS_CONFIG, **{"irsa:cluster": {"kind": "aks", "name": "a", "resourceGroup": "rg"}})
    aks["irsa:workloads"][0]["mechanism"] = "pod-identity"
    with pytest.raises(ConfigError, match=r"irsa:workloads\[0\].mechanism: pod-identity is only for kind: eks"):
        parse_settings(aks, "dev")
    typo = two_workloads("irsa", "pod-identiy")
    with pytest.raises(ConfigError, match=r'irsa:workloads\[1\].mechanism: "pod-identiy" is not a mechanism'):
        parse_settings(typo, "dev")


def test_outputs_are_also_given_per_cluster(plans: dict[str, dict[str, Any]]) -> None:
    outputs = plans["both"]["outputs"]
    assert outputs["clusters"] == {
        "dev-cluster": {
            "kind": "eks",
            "mechanism": "both",
            "oidcProviderArn": outputs["oidcProviderArn"],
            "issuerUrl": outputs["issuerUrl"],
        }
    }
    assert outputs["workloads"]["s3-writer"]["clusters"] == ["dev-cluster"]
    assert "oidcProviderArn" not in plans["pod-identity"]["outputs"]["clusters"]["dev-cluster"]


def test_a_one_cluster_list_plans_exactly_as_irsa_cluster() -> None:
    listed = config(EKS_CONFIG)
    listed["irsa:clusters"] = [listed.pop("irsa:cluster")]
    before, after = plan_of(EKS_CONFIG), plan_of(listed)
    assert [(r["urn"], r["inputs"]) for r in before["resources"]] == [
        (r["urn"], r["inputs"]) for r in after["resources"]
    ]
    assert diff_module.compare(before, after, "dev", "irsa:cluster").empty


@pytest.mark.parametrize(
    "clusters,expected",
    [
        ("both-keys", r"irsa:clusters: is given together with irsa:cluster"),
        ([], r"irsa:clusters: \[\] is not a list of clusters"),
        (
            [{"kind": "eks", "name": "a"}, {"kind": "eks", "name": "a"}],
            r"irsa:clusters\[1\].name: \"a\" is already irsa:clusters' 0",
        ),
        ([{"kind": "eks", "name": "a", "mechanism": "kiam"}], r"irsa:clusters\[0\].mechanism: \"kiam\" is not"),
    ],
    ids=["both-keys", "empty", "same-name", "path-in-messages"],
)
def test_irsa_clusters_is_checked(clusters: Any, expected: str) -> None:
    raw = config(EKS_CONFIG)
    if clusters == "both-keys":
        raw["irsa:clusters"] = [raw["irsa:cluster"]]
    else:
        raw.pop("irsa:cluster")
        raw["irsa:clusters"] = clusters
    with pytest.raises(ConfigError, match=expected):
        parse_settings(raw, "dev")
