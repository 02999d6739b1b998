"""VerificationJob: a Job that proves a workload's identity reaches its S3 grant."""

from collections.abc import Sequence
from typing import Any, Required, TypedDict

import pulumi
import pulumi_kubernetes as k8s

from components import aliases, manifests
from components.dependencies import depends_on_of
from components.grant_args import S3GrantArgs, to_grants


class VerificationJobArgs(TypedDict, total=False):
    """Inputs of VerificationJob."""

    workload: Required[str]
    """Workload name; the Job and its script ConfigMap are named after it."""
    namespace: Required[str]
    """Namespace to run in."""
    service_account: Required[str]
    """ServiceAccount to run as."""
    grants: Required[Sequence[S3GrantArgs]]
    """S3 grants of the workload; the Job writes inside the first write grant, else lists the first."""
    image: Required[str]
    """Container image with Python 3 and boto3."""
    role_arn: Required[pulumi.Input[str]]
    """The workload's role ARN (its hash goes into the pod template, so a new role re-runs the Job)."""
    pod_identity: pulumi.Input[dict[str, Any]] | None
    """Pod identity fragment to splice in where no webhook injects the token (AKS); None on EKS."""
    chain: dict[str, str] | None
    """A role to assume next and the grant to check there (role_arn, external_id, bucket, prefix, access)."""


TYPE = "irsa:index:VerificationJob"


class VerificationJob(pulumi.ComponentResource):
    """ConfigMap with the verification script and a hardened Job running it as the workload's ServiceAccount."""

    job_name: pulumi.Output[str]
    """Name of the Job (kubectl logs job/<name>)."""

    def __init__(self, name: str, args: VerificationJobArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(TYPE, name, {}, aliases.options(TYPE, opts=opts))
        workload, namespace = args["workload"], args["namespace"]
        script = manifests.script_config_map(workload, namespace, manifests.verification_script())
        # The script waits only for a Namespace the stack creates, keeping it off the IAM chain's critical path.
        namespaces = [d for d in depends_on_of(opts) if isinstance(d, k8s.core.v1.Namespace)]
        config_map = k8s.core.v1.ConfigMap(
            f"{name}-script",
            metadata=script["metadata"],
            data=script["data"],
            opts=pulumi.ResourceOptions(parent=self, depends_on=namespaces),
        )
        body = pulumi.Output.all(args["role_arn"], args.get("pod_identity")).apply(
            lambda v: manifests.verification_job(
                workload,
                namespace,
                args["service_account"],
                to_grants(args["grants"]),
                args["image"],
                v[1],
                v[0],
                args.get("chain"),
            )
        )
        job = k8s.batch.v1.Job(
            f"{name}-job",
            metadata=body["metadata"],
            spec=body["spec"],
            # The Job must start after everything its parent waits for (the role's policy).
            opts=pulumi.ResourceOptions(parent=self, depends_on=[config_map, *depends_on_of(opts)]),
        )
        self.job_name = job.metadata.name
        self.register_outputs({"job_name": self.job_name})
