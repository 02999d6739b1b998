"""The arguments of WorkloadIdentity, as a Pulumi program writes them (snake_case; the schema's names)."""

from collections.abc import Sequence
from typing import Any, Required, TypedDict

import pulumi

from components.grant_args import Chain, Mechanism, Preset, S3Grant
from components.grant_types import ServiceGrantLists


class PresetOptions(TypedDict, total=False):
    """Inputs that scope add-on presets instead of `*`."""

    hosted_zone_ids: Sequence[pulumi.Input[str]]
    """Route 53 hosted zones external-dns or cert-manager may change."""
    secret_arns: Sequence[pulumi.Input[str]]
    """Secrets Manager secrets external-secrets may read."""
    parameter_arns: Sequence[pulumi.Input[str]]
    """SSM parameters external-secrets may read."""
    node_role_arns: Sequence[pulumi.Input[str]]
    """Node roles karpenter may pass to EC2."""
    interruption_queue_arns: Sequence[pulumi.Input[str]]
    """SQS queues karpenter reads interruption events from."""


PresetOptionsArgs = PresetOptions  # deprecated name (until 2027-06-01)


class WorkloadIdentityArgs(ServiceGrantLists, total=False):
    """Inputs of WorkloadIdentity (the grants beyond S3, one list per kind, are ServiceGrantLists')."""

    platform: pulumi.Input[dict[str, Any]]
    """A platform stack's `irsaPlatform` output (`StackReference.get_output("irsaPlatform")`): with cluster_name,
    the cluster's OIDC provider, issuer and audience, and the platform's permissions boundary and tags (tags
    given here merged over them) — whatever of these is not given. role_path stays yours to give (plain)."""
    oidc_provider_arn: pulumi.Input[str]
    """ARN of the cluster's IAM OIDC provider."""
    issuer_url: pulumi.Input[str]
    """The cluster's issuer URL; its host/path prefixes the trust condition keys."""
    audience: pulumi.Input[str]
    """Token audience (default sts.amazonaws.com); must equal a client ID of the provider."""
    namespace: Required[pulumi.Input[str]]
    """Kubernetes namespace of the ServiceAccount."""
    service_account: Required[pulumi.Input[str]]
    """ServiceAccount to create and trust."""
    role_name: str
    """Physical IAM role name (default irsa-<name>, or adopt_role's)."""
    adopt_role: str
    """An existing role (its name) to import as this workload's role, so pods keep its ARN: the first `up` imports
    it as it is; remove adopt_role and the next `up` applies this workload's trust and settings to it. Its path
    must equal role_path (a path change would replace it)."""
    policy_name: str
    """Inline policy name (default irsa-<name>-s3)."""
    region: str
    """AWS region pods call STS in; also picks the partition (default: the `aws:region` config, else
    AWS_REGION, as the default AWS provider reads it)."""
    s3: Sequence[S3Grant]
    """Least-privilege S3 grants."""
    max_session_duration: int
    """Maximum session of the role, 3600-43200 seconds (default 3600)."""
    token_expiration_seconds: pulumi.Input[int]
    """Lifetime of the projected token in the pod identity fragment, 600-86400 seconds (default 3600)."""
    sample_job: bool
    """Create a VerificationJob (default true)."""
    job_image: pulumi.Input[str]
    """Verification Job image with Python 3 and boto3."""
    splice_token_fragment: pulumi.Input[bool]
    """Splice the token fragment into the verification Job's pod: needed where no webhook injects the token
    (AKS, self-managed clusters). Default: false on EKS (an EKS issuer, or Pod Identity), true elsewhere."""
    inject_pod_identity: bool
    """Deprecated name of splice_token_fragment (accepted until 2027-06-01)."""
    mechanism: Mechanism
    """irsa (web identity through the cluster's OIDC provider, default), pod-identity (EKS Pod Identity), or
    both (the two trusted at once while pods move over)."""
    cluster_name: str
    """EKS cluster name: where the Pod Identity association goes (pod-identity and both)."""
    cluster_arn: pulumi.Input[str]
    """EKS cluster ARN, pinned in the Pod Identity trust policy (pod-identity and both)."""
    assume_roles: Sequence[pulumi.Input[str]]
    """Role ARNs (e.g. in other accounts) it may assume: sts:AssumeRole and sts:TagSession on exactly these."""
    chain: Chain | None
    """Role the Job chains into and the grant it checks there: role_arn, external_id, bucket, prefix, access."""
    create_service_account: bool
    """Create the ServiceAccount (default true); false when an add-on's chart or EKS add-on creates its own
    (give that one the role ARN: the `role_arn` output)."""
    presets: Sequence[Preset]
    """Add-on policy presets (ebs-csi, efs-csi, vpc-cni, external-dns, cert-manager, cluster-autoscaler,
    external-secrets, karpenter, aws-load-balancer-controller)."""
    preset_options: PresetOptions
    """Inputs that scope the presets."""
    disable_session_tags: bool
    """Pod Identity: the association adds no session tags (default false); the trust then pins only the
    account, so any association in it may bind the role."""
    session_tags: pulumi.Input[bool]
    """Also allow sts:TagSession on the assume_roles (default false: only when the target roles expect tags)."""
    account_id: pulumi.Input[str]
    """Account that grants given by name resolve in (default: the deploying account, looked up)."""
    managed_policy_arns: Sequence[str]
    """Managed policies to attach (plain: each is an attachment resource)."""
    verify_publish: pulumi.Input[bool]
    """The verification Job publishes one probe message to each sns topic (and sends one to each sqs send queue
    with a kms_key), to prove the grant."""
    allow_privileged_managed_policies: bool
    """Attach privileged AWS managed policies anyway (AdministratorAccess, IAMFullAccess, …; refused otherwise)."""
    trust_policy_max_chars: int
    """The account's IAM trust-policy size quota (2048–8192, default 2048): a larger trust policy is refused."""
    managed_policies_per_role: int
    """The account's managed-policies-per-role quota (10–20, default 10)."""
    statements: Sequence[pulumi.Input[dict[str, Any]]]
    """Raw IAM statements (checked: no *, no iam/sts/organizations writes, no NotAction/NotResource)."""
    permissions_boundary: pulumi.Input[str]
    """Managed policy ARN set as the role's permissions boundary (organisations often require one)."""
    role_path: str
    """IAM path of the role, e.g. /workloads/ (default /)."""
    tags: pulumi.Input[dict[str, pulumi.Input[str]]]
    """Tags on the role and the Pod Identity association."""
    target_role_arn: pulumi.Input[str]
    """Pod Identity: a role (any account) the association chains into; pods act as it. The role trusts this
    workload's role (sts:AssumeRole, sts:TagSession), which may assume it."""
    extra_subjects: Sequence[pulumi.Input[str]]
    """More `sub` values to trust (full `system:serviceaccount:<ns>:<sa>`); a wildcard switches to StringLike."""
