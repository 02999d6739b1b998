"""VerificationJob: a Job that proves a workload's identity reaches its grant."""

from collections.abc import Sequence
from typing import Any, Required, TypedDict

import pulumi
from pulumi_kubernetes.batch import v1 as batch_v1

from components import aliases
from components.core import manifests
from components.core.config import arguments, fields
from components.core.config.collector import Collector
from components.core.config.grants import read_grants
from components.core.workload_plan import WorkloadPlan
from components.dependencies import depends_on_of
from components.grant_args import Chain, S3Grant
from components.invalid_arguments import InvalidArguments
from components.kubernetes_objects import is_namespace, kubernetes_object


class VerificationJobArgs(TypedDict, total=False):
    """Inputs of VerificationJob."""

    workload: Required[str]
    """Workload name; the Job and its script ConfigMap are named after it."""
    namespace: Required[str]
    """Namespace to run in."""
    service_account: Required[str]
    """ServiceAccount to run as."""
    grants: Required[Sequence[S3Grant]]
    """S3 grants of the workload; the Job writes inside the first write grant, else lists the first."""
    image: Required[str]
    """Container image with Python 3 and boto3."""
    role_arn: Required[pulumi.Input[str]]
    """The workload's role ARN (its hash goes into the pod template, so a new role re-runs the Job)."""
    token_fragment: pulumi.Input[dict[str, Any]] | None
    """Token fragment (a WorkloadIdentity's `token_fragment`) to splice in where no webhook injects the token
    (AKS); None on EKS."""
    pod_identity: pulumi.Input[dict[str, Any]] | None
    """Deprecated name of token_fragment."""
    chain: Chain | None
    """A role to assume next and the grant to check there (role_arn, external_id, bucket, prefix, access)."""


TYPE = "irsa:index:VerificationJob"
ARGS = ("workload", "namespace", "service_account", "grants", "image", "role_arn", "token_fragment", "pod_identity",
        "chain")  # fmt: skip


class VerificationJob(pulumi.ComponentResource):
    """ConfigMap with the verification script and a hardened Job running it as the workload's ServiceAccount."""

    job_name: pulumi.Output[str]
    """Name of the Job (kubectl logs job/<name>)."""
    job: batch_v1.Job
    """The Job itself."""

    def __init__(self, name: str, args: VerificationJobArgs, opts: pulumi.ResourceOptions | None = None):
        c = Collector()
        path = f'VerificationJob("{name}")'
        c.unknown_keys(path, args, ARGS)
        workload = c.string(f"{path}.workload", args.get("workload"))
        namespace = fields.namespace(c, f"{path}.namespace", args.get("namespace"))
        service_account = fields.service_account(c, f"{path}.service_account", args.get("service_account"))
        given = arguments.plain_values(dict(args))
        grants = read_grants(c, f"{path}.grants", given.get("grants") or [], required=False)
        image = fields.job_image(c, f"{path}.image", args.get("image"))
        chain = arguments.read_chain(c, f"{path}.chain", given.get("chain"), None)
        if c.problems or workload is None or namespace is None or service_account is None:
            raise InvalidArguments(c.problems)
        fragment = args.get("token_fragment") or args.get("pod_identity")
        body = pulumi.Output.all(args["role_arn"], fragment).apply(
            lambda v: manifests.verification_job(
                workload, namespace, service_account, grants, image, v[1], v[0], chain.env() if chain else None
            )
        )
        script = manifests.script_config_map(workload, namespace, manifests.verification_script())
        self._register(name, script, body, opts)

    @classmethod
    def _from_plan(
        cls,
        name: str,
        planned: WorkloadPlan | pulumi.Output[WorkloadPlan],
        role_arn: pulumi.Output[str],
        cluster: int,
        opts: pulumi.ResourceOptions,
        former: tuple[str, ...] = (),
        account: pulumi.Input[str] | None = None,
        issuer: pulumi.Input[str] | None = None,
    ) -> "VerificationJob":
        """The Job of a plan in its `cluster`-th cluster; `former`: the component's former names (its children
        keep theirs too); `account`: where grants given by name resolve when the plan has no account; `issuer`:
        the cluster's, which decides the token splice when the arguments left it open."""
        job = cls.__new__(cls)
        if isinstance(planned, WorkloadPlan):
            plan = planned
            body = pulumi.Output.all(role_arn, account, issuer).apply(
                lambda v: plan.job(v[0], plan.spec.placed(cluster, v[2]), v[1])
            )
            # Its name, namespace and labels name no computed value: known in preview too, so the Kubernetes
            # provider sees a replacement keep its name and deletes first, as `up` will (a whole unknown
            # metadata would preview create-then-delete).
            known = manifests.job_metadata(plan.spec.workload.name, plan.spec.workload.namespace)
            job._register(name, plan.script_config_map(), body, opts, former, known)
        else:
            body = pulumi.Output.all(planned, role_arn, account, issuer).apply(
                lambda v: v[0].job(v[1], v[0].spec.placed(cluster, v[3]), v[2])
            )
            job._register(name, planned.apply(lambda p: p.script_config_map()), body, opts, former)
        return job

    def _register(
        self,
        name: str,
        script: pulumi.Input[dict[str, Any]],
        body: pulumi.Output[dict[str, Any]],
        opts: pulumi.ResourceOptions | None,
        former: tuple[str, ...] = (),
        metadata: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(TYPE, name, {}, aliases.options(TYPE, opts=opts))

        def child(suffix: str) -> list[pulumi.Input[str] | pulumi.Alias] | None:
            return [pulumi.Alias(name=f"{old}-{suffix}") for old in former] or None

        # The script waits only for a Namespace the stack creates, keeping it off the IAM chain's critical path.
        namespaces = [d for d in depends_on_of(opts) if is_namespace(d)]
        plain = isinstance(script, dict)
        script_output = script if plain else pulumi.Output.from_input(script)
        config_map = kubernetes_object(
            f"{name}-script",
            "ConfigMap",
            {
                "metadata": script["metadata"] if plain else script_output["metadata"],  # type: ignore[index]
                "data": script["data"] if plain else script_output["data"],  # type: ignore[index]
            },
            opts=pulumi.ResourceOptions(parent=self, depends_on=namespaces, aliases=child("script")),
        )
        self.job = kubernetes_object(
            f"{name}-job",
            "Job",
            {"metadata": metadata if metadata is not None else body["metadata"], "spec": body["spec"]},
            # The Job must start after everything its parent waits for (the role's policy).
            opts=pulumi.ResourceOptions(
                parent=self, depends_on=[config_map, *depends_on_of(opts)], aliases=child("job")
            ),
        )
        self.job_name = pulumi.Output.all(self.job.urn, body["metadata"]).apply(lambda v: str(v[1]["name"]))
        self.register_outputs({"job_name": self.job_name, "job": self.job})
