"""WorkloadIdentity: IAM role, inline S3 policy, ServiceAccount and optional VerificationJob for one workload."""

from collections.abc import Sequence
from typing import Any, Required, TypedDict

import pulumi
import pulumi_aws.iam as iam
import pulumi_kubernetes as k8s

from components import aliases, documents, manifests, names, presets
from components.dependencies import depends_on_of
from components.grant_args import S3GrantArgs, to_grants
from components.settings import DEFAULT_AUDIENCE, DEFAULT_JOB_IMAGE, S3Grant, issuer_host, partition_of
from components.unknowns import unknown
from components.verification_job import VerificationJob


class PresetOptionsArgs(TypedDict, total=False):
    """Inputs that scope add-on presets instead of `*`."""

    hosted_zone_ids: Sequence[str]
    """Route 53 hosted zones external-dns or cert-manager may change."""
    secret_arns: Sequence[str]
    """Secrets Manager secrets external-secrets may read."""
    parameter_arns: Sequence[str]
    """SSM parameters external-secrets may read."""


class WorkloadIdentityArgs(TypedDict, total=False):
    """Inputs of WorkloadIdentity."""

    oidc_provider_arn: pulumi.Input[str]
    """ARN of the cluster's IAM OIDC provider."""
    issuer_url: pulumi.Input[str]
    """The cluster's issuer URL; its host/path prefixes the trust condition keys."""
    audience: str
    """Token audience (default sts.amazonaws.com); must equal a client ID of the provider."""
    namespace: Required[str]
    """Kubernetes namespace of the ServiceAccount."""
    service_account: Required[str]
    """ServiceAccount to create and trust."""
    role_name: str
    """Physical IAM role name."""
    policy_name: str
    """Inline policy name (default irsa-<name>-s3)."""
    region: Required[str]
    """AWS region pods call STS in; also picks the partition."""
    s3: Sequence[S3GrantArgs]
    """Least-privilege S3 grants."""
    max_session_duration: int
    """Maximum session of the role, 3600-43200 seconds (default 3600)."""
    token_expiration_seconds: int
    """Lifetime of the projected token in the pod identity fragment, 600-86400 seconds (default 3600)."""
    sample_job: bool
    """Create a VerificationJob (default true)."""
    job_image: str
    """Verification Job image with Python 3 and boto3."""
    inject_pod_identity: bool
    """Put the pod identity fragment into the Job's pod (true where no webhook injects it, as on AKS)."""
    mechanism: str
    """irsa (web identity through the cluster's OIDC provider, default) or pod-identity (EKS Pod Identity)."""
    cluster_name: str
    """EKS cluster name: where the Pod Identity association goes (pod-identity only)."""
    cluster_arn: pulumi.Input[str]
    """EKS cluster ARN, pinned in the Pod Identity trust policy (pod-identity only)."""
    assume_roles: Sequence[str]
    """Role ARNs (e.g. in other accounts) it may assume: sts:AssumeRole and sts:TagSession on exactly these."""
    chain: dict[str, str] | None
    """Role the Job chains into and the grant it checks there: role_arn, external_id, bucket, prefix, access."""
    create_service_account: bool
    """Create the ServiceAccount (default true); false when an add-on's chart or EKS add-on creates its own
    (give that one the role ARN: the `role_arn` output)."""
    presets: Sequence[str]
    """Add-on policy presets (ebs-csi, efs-csi, vpc-cni, external-dns, cert-manager, cluster-autoscaler,
    external-secrets, aws-load-balancer-controller)."""
    preset_options: PresetOptionsArgs
    """Inputs that scope the presets."""
    extra_subjects: Sequence[str]
    """More `sub` values to trust (full `system:serviceaccount:<ns>:<sa>`); a wildcard switches to StringLike."""


def inline_policy(args: WorkloadIdentityArgs, grants: tuple[S3Grant, ...]) -> dict[str, Any]:
    """The inline policy from component inputs (documents.inline_policy builds it)."""
    partition = partition_of(args["region"])
    options = args.get("preset_options", {})
    scope = presets.PresetOptions(
        args.get("cluster_name", ""),
        partition,
        tuple(options.get("hosted_zone_ids", ())),
        tuple(options.get("secret_arns", ())),
        tuple(options.get("parameter_arns", ())),
    )
    return documents.inline_policy(grants, partition, args.get("assume_roles", ()), args.get("presets", ()), scope)


def account_of(arn: str) -> str:
    """The account field of an ARN, or a placeholder when the ARN is one itself (offline plans)."""
    parts = arn.split(":")
    return parts[4] if len(parts) > 5 and parts[0] == "arn" else unknown("account of the EKS cluster")


TYPE = "irsa:index:WorkloadIdentity"


class WorkloadIdentity(pulumi.ComponentResource):
    """Lets one Kubernetes ServiceAccount act as an IAM role with least-privilege S3 access."""

    role_arn: pulumi.Output[str]
    """ARN of the workload's IAM role."""
    role_name: pulumi.Output[str]
    """Name of the workload's IAM role."""
    namespace: pulumi.Output[str]
    """Namespace of the ServiceAccount."""
    service_account: pulumi.Output[str]
    """The ServiceAccount the role trusts."""
    pod_identity: pulumi.Output[dict[str, Any]]
    """Pod spec fragment: serviceAccountName, env, volumes, volumeMounts and podAnnotations to splice into pods."""

    def __init__(self, name: str, args: WorkloadIdentityArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(TYPE, name, {}, aliases.options(TYPE, opts=opts))
        child = pulumi.ResourceOptions(parent=self)
        audience = args.get("audience") or DEFAULT_AUDIENCE
        namespace, sa, region = args["namespace"], args["service_account"], args["region"]
        grants = to_grants(args.get("s3", []))
        subjects = [documents.subject(namespace, sa), *args.get("extra_subjects", [])]

        pod_identity = args.get("mechanism", "irsa") == "pod-identity"
        trust: pulumi.Output[str]
        if pod_identity:
            trust = pulumi.Output.from_input(args["cluster_arn"]).apply(
                lambda arn: documents.to_json(documents.pod_identity_trust_policy(account_of(arn), arn, namespace, sa))
            )
        else:
            trust = pulumi.Output.all(args["oidc_provider_arn"], args["issuer_url"]).apply(
                lambda v: documents.to_json(documents.trust_policy(v[0], issuer_host(v[1]), subjects, audience))
            )
        role = iam.Role(
            f"{name}-role",
            name=args.get("role_name") or f"irsa-{name}",
            assume_role_policy=trust,
            max_session_duration=args.get("max_session_duration", 3600),
            description=f"{'Pod Identity' if pod_identity else 'Web identity'} of {namespace}/{sa} (managed by irsa)",
            opts=child,
        )
        permissions: list[pulumi.Resource] = []
        document = inline_policy(args, grants)
        if document["Statement"]:  # IAM refuses an empty policy: managed presets alone need none
            permissions.append(
                iam.RolePolicy(
                    f"{name}-policy",
                    role=role.name,
                    name=args.get("policy_name") or names.policy_name(name),
                    policy=documents.to_json(document),
                    opts=child,
                )
            )
        accounts: list[pulumi.Resource] = []
        if args.get("create_service_account", True):
            accounts.append(
                k8s.core.v1.ServiceAccount(
                    f"{name}-sa",
                    metadata=role.arn.apply(
                        lambda arn: manifests.service_account(sa, namespace, None if pod_identity else arn, audience)
                    )["metadata"],
                    # e.g. a Namespace the stack creates: the ServiceAccount cannot exist before it.
                    opts=pulumi.ResourceOptions(parent=self, depends_on=depends_on_of(opts)),
                )
            )
        for preset in args.get("presets", ()):
            for arn in presets.managed_policy_arns((preset,), partition_of(region)):
                permissions.append(
                    iam.RolePolicyAttachment(f"{name}-{preset}", role=role.name, policy_arn=arn, opts=child)
                )
        association = None
        if pod_identity:
            import pulumi_aws.eks as eks

            association = eks.PodIdentityAssociation(
                f"{name}-association",
                cluster_name=args["cluster_name"],
                namespace=namespace,
                service_account=sa,
                role_arn=role.arn,
                opts=child,
            )
            self.pod_identity = role.arn.apply(lambda arn: manifests.pod_identity_agent_fragment(sa, arn))
        else:
            self.pod_identity = role.arn.apply(
                lambda arn: manifests.pod_identity_fragment(
                    sa, arn, region, audience, args.get("token_expiration_seconds", 3600)
                )
            )
        if args.get("sample_job", True):
            VerificationJob(
                f"{name}-verify",
                {
                    "workload": name,
                    "namespace": namespace,
                    "service_account": sa,
                    "grants": [{"bucket": g.bucket, "prefix": g.prefix, "access": g.access} for g in grants],
                    "image": args.get("job_image") or DEFAULT_JOB_IMAGE,
                    "role_arn": role.arn,
                    "pod_identity": self.pod_identity
                    if args.get("inject_pod_identity", True) and not pod_identity
                    else None,
                    "chain": args.get("chain"),
                },
                opts=pulumi.ResourceOptions(
                    parent=self,
                    depends_on=[*permissions, *accounts, *([association] if association else []), *depends_on_of(opts)],
                ),
            )
        self.role_arn = role.arn
        self.role_name = role.name
        self.namespace = pulumi.Output.from_input(namespace)
        self.service_account = pulumi.Output.from_input(sa)
        # The pod identity fragment is an attribute, not a registered output: registering a nested dict
        # makes the SDK wrap each of its leaves in an Output of its own (see bench/README.md).
        self.register_outputs(
            {
                "role_arn": self.role_arn,
                "role_name": self.role_name,
                "namespace": namespace,
                "service_account": sa,
            }
        )
