"""WorkloadIdentity: IAM role, inline S3 policy, ServiceAccount and optional VerificationJob for one workload."""

import functools
import inspect
from collections.abc import Callable, Sequence
from typing import Any, Required, TypedDict

import pulumi

from components import aliases
from components import aws_resources as aws
from components.core import documents
from components.core.config import arguments
from components.core.config.grants import prefix_warnings
from components.core.model import InvalidInput, Placement
from components.core.workload_plan import WorkloadPlan, WorkloadShape, plan_workload
from components.dependencies import depends_on_of
from components.grant_args import ChainArgs, S3GrantArgs
from components.invalid_arguments import InvalidArguments
from components.kubernetes_objects import KubernetesObject
from components.targets import ClusterBinding
from components.verification_job import VerificationJob

ARN_PROBE = "arn:aws:iam::000000000000:role/irsa-probe"  # finds which manifest fields carry the role ARN


class PresetOptionsArgs(TypedDict, total=False):
    """Inputs that scope add-on presets instead of `*`."""

    hosted_zone_ids: Sequence[str]
    """Route 53 hosted zones external-dns or cert-manager may change."""
    secret_arns: Sequence[str]
    """Secrets Manager secrets external-secrets may read."""
    parameter_arns: Sequence[str]
    """SSM parameters external-secrets may read."""
    node_role_arns: Sequence[str]
    """Node roles karpenter may pass to EC2."""
    interruption_queue_arns: Sequence[str]
    """SQS queues karpenter reads interruption events from."""


class WorkloadIdentityArgs(TypedDict, total=False):
    """Inputs of WorkloadIdentity."""

    oidc_provider_arn: pulumi.Input[str]
    """ARN of the cluster's IAM OIDC provider."""
    issuer_url: pulumi.Input[str]
    """The cluster's issuer URL; its host/path prefixes the trust condition keys."""
    audience: str
    """Token audience (default sts.amazonaws.com); must equal a client ID of the provider."""
    namespace: Required[pulumi.Input[str]]
    """Kubernetes namespace of the ServiceAccount."""
    service_account: Required[pulumi.Input[str]]
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
    """irsa (web identity through the cluster's OIDC provider, default), pod-identity (EKS Pod Identity), or
    both (the two trusted at once while pods move over)."""
    cluster_name: str
    """EKS cluster name: where the Pod Identity association goes (pod-identity and both)."""
    cluster_arn: pulumi.Input[str]
    """EKS cluster ARN, pinned in the Pod Identity trust policy (pod-identity and both)."""
    assume_roles: Sequence[pulumi.Input[str]]
    """Role ARNs (e.g. in other accounts) it may assume: sts:AssumeRole and sts:TagSession on exactly these."""
    chain: ChainArgs | None
    """Role the Job chains into and the grant it checks there: role_arn, external_id, bucket, prefix, access."""
    create_service_account: bool
    """Create the ServiceAccount (default true); false when an add-on's chart or EKS add-on creates its own
    (give that one the role ARN: the `role_arn` output)."""
    presets: Sequence[str]
    """Add-on policy presets (ebs-csi, efs-csi, vpc-cni, external-dns, cert-manager, cluster-autoscaler,
    external-secrets, karpenter, aws-load-balancer-controller)."""
    preset_options: PresetOptionsArgs
    """Inputs that scope the presets."""
    disable_session_tags: bool
    """Pod Identity: the association adds no session tags (default false); the trust then pins only the
    account, so any association in it may bind the role."""
    session_tags: bool
    """Also allow sts:TagSession on the assume_roles (default false: only when the target roles expect tags)."""
    account_id: str
    """Account that grants given by name resolve in (default: the deploying account, looked up)."""
    dynamodb: Sequence[dict[str, str]]
    """DynamoDB grants: {table: name or ARN, access: read | write | read-write}."""
    sqs: Sequence[dict[str, str]]
    """SQS grants: {queue: name or ARN, access: send | consume | send-consume}."""
    sns: Sequence[dict[str, str]]
    """SNS grants: {topic: name or ARN} (publish)."""
    secrets: Sequence[dict[str, str]]
    """Secrets Manager grants: {secret: name or ARN} (read)."""
    parameters: Sequence[dict[str, str]]
    """SSM grants: {path: /app/prod/ or an ARN} (read, recursive)."""
    kms: Sequence[dict[str, str]]
    """KMS grants: {key: key or alias ARN, access: decrypt | encrypt | encrypt-decrypt}."""
    managed_policy_arns: Sequence[str]
    """Managed policies to attach."""
    statements: Sequence[dict[str, Any]]
    """Raw IAM statements (checked: no *, no iam/sts/organizations writes, no NotAction/NotResource)."""
    permissions_boundary: str
    """Managed policy ARN set as the role's permissions boundary (organisations often require one)."""
    role_path: str
    """IAM path of the role, e.g. /workloads/ (default /)."""
    tags: dict[str, str]
    """Tags on the role and the Pod Identity association."""
    target_role_arn: str
    """Pod Identity: a role (any account) the association chains into; pods act as it. The role trusts this
    workload's role (sts:AssumeRole, sts:TagSession), which may assume it."""
    extra_subjects: Sequence[str]
    """More `sub` values to trust (full `system:serviceaccount:<ns>:<sa>`); a wildcard switches to StringLike."""


TYPE = "irsa:index:WorkloadIdentity"
DEPLOY_TIME = ("oidc_provider_arn", "issuer_url", "cluster_arn")  # only ever known at deploy: never validated


caller_account = aws.caller_account  # the deploying account's ID (one sts:GetCallerIdentity lookup)


def _is_computed(value: Any) -> bool:
    """Whether an argument holds a value a program computes (an Output or awaitable), at any depth."""
    if isinstance(value, pulumi.Output) or inspect.isawaitable(value):
        return True
    if isinstance(value, dict):
        return any(_is_computed(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_is_computed(v) for v in value)
    return False


def _plan_or_raise(name: str, args: dict[str, Any]) -> WorkloadPlan:
    """The plan once computed arguments are known; their problems fail the deployment with the usual lines."""
    try:
        return plan_workload(arguments.identity_spec(name, args))
    except InvalidInput as error:
        raise InvalidArguments(error.problems) from None


def _in_cluster_number(
    render: Callable[[WorkloadPlan, str, Placement], dict[str, Any]], index: int
) -> Callable[[WorkloadPlan, str], dict[str, Any]]:
    """A per-cluster render bound to the plan's `index`-th cluster."""
    return lambda plan, arn: render(plan, arn, plan.spec.where[index])


class WorkloadIdentity(pulumi.ComponentResource):
    """Lets one Kubernetes ServiceAccount act as an IAM role with least-privilege permissions."""

    role_arn: pulumi.Output[str]
    """ARN of the workload's IAM role; it resolves once the role's policies exist."""
    role_name: pulumi.Output[str]
    """Name of the workload's IAM role."""
    namespace: pulumi.Output[str]
    """Namespace of the ServiceAccount."""
    service_account: pulumi.Output[str]
    """The ServiceAccount the role trusts."""
    token_fragment: pulumi.Output[dict[str, Any]]
    """Pod spec fragment: serviceAccountName, env, volumes, volumeMounts and podAnnotations to splice into pods."""
    pod_identity: pulumi.Output[dict[str, Any]]
    """Deprecated name of token_fragment (the same value)."""

    def __init__(self, name: str, args: WorkloadIdentityArgs, opts: pulumi.ResourceOptions | None = None):
        computed = {k for k, v in args.items() if k not in DEPLOY_TIME and _is_computed(v)}
        planned: WorkloadPlan | pulumi.Output[WorkloadPlan]
        try:
            if computed:
                shape = arguments.identity_shape(name, args, computed)
                planned = pulumi.Output.from_input(dict(args)).apply(lambda a: _plan_or_raise(name, a))
            else:
                plan = plan_workload(arguments.identity_spec(name, args))
                shape, planned = plan.shape, plan
                for warning in prefix_warnings(f'WorkloadIdentity("{name}").s3', plan.spec.workload.s3):
                    pulumi.log.warn(warning)
        except InvalidInput as error:
            raise InvalidArguments(error.problems) from None
        binding = ClusterBinding(
            shape.where[0],
            args.get("oidc_provider_arn") or "",
            args.get("issuer_url") or "",
            args.get("cluster_arn") or "",
        )
        self._register(name, shape, planned, [binding], opts, args.get("account_id"))

    @classmethod
    def from_plan(
        cls,
        name: str,
        plan: WorkloadPlan,
        clusters: Sequence[ClusterBinding],
        opts: pulumi.ResourceOptions | None = None,
        account: pulumi.Input[str] | None = None,
    ) -> "WorkloadIdentity":
        """The component for an already validated plan (the stack program's door: no argument round trip),
        with one binding per placement of the plan; `account` resolves grants given by name when the plan
        has no account (one lookup per stack)."""
        identity = cls.__new__(cls)
        identity._register(name, plan.shape, plan, list(clusters), opts, account)
        return identity

    def _in_cluster(
        self, binding: ClusterBinding, suffix: str, name: str, depends_on: list[pulumi.Resource]
    ) -> pulumi.ResourceOptions:
        """Options of a child in one cluster: its Kubernetes provider, former names, what it waits for."""
        return pulumi.ResourceOptions(
            parent=self,
            depends_on=list(dict.fromkeys(depends_on)),
            provider=binding.kubernetes_provider,
            aliases=[pulumi.Alias(name=n) for n in binding.placement.aliases(name, suffix)] or None,
        )

    @staticmethod
    def _account_for_names(
        planned: WorkloadPlan | pulumi.Output[WorkloadPlan], account: pulumi.Input[str] | None
    ) -> pulumi.Input[str] | None:
        """Where grants given by name resolve when the plan has no account: given, else the caller's."""
        if isinstance(planned, WorkloadPlan) and not planned.needs_account_lookup:
            return None
        return account if account is not None else caller_account()

    @staticmethod
    def _documents(
        planned: WorkloadPlan | pulumi.Output[WorkloadPlan],
        account: pulumi.Input[str] | None,
        render: Callable[[WorkloadPlan, str], Any],
    ) -> pulumi.Input[str]:
        """A permissions document (inline, or one managed part), its names resolved in that account."""
        found = WorkloadIdentity._account_for_names(planned, account)
        if found is None and isinstance(planned, WorkloadPlan):
            return documents.to_json(render(planned, planned.spec.account_id or "") or {})
        return pulumi.Output.all(planned, found).apply(
            lambda v: documents.to_json(render(v[0], v[0].spec.account_id or v[1]) or {})
        )

    def _register(
        self,
        name: str,
        shape: WorkloadShape,
        planned: WorkloadPlan | pulumi.Output[WorkloadPlan],
        clusters: list[ClusterBinding],
        opts: pulumi.ResourceOptions | None,
        account: pulumi.Input[str] | None = None,
    ) -> None:
        super().__init__(TYPE, name, {}, aliases.options(TYPE, opts=opts))
        child = pulumi.ResourceOptions(parent=self)

        def known(render: Callable[[WorkloadPlan], Any]) -> Any:
            """A rendered value: plain when the plan is (fewer Outputs at scale), else an Output."""
            return render(planned) if isinstance(planned, WorkloadPlan) else planned.apply(render)

        def with_arn(render: Callable[[WorkloadPlan, str], Any], arn: pulumi.Output[str]) -> pulumi.Output[Any]:
            if isinstance(planned, WorkloadPlan):
                plan = planned
                return arn.apply(lambda a: render(plan, a))
            return pulumi.Output.all(planned, arn).apply(lambda v: render(v[0], v[1]))

        def metadata_with_arn(render: Callable[[WorkloadPlan, str], Any], arn: pulumi.Output[str]) -> Any:
            """Metadata whose fields without the role ARN are known at once: a whole unknown metadata (a role
            being replaced has no ARN in preview) makes the Kubernetes provider plan a replacement."""
            if not isinstance(planned, WorkloadPlan):
                return with_arn(render, arn)["metadata"]
            plan = planned
            probe = render(plan, ARN_PROBE)["metadata"]
            def field(key: str) -> pulumi.Output[Any]:
                return arn.apply(lambda a: render(plan, a)["metadata"][key])

            return {key: field(key) if ARN_PROBE in repr(v) else v for key, v in probe.items()}

        deploy_time = [x for b in clusters for x in (b.provider_arn, b.issuer_url, b.cluster_arn)]
        trust = pulumi.Output.all(planned, *deploy_time).apply(
            lambda v: documents.to_json(
                v[0].trust_in([(p, *v[1 + 3 * i : 4 + 3 * i]) for i, p in enumerate(v[0].spec.where)])
            )
        )
        role = aws.role(
            f"{name}-role",
            role_name=shape.role_name,
            assume_role_policy=trust,
            max_session_duration=shape.max_session_duration,
            description=known(lambda p: p.role_description),
            **shape.role_guardrails(),
            opts=child,
        )
        permissions: list[pulumi.Resource] = []
        if shape.has_inline_policy:
            permissions.append(
                aws.role_policy(
                    f"{name}-policy",
                    role=role.name,
                    policy_name=shape.policy_name,
                    policy=self._documents(planned, account, WorkloadPlan.inline_policy_for),
                    opts=child,
                )
            )
        for index in range(shape.managed_policies):  # permissions past the inline quota
            document = self._documents(planned, account, functools.partial(WorkloadPlan.managed_document, index=index))
            policy = aws.policy(
                f"{name}-policy-{index}",
                policy_name=f"{shape.role_name}-{index}",
                path=shape.role_path,
                policy=document,
                description=f"Permissions of role {shape.role_name}, part {index} (managed by irsa)",
                tags=dict(shape.tags) if shape.tags else None,
                opts=child,
            )
            permissions.append(
                aws.role_policy_attachment(
                    f"{name}-policy-{index}-attachment", role=role.name, policy_arn=policy.arn, opts=child
                )
            )
        for attachment in shape.attachments:
            permissions.append(
                aws.role_policy_attachment(
                    f"{name}-{attachment.name}", role=role.name, policy_arn=attachment.policy_arn, opts=child
                )
            )
        # Per cluster: the ServiceAccount, the Pod Identity association (EKS) and, below, the Job.
        per_cluster: list[tuple[int, ClusterBinding, list[pulumi.Resource]]] = []
        for index, binding in enumerate(clusters):
            where = binding.placement
            waits = depends_on_of(opts) + ([binding.namespace] if binding.namespace is not None else [])
            made: list[pulumi.Resource] = []
            if shape.creates_service_account:
                made.append(
                    KubernetesObject(
                        where.name(name, "sa"),
                        "ServiceAccount",
                        {"metadata": metadata_with_arn(_in_cluster_number(WorkloadPlan.service_account, index),
                                                       role.arn)},  # fmt: skip
                        # e.g. a Namespace the stack creates: the ServiceAccount cannot exist before it.
                        opts=self._in_cluster(binding, "sa", name, depends_on=waits),
                    )
                )
            if where.association:
                made.append(
                    aws.pod_identity_association(
                        where.name(name, "association"),
                        cluster_name=where.cluster_name,
                        namespace=known(lambda p: p.spec.workload.namespace),
                        service_account=known(lambda p: p.spec.workload.service_account),
                        role_arn=role.arn,
                        tags=dict(shape.tags) if shape.tags else None,
                        disable_session_tags=True if shape.disable_session_tags else None,
                        target_role_arn=known(lambda p: p.spec.workload.target_role_arn) if shape.target_role else None,
                        opts=pulumi.ResourceOptions(
                            parent=self, aliases=[pulumi.Alias(name=n) for n in where.aliases(name, "association")]
                        ),
                    )
                )
            per_cluster.append((index, binding, made))
        # Consumers get the role ARN only once its permissions exist, so a pod never starts unauthorized.
        role_arn = pulumi.Output.all(role.arn, *(p.urn for p in permissions)).apply(lambda v: str(v[0]))
        self.exports = with_arn(WorkloadPlan.exports, role_arn)
        self.token_fragment = self.exports.apply(lambda e: e["tokenFragment"])
        self.pod_identity = self.token_fragment
        for index, binding, made in per_cluster if shape.creates_job else []:
            VerificationJob._from_plan(
                binding.placement.name(name, "verify"),
                planned,
                role.arn,
                index,
                opts=self._in_cluster(
                    binding,
                    "verify",
                    name,
                    depends_on=[*permissions, *made, *depends_on_of(opts)]
                    + ([binding.namespace] if binding.namespace is not None else []),
                ),
                former=binding.placement.aliases(name, "verify"),
                account=self._account_for_names(planned, account),
            )
        self.role_arn = role_arn
        self.role_name = role.name
        self.namespace = pulumi.Output.from_input(known(lambda p: p.spec.workload.namespace))
        self.service_account = pulumi.Output.from_input(known(lambda p: p.spec.workload.service_account))
        # The fragment is an attribute, not a registered output: registering a nested dict makes the SDK
        # wrap each of its leaves in an Output of its own (see the README's Benchmark section).
        self.register_outputs(
            {
                "role_arn": self.role_arn,
                "role_name": self.role_name,
                "namespace": self.namespace,
                "service_account": self.service_account,
            }
        )
