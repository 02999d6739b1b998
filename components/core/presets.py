"""Policy presets for common cluster add-ons (pure): AWS-managed policies where AWS publishes one,
otherwise the permissions the add-on's project documents, scoped by inputs instead of `*` wherever
the add-on allows. Each preset names its source and the version it was written against."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from components.core import karpenter, load_balancer_controller
from components.core.aws import secret_resource
from components.core.shape import Attachment


@dataclass(frozen=True)
class PresetOptions:
    """Inputs that scope generated presets."""

    cluster_name: str
    partition: str = "aws"
    hosted_zone_ids: tuple[str, ...] = ()
    secret_arns: tuple[str, ...] = ()
    parameter_arns: tuple[str, ...] = ()
    node_role_arns: tuple[str, ...] = ()
    interruption_queue_arns: tuple[str, ...] = ()
    region: str = "*"


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
    # kubernetes-sigs/external-dns docs/tutorials/aws.md at v0.22.0 grants ChangeResourceRecordSets,
    # ListResourceRecordSets and ListTagsForResources on every zone and ListHostedZones on "*". The
    # sync loop lists and reads the tags of every zone it discovers (--aws-zone-tags reads them with the
    # plural ListTagsForResources, provider/aws/aws.go), so those stay on every zone; changes are
    # narrowed to the listed zones.
    return [
        {"Sid": "ExternalDnsChangeListedZones", "Effect": "Allow", "Action": "route53:ChangeResourceRecordSets",
         "Resource": _zones(o)},
        {"Sid": "ExternalDnsReadZones", "Effect": "Allow",
         "Action": ["route53:ListResourceRecordSets", "route53:ListTagsForResources"],
         "Resource": f"arn:{o.partition}:route53:::hostedzone/*"},
        {"Sid": "ExternalDnsListZones", "Effect": "Allow", "Action": "route53:ListHostedZones", "Resource": "*"},
    ]  # fmt: skip


def _cert_manager(o: PresetOptions) -> list[dict[str, Any]]:
    # cert-manager website content/v1.20-docs/configuration/acme/dns01/route53.md: GetChange on changes,
    # Change/ListResourceRecordSets under a TXT-only condition, ListHostedZonesByName on "*". The record-type
    # key exists only for ChangeResourceRecordSets (for the list call upstream's condition has no effect),
    # so the condition sits on the change alone; both are narrowed to the listed zones.
    return [
        {"Sid": "CertManagerGetChange", "Effect": "Allow", "Action": "route53:GetChange",
         "Resource": f"arn:{o.partition}:route53:::change/*"},
        {"Sid": "CertManagerTxtRecords", "Effect": "Allow", "Action": "route53:ChangeResourceRecordSets",
         "Resource": _zones(o),
         "Condition": {"ForAllValues:StringEquals": {"route53:ChangeResourceRecordSetsRecordTypes": ["TXT"]}}},
        {"Sid": "CertManagerListRecords", "Effect": "Allow", "Action": "route53:ListResourceRecordSets",
         "Resource": _zones(o)},
        {"Sid": "CertManagerListZones", "Effect": "Allow", "Action": "route53:ListHostedZonesByName",
         "Resource": "*"},
    ]  # fmt: skip


def _cluster_autoscaler(o: PresetOptions) -> list[dict[str, Any]]:
    # kubernetes/autoscaler cluster-autoscaler/cloudprovider/aws/README.md (cluster-autoscaler-1.36.1): describe
    # calls on "*"; upstream scales any group and suggests restricting by group or tag: scaling is limited to
    # groups whose k8s.io/cluster-autoscaler/<cluster> tag is "owned" (the value auto-discovery setups use).
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
    # external-secrets docs/provider/aws-secrets-manager.md and aws-parameter-store.md at v2.9.0: reads of the
    # listed secrets and parameters; ListSecrets and BatchGetSecretValue on "*" (dataFrom.find lists names,
    # values still need GetSecretValue on a listed secret); DescribeParameters (find); ListTagsForResource
    # (metadataPolicy: Fetch). Added: kms:Decrypt only through Secrets Manager or SSM, for secrets encrypted
    # with a customer-managed key (without it they fail to read). Not granted: tag:GetResources (finding
    # parameters by tag), which would list every tagged resource of the account.
    statements: list[dict[str, Any]] = []
    if o.secret_arns:
        statements += [
            {"Sid": "ExternalSecretsReadSecrets", "Effect": "Allow",
             "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret",
                        "secretsmanager:GetResourcePolicy", "secretsmanager:ListSecretVersionIds"],
             "Resource": [secret_resource(arn) for arn in o.secret_arns]},
            {"Sid": "ExternalSecretsFindSecrets", "Effect": "Allow",
             "Action": ["secretsmanager:ListSecrets", "secretsmanager:BatchGetSecretValue"], "Resource": "*"},
        ]  # fmt: skip
    if o.parameter_arns:
        statements += [
            {"Sid": "ExternalSecretsReadParameters", "Effect": "Allow",
             "Action": ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath",
                        "ssm:GetParameterHistory", "ssm:ListTagsForResource"],
             "Resource": list(o.parameter_arns)},
            {"Sid": "ExternalSecretsFindParameters", "Effect": "Allow", "Action": "ssm:DescribeParameters",
             "Resource": "*"},
        ]  # fmt: skip
    services = [s for s, arns in (("secretsmanager", o.secret_arns), ("ssm", o.parameter_arns)) if arns]
    if services:
        statements.append(
            {"Sid": "ExternalSecretsDecryptViaService", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*",
             "Condition": {"StringLike": {"kms:ViaService": [f"{s}.*.amazonaws.com" for s in services]}}}
        )  # fmt: skip
    return statements


def _karpenter(o: PresetOptions) -> list[dict[str, Any]]:
    return karpenter.statements(o.cluster_name, o.partition, o.region, o.node_role_arns, o.interruption_queue_arns)


def _load_balancer_controller(o: PresetOptions) -> list[dict[str, Any]]:
    return load_balancer_controller.statements(o.cluster_name, o.partition)


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
            "kubernetes-sigs/external-dns docs/tutorials/aws.md, v0.22.0, changes limited to the listed zones",
            needs=("hostedZoneIds",),
            statements=_external_dns,
        ),
        Preset(
            "cert-manager",
            "cert-manager/website content/v1.20-docs/configuration/acme/dns01/route53.md (cert-manager v1.20), "
            "limited to the listed zones",
            needs=("hostedZoneIds",),
            statements=_cert_manager,
        ),
        Preset(
            "cluster-autoscaler",
            "kubernetes/autoscaler cluster-autoscaler/cloudprovider/aws/README.md, cluster-autoscaler-1.36.1, "
            "scaling limited to groups tagged k8s.io/cluster-autoscaler/<cluster>: owned",
            statements=_cluster_autoscaler,
        ),
        Preset(
            "external-secrets",
            "external-secrets/external-secrets docs/provider/aws-secrets-manager.md and aws-parameter-store.md, "
            "v2.9.0, values limited to the listed ARNs",
            needs=("secretArns|parameterArns",),
            statements=_external_secrets,
        ),
        Preset(
            "karpenter",
            f"{karpenter.PROJECT} {karpenter.SOURCE_PATH} {karpenter.VERSION}, the node roles and queues listed",
            needs=("nodeRoleArns",),
            statements=_karpenter,
        ),
        Preset(
            "aws-load-balancer-controller",
            f"{load_balancer_controller.PROJECT} {load_balancer_controller.SOURCE_PATH} "
            f"{load_balancer_controller.VERSION}, ownership tag pinned to the cluster",
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


def has_inline_policy(grants: int, assume_roles: int, preset_names: tuple[str, ...]) -> bool:
    """Whether the role gets an inline policy: IAM refuses an empty document, so managed presets alone get none."""
    return bool(grants or assume_roles or any(PRESETS[p].statements for p in preset_names))


def attachments_of(preset_names: tuple[str, ...], partition: str) -> tuple[Attachment, ...]:
    """The managed policies the presets attach, each with the name suffix of its attachment resource."""
    return tuple(Attachment(n, arn) for n in preset_names for arn in managed_policy_arns((n,), partition))
