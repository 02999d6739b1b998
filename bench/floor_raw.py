"""The raw floor: bench/floor.py's registrations by the cheapest route there is — resources registered by
type token (no generated SDK classes to import), the lookup invoked by token, and, as `plan` does offline,
no stack walk for source positions. What is left of plan's time above it is this package's own work.

Usage: python bench/floor_raw.py N [--tuned-gc]  → prints the registered resources as JSON, like `plan`.
--tuned-gc applies the garbage-collector settings `plan` uses (components/gc_tuning.py), written out
here again, for an apples-to-apples comparison.
"""

from __future__ import annotations

import gc
import json
import sys
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
from pulumi.runtime import mocks, rpc
from pulumi.runtime import resource as runtime_resource
from pulumi.runtime.proto import source_pb2

RECORDS: list[dict[str, Any]] = []


class Mocks(pulumi.runtime.Mocks):
    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        return {
            "endpoint": "<unknown>",
            "certificateAuthorities": [{"data": "<unknown>"}],
            "identities": [{"oidcs": [{"issuer": "<unknown issuer>"}]}],
        }, []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        return f"{args.name}-id", {**args.inputs, "arn": f"<unknown arn {args.name}>"}


class Monitor(mocks.MockMonitor):
    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 - the engine's name
        response = super().RegisterResource(request)
        RECORDS.append(
            {
                "urn": response.urn,
                "type": request.type,
                "name": request.name,
                "parent": request.parent,
                "dependsOn": list(request.dependencies),
                "protect": request.protect,
                "inputs": rpc.deserialize_properties(request.object),
            }
        )
        return response


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
            lambda v, ns=ns, sa=sa: json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Federated": v[0]},
                            "Action": "sts:AssumeRoleWithWebIdentity",
                            "Condition": {
                                "StringEquals": {
                                    f"{v[1]}:sub": f"system:serviceaccount:{ns}:{sa}",
                                    f"{v[1]}:aud": "sts.amazonaws.com",
                                }
                            },
                        }
                    ],
                }
            )
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
                "policy": json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Action": [
                                    "s3:GetObject",
                                    "s3:PutObject",
                                    "s3:AbortMultipartUpload",
                                    "s3:DeleteObject",
                                ],
                                "Resource": f"arn:aws:s3:::{bucket}/{prefix}*",
                            },
                            {
                                "Effect": "Allow",
                                "Action": "s3:ListBucket",
                                "Resource": f"arn:aws:s3:::{bucket}",
                                "Condition": {"StringLike": {"s3:prefix": [f"{prefix}*"]}},
                            },
                        ],
                    }
                ),
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
            job_spec = role.arn.apply(
                lambda arn, sa=sa, bucket=bucket: {
                    "backoffLimit": 3,
                    "template": {
                        "spec": {
                            "serviceAccountName": sa,
                            "restartPolicy": "Never",
                            "containers": [
                                {
                                    "name": "verify",
                                    "image": "python:3.12",
                                    "env": [
                                        {"name": "IRSA_CHECK_BUCKET", "value": bucket},
                                        {"name": "ROLE", "value": arn},
                                    ],
                                }
                            ],
                        }
                    },
                }
            )
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


def main() -> None:
    n = int(sys.argv[1])
    if "--tuned-gc" in sys.argv:
        gc.freeze()
        gc.set_threshold(20_000, *gc.get_threshold()[1:])
    empty = source_pb2.StackTrace()
    runtime_resource._get_stack_trace = lambda: empty  # as plan does offline: nobody reads source positions
    monitor = Monitor(Mocks())
    pulumi.runtime.set_mocks(monitor.mocks, "irsa", "bench", preview=False, monitor=monitor)
    pulumi.runtime.test(lambda: program(n))()
    sys.stdout.write(json.dumps({"project": "irsa", "stack": "bench", "resources": RECORDS}, indent=2))


if __name__ == "__main__":
    main()
