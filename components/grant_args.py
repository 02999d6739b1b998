"""Argument shapes any Pulumi language can pass: grants, the verification chain, and the enums they use.

Type names are the schema's (`irsa:index:S3Grant`), so generated SDKs call them `S3GrantArgs` and not
`…ArgsArgs`. Each enum lists the values the core accepts (`tests/test_schema.py` holds them equal). The grants
beyond S3 are `components/grant_types.py`, generated from the grant kinds.
"""

from enum import StrEnum
from typing import Required, TypedDict

import pulumi


class S3Access(StrEnum):
    """What an S3 grant allows on its bucket and prefix."""

    READ = "read"
    """Get objects under the prefix and list it."""
    WRITE = "write"
    """Put objects under the prefix (no listing, no reading, no deleting)."""
    READ_WRITE = "read-write"
    """Get, put and delete objects under the prefix, and list it."""
    SYNC = "sync"
    """Put objects under the prefix and list it: what `aws s3 sync` uploading needs (no reading, no deleting)."""


class Mechanism(StrEnum):
    """How pods get the role's credentials."""

    IRSA = "irsa"
    """Web identity through the cluster's IAM OIDC provider (EKS or AKS)."""
    POD_IDENTITY = "pod-identity"
    """EKS Pod Identity: an association in the cluster."""
    BOTH = "both"
    """The two trusted at once, while pods move over to Pod Identity."""


class Preset(StrEnum):
    """An add-on's policy preset (derived from the add-on's upstream policy at a pinned version)."""

    EBS_CSI = "ebs-csi"
    """Amazon EBS CSI driver (AWS managed policy)."""
    EFS_CSI = "efs-csi"
    """Amazon EFS CSI driver (AWS managed policy)."""
    VPC_CNI = "vpc-cni"
    """Amazon VPC CNI (AWS managed policy)."""
    EXTERNAL_DNS = "external-dns"
    """external-dns: Route 53 records in preset_options.hosted_zone_ids."""
    CERT_MANAGER = "cert-manager"
    """cert-manager DNS-01: Route 53 records in preset_options.hosted_zone_ids."""
    CLUSTER_AUTOSCALER = "cluster-autoscaler"
    """Cluster Autoscaler: scales the cluster's Auto Scaling groups."""
    EXTERNAL_SECRETS = "external-secrets"
    """External Secrets Operator: reads preset_options.secret_arns and parameter_arns."""
    KARPENTER = "karpenter"
    """Karpenter controller: launches nodes, passes preset_options.node_role_arns."""
    AWS_LOAD_BALANCER_CONTROLLER = "aws-load-balancer-controller"
    """AWS Load Balancer Controller."""


class S3Grant(TypedDict, total=False):
    """One S3 grant: bucket, optional key prefix, access level."""

    bucket: Required[pulumi.Input[str]]
    """S3 bucket name (may be computed, e.g. another resource's output)."""
    prefix: pulumi.Input[str]
    """Object key prefix, e.g. uploads/ (default: the whole bucket)."""
    access: Required[S3Access]
    """read, write, read-write or sync."""
    kms_key: pulumi.Input[str]
    """The bucket's customer-managed KMS key ARN (SSE-KMS): Decrypt, and GenerateDataKey to write, via S3 only."""


class Chain(TypedDict, total=False):
    """A role the verification Job assumes next, and the grant it checks there."""

    role_arn: Required[pulumi.Input[str]]
    """ARN of the role to assume (e.g. in another account)."""
    external_id: pulumi.Input[str]
    """sts:ExternalId the role requires, if any."""
    bucket: Required[pulumi.Input[str]]
    """S3 bucket to check there."""
    prefix: pulumi.Input[str]
    """Object key prefix to check inside."""
    access: Required[S3Access]
    """read, write, read-write or sync."""


S3GrantArgs = S3Grant  # deprecated name (until 2027-06-01)
ChainArgs = Chain  # deprecated name (until 2027-06-01)
