"""The one `build()` shared by the Pulumi program and the offline `plan`."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import pulumi

from components import gc_tuning
from components.core import manifests, platform
from components.core.config import engine_config
from components.core.model import Cluster, ConfigError, Guardrails, Placement, Settings
from components.core.settings import parse_settings
from components.core.stack_plan import placements_of, planned_stack
from components.core.workload_plan import WorkloadPlan
from components.kubernetes_objects import KubernetesObject, kubernetes_object
from components.oidc_provider import ClusterOidcProvider, ClusterOidcProviderArgs
from components.shared_role import SharedRole
from components.targets import ClusterBinding, ClusterTarget, cluster_target
from components.workload_identity import WorkloadIdentity, caller_account


def build(settings: Settings) -> dict[str, Any]:
    """Register every resource of a stack; return its outputs (name → value or Output)."""
    clusters = {c.name: cluster_resources(settings, c) for c in settings.clusters}
    workloads: dict[str, Any] = {}
    identities: dict[str, WorkloadIdentity] = {}
    plans, shared = planned_stack(settings)
    # Grants given by name resolve in the deploying account: one lookup for the stack, only when needed.
    account = caller_account() if any(p.needs_account_lookup for p in plans) else None
    wired = {p.spec.workload.name: _wiring(settings, clusters, p) for p in plans}
    for plan in plans:
        if plan.shared_role is None:
            w = plan.spec.workload
            bindings, opts = wired[w.name]
            identities[w.name] = WorkloadIdentity.from_plan(w.name, plan, bindings, opts=opts, account=account)
    for role in shared:
        made = SharedRole.from_plan(role, {n: wired[n][0] for n in role.member_names},
                                    {n: wired[n][1] for n in role.member_names}, account)  # fmt: skip
        identities.update(made.workloads)
    for plan in plans:  # in config order
        # One Output per workload: nested dicts of Outputs cost an Output per leaf when exported.
        workloads[plan.spec.workload.name] = identities[plan.spec.workload.name].exports
    cluster = settings.cluster
    outputs: dict[str, Any] = {"clusterKind": cluster.kind, "mechanism": cluster.mechanism, "workloads": workloads}
    outputs["clusters"] = {name: c.outputs for name, c in clusters.items()}
    if not settings.multi_cluster and clusters[cluster.name].oidc is not None:
        # The single cluster's keys of v0.2, kept for its readers.
        oidc = clusters[cluster.name].oidc
        assert oidc is not None
        outputs.update(oidcProviderArn=oidc.arn, issuerUrl=oidc.url)
    if settings.cross_account is not None:
        outputs["crossAccountRoles"] = cross_account_roles(settings, identities)
    if settings.platform is None:  # it owns its clusters: application stacks may reference it
        outputs[platform.OUTPUT] = platform_outputs(settings, clusters)
    return outputs


def _wiring(
    settings: Settings, clusters: dict[str, ClusterResources], plan: WorkloadPlan
) -> tuple[list[ClusterBinding], pulumi.ResourceOptions | None]:
    """A workload's bindings to its clusters, and its component's options (one cluster: its provider and
    Namespace are the component's own options, as before several existed)."""
    w = plan.spec.workload
    bindings = [clusters[p.cluster_name].binding(p, w.namespace) for p in plan.spec.where]
    if settings.multi_cluster:
        return bindings, None
    only = bindings[0]
    assert only.kubernetes_provider is not None
    opts = pulumi.ResourceOptions(
        providers={"kubernetes": only.kubernetes_provider},
        depends_on=[only.namespace] if only.namespace is not None else None,
    )
    return [dataclasses.replace(only, kubernetes_provider=None, namespace=None)], opts


def platform_outputs(settings: Settings, clusters: dict[str, ClusterResources]) -> dict[str, Any]:
    """The `irsaPlatform` contract, with the OIDC providers' ARN and issuer as deployed."""
    found = platform.platform_outputs(settings, pulumi.get_stack())
    for name, resources in clusters.items():
        if resources.oidc is not None:
            found["clusters"][name].update(oidcProviderArn=resources.oidc.arn, issuerUrl=resources.oidc.url)
    return found


@dataclass
class ClusterResources:
    """What a stack registers once per cluster: its target (lookup, Kubernetes provider), its OIDC provider
    when any workload there uses web identity, and the Namespaces it creates there."""

    cluster: Cluster
    target: ClusterTarget
    oidc: ClusterOidcProvider | None
    namespaces: dict[str, KubernetesObject]

    def binding(self, placement: Placement, namespace: str) -> ClusterBinding:
        return ClusterBinding(
            placement,
            self.oidc.arn if self.oidc is not None else "",
            self.oidc.url if self.oidc is not None else "",
            self.target.cluster_arn or "",
            self.target.kubernetes_provider,
            self.namespaces.get(namespace),
        )

    @property
    def outputs(self) -> dict[str, Any]:
        found: dict[str, Any] = {"kind": self.cluster.kind, "mechanism": self.cluster.mechanism}
        if self.oidc is not None:
            found.update(oidcProviderArn=self.oidc.arn, issuerUrl=self.oidc.url)
        return found


def cluster_resources(settings: Settings, cluster: Cluster) -> ClusterResources:
    target = cluster_target(cluster, settings.region, needs_arn=settings.associations_in(cluster))
    oidc = None
    if settings.provider_in(cluster):
        provider_args: ClusterOidcProviderArgs = {
            "issuer_url": target.issuer_url,
            "existing_provider_arn": cluster.oidc_provider_arn,
            "adopt_provider_arn": settings.adopted_provider_arn(cluster),
            "thumbprints": list(cluster.thumbprints),
        }
        if cluster.oidc_provider_arn is None:  # the provider it creates (or adopts): client ID and tags
            provider_args["audience"] = cluster.audience
            if settings.defaults.tags:
                provider_args["tags"] = dict(settings.defaults.tags)
        oidc = ClusterOidcProvider(f"{cluster.name}-oidc", provider_args)
    namespaces: dict[str, KubernetesObject] = {}
    naming = placements_of(settings, (cluster,), None)[0]
    for w in settings.workloads_in(cluster):
        if w.create_namespace and w.namespace not in namespaces:
            namespaces[w.namespace] = kubernetes_object(
                naming.name("ns", w.namespace),
                "Namespace",
                {"metadata": manifests.namespace(w.namespace)["metadata"]},
                opts=pulumi.ResourceOptions(
                    provider=target.kubernetes_provider,
                    aliases=[pulumi.Alias(name=n) for n in naming.aliases("ns", w.namespace)] or None,
                ),
            )
    return ClusterResources(cluster, target, oidc, namespaces)


def cross_account_roles(settings: Settings, identities: dict[str, WorkloadIdentity]) -> dict[str, Any]:
    """The roles in the other account, created through a second AWS provider; their ARNs by name."""
    import pulumi_aws as aws

    from components.core.config.arguments import CrossRoleSpec
    from components.cross_account_role import CrossAccountRole

    cross = settings.cross_account
    assert cross is not None
    aws_provider = aws.Provider(
        "cross-account",
        # A profile or role that reaches another account fails here instead of creating roles there.
        allowed_account_ids=[cross.account_id],
        profile=cross.profile,
        assume_roles=[{"role_arn": cross.role_arn}] if cross.role_arn else None,
        region=cross.region or settings.region,
    )
    arns: dict[str, Any] = {}
    rails = Guardrails(cross.permissions_boundary, cross.role_path, settings.defaults.tags)  # every role's there
    for role in cross.roles:
        spec = CrossRoleSpec(role.name, role.s3, role.external_id, settings.partition, role.session_tags, rails)
        created = CrossAccountRole.from_spec(
            f"cross-{role.name}",
            spec,
            [identities[w].role_arn for w in role.trusted_workloads],
            opts=pulumi.ResourceOptions(providers={"aws": aws_provider}),
        )
        arns[role.name] = created.arn
    return arns


def config_from_runtime() -> dict[str, Any]:
    """Every config key the Pulumi engine gave this program (strings), decoded by the one decoder `plan` uses.

    Raises ConfigError for a value nested deeper than the JSON decoder can follow.
    """
    from pulumi.runtime import config as runtime_config

    return engine_config.decode({**runtime_config.get_config_env(), **runtime_config.CONFIG.get()})


def settings_from(config: dict[str, Any], stack: str) -> Settings:
    """The stack's settings; its workload files read (`irsa:workloadFiles`, beside the stack file); an application
    stack's with its platform's clusters and defaults, read through a StackReference (its outputs are known in
    preview too: the engine reads the platform's state)."""
    from components.cli import workload_files

    origins = workload_files.Origins()
    if workload_files.KEY in config:
        from pathlib import Path

        from components.cli.stackfile import parse_yaml

        base = workload_files.stack_config_dir(Path.cwd(), parse_yaml)  # the engine runs it in the project
        config, origins = workload_files.expand(config, base, base.name, parse_yaml)
    reference = platform.reference_of(config)
    try:
        if reference is None:
            return origins.settings(parse_settings(config, stack))
        from pulumi.runtime.sync_await import _sync_await

        outputs = platform.deployed(_sync_await(pulumi.StackReference(reference).outputs.future()), platform.KEY)
        return origins.settings(parse_settings(platform.with_platform(config, stack, reference, outputs), stack,
                                               reference))  # fmt: skip
    except ConfigError as error:
        raise origins.problems(error) from None


def main() -> None:
    """Entry of `pulumi up`: config → settings → build → exports; bad config is a clean error."""
    try:
        settings = settings_from(config_from_runtime(), pulumi.get_stack())  # both raise ConfigError
    except ConfigError as error:
        for problem in error.problems:
            pulumi.log.error(str(problem))
        raise pulumi.RunError(f"invalid stack configuration: {len(error.problems)} problem(s), listed above") from None
    gc_tuning.tune()
    for warning in settings.warnings:
        pulumi.log.warn(warning)
    for key, value in build(settings).items():
        pulumi.export(key, value)
