"""The karpenter preset (pure), derived from the project's own controller policy.

Source: aws/karpenter-provider-aws, website/content/en/docs/getting-started/getting-started-with-karpenter/
cloudformation.yaml at v1.14.1 — its node lifecycle, IAM integration, EKS integration, interruption, zonal
shift and resource discovery policies, as one inline policy. The statements keep upstream's resources and
tag conditions (kubernetes.io/cluster/<cluster>: owned, eks:eks-cluster-name, karpenter.sh/nodepool,
karpenter.k8s.aws/ec2nodeclass). Narrowings: PassRole only on the node roles listed (upstream names
the one role its template creates), the interruption queue statement only for the queues listed (none:
no interruption handling), and the account of instance profiles left as "*" where upstream has its own.
"""

from __future__ import annotations

from typing import Any

PROJECT = "aws/karpenter-provider-aws"
VERSION = "v1.14.1"
SOURCE_PATH = "website/content/en/docs/getting-started/getting-started-with-karpenter/cloudformation.yaml"

REGIONAL_READS = [
    "ec2:DescribeCapacityReservations",
    "ec2:DescribeImages",
    "ec2:DescribeInstances",
    "ec2:DescribeInstanceStatus",
    "ec2:DescribeInstanceTypeOfferings",
    "ec2:DescribeInstanceTypes",
    "ec2:DescribeLaunchTemplates",
    "ec2:DescribePlacementGroups",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeSpotPriceHistory",
    "ec2:DescribeSubnets",
]


def statements(
    cluster: str, partition: str, region: str, node_roles: tuple[str, ...], queues: tuple[str, ...]
) -> list[dict[str, Any]]:
    """The controller's permissions for `cluster`, passing only `node_roles`, reading only `queues`."""
    ec2 = f"arn:{partition}:ec2:{region}"
    owned = f"kubernetes.io/cluster/{cluster}"
    created = [
        f"{ec2}:*:{kind}/*"
        for kind in ("fleet", "instance", "volume", "network-interface", "launch-template", "spot-instances-request")
    ]
    request_owned = {f"aws:RequestTag/{owned}": "owned", "aws:RequestTag/eks:eks-cluster-name": cluster}
    profiles = f"arn:{partition}:iam::*:instance-profile/*"
    result: list[dict[str, Any]] = [
        {
            "Sid": "KarpenterLaunchFromSharedResources",
            "Effect": "Allow",
            "Action": ["ec2:RunInstances", "ec2:CreateFleet"],
            "Resource": [
                f"{ec2}::image/*",
                f"{ec2}::snapshot/*",
                f"{ec2}:*:security-group/*",
                f"{ec2}:*:subnet/*",
                f"{ec2}:*:capacity-reservation/*",
                f"{ec2}:*:placement-group/*",
            ],
        },
        {
            "Sid": "KarpenterLaunchFromOwnTemplates",
            "Effect": "Allow",
            "Action": ["ec2:RunInstances", "ec2:CreateFleet"],
            "Resource": f"{ec2}:*:launch-template/*",
            "Condition": {
                "StringEquals": {f"aws:ResourceTag/{owned}": "owned"},
                "StringLike": {"aws:ResourceTag/karpenter.sh/nodepool": "*"},
            },
        },
        {
            "Sid": "KarpenterCreateOwned",
            "Effect": "Allow",
            "Action": ["ec2:RunInstances", "ec2:CreateFleet", "ec2:CreateLaunchTemplate"],
            "Resource": created,
            "Condition": {"StringEquals": request_owned, "StringLike": {"aws:RequestTag/karpenter.sh/nodepool": "*"}},
        },
        {
            "Sid": "KarpenterTagOnCreate",
            "Effect": "Allow",
            "Action": "ec2:CreateTags",
            "Resource": created,
            "Condition": {
                "StringEquals": {
                    **request_owned,
                    "ec2:CreateAction": ["RunInstances", "CreateFleet", "CreateLaunchTemplate"],
                },
                "StringLike": {"aws:RequestTag/karpenter.sh/nodepool": "*"},
            },
        },
        {
            "Sid": "KarpenterTagOwnInstances",
            "Effect": "Allow",
            "Action": "ec2:CreateTags",
            "Resource": f"{ec2}:*:instance/*",
            "Condition": {
                "StringEquals": {f"aws:ResourceTag/{owned}": "owned"},
                "StringLike": {"aws:ResourceTag/karpenter.sh/nodepool": "*"},
                "StringEqualsIfExists": {"aws:RequestTag/eks:eks-cluster-name": cluster},
                "ForAllValues:StringEquals": {
                    "aws:TagKeys": ["eks:eks-cluster-name", "karpenter.sh/nodeclaim", "Name"]
                },
            },
        },
        {
            "Sid": "KarpenterDeleteOwned",
            "Effect": "Allow",
            "Action": ["ec2:TerminateInstances", "ec2:DeleteLaunchTemplate"],
            "Resource": [f"{ec2}:*:instance/*", f"{ec2}:*:launch-template/*"],
            "Condition": {
                "StringEquals": {f"aws:ResourceTag/{owned}": "owned"},
                "StringLike": {"aws:ResourceTag/karpenter.sh/nodepool": "*"},
            },
        },
        {
            "Sid": "KarpenterPassNodeRoles",
            "Effect": "Allow",
            "Action": "iam:PassRole",
            "Resource": list(node_roles),
            "Condition": {"StringEquals": {"iam:PassedToService": ["ec2.amazonaws.com", "ec2.amazonaws.com.cn"]}},
        },
        {
            "Sid": "KarpenterCreateInstanceProfiles",
            "Effect": "Allow",
            "Action": "iam:CreateInstanceProfile",
            "Resource": profiles,
            "Condition": {
                "StringEquals": {**request_owned, "aws:RequestTag/topology.kubernetes.io/region": region},
                "StringLike": {"aws:RequestTag/karpenter.k8s.aws/ec2nodeclass": "*"},
            },
        },
        {
            "Sid": "KarpenterTagInstanceProfiles",
            "Effect": "Allow",
            "Action": "iam:TagInstanceProfile",
            "Resource": profiles,
            "Condition": {
                "StringEquals": {
                    f"aws:ResourceTag/{owned}": "owned",
                    "aws:ResourceTag/topology.kubernetes.io/region": region,
                    **request_owned,
                    "aws:RequestTag/topology.kubernetes.io/region": region,
                },
                "StringLike": {
                    "aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass": "*",
                    "aws:RequestTag/karpenter.k8s.aws/ec2nodeclass": "*",
                },
            },
        },
        {
            "Sid": "KarpenterManageInstanceProfiles",
            "Effect": "Allow",
            "Action": [
                "iam:AddRoleToInstanceProfile",
                "iam:RemoveRoleFromInstanceProfile",
                "iam:DeleteInstanceProfile",
            ],
            "Resource": profiles,
            "Condition": {
                "StringEquals": {
                    f"aws:ResourceTag/{owned}": "owned",
                    "aws:ResourceTag/topology.kubernetes.io/region": region,
                },
                "StringLike": {"aws:ResourceTag/karpenter.k8s.aws/ec2nodeclass": "*"},
            },
        },
        {
            "Sid": "KarpenterDescribeCluster",
            "Effect": "Allow",
            "Action": "eks:DescribeCluster",
            "Resource": f"arn:{partition}:eks:{region}:*:cluster/{cluster}",
        },
        {
            "Sid": "KarpenterZonalShiftStatus",
            "Effect": "Allow",
            "Action": "arc-zonal-shift:GetManagedResource",
            "Resource": "*",
            "Condition": {
                "StringLike": {
                    "arc-zonal-shift:ResourceIdentifier": f"arn:{partition}:eks:{region}:*:cluster/{cluster}"
                }
            },
        },
        {
            "Sid": "KarpenterRegionalReads",
            "Effect": "Allow",
            "Action": REGIONAL_READS,
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:RequestedRegion": region}} if region != "*" else {},
        },
        {
            "Sid": "KarpenterReadPublicParameters",
            "Effect": "Allow",
            "Action": "ssm:GetParameter",
            "Resource": f"arn:{partition}:ssm:{region}::parameter/aws/service/*",
        },
        {"Sid": "KarpenterReadPrices", "Effect": "Allow", "Action": "pricing:GetProducts", "Resource": "*"},
        {
            "Sid": "KarpenterListInstanceProfiles",
            "Effect": "Allow",
            "Action": "iam:ListInstanceProfiles",
            "Resource": "*",
        },
        {
            "Sid": "KarpenterReadInstanceProfiles",
            "Effect": "Allow",
            "Action": "iam:GetInstanceProfile",
            "Resource": profiles,
        },
    ]
    if not node_roles:  # no role to pass: never PassRole on an empty (or any) resource
        result = [s for s in result if s["Sid"] != "KarpenterPassNodeRoles"]
    if queues:
        result.append(
            {
                "Sid": "KarpenterInterruptionQueue",
                "Effect": "Allow",
                "Action": ["sqs:DeleteMessage", "sqs:GetQueueUrl", "sqs:ReceiveMessage"],
                "Resource": list(queues),
            }
        )
    for statement in result:
        if statement.get("Condition") == {}:
            del statement["Condition"]
    return result
