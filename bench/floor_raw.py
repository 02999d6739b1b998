"""The raw floor: bench/floor.py's registrations by the cheapest route there is — resources registered by
type token (no generated SDK classes to import), the lookup invoked by token, and, as `plan` does offline,
no stack walk for source positions. What is left of plan's time above it is this package's own work.

Usage: python bench/floor_raw.py N [--tuned-gc]  → prints the registered resources as JSON, like `plan`
(bench/floor_engine.py: the mock engine and --tuned-gc).
"""

from __future__ import annotations

from typing import Any

import floor_engine  # bench/ is not a package: run as a script, its folder is on sys.path
import pulumi
import pulumi_kubernetes as k8s
from pulumi.runtime import resource as runtime_resource
from pulumi.runtime.proto import source_pb2


def res(type_: str, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions) -> Any:
    return pulumi.CustomResource(type_, name, props, opts)


def program(n: int) -> None:
    cluster = pulumi.runtime.invoke_output("aws:eks/getCluster:getCluster", {"name": "bench-cluster"})
    issuer = cluster.apply(lambda c: c["identities"][0]["oidcs"][0]["issuer"])
    provider = k8s.Provider("bench-cluster-k8s", kubeconfig=cluster.apply(lambda c: c["endpoint"]))
    oidc = pulumi.ComponentResource("irsa:index:ClusterOidcProvider", "bench-cluster-oidc", {})
    idp = res(
        "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
        "bench-cluster-oidc-provider",
        {"url": issuer, "clientIdLists": ["sts.amazonaws.com"], "arn": None},
        pulumi.ResourceOptions(parent=oidc, protect=True),
    )
    for i in range(n):
        name, ns, sa = f"w{i:04d}", f"ns{i % 20:02d}", f"sa{i:04d}"
        bucket, prefix = f"bench-bucket-{i % 50:02d}", f"w{i:04d}/"
        comp = pulumi.ComponentResource(
            "irsa:index:WorkloadIdentity", name, {}, pulumi.ResourceOptions(providers={"kubernetes": provider})
        )
        child = pulumi.ResourceOptions(parent=comp)
        trust = pulumi.Output.all(idp.arn, issuer).apply(
            lambda v, ns=ns, sa=sa: floor_engine.trust_document(v[0], v[1], ns, sa)
        )
        role = res(
            "aws:iam/role:Role",
            f"{name}-role",
            {"name": f"irsa-bench-{name}", "assumeRolePolicy": trust, "arn": None},
            child,
        )
        res(
            "aws:iam/rolePolicy:RolePolicy",
            f"{name}-policy",
            {
                "role": role.name,
                "name": f"irsa-{name}-s3",
                "policy": floor_engine.policy_document(bucket, prefix),
            },
            child,
        )
        account = res(
            "kubernetes:core/v1:ServiceAccount",
            f"{name}-sa",
            {
                "apiVersion": "v1",
                "kind": "ServiceAccount",
                "metadata": role.arn.apply(
                    lambda arn, ns=ns, sa=sa: {
                        "name": sa,
                        "namespace": ns,
                        "annotations": {"eks.amazonaws.com/role-arn": arn},
                    }
                ),
            },
            child,
        )
        if n <= 10:  # the generated stacks keep the verification Job up to 10 workloads
            verify = pulumi.ComponentResource(
                "irsa:index:VerificationJob", f"{name}-verify", {}, pulumi.ResourceOptions(parent=comp)
            )
            script = res(
                "kubernetes:core/v1:ConfigMap",
                f"{name}-verify-script",
                {
                    "apiVersion": "v1",
                    "kind": "ConfigMap",
                    "metadata": {"name": f"{name}-v", "namespace": ns},
                    "data": {"verify_s3.py": "print('verify')\n"},
                },
                pulumi.ResourceOptions(parent=verify),
            )
            job_spec = role.arn.apply(lambda arn, sa=sa, bucket=bucket: floor_engine.job_spec(arn, sa, bucket))
            res(
                "kubernetes:batch/v1:Job",
                f"{name}-verify-job",
                {
                    "apiVersion": "batch/v1",
                    "kind": "Job",
                    "metadata": {"name": f"{name}-v", "namespace": ns},
                    "spec": job_spec,
                },
                pulumi.ResourceOptions(parent=verify, depends_on=[script, account]),
            )


if __name__ == "__main__":
    empty = source_pb2.StackTrace()
    runtime_resource._get_stack_trace = lambda: empty  # as plan does offline: nobody reads source positions
    floor_engine.run(program)
