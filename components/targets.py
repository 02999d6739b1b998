"""Cluster targets: where the OIDC issuer URL and the Kubernetes provider come from (EKS or AKS)."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

from components.core.model import Cluster, Placement, is_kubeconfig_contents, uses_association


@dataclass(frozen=True)
class ClusterTarget:
    """What components need from a cluster: issuer URL, Kubernetes provider, whether a webhook injects tokens."""

    issuer_url: pulumi.Output[str]
    kubernetes_provider: k8s.Provider
    webhook_injects_token: bool
    cluster_arn: pulumi.Output[str] | None = None


@dataclass(frozen=True)
class ClusterBinding:
    """One cluster a workload runs in, as the stack program knows it: where its trust comes from, and where
    its ServiceAccount, association and Job go (None: the component's inherited Kubernetes provider)."""

    placement: Placement
    provider_arn: pulumi.Input[str]
    issuer_url: pulumi.Input[str]
    cluster_arn: pulumi.Input[str]
    kubernetes_provider: pulumi.ProviderResource | None = None
    namespace: pulumi.Resource | None = None  # a Namespace the stack creates there


class IssuerNotEnabledError(pulumi.RunError):
    """The AKS cluster has no OIDC issuer (a RunError: `pulumi up` prints the message, not a traceback)."""


def eks_kubeconfig(name: str, region: str, endpoint: str, ca_data: str) -> str:
    """Kubeconfig that authenticates with `aws eks get-token` (no stored credentials)."""
    return json.dumps(
        {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": name, "cluster": {"server": endpoint, "certificate-authority-data": ca_data}}],
            "contexts": [{"name": name, "context": {"cluster": name, "user": name}}],
            "current-context": name,
            "users": [
                {
                    "name": name,
                    "user": {
                        "exec": {
                            "apiVersion": "client.authentication.k8s.io/v1beta1",
                            "command": "aws",
                            "args": [
                                "eks",
                                "get-token",
                                "--cluster-name",
                                name,
                                "--region",
                                region,
                                "--output",
                                "json",
                            ],
                        }
                    },
                }
            ],
        }
    )


def configured_kubeconfig(value: str) -> pulumi.Input[str]:
    """A configured kubeconfig: a path as it is, contents (they hold credentials) as a secret."""
    return pulumi.Output.secret(value) if is_kubeconfig_contents(value) else value


def aks_issuer(profile: object, cluster: Cluster) -> str:
    """Issuer URL from an AKS OIDC issuer profile, or a clear error naming the fix."""
    issuer = getattr(profile, "issuer_url", None) if profile is not None else None
    enabled = getattr(profile, "enabled", None) if profile is not None else None
    if not issuer or enabled is False:
        raise IssuerNotEnabledError(
            f"AKS cluster {cluster.name!r} has no OIDC issuer enabled "
            f"(run: az aks update --resource-group {cluster.resource_group} --name {cluster.name} "
            "--enable-oidc-issuer, then set its issuerUrl or re-run)"
        )
    return str(issuer)


def eks_target(
    cluster: Cluster, region: str, opts: pulumi.ResourceOptions | None = None, needs_arn: bool = False
) -> ClusterTarget:
    """EKS: issuer, kubeconfig and cluster ARN from one `eks.getCluster` lookup (none when the issuer and
    kubeconfig are configured and Pod Identity, which needs the ARN, is not used)."""
    issuer: pulumi.Output[str]
    cluster_arn = None
    if cluster.issuer_url is not None and cluster.kubeconfig is not None and not needs_arn:
        issuer = pulumi.Output.from_input(cluster.issuer_url)
        kubeconfig: pulumi.Input[str] = configured_kubeconfig(cluster.kubeconfig)
    else:
        from components.aws_resources import get_cluster

        found = get_cluster(cluster.name)
        issuer = (
            pulumi.Output.from_input(cluster.issuer_url)
            if cluster.issuer_url
            else found.apply(lambda c: str(c["identities"][0]["oidcs"][0]["issuer"]))
        )
        kubeconfig = (
            configured_kubeconfig(cluster.kubeconfig)
            if cluster.kubeconfig
            else found.apply(
                lambda c: eks_kubeconfig(cluster.name, region, c["endpoint"], c["certificateAuthorities"][0]["data"])
            )
        )
        cluster_arn = found.apply(lambda c: str(c["arn"]))
    provider = k8s.Provider(f"{cluster.name}-k8s", kubeconfig=kubeconfig, opts=opts)
    return ClusterTarget(issuer, provider, webhook_injects_token=True, cluster_arn=cluster_arn)


def aks_target(cluster: Cluster, opts: pulumi.ResourceOptions | None = None) -> ClusterTarget:
    """AKS: issuer from the managed cluster's OIDC profile; kubeconfig from its user credentials."""
    import pulumi_azure_native.containerservice as aks

    if cluster.issuer_url is not None:
        issuer = pulumi.Output.from_input(cluster.issuer_url)
    else:
        found = aks.get_managed_cluster_output(resource_group_name=cluster.resource_group, resource_name=cluster.name)
        issuer = found.oidc_issuer_profile.apply(lambda p: aks_issuer(p, cluster))
    kubeconfig: pulumi.Input[str]
    if cluster.kubeconfig is not None:
        kubeconfig = configured_kubeconfig(cluster.kubeconfig)
    else:
        creds = aks.list_managed_cluster_user_credentials_output(
            resource_group_name=cluster.resource_group, resource_name=cluster.name
        )
        kubeconfig = pulumi.Output.secret(creds.kubeconfigs[0].value.apply(lambda v: base64.b64decode(v).decode()))
    provider = k8s.Provider(f"{cluster.name}-k8s", kubeconfig=kubeconfig, opts=opts)
    return ClusterTarget(issuer, provider, webhook_injects_token=False)


def cluster_target(
    cluster: Cluster, region: str, opts: pulumi.ResourceOptions | None = None, needs_arn: bool | None = None
) -> ClusterTarget:
    """The target for a cluster's kind (`needs_arn`: some workload gets a Pod Identity association;
    by default, whether the cluster's mechanism gives them one)."""
    if cluster.kind == "eks":
        return eks_target(
            cluster, region, opts, uses_association(cluster.mechanism) if needs_arn is None else needs_arn
        )
    return aks_target(cluster, opts)
