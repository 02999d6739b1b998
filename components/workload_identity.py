"""WorkloadIdentity: IAM role, inline S3 policy, ServiceAccount and optional VerificationJob for one workload."""

import functools
import inspect
from collections.abc import Callable, Sequence
from typing import Any

import pulumi
from pulumi_aws import eks, iam
from pulumi_kubernetes.batch import v1 as batch_v1
from pulumi_kubernetes.core import v1 as core_v1

from components import aliases
from components import aws_resources as aws
from components.core import computed_arguments, documents, quotas
from components.core.config import arguments
from components.core.config.grants import prefix_warnings
from components.core.model import InvalidInput, Placement, Problem
from components.core.shape import WorkloadShape
from components.core.workload_plan import WorkloadPlan, plan_workload
from components.dependencies import depends_on_of
from components.identity_defaults import with_defaults
from components.invalid_arguments import InvalidArguments
from components.kubernetes_objects import kubernetes_object
from components.planned import Planned
from components.targets import ClusterBinding
from components.verification_job import VerificationJob
from components.workload_identity_args import PresetOptionsArgs, WorkloadIdentityArgs  # noqa: F401 - re-exported

TYPE = "irsa:index:WorkloadIdentity"
# An adopted role is imported as it is: what irsa will change is left alone until adoptRole is removed (Pulumi
# fails an import whose inputs differ from the resource). Its name and path must match (a path change replaces).
ROLE_ADOPTED = ("assume_role_policy", "description", "max_session_duration", "permissions_boundary", "tags")
DEPLOY_TIME = ("oidc_provider_arn", "issuer_url", "cluster_arn")  # only ever known at deploy: never validated


caller_account = aws.caller_account  # the deploying account's ID (one sts:GetCallerIdentity lookup)
# A shared role as its workloads act as it: the role, its permissions, its ARN once they exist.
Shared = tuple[iam.Role, list[pulumi.Resource], pulumi.Output[str]]


def arn_once_permitted(role: iam.Role, permissions: list[pulumi.Resource]) -> pulumi.Output[str]:
    """The role's ARN, known only once its permissions exist: consumers given it never start unauthorized."""
    return pulumi.Output.all(role.arn, *(p.urn for p in permissions)).apply(lambda v: str(v[0]))


def _is_computed(value: Any) -> bool:
    """Whether an argument holds a value a program computes (an Output or awaitable), at any depth."""
    if isinstance(value, pulumi.Output) or inspect.isawaitable(value):
        return True
    if isinstance(value, dict):
        return any(_is_computed(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_is_computed(v) for v in value)
    return False


def _as_registered(name: str, shape: WorkloadShape, plan: WorkloadPlan, computed: set[str]) -> WorkloadPlan:
    """The plan of resolved arguments, if it has the resources registered before they resolved; else the
    problem, before IAM refuses an oversized inline policy (a plan past the inline quota needs customer-managed
    policies, and how many is known only from the documents)."""
    found = plan.shape
    if (found.has_inline_policy, found.managed_policies) == (shape.has_inline_policy, shape.managed_policies):
        return plan
    needs = (f"{found.managed_policies} customer-managed policies (past IAM's inline quota)"
             if found.managed_policies else "one inline policy")  # fmt: skip
    given = ", ".join(sorted(computed))
    raise InvalidArguments([Problem(f'WorkloadIdentity("{name}")', f"its permissions need {needs}, known only "
                                    f"once its computed arguments ({given}) resolved",
                                    f"pass {given} plainly, so irsa splits the permissions before registering; "
                                    "or split the grants over two workloads")])  # fmt: skip


def _plan_or_raise(name: str, args: dict[str, Any], path: str | None = None) -> WorkloadPlan:
    """The plan, its documents measured against the quotas (the trust policy too when every value it names is
    known now, else when the role is registered); problems fail as the stack file's would, line by line, each at
    `path` (default `WorkloadIdentity("<name>")`)."""
    try:
        plan = plan_workload(arguments.identity_spec(name, args, path))
    except InvalidInput as error:
        raise InvalidArguments(error.problems) from None
    provider_arn, issuer, cluster_arn = (args.get(key) or "" for key in DEPLOY_TIME)
    known = all(isinstance(v, str) for v in (provider_arn, issuer, cluster_arn))
    trust = plan.trust_in([(plan.spec.where[0], provider_arn, issuer, cluster_arn)]) if known else None
    problems = quotas.identity_problems(path or f'WorkloadIdentity("{name}")', plan, trust)
    if problems:
        raise InvalidArguments(problems)
    return plan


def _measured(name: str, plan: WorkloadPlan, trust: dict[str, Any]) -> dict[str, Any]:
    """The trust policy, refused past the quota (known only at deploy when the issuer is computed)."""
    if documents.compact_size(trust) > plan.spec.trust_policy_max_chars:
        raise InvalidArguments(quotas.identity_problems(f'WorkloadIdentity("{name}")', plan, trust)[:1])
    return trust


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
    role: iam.Role
    """The workload's IAM role."""
    inline_policy: iam.RolePolicy | None
    """The role's inline permissions policy (absent when it has none, or past the inline quota)."""
    managed_policies: list[iam.Policy]
    """Customer-managed policies carrying the permissions past the inline quota (usually none)."""
    policy_attachments: list[iam.RolePolicyAttachment]
    """Every managed policy attached to the role (presets', managed_policy_arns', the customer-managed ones)."""
    service_accounts: list[core_v1.ServiceAccount]
    """The ServiceAccount in each cluster (none when create_service_account is false)."""
    associations: list[eks.PodIdentityAssociation]
    """The EKS Pod Identity association in each cluster that uses one."""
    verification_jobs: list[batch_v1.Job]
    """The verification Job in each cluster (none when sample_job is false): `kubectl logs job/<name>`."""

    def __init__(self, name: str, args: WorkloadIdentityArgs, opts: pulumi.ResourceOptions | None = None):
        args = with_defaults(name, args)  # type: ignore[assignment]
        computed = {k for k, v in args.items() if k not in DEPLOY_TIME and _is_computed(v)}
        planned: WorkloadPlan | pulumi.Output[WorkloadPlan]
        try:
            if computed:
                shape = computed_arguments.sized(name, args, computed, arguments.identity_shape(name, args, computed))
                planned = pulumi.Output.from_input(dict(args)).apply(
                    lambda a: _as_registered(name, shape, _plan_or_raise(name, a), computed)
                )
            else:
                plan = _plan_or_raise(name, dict(args))
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
        shared: Shared | None = None,
    ) -> "WorkloadIdentity":
        """The component for an already validated plan (the stack program's door: no argument round trip),
        with one binding per placement of the plan; `account` resolves grants given by name when the plan
        has no account (one lookup per stack); `shared`: the shared role it acts as, that role's permissions, and its
        ARN once they exist (one Output for all its workloads)."""
        identity = cls.__new__(cls)
        identity._register(name, plan.shape, plan, list(clusters), opts, account, shared)
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

    def _register(
        self,
        name: str,
        shape: WorkloadShape,
        planned: WorkloadPlan | pulumi.Output[WorkloadPlan],
        clusters: list[ClusterBinding],
        opts: pulumi.ResourceOptions | None,
        account: pulumi.Input[str] | None = None,
        shared: Shared | None = None,
    ) -> None:
        """The resources, in steps: the role, its permissions, what each cluster holds, the Jobs, the outputs
        (on a shared role: the role and its permissions are the SharedRole's)."""
        super().__init__(TYPE, name, {}, aliases.options(TYPE, opts=opts))
        plan = Planned(planned, account)
        if shared is None:
            role, tags = self._role(name, shape, plan, clusters)
            permissions, managed = self._permissions(name, shape, plan, role, tags)
            role_arn = arn_once_permitted(role, permissions)
        else:
            (role, permissions, role_arn), managed = shared, []
            tags = dict(shape.tags) if shape.tags else None
        per_cluster = [
            (i, b, self._in_clusters(name, shape, plan, (role, tags), i, b, opts)) for i, b in enumerate(clusters)
        ]
        self.exports = plan.with_arn(WorkloadPlan.exports, role_arn)
        self.token_fragment = self.exports.apply(lambda e: e["tokenFragment"])
        self.pod_identity = self.token_fragment
        jobs = [self._job(name, plan, role, index, binding, [*permissions, *made], opts)
                for index, binding, made in per_cluster if shape.creates_job]  # fmt: skip
        self._publish(plan, role, role_arn, permissions, managed, [r for _, _, made in per_cluster for r in made], jobs)

    def _role(
        self, name: str, shape: WorkloadShape, plan: Planned, clusters: list[ClusterBinding]
    ) -> tuple[iam.Role, Any]:
        """The role, trusting each cluster it is placed in (measured against the quota once the issuers are known),
        and the tags its companions carry too."""
        deploy_time = [x for b in clusters for x in (b.provider_arn, b.issuer_url, b.cluster_arn)]

        def measured_trust(v: list[Any]) -> str:
            bound = [(p, *v[1 + 3 * i : 4 + 3 * i]) for i, p in enumerate(v[0].spec.where)]
            return documents.to_json(_measured(name, v[0], v[0].trust_in(bound)))

        trust = pulumi.Output.all(plan.plan, *deploy_time).apply(measured_trust)
        guardrails, tags = shape.role_guardrails(), dict(shape.tags) if shape.tags else None
        if "permissions_boundary" in shape.deferred:  # computed by the program: passed on once known
            guardrails["permissions_boundary"] = plan.known(lambda p: p.spec.workload.permissions_boundary)
        if "tags" in shape.deferred:
            guardrails["tags"] = tags = plan.known(lambda p: dict(p.spec.workload.tags) or None)
        child = pulumi.ResourceOptions(parent=self)
        role = aws.role(
            f"{name}-role",
            role_name=shape.role_name,
            assume_role_policy=trust,
            max_session_duration=shape.max_session_duration,
            description=plan.known(lambda p: p.role_description),
            **guardrails,
            opts=pulumi.ResourceOptions.merge(child, aws.adopting(shape.role_name, ROLE_ADOPTED))
            if shape.adopted_role
            else child,
        )
        return role, tags

    def _permissions(
        self, name: str, shape: WorkloadShape, plan: Planned, role: iam.Role, tags: Any
    ) -> tuple[list[pulumi.Resource], list[iam.Policy]]:
        """The inline policy, the customer-managed parts past the inline quota, and every attachment."""
        child = pulumi.ResourceOptions(parent=self)
        permissions: list[pulumi.Resource] = []
        managed: list[iam.Policy] = []
        if shape.has_inline_policy:
            adopted = aws.adopting(f"{shape.role_name}:{shape.policy_name}", ("policy",))
            permissions.append(
                aws.role_policy(
                    f"{name}-policy",
                    role=role.name,
                    policy_name=shape.policy_name,
                    policy=plan.document(WorkloadPlan.inline_policy_for),
                    opts=pulumi.ResourceOptions.merge(child, adopted) if shape.adopted_policy else child,
                )
            )
        for index in range(shape.managed_policies):  # permissions past the inline quota
            policy = aws.policy(
                f"{name}-policy-{index}",
                policy_name=f"{shape.role_name}-{index}",
                path=shape.role_path,
                policy=plan.document(functools.partial(WorkloadPlan.managed_document, index=index)),
                description=f"Permissions of role {shape.role_name}, part {index} (managed by irsa)",
                tags=tags,
                opts=child,
            )
            managed.append(policy)
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
        return permissions, managed

    def _in_clusters(
        self,
        name: str,
        shape: WorkloadShape,
        plan: Planned,
        role_and_tags: tuple[iam.Role, Any],
        index: int,
        binding: ClusterBinding,
        opts: pulumi.ResourceOptions | None,
    ) -> list[pulumi.Resource]:
        """In one cluster: the ServiceAccount and the Pod Identity association (EKS)."""
        role, tags = role_and_tags
        where = binding.placement
        waits = depends_on_of(opts) + ([binding.namespace] if binding.namespace is not None else [])
        made: list[pulumi.Resource] = []
        if shape.creates_service_account:
            metadata = plan.metadata_with_arn(_in_cluster_number(WorkloadPlan.service_account, index), role.arn)
            made.append(
                kubernetes_object(
                    where.name(name, "sa"),
                    "ServiceAccount",
                    {"metadata": metadata},
                    # e.g. a Namespace the stack creates: the ServiceAccount cannot exist before it.
                    opts=self._in_cluster(binding, "sa", name, depends_on=waits),
                )
            )
        if where.association:
            made.append(
                aws.pod_identity_association(
                    where.name(name, "association"),
                    cluster_name=where.cluster_name,
                    namespace=plan.known(lambda p: p.spec.workload.namespace),
                    service_account=plan.known(lambda p: p.spec.workload.service_account),
                    role_arn=role.arn,
                    tags=tags,
                    disable_session_tags=True if shape.disable_session_tags else None,
                    policy=plan.document(WorkloadPlan.session_policy_for, compact=True) if shape.shared_role else None,
                    target_role_arn=plan.known(lambda p: p.spec.workload.target_role_arn)
                    if shape.target_role
                    else None,
                    opts=pulumi.ResourceOptions(
                        parent=self, aliases=[pulumi.Alias(name=n) for n in where.aliases(name, "association")]
                    ),
                )
            )
        return made

    def _job(
        self,
        name: str,
        plan: Planned,
        role: iam.Role,
        index: int,
        binding: ClusterBinding,
        after: list[pulumi.Resource],
        opts: pulumi.ResourceOptions | None,
    ) -> batch_v1.Job:
        """The verification Job in one cluster, once the permissions and the cluster's objects exist."""
        waits = [*after, *depends_on_of(opts)] + ([binding.namespace] if binding.namespace is not None else [])
        return VerificationJob._from_plan(
            binding.placement.name(name, "verify"),
            plan.plan,
            role.arn,
            index,
            opts=self._in_cluster(binding, "verify", name, depends_on=waits),
            former=binding.placement.aliases(name, "verify"),
            account=plan.account_for_names(),
            issuer=binding.issuer_url or None,
        ).job

    def _publish(
        self,
        plan: Planned,
        role: iam.Role,
        role_arn: pulumi.Output[str],
        permissions: list[pulumi.Resource],
        managed: list[iam.Policy],
        in_clusters: list[pulumi.Resource],
        jobs: list[batch_v1.Job],
    ) -> None:
        """The outputs: the strings, and the resources themselves, typed (a program passes them on)."""
        self.role, self.managed_policies, self.verification_jobs = role, managed, jobs
        own = [] if plan.shared_role else permissions  # a shared role's permissions are the SharedRole's
        self.inline_policy = next((r for r in own if isinstance(r, iam.RolePolicy)), None)
        self.policy_attachments = [r for r in own if isinstance(r, iam.RolePolicyAttachment)]
        self.service_accounts = [r for r in in_clusters if isinstance(r, core_v1.ServiceAccount)]
        self.associations = [r for r in in_clusters if isinstance(r, eks.PodIdentityAssociation)]
        self.role_arn = role_arn
        self.role_name = role.name
        self.namespace = pulumi.Output.from_input(plan.known(lambda p: p.spec.workload.namespace))
        self.service_account = pulumi.Output.from_input(plan.known(lambda p: p.spec.workload.service_account))
        # The fragment is an attribute, not a registered output: registering a nested dict makes the SDK
        # wrap each of its leaves in an Output of its own (see the README's Benchmark section).
        self.register_outputs(
            {
                "role_arn": self.role_arn,
                "role_name": self.role_name,
                "namespace": self.namespace,
                "service_account": self.service_account,
                "role": self.role,
                "inline_policy": self.inline_policy,
                "managed_policies": self.managed_policies,
                "policy_attachments": self.policy_attachments,
                "service_accounts": self.service_accounts,
                "associations": self.associations,
                "verification_jobs": self.verification_jobs,
            }
        )
