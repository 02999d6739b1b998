"""The floor: the same registrations as `plan` for a generated EKS stack, written by hand on the same
mock engine with none of the package's code (static JSON strings, bare components, no validation).

Usage: python bench/floor.py N [--tuned-gc]  → prints the registered resources as JSON, like `plan`
(bench/floor_engine.py: the mock engine and --tuned-gc).
"""

from __future__ import annotations

import floor_engine  # bench/ is not a package: run as a script, its folder is on sys.path
import pulumi
import pulumi_aws.eks as eks
import pulumi_aws.iam as iam
import pulumi_kubernetes as k8s


def program(n: int) -> None:
    cluster = eks.get_cluster_output(name="bench-cluster")
    issuer = cluster.identities[0].oidcs[0].issuer
    provider = k8s.Provider("bench-cluster-k8s", kubeconfig=cluster.endpoint)
    oidc = pulumi.ComponentResource("irsa:index:ClusterOidcProvider", "bench-cluster-oidc", {})
    idp = iam.OpenIdConnectProvider(
        "bench-cluster-oidc-provider",
        url=issuer,
        client_id_lists=["sts.amazonaws.com"],
        opts=pulumi.ResourceOptions(parent=oidc, protect=True),
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
        role = iam.Role(f"{name}-role", name=f"irsa-bench-{name}", assume_role_policy=trust, opts=child)
        iam.RolePolicy(
            f"{name}-policy",
            role=role.name,
            name=f"irsa-{name}-s3",
            opts=child,
            policy=floor_engine.policy_document(bucket, prefix),
        )
        account = k8s.core.v1.ServiceAccount(
            f"{name}-sa",
            opts=child,
            metadata=role.arn.apply(
                lambda arn, ns=ns, sa=sa: {
                    "name": sa,
                    "namespace": ns,
                    "annotations": {"eks.amazonaws.com/role-arn": arn},
                }
            ),
        )
        if n <= 10:  # the generated stacks keep the verification Job up to 10 workloads
            verify = pulumi.ComponentResource(
                "irsa:index:VerificationJob", f"{name}-verify", {}, pulumi.ResourceOptions(parent=comp)
            )
            script = k8s.core.v1.ConfigMap(
                f"{name}-verify-script",
                metadata={"name": f"{name}-v", "namespace": ns},
                data={"verify_s3.py": "print('verify')\n"},
                opts=pulumi.ResourceOptions(parent=verify),
            )
            k8s.batch.v1.Job(
                f"{name}-verify-job",
                metadata={"name": f"{name}-v", "namespace": ns},
                spec=role.arn.apply(lambda arn, sa=sa, bucket=bucket: floor_engine.job_spec(arn, sa, bucket)),
                opts=pulumi.ResourceOptions(parent=verify, depends_on=[script, account]),
            )


if __name__ == "__main__":
    floor_engine.run(program)
