"""Presets against the add-ons themselves: each covers its upstream policy's actions at the pinned
version (recorded in tests/upstream/), allows the calls the add-on makes on its default path, and
denies the calls it must not make (another cluster's resources), judged by the identity-policy
evaluator."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from components.core import load_balancer_controller, presets
from components.core.iam_eval import Request, evaluate

UPSTREAM = Path(__file__).with_name("upstream")
CLUSTER, OTHER = "prod-cluster", "other-cluster"
ELB = "arn:aws:elasticloadbalancing:ap-northeast-2:123456789012"
LB = f"{ELB}:loadbalancer/app/k8s-web-0123456789/50dc6c495c0c9188"
TG = f"{ELB}:targetgroup/k8s-web-0123456789/6d0ecf831eec9f09"
LISTENER = f"{ELB}:listener/app/k8s-web-0123456789/50dc6c495c0c9188/f2f7dc8efc522ab2"
RULE = f"{ELB}:listener-rule/app/k8s-web-0123456789/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee"
SG = "arn:aws:ec2:ap-northeast-2:123456789012:security-group/sg-0123456789abcdef0"
VPC = "arn:aws:ec2:ap-northeast-2:123456789012:vpc/vpc-0123456789abcdef0"
WEB_ACL = "arn:aws:wafv2:ap-northeast-2:123456789012:regional/webacl/web/a1b2"
PROTECTION = "arn:aws:shield::123456789012:protection/p-1"
TAG = load_balancer_controller.CLUSTER_TAG


def preset(name: str) -> list[dict[str, Any]]:
    return [{"Version": "2012-10-17", "Statement": presets.PRESETS[name].render(presets.PresetOptions(CLUSTER))}]


def upstream(name: str) -> dict[str, Any]:
    return dict(json.loads((UPSTREAM / f"{name}.json").read_text()))


def granted_actions(documents: list[dict[str, Any]]) -> set[str]:
    found: set[str] = set()
    for document in documents:
        for statement in document["Statement"]:
            actions = statement["Action"]
            found.update([actions] if isinstance(actions, str) else actions)
    return found


def test_load_balancer_controller_states_its_version_and_source() -> None:
    data = upstream("aws-load-balancer-controller")
    assert data["version"] == load_balancer_controller.VERSION and data["path"] == load_balancer_controller.SOURCE_PATH
    assert load_balancer_controller.VERSION in presets.PRESETS["aws-load-balancer-controller"].source


def test_load_balancer_controller_grants_exactly_the_upstream_actions() -> None:
    assert granted_actions(preset("aws-load-balancer-controller")) == set(
        upstream("aws-load-balancer-controller")["actions"]
    )


ALLOWED = [
    # defect 1: node security groups carry only kubernetes.io/cluster/<name>; the controller opens them
    ("ec2:AuthorizeSecurityGroupIngress", SG, {"aws:ResourceTag/kubernetes.io/cluster/prod-cluster": "owned"}),
    ("ec2:RevokeSecurityGroupIngress", SG, {}),
    # defect 3: CreateSecurityGroup authorizes the VPC (no request tags) and the new group (tagged)
    ("ec2:CreateSecurityGroup", VPC, {}),
    ("ec2:CreateSecurityGroup", SG, {f"aws:RequestTag/{TAG}": CLUSTER}),
    ("ec2:CreateTags", SG, {"ec2:CreateAction": "CreateSecurityGroup", f"aws:RequestTag/{TAG}": CLUSTER}),
    ("ec2:DeleteSecurityGroup", SG, {f"aws:ResourceTag/{TAG}": CLUSTER}),
    ("elasticloadbalancing:CreateLoadBalancer", LB, {f"aws:RequestTag/{TAG}": CLUSTER}),
    (
        "elasticloadbalancing:AddTags",
        LB,
        {"elasticloadbalancing:CreateAction": "CreateLoadBalancer", f"aws:RequestTag/{TAG}": CLUSTER},
    ),
    ("elasticloadbalancing:CreateTargetGroup", TG, {f"aws:RequestTag/{TAG}": CLUSTER}),
    # defect 2: listener and rule tags on create (on by default)
    ("elasticloadbalancing:CreateListener", LISTENER, {}),
    ("elasticloadbalancing:AddTags", LISTENER, {"elasticloadbalancing:CreateAction": "CreateListener"}),
    ("elasticloadbalancing:CreateRule", RULE, {}),
    ("elasticloadbalancing:AddTags", RULE, {"elasticloadbalancing:CreateAction": "CreateRule"}),
    # defect 4: listener attributes, web ACLs, Shield, newer actions
    ("elasticloadbalancing:ModifyListenerAttributes", LISTENER, {f"aws:ResourceTag/{TAG}": CLUSTER}),
    ("elasticloadbalancing:SetWebAcl", LB, {}),
    ("wafv2:AssociateWebACL", WEB_ACL, {}),
    ("waf-regional:AssociateWebACL", "arn:aws:waf-regional:ap-northeast-2:123456789012:webacl/a1", {}),
    ("shield:CreateProtection", "*", {}),
    ("shield:DeleteProtection", PROTECTION, {}),
    ("elasticloadbalancing:SetRulePriorities", RULE, {}),
    ("elasticloadbalancing:DescribeCapacityReservation", "*", {}),
    ("ec2:DescribeIpamPools", "*", {}),
    ("elasticloadbalancing:ModifyIpPools", LB, {f"aws:ResourceTag/{TAG}": CLUSTER}),
    ("elasticloadbalancing:RegisterTargets", TG, {}),
    ("elasticloadbalancing:DeleteLoadBalancer", LB, {f"aws:ResourceTag/{TAG}": CLUSTER}),
    ("elasticloadbalancing:AddTags", LB, {f"aws:ResourceTag/{TAG}": CLUSTER, "aws:TagKeys": ["ingress.k8s.aws/stack"]}),
]
DENIED = [
    # defect 5: a tag change may not claim a resource for a cluster (upstream's guard, kept)
    ("elasticloadbalancing:AddTags", LB, {f"aws:ResourceTag/{TAG}": CLUSTER, f"aws:RequestTag/{TAG}": OTHER}),
    ("ec2:CreateTags", SG, {f"aws:ResourceTag/{TAG}": CLUSTER, f"aws:RequestTag/{TAG}": CLUSTER}),
    # another cluster's resources (the narrowing: upstream would allow these)
    ("elasticloadbalancing:DeleteLoadBalancer", LB, {f"aws:ResourceTag/{TAG}": OTHER}),
    ("elasticloadbalancing:ModifyTargetGroup", TG, {f"aws:ResourceTag/{TAG}": OTHER}),
    ("ec2:DeleteSecurityGroup", SG, {f"aws:ResourceTag/{TAG}": OTHER}),
    ("elasticloadbalancing:RemoveTags", LB, {f"aws:ResourceTag/{TAG}": OTHER}),
    ("elasticloadbalancing:CreateLoadBalancer", LB, {f"aws:RequestTag/{TAG}": OTHER}),
    ("elasticloadbalancing:CreateLoadBalancer", LB, {}),
    # untagged, unowned resources
    ("elasticloadbalancing:DeleteLoadBalancer", LB, {}),
    ("ec2:DeleteSecurityGroup", SG, {}),
    # nothing beyond the controller's job
    ("ec2:TerminateInstances", "*", {}),
    ("iam:CreateServiceLinkedRole", "*", {"iam:AWSServiceName": "autoscaling.amazonaws.com"}),
]


@pytest.mark.parametrize(
    "action,resource,context", ALLOWED, ids=[f"{a}@{r.rsplit(':', 1)[-1][:24]}" for a, r, _ in ALLOWED]
)
def test_load_balancer_controller_default_path_is_allowed(action: str, resource: str, context: dict[str, Any]) -> None:
    verdict = evaluate(preset("aws-load-balancer-controller"), Request(action, resource, context))
    assert verdict.allowed, verdict.reason


@pytest.mark.parametrize(
    "action,resource,context", DENIED, ids=[f"{a}@{r.rsplit(':', 1)[-1][:24]}" for a, r, _ in DENIED]
)
def test_load_balancer_controller_is_denied_what_it_must_not_do(
    action: str, resource: str, context: dict[str, Any]
) -> None:
    verdict = evaluate(preset("aws-load-balancer-controller"), Request(action, resource, context))
    assert not verdict.allowed, verdict.reason


ZONE, OTHER_ZONE = "Z0123456789ABCDEFGHIJ", "Z9999999999OTHERZONE9"


def zone_preset(name: str) -> list[dict[str, Any]]:
    options = presets.PresetOptions(CLUSTER, hosted_zone_ids=(ZONE,))
    return [{"Version": "2012-10-17", "Statement": presets.PRESETS[name].render(options)}]


@pytest.mark.parametrize("name", ["external-dns", "cert-manager"])
def test_zone_presets_grant_exactly_the_upstream_actions(name: str) -> None:
    data = upstream(name)
    assert data["version"] in presets.PRESETS[name].source
    assert granted_actions(zone_preset(name)) == set(data["actions"])


def zone(zone_id: str) -> str:
    return f"arn:aws:route53:::hostedzone/{zone_id}"


EXTERNAL_DNS_ALLOWED: list[tuple[str, str, dict[str, Any]]] = [
    ("route53:ListHostedZones", "*", {}),
    # the sync loop lists every zone it discovers, not only the ones it may change
    ("route53:ListResourceRecordSets", zone(OTHER_ZONE), {}),
    ("route53:ListTagsForResources", zone(OTHER_ZONE), {}),
    ("route53:ChangeResourceRecordSets", zone(ZONE), {"route53:ChangeResourceRecordSetsRecordTypes": ["A", "TXT"]}),
]
EXTERNAL_DNS_DENIED: list[tuple[str, str, dict[str, Any]]] = [
    ("route53:ChangeResourceRecordSets", zone(OTHER_ZONE), {}),
    ("route53:DeleteHostedZone", zone(ZONE), {}),
    ("route53:CreateHostedZone", "*", {}),
]
CERT_MANAGER_ALLOWED: list[tuple[str, str, dict[str, Any]]] = [
    ("route53:GetChange", "arn:aws:route53:::change/C2682N5HXP0BZ4", {}),
    ("route53:ListHostedZonesByName", "*", {}),
    ("route53:ListResourceRecordSets", zone(ZONE), {}),
    ("route53:ChangeResourceRecordSets", zone(ZONE), {"route53:ChangeResourceRecordSetsRecordTypes": ["TXT"]}),
]
CERT_MANAGER_DENIED: list[tuple[str, str, dict[str, Any]]] = [
    ("route53:ChangeResourceRecordSets", zone(ZONE), {"route53:ChangeResourceRecordSetsRecordTypes": ["TXT", "A"]}),
    ("route53:ChangeResourceRecordSets", zone(OTHER_ZONE), {"route53:ChangeResourceRecordSetsRecordTypes": ["TXT"]}),
    ("route53:ListResourceRecordSets", zone(OTHER_ZONE), {}),
]


@pytest.mark.parametrize(
    "name,calls,expected",
    [
        ("external-dns", EXTERNAL_DNS_ALLOWED, True),
        ("external-dns", EXTERNAL_DNS_DENIED, False),
        ("cert-manager", CERT_MANAGER_ALLOWED, True),
        ("cert-manager", CERT_MANAGER_DENIED, False),
    ],
)
def test_zone_presets_calls(name: str, calls: list[tuple[str, str, dict[str, Any]]], expected: bool) -> None:
    documents = zone_preset(name)
    for action, resource, context in calls:
        verdict = evaluate(documents, Request(action, resource, context))
        assert verdict.allowed is expected, (action, resource, verdict.reason)


SECRET = "arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:prod/db-AbCdEf"
PARAMETERS = "arn:aws:ssm:ap-northeast-2:123456789012:parameter/prod/app/*"
KEY = "arn:aws:kms:ap-northeast-2:123456789012:key/k-1"


def via(service: str) -> dict[str, str]:
    return {"kms:ViaService": f"{service}.ap-northeast-2.amazonaws.com"}


SECRETS_OPTIONS = presets.PresetOptions(CLUSTER, secret_arns=(SECRET,), parameter_arns=(PARAMETERS,))


def test_external_secrets_grants_the_upstream_actions_but_its_listed_differences() -> None:
    data = upstream("external-secrets")
    documents = [{"Version": "2012-10-17", "Statement": presets.PRESETS["external-secrets"].render(SECRETS_OPTIONS)}]
    expected = set(data["actions"]) - set(data["not_granted"]) | set(data["added"])
    assert granted_actions(documents) == expected
    assert data["version"] in presets.PRESETS["external-secrets"].source


EXTERNAL_SECRETS_CALLS = [
    (("secretsmanager:GetSecretValue", SECRET, {}), True),
    (("secretsmanager:ListSecrets", "*", {}), True),  # dataFrom.find
    (("secretsmanager:BatchGetSecretValue", "*", {}), True),
    (("secretsmanager:DescribeSecret", SECRET, {}), True),
    (("ssm:GetParametersByPath", "arn:aws:ssm:ap-northeast-2:123456789012:parameter/prod/app/db", {}), True),
    (("ssm:ListTagsForResource", "arn:aws:ssm:ap-northeast-2:123456789012:parameter/prod/app/db", {}), True),
    (("ssm:DescribeParameters", "*", {}), True),
    (
        (
            "kms:Decrypt",
            KEY,
            via("secretsmanager"),
        ),
        True,
    ),
    (
        (
            "kms:Decrypt",
            KEY,
            via("ssm"),
        ),
        True,
    ),
    # what it must not do
    (("secretsmanager:GetSecretValue", SECRET.replace("prod/db", "prod/other"), {}), False),
    (("ssm:GetParameter", "arn:aws:ssm:ap-northeast-2:123456789012:parameter/prod/billing/key", {}), False),
    (("kms:Decrypt", KEY, {}), False),  # direct use of the key
    (
        (
            "kms:Decrypt",
            KEY,
            via("s3"),
        ),
        False,
    ),
    (("secretsmanager:PutSecretValue", SECRET, {}), False),
    (("tag:GetResources", "*", {}), False),
]


@pytest.mark.parametrize(
    "call,expected", EXTERNAL_SECRETS_CALLS, ids=[f"{c[0]}-{e}" for c, e in EXTERNAL_SECRETS_CALLS]
)
def test_external_secrets_calls(call: tuple[str, str, dict[str, Any]], expected: bool) -> None:
    documents = [{"Version": "2012-10-17", "Statement": presets.PRESETS["external-secrets"].render(SECRETS_OPTIONS)}]
    verdict = evaluate(documents, Request(*call))
    assert verdict.allowed is expected, verdict.reason


ASG = "arn:aws:autoscaling:ap-northeast-2:123456789012:autoScalingGroup:6d8e:autoScalingGroupName/prod-workers"
OWNER_TAG = f"aws:ResourceTag/k8s.io/cluster-autoscaler/{CLUSTER}"


def test_cluster_autoscaler_grants_the_upstream_actions() -> None:
    data = upstream("cluster-autoscaler")
    assert data["version"] in presets.PRESETS["cluster-autoscaler"].source
    assert granted_actions(preset("cluster-autoscaler")) == set(data["actions"])


@pytest.mark.parametrize(
    "call,expected",
    [
        (("autoscaling:DescribeAutoScalingGroups", "*", {}), True),
        (("eks:DescribeNodegroup", "*", {}), True),
        (("autoscaling:SetDesiredCapacity", ASG, {OWNER_TAG: "owned"}), True),
        (("autoscaling:TerminateInstanceInAutoScalingGroup", ASG, {OWNER_TAG: "owned"}), True),
        # the documented limit: the tag's value must be "owned"
        (("autoscaling:SetDesiredCapacity", ASG, {OWNER_TAG: "true"}), False),
        (("autoscaling:SetDesiredCapacity", ASG, {}), False),
        (("autoscaling:SetDesiredCapacity", ASG, {"aws:ResourceTag/k8s.io/cluster-autoscaler/other": "owned"}), False),
        (("autoscaling:DeleteAutoScalingGroup", ASG, {OWNER_TAG: "owned"}), False),
    ],
)
def test_cluster_autoscaler_calls(call: tuple[str, str, dict[str, Any]], expected: bool) -> None:
    verdict = evaluate(preset("cluster-autoscaler"), Request(*call))
    assert verdict.allowed is expected, verdict.reason


NODE_ROLE = "arn:aws:iam::123456789012:role/KarpenterNodeRole-prod"
QUEUE = "arn:aws:sqs:ap-northeast-2:123456789012:prod-cluster-interruptions"
KARPENTER_OPTIONS = presets.PresetOptions(
    CLUSTER, node_role_arns=(NODE_ROLE,), interruption_queue_arns=(QUEUE,), region="ap-northeast-2"
)
EC2 = "arn:aws:ec2:ap-northeast-2:123456789012"
OWNED = {
    f"aws:ResourceTag/kubernetes.io/cluster/{CLUSTER}": "owned",
    "aws:ResourceTag/karpenter.sh/nodepool": "default",
}
CREATING = {
    f"aws:RequestTag/kubernetes.io/cluster/{CLUSTER}": "owned",
    "aws:RequestTag/eks:eks-cluster-name": CLUSTER,
    "aws:RequestTag/karpenter.sh/nodepool": "default",
}


def karpenter_policy() -> list[dict[str, Any]]:
    return [{"Version": "2012-10-17", "Statement": presets.PRESETS["karpenter"].render(KARPENTER_OPTIONS)}]


def test_karpenter_grants_the_upstream_actions() -> None:
    data = upstream("karpenter")
    assert data["version"] in presets.PRESETS["karpenter"].source
    assert granted_actions(karpenter_policy()) == set(data["actions"])


KARPENTER_CALLS = [
    # launching a node: every resource RunInstances authorizes
    (("ec2:RunInstances", "arn:aws:ec2:ap-northeast-2::image/ami-0123", {}), True),
    (("ec2:RunInstances", f"{EC2}:subnet/subnet-1", {}), True),
    (("ec2:RunInstances", f"{EC2}:launch-template/lt-1", OWNED), True),
    (("ec2:RunInstances", f"{EC2}:instance/*", CREATING), True),
    (("ec2:CreateTags", f"{EC2}:instance/i-1", {**CREATING, "ec2:CreateAction": "RunInstances"}), True),
    (("iam:PassRole", NODE_ROLE, {"iam:PassedToService": "ec2.amazonaws.com"}), True),
    (("ec2:TerminateInstances", f"{EC2}:instance/i-1", OWNED), True),
    (("sqs:ReceiveMessage", QUEUE, {}), True),
    (("eks:DescribeCluster", f"arn:aws:eks:ap-northeast-2:123456789012:cluster/{CLUSTER}", {}), True),
    (("ec2:DescribeInstanceTypes", "*", {"aws:RequestedRegion": "ap-northeast-2"}), True),
    (("ssm:GetParameter", "arn:aws:ssm:ap-northeast-2::parameter/aws/service/eks/optimized-ami/1.32", {}), True),
    # what it must not do
    (
        ("ec2:TerminateInstances", f"{EC2}:instance/i-2", {"aws:ResourceTag/kubernetes.io/cluster/other": "owned"}),
        False,
    ),
    (
        (
            "ec2:TerminateInstances",
            f"{EC2}:instance/i-3",
            {f"aws:ResourceTag/kubernetes.io/cluster/{CLUSTER}": "owned"},
        ),
        False,
    ),
    (("ec2:RunInstances", f"{EC2}:instance/*", {**CREATING, "aws:RequestTag/eks:eks-cluster-name": "other"}), False),
    (("iam:PassRole", "arn:aws:iam::123456789012:role/Admin", {"iam:PassedToService": "ec2.amazonaws.com"}), False),
    (("iam:PassRole", NODE_ROLE, {"iam:PassedToService": "lambda.amazonaws.com"}), False),
    (("sqs:ReceiveMessage", QUEUE.replace("interruptions", "orders"), {}), False),
    (("ec2:DescribeInstanceTypes", "*", {"aws:RequestedRegion": "us-east-1"}), False),
]


@pytest.mark.parametrize(
    "call,expected", KARPENTER_CALLS, ids=[f"{c[0]}-{i}" for i, (c, _) in enumerate(KARPENTER_CALLS)]
)
def test_karpenter_calls(call: tuple[str, str, dict[str, Any]], expected: bool) -> None:
    verdict = evaluate(karpenter_policy(), Request(*call))
    assert verdict.allowed is expected, verdict.reason


def test_what_is_not_isolated_between_clusters_is_exactly_what_the_preset_says() -> None:
    """Every write of the preset, on each kind of resource tagged for ANOTHER cluster, judged by the IAM
    simulator (iam_eval must agree): what it allows is load_balancer_controller.NOT_ISOLATED, nothing more."""
    from simulator import Case, agreed

    documents = preset("aws-load-balancer-controller")
    actions = {a for d in documents for st in d["Statement"] for a in
               ([st["Action"]] if isinstance(st["Action"], str) else st["Action"])}  # fmt: skip
    writes = sorted(a for a in actions if not a.split(":")[1].startswith(("Describe", "Get", "List")))
    kinds = {LB: "load balancer", TG: "target group", LISTENER: "listener", RULE: "rule", SG: "security group"}
    cases: list[Case] = [(a, r, {f"aws:ResourceTag/{TAG}": OTHER}) for a in writes for r in kinds]
    allowed = agreed(documents, cases, "arn:aws:iam::123456789012:role/lbc", "123456789012")
    reached: dict[str, set[str]] = {}
    for (action, resource, _), ok in zip(cases, allowed, strict=True):
        if ok:
            reached.setdefault(action, set()).add(kinds[resource])
    expected: dict[str, set[str]] = {}
    for scope, listed in load_balancer_controller.NOT_ISOLATED.items():
        on = set(kinds.values()) if scope == "any resource" else {k for k in kinds.values() if k in scope}
        for action in listed:
            expected[action] = on
    assert reached == expected
