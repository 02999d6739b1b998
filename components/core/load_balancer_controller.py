"""The aws-load-balancer-controller preset (pure), derived from the project's own IAM policy.

Source: kubernetes-sigs/aws-load-balancer-controller, docs/install/iam_policy.json at v3.5.0 (the
actions it lists are recorded in tests/upstream/ and the tests check the preset covers them all).
The statements keep upstream's structure and resources. One narrowing: where upstream accepts any
value of the ownership tag `elbv2.k8s.aws/cluster` (a `Null: false` test), the preset requires this
cluster's name, which is the value the controller writes (pkg/deploy/tracking/provider.go), so one
cluster's controller cannot create, modify, retag or delete another cluster's load balancers and target
groups, nor delete its security groups. Upstream's guard that a tag change may not set the ownership tag is
kept. What upstream grants without any condition stays so (narrowing it breaks the controller), and is
NOT_ISOLATED: another cluster's resources are reachable by those calls.
"""

from __future__ import annotations

from typing import Any

PROJECT = "kubernetes-sigs/aws-load-balancer-controller"
VERSION = "v3.5.0"
SOURCE_PATH = "docs/install/iam_policy.json"
CLUSTER_TAG = "elbv2.k8s.aws/cluster"

# The calls a controller may still make on ANOTHER cluster's resources, by the resources they reach (the IAM
# simulator derives this set from the preset in tests/test_preset_calls.py; the README states it).
NOT_ISOLATED: dict[str, tuple[str, ...]] = {
    "any resource": (  # upstream grants these on "*" (see policy/invariants.py UPSTREAM_WILDCARD_WRITES)
        "ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress", "ec2:CreateSecurityGroup",
        "elasticloadbalancing:CreateListener", "elasticloadbalancing:DeleteListener",
        "elasticloadbalancing:ModifyListener", "elasticloadbalancing:AddListenerCertificates",
        "elasticloadbalancing:RemoveListenerCertificates", "elasticloadbalancing:CreateRule",
        "elasticloadbalancing:DeleteRule", "elasticloadbalancing:ModifyRule", "elasticloadbalancing:SetRulePriorities",
        "elasticloadbalancing:SetWebAcl", "waf-regional:AssociateWebACL", "waf-regional:DisassociateWebACL",
        "wafv2:AssociateWebACL", "wafv2:DisassociateWebACL", "shield:CreateProtection", "shield:DeleteProtection",
    ),
    "target group": ("elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"),
    "listener and rule": ("elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"),
}  # fmt: skip

DESCRIBE = [
    "ec2:DescribeAccountAttributes", "ec2:DescribeAddresses", "ec2:DescribeAvailabilityZones",
    "ec2:DescribeInternetGateways", "ec2:DescribeVpcs", "ec2:DescribeVpcPeeringConnections", "ec2:DescribeSubnets",
    "ec2:DescribeSecurityGroups", "ec2:DescribeInstances", "ec2:DescribeNetworkInterfaces", "ec2:DescribeTags",
    "ec2:GetCoipPoolUsage", "ec2:DescribeCoipPools", "ec2:GetSecurityGroupsForVpc", "ec2:DescribeIpamPools",
    "ec2:DescribeRouteTables", "elasticloadbalancing:DescribeLoadBalancers",
    "elasticloadbalancing:DescribeLoadBalancerAttributes", "elasticloadbalancing:DescribeListeners",
    "elasticloadbalancing:DescribeListenerCertificates", "elasticloadbalancing:DescribeSSLPolicies",
    "elasticloadbalancing:DescribeRules", "elasticloadbalancing:DescribeTargetGroups",
    "elasticloadbalancing:DescribeTargetGroupAttributes", "elasticloadbalancing:DescribeTargetHealth",
    "elasticloadbalancing:DescribeTags", "elasticloadbalancing:DescribeTrustStores",
    "elasticloadbalancing:DescribeListenerAttributes", "elasticloadbalancing:DescribeCapacityReservation",
]  # fmt: skip
INTEGRATIONS = [
    "cognito-idp:DescribeUserPoolClient", "acm:ListCertificates", "acm:DescribeCertificate",
    "iam:ListServerCertificates", "iam:GetServerCertificate", "waf-regional:GetWebACL",
    "waf-regional:GetWebACLForResource", "waf-regional:AssociateWebACL", "waf-regional:DisassociateWebACL",
    "wafv2:GetWebACL", "wafv2:GetWebACLForResource", "wafv2:AssociateWebACL", "wafv2:DisassociateWebACL",
    "shield:GetSubscriptionState", "shield:DescribeProtection", "shield:CreateProtection",
    "shield:DeleteProtection",
]  # fmt: skip
OWNED_CHANGES = [
    "elasticloadbalancing:ModifyLoadBalancerAttributes", "elasticloadbalancing:SetIpAddressType",
    "elasticloadbalancing:SetSecurityGroups", "elasticloadbalancing:SetSubnets",
    "elasticloadbalancing:DeleteLoadBalancer", "elasticloadbalancing:ModifyTargetGroup",
    "elasticloadbalancing:ModifyTargetGroupAttributes", "elasticloadbalancing:DeleteTargetGroup",
    "elasticloadbalancing:ModifyListenerAttributes", "elasticloadbalancing:ModifyCapacityReservation",
    "elasticloadbalancing:ModifyIpPools",
]  # fmt: skip
LISTENER_CHANGES = [
    "elasticloadbalancing:SetWebAcl", "elasticloadbalancing:ModifyListener",
    "elasticloadbalancing:AddListenerCertificates", "elasticloadbalancing:RemoveListenerCertificates",
    "elasticloadbalancing:ModifyRule", "elasticloadbalancing:SetRulePriorities",
]  # fmt: skip


def statements(cluster: str, partition: str) -> list[dict[str, Any]]:
    """The controller's permissions, ownership pinned to `cluster`."""
    elb = f"arn:{partition}:elasticloadbalancing:*:*"
    balancers = [f"{elb}:targetgroup/*/*", f"{elb}:loadbalancer/net/*/*", f"{elb}:loadbalancer/app/*/*"]
    listeners = [
        f"{elb}:listener/net/*/*/*",
        f"{elb}:listener/app/*/*/*",
        f"{elb}:listener-rule/net/*/*/*",
        f"{elb}:listener-rule/app/*/*/*",
    ]
    security_groups = f"arn:{partition}:ec2:*:*:security-group/*"
    ours = {f"aws:ResourceTag/{CLUSTER_TAG}": cluster}
    tagging_ours = {f"aws:RequestTag/{CLUSTER_TAG}": cluster}
    keeps_ownership = {"Null": {f"aws:RequestTag/{CLUSTER_TAG}": "true"}, "StringEquals": ours}
    return [
        {
            "Sid": "LbcServiceLinkedRole",
            "Effect": "Allow",
            "Action": "iam:CreateServiceLinkedRole",
            "Resource": "*",
            "Condition": {"StringEquals": {"iam:AWSServiceName": "elasticloadbalancing.amazonaws.com"}},
        },
        {"Sid": "LbcDescribe", "Effect": "Allow", "Action": DESCRIBE, "Resource": "*"},
        {"Sid": "LbcIntegrations", "Effect": "Allow", "Action": INTEGRATIONS, "Resource": "*"},
        # Node security groups carry no ownership tag: the controller opens them for its targets.
        {
            "Sid": "LbcNodeSecurityGroupRules",
            "Effect": "Allow",
            "Action": ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"],
            "Resource": "*",
        },
        # The VPC named in CreateSecurityGroup carries no request tags: a condition here would refuse it.
        {"Sid": "LbcCreateSecurityGroup", "Effect": "Allow", "Action": "ec2:CreateSecurityGroup", "Resource": "*"},
        {
            "Sid": "LbcTagNewSecurityGroups",
            "Effect": "Allow",
            "Action": "ec2:CreateTags",
            "Resource": security_groups,
            "Condition": {"StringEquals": {"ec2:CreateAction": "CreateSecurityGroup", **tagging_ours}},
        },
        {
            "Sid": "LbcRetagOwnSecurityGroups",
            "Effect": "Allow",
            "Action": ["ec2:CreateTags", "ec2:DeleteTags"],
            "Resource": security_groups,
            "Condition": keeps_ownership,
        },
        {
            "Sid": "LbcOwnSecurityGroups",
            "Effect": "Allow",
            "Action": [
                "ec2:AuthorizeSecurityGroupIngress",
                "ec2:RevokeSecurityGroupIngress",
                "ec2:DeleteSecurityGroup",
            ],
            "Resource": "*",
            "Condition": {"StringEquals": ours},
        },
        {
            "Sid": "LbcCreateLoadBalancers",
            "Effect": "Allow",
            "Action": ["elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup"],
            "Resource": "*",
            "Condition": {"StringEquals": tagging_ours},
        },
        {
            "Sid": "LbcListenersAndRules",
            "Effect": "Allow",
            "Action": [
                "elasticloadbalancing:CreateListener",
                "elasticloadbalancing:DeleteListener",
                "elasticloadbalancing:CreateRule",
                "elasticloadbalancing:DeleteRule",
            ],
            "Resource": "*",
        },
        {
            "Sid": "LbcRetagOwnLoadBalancers",
            "Effect": "Allow",
            "Action": ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
            "Resource": balancers,
            "Condition": keeps_ownership,
        },
        # Listener and rule tags are on by default (tag on create): CreateListener/CreateRule tag them.
        {
            "Sid": "LbcTagListenersAndRules",
            "Effect": "Allow",
            "Action": ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
            "Resource": listeners,
        },
        {
            "Sid": "LbcOwnLoadBalancers",
            "Effect": "Allow",
            "Action": OWNED_CHANGES,
            "Resource": "*",
            "Condition": {"StringEquals": ours},
        },
        {
            "Sid": "LbcTagOnCreate",
            "Effect": "Allow",
            "Action": "elasticloadbalancing:AddTags",
            "Resource": balancers,
            "Condition": {
                "StringEquals": {
                    "elasticloadbalancing:CreateAction": ["CreateTargetGroup", "CreateLoadBalancer"],
                    **tagging_ours,
                }
            },
        },
        {
            "Sid": "LbcTargets",
            "Effect": "Allow",
            "Action": ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"],
            "Resource": f"{elb}:targetgroup/*/*",
        },
        {"Sid": "LbcListenerChanges", "Effect": "Allow", "Action": LISTENER_CHANGES, "Resource": "*"},
    ]
