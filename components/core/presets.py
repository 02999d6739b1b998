"""Policy presets for common cluster add-ons (pure): AWS-managed policies where AWS publishes one,
otherwise the permissions the add-on's project documents, scoped by inputs instead of `*` wherever
the add-on allows. Each preset names its source and the version it was written against."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class PresetOptions:
    """Inputs that scope generated presets."""

    cluster_name: str
    partition: str = "aws"
    hosted_zone_ids: tuple[str, ...] = ()
    secret_arns: tuple[str, ...] = ()
    parameter_arns: tuple[str, ...] = ()


@dataclass(frozen=True)
class Preset:
    """One add-on's permissions: managed policy ARNs to attach and/or statements for the inline policy."""

    name: str
    source: str
    managed_policies: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()  # option names that must be non-empty
    statements: Any = field(default=None, compare=False)  # Callable[[PresetOptions], list[dict]]

    def managed_arns(self, partition: str) -> list[str]:
        return [f"arn:{partition}:iam::aws:policy/{p}" for p in self.managed_policies]

    def render(self, options: PresetOptions) -> list[dict[str, Any]]:
        return list(self.statements(options)) if self.statements else []


def _zones(o: PresetOptions) -> list[str]:
    return [f"arn:{o.partition}:route53:::hostedzone/{z}" for z in o.hosted_zone_ids]


def _external_dns(o: PresetOptions) -> list[dict[str, Any]]:
    # kubernetes-sigs/external-dns docs/tutorials/aws.md (v0.15): changes and listings on the managed
    # zones only; ListHostedZones has no resource-level permissions.
    return [
        {
            "Sid": "ExternalDnsChangeZones",
            "Effect": "Allow",
            "Action": [
                "route53:ChangeResourceRecordSets",
                "route53:ListResourceRecordSets",
                "route53:ListTagsForResource",
            ],
            "Resource": _zones(o),
        },
        {"Sid": "ExternalDnsListZones", "Effect": "Allow", "Action": ["route53:ListHostedZones"], "Resource": "*"},
    ]


def _cert_manager(o: PresetOptions) -> list[dict[str, Any]]:
    # cert-manager.io/docs/configuration/acme/dns01/route53 (v1.16): TXT records only, on the given zones.
    return [
        {
            "Sid": "CertManagerGetChange",
            "Effect": "Allow",
            "Action": ["route53:GetChange"],
            "Resource": f"arn:{o.partition}:route53:::change/*",
        },
        {
            "Sid": "CertManagerTxtRecords",
            "Effect": "Allow",
            "Action": ["route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets"],
            "Resource": _zones(o),
            "Condition": {"ForAllValues:StringEquals": {"route53:ChangeResourceRecordSetsRecordTypes": ["TXT"]}},
        },
        {
            "Sid": "CertManagerListZones",
            "Effect": "Allow",
            "Action": ["route53:ListHostedZonesByName"],
            "Resource": "*",
        },
    ]


def _cluster_autoscaler(o: PresetOptions) -> list[dict[str, Any]]:
    # kubernetes/autoscaler cluster-autoscaler/cloudprovider/aws/README.md (v1.31): describe calls have no
    # resource-level permissions; scaling is limited to groups tagged as owned by this cluster.
    return [
        {
            "Sid": "AutoscalerDescribe",
            "Effect": "Allow",
            "Action": [
                "autoscaling:DescribeAutoScalingGroups",
                "autoscaling:DescribeAutoScalingInstances",
                "autoscaling:DescribeLaunchConfigurations",
                "autoscaling:DescribeScalingActivities",
                "ec2:DescribeImages",
                "ec2:DescribeInstanceTypes",
                "ec2:DescribeLaunchTemplateVersions",
                "ec2:GetInstanceTypesFromInstanceRequirements",
                "eks:DescribeNodegroup",
            ],
            "Resource": "*",
        },
        {
            "Sid": "AutoscalerScaleOwnedGroups",
            "Effect": "Allow",
            "Action": ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
            "Resource": "*",
            "Condition": {"StringEquals": {f"aws:ResourceTag/k8s.io/cluster-autoscaler/{o.cluster_name}": "owned"}},
        },
    ]


def _external_secrets(o: PresetOptions) -> list[dict[str, Any]]:
    # external-secrets.io/latest/provider/aws-secrets-manager and .../aws-parameter-store (v0.10):
    # read-only on the listed secrets and parameters.
    statements = []
    if o.secret_arns:
        statements.append(
            {
                "Sid": "ExternalSecretsReadSecrets",
                "Effect": "Allow",
                "Action": [
                    "secretsmanager:GetSecretValue",
                    "secretsmanager:DescribeSecret",
                    "secretsmanager:GetResourcePolicy",
                    "secretsmanager:ListSecretVersionIds",
                ],
                "Resource": list(o.secret_arns),
            }
        )
    if o.parameter_arns:
        statements.append(
            {
                "Sid": "ExternalSecretsReadParameters",
                "Effect": "Allow",
                "Action": ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"],
                "Resource": list(o.parameter_arns),
            }
        )
    return statements


def _load_balancer_controller(o: PresetOptions) -> list[dict[str, Any]]:
    # kubernetes-sigs/aws-load-balancer-controller docs/install/iam_policy.json (v2.9), restated with the
    # project's own tag `elbv2.k8s.aws/cluster` pinned to this cluster's name instead of "any cluster".
    p, cluster = o.partition, o.cluster_name
    owned_request = {"StringEquals": {"aws:RequestTag/elbv2.k8s.aws/cluster": cluster}}
    owned_resource = {"StringEquals": {"aws:ResourceTag/elbv2.k8s.aws/cluster": cluster}}
    elb = f"arn:{p}:elasticloadbalancing:*:*"
    return [
        {
            "Sid": "LbcServiceLinkedRole",
            "Effect": "Allow",
            "Action": ["iam:CreateServiceLinkedRole"],
            "Resource": "*",
            "Condition": {"StringEquals": {"iam:AWSServiceName": "elasticloadbalancing.amazonaws.com"}},
        },
        {
            "Sid": "LbcDescribe",
            "Effect": "Allow",
            "Action": [
                "ec2:DescribeAccountAttributes",
                "ec2:DescribeAddresses",
                "ec2:DescribeAvailabilityZones",
                "ec2:DescribeInternetGateways",
                "ec2:DescribeVpcs",
                "ec2:DescribeVpcPeeringConnections",
                "ec2:DescribeSubnets",
                "ec2:DescribeSecurityGroups",
                "ec2:DescribeInstances",
                "ec2:DescribeNetworkInterfaces",
                "ec2:DescribeTags",
                "ec2:DescribeCoipPools",
                "ec2:DescribeRouteTables",
                "ec2:GetCoipPoolUsage",
                "ec2:GetSecurityGroupsForVpc",
                "elasticloadbalancing:DescribeLoadBalancers",
                "elasticloadbalancing:DescribeLoadBalancerAttributes",
                "elasticloadbalancing:DescribeListeners",
                "elasticloadbalancing:DescribeListenerCertificates",
                "elasticloadbalancing:DescribeListenerAttributes",
                "elasticloadbalancing:DescribeSSLPolicies",
                "elasticloadbalancing:DescribeRules",
                "elasticloadbalancing:DescribeTargetGroups",
                "elasticloadbalancing:DescribeTargetGroupAttributes",
                "elasticloadbalancing:DescribeTargetHealth",
                "elasticloadbalancing:DescribeTags",
                "elasticloadbalancing:DescribeTrustStores",
            ],
            "Resource": "*",
        },
        {
            "Sid": "LbcReadIntegrations",
            "Effect": "Allow",
            "Action": [
                "cognito-idp:DescribeUserPoolClient",
                "acm:ListCertificates",
                "acm:DescribeCertificate",
                "iam:ListServerCertificates",
                "iam:GetServerCertificate",
                "wafv2:GetWebACL",
                "wafv2:GetWebACLForResource",
                "shield:GetSubscriptionState",
                "shield:DescribeProtection",
            ],
            "Resource": "*",
        },
        {
            "Sid": "LbcCreateSecurityGroup",
            "Effect": "Allow",
            "Action": ["ec2:CreateSecurityGroup"],
            "Resource": "*",
            "Condition": owned_request,
        },
        {
            "Sid": "LbcTagNewSecurityGroups",
            "Effect": "Allow",
            "Action": ["ec2:CreateTags"],
            "Resource": f"arn:{p}:ec2:*:*:security-group/*",
            "Condition": {
                "StringEquals": {
                    "ec2:CreateAction": "CreateSecurityGroup",
                    "aws:RequestTag/elbv2.k8s.aws/cluster": cluster,
                }
            },
        },
        {
            "Sid": "LbcOwnSecurityGroups",
            "Effect": "Allow",
            "Action": [
                "ec2:CreateTags",
                "ec2:DeleteTags",
                "ec2:AuthorizeSecurityGroupIngress",
                "ec2:RevokeSecurityGroupIngress",
                "ec2:DeleteSecurityGroup",
            ],
            "Resource": f"arn:{p}:ec2:*:*:security-group/*",
            "Condition": owned_resource,
        },
        {
            "Sid": "LbcCreateLoadBalancers",
            "Effect": "Allow",
            "Action": ["elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup"],
            "Resource": "*",
            "Condition": owned_request,
        },
        {
            "Sid": "LbcTagOnCreate",
            "Effect": "Allow",
            "Action": ["elasticloadbalancing:AddTags"],
            "Resource": [f"{elb}:targetgroup/*/*", f"{elb}:loadbalancer/net/*/*", f"{elb}:loadbalancer/app/*/*"],
            "Condition": {
                "StringEquals": {
                    "elasticloadbalancing:CreateAction": ["CreateTargetGroup", "CreateLoadBalancer"],
                    "aws:RequestTag/elbv2.k8s.aws/cluster": cluster,
                }
            },
        },
        {
            "Sid": "LbcOwnLoadBalancers",
            "Effect": "Allow",
            "Action": [
                "elasticloadbalancing:AddTags",
                "elasticloadbalancing:RemoveTags",
                "elasticloadbalancing:ModifyLoadBalancerAttributes",
                "elasticloadbalancing:SetIpAddressType",
                "elasticloadbalancing:SetSecurityGroups",
                "elasticloadbalancing:SetSubnets",
                "elasticloadbalancing:DeleteLoadBalancer",
                "elasticloadbalancing:ModifyTargetGroup",
                "elasticloadbalancing:ModifyTargetGroupAttributes",
                "elasticloadbalancing:DeleteTargetGroup",
                "elasticloadbalancing:ModifyListenerAttributes",
                "elasticloadbalancing:ModifyCapacityReservation",
            ],
            "Resource": [f"{elb}:targetgroup/*/*", f"{elb}:loadbalancer/net/*/*", f"{elb}:loadbalancer/app/*/*"],
            "Condition": owned_resource,
        },
        {
            "Sid": "LbcListenersAndRules",
            "Effect": "Allow",
            "Action": [
                "elasticloadbalancing:CreateListener",
                "elasticloadbalancing:DeleteListener",
                "elasticloadbalancing:CreateRule",
                "elasticloadbalancing:DeleteRule",
                "elasticloadbalancing:ModifyListener",
                "elasticloadbalancing:ModifyRule",
                "elasticloadbalancing:AddListenerCertificates",
                "elasticloadbalancing:RemoveListenerCertificates",
                "elasticloadbalancing:SetWebAcl",
                "wafv2:AssociateWebACL",
                "wafv2:DisassociateWebACL",
                "shield:CreateProtection",
                "shield:DeleteProtection",
            ],
            "Resource": [
                f"{elb}:loadbalancer/net/*/*",
                f"{elb}:loadbalancer/app/*/*",
                f"{elb}:listener/net/*/*/*",
                f"{elb}:listener/app/*/*/*",
                f"{elb}:listener-rule/net/*/*/*/*",
                f"{elb}:listener-rule/app/*/*/*/*",
            ],
        },
        {
            "Sid": "LbcTargets",
            "Effect": "Allow",
            "Action": ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"],
            "Resource": f"{elb}:targetgroup/*/*",
        },
    ]


PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (
        # AWS managed policies, as the EKS user guide attaches them (checked 2026-11).
        Preset(
            "ebs-csi",
            "AWS managed policy AmazonEBSCSIDriverPolicy (EKS user guide, csi-iam-role)",
            managed_policies=("service-role/AmazonEBSCSIDriverPolicy",),
        ),
        Preset(
            "efs-csi",
            "AWS managed policy AmazonEFSCSIDriverPolicy (EKS user guide, efs-csi)",
            managed_policies=("service-role/AmazonEFSCSIDriverPolicy",),
        ),
        Preset(
            "vpc-cni",
            "AWS managed policy AmazonEKS_CNI_Policy (EKS user guide, cni-iam-role; IPv4 clusters)",
            managed_policies=("AmazonEKS_CNI_Policy",),
        ),
        Preset(
            "external-dns",
            "kubernetes-sigs/external-dns docs/tutorials/aws.md, v0.15",
            needs=("hostedZoneIds",),
            statements=_external_dns,
        ),
        Preset(
            "cert-manager",
            "cert-manager.io docs, ACME DNS01 Route53, v1.16",
            needs=("hostedZoneIds",),
            statements=_cert_manager,
        ),
        Preset(
            "cluster-autoscaler",
            "kubernetes/autoscaler cluster-autoscaler/cloudprovider/aws/README.md, v1.31",
            statements=_cluster_autoscaler,
        ),
        Preset(
            "external-secrets",
            "external-secrets.io AWS Secrets Manager and Parameter Store providers, v0.10",
            needs=("secretArns|parameterArns",),
            statements=_external_secrets,
        ),
        Preset(
            "aws-load-balancer-controller",
            "kubernetes-sigs/aws-load-balancer-controller docs/install/iam_policy.json, v2.9, tag-scoped",
            statements=_load_balancer_controller,
        ),
    )
}


def statements(names: tuple[str, ...], options: PresetOptions) -> list[dict[str, Any]]:
    """Inline statements of the given presets, in order."""
    return [st for name in names for st in PRESETS[name].render(options)]


def managed_policy_arns(names: tuple[str, ...], partition: str) -> list[str]:
    """AWS managed policies the given presets attach."""
    return [arn for name in names for arn in PRESETS[name].managed_arns(partition)]
