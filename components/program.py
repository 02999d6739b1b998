"""The one `build()` shared by the Pulumi program and the offline `plan`."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components import gc_tuning
from components.core import manifests
from components.core.config.parse import parse_settings
from components.core.model import ConfigError, Problem, Settings
from components.core.workload_plan import stack_plans
from components.oidc_provider import ClusterOidcProvider, ClusterOidcProviderArgs
from components.targets import cluster_target
from components.workload_identity import WorkloadIdentity, caller_account


def build(settings: Settings) -> dict[str, Any]:
    """Register every resource of a stack; return its outputs (name → value or Output)."""
    cluster = settings.cluster
    target = cluster_target(cluster, settings.region, needs_arn=settings.associations)
    irsa = settings.web_identity
    provider = None
    if irsa:
        provider_args: ClusterOidcProviderArgs = {
            "issuer_url": target.issuer_url,
            "audience": cluster.audience,
            "existing_provider_arn": cluster.oidc_provider_arn,
            "thumbprints": list(cluster.thumbprints),
        }
        if settings.defaults.tags:
            provider_args["tags"] = dict(settings.defaults.tags)
        provider = ClusterOidcProvider(f"{cluster.name}-oidc", provider_args)
    k8s_opts = pulumi.ResourceOptions(providers={"kubernetes": target.kubernetes_provider})
    created_namespaces: dict[str, k8s.core.v1.Namespace] = {}
    for w in settings.workloads:
        if w.create_namespace and w.namespace not in created_namespaces:
            created_namespaces[w.namespace] = k8s.core.v1.Namespace(
                f"ns-{w.namespace}", metadata=manifests.namespace(w.namespace)["metadata"], opts=k8s_opts
            )

    workloads: dict[str, Any] = {}
    identities: dict[str, WorkloadIdentity] = {}
    plans = stack_plans(settings)
    # Grants given by name resolve in the deploying account: one lookup for the stack, only when needed.
    account = caller_account() if any(p.needs_account_lookup for p in plans) else None
    for plan in plans:
        ns = created_namespaces.get(plan.spec.workload.namespace)
        identity = WorkloadIdentity.from_plan(
            plan.spec.workload.name,
            plan,
            provider.arn if provider else "",
            provider.url if provider else "",
            target.cluster_arn or "",
            opts=k8s_opts.merge(pulumi.ResourceOptions(depends_on=[ns] if ns is not None else None)),
            account=account,
        )
        identities[plan.spec.workload.name] = identity
        # One Output per workload: nested dicts of Outputs cost an Output per leaf when exported.
        workloads[plan.spec.workload.name] = identity.exports.apply(lambda e: {**e, "clusters": [cluster.name]})
    outputs: dict[str, Any] = {"clusterKind": cluster.kind, "mechanism": cluster.mechanism, "workloads": workloads}
    # Per cluster, as stacks with several clusters will have them; the top-level keys stay for readers of v0.2.
    outputs["clusters"] = {cluster.name: {"kind": cluster.kind, "mechanism": cluster.mechanism}}
    if provider is not None:
        outputs.update(oidcProviderArn=provider.arn, issuerUrl=provider.url)
        outputs["clusters"][cluster.name].update(oidcProviderArn=provider.arn, issuerUrl=provider.url)
    if settings.cross_account is not None:
        outputs["crossAccountRoles"] = cross_account_roles(settings, identities)
    return outputs


def cross_account_roles(settings: Settings, identities: dict[str, WorkloadIdentity]) -> dict[str, Any]:
    """The roles in the other account, created through a second AWS provider; their ARNs by name."""
    import pulumi_aws as aws

    from components.cross_account_role import CrossAccountRole, CrossAccountRoleArgs

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
    for role in cross.roles:
        args: CrossAccountRoleArgs = {
            "role_name": role.name,
            "trusted_role_arns": [identities[w].role_arn for w in role.trusted_workloads],
            "external_id": role.external_id,
            "s3": [{"bucket": g.bucket, "prefix": g.prefix, "access": g.access} for g in role.s3],
            "partition": settings.partition,
            "session_tags": role.session_tags,
            "role_path": settings.defaults.role_path,
            "tags": dict(settings.defaults.tags),
        }
        if cross.permissions_boundary:
            args["permissions_boundary"] = cross.permissions_boundary
        created = CrossAccountRole(
            f"cross-{role.name}", args, opts=pulumi.ResourceOptions(providers={"aws": aws_provider})
        )
        arns[role.name] = created.arn
    return arns


def config_from_runtime() -> dict[str, Any]:
    """Every config key the Pulumi engine gave this program, object values decoded from JSON.

    Raises ConfigError for a value nested deeper than the JSON decoder can follow.
    """
    from pulumi.runtime import config as runtime_config

    raw = {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
    result: dict[str, Any] = {}
    problems = []
    for key, value in raw.items():
        if isinstance(value, str):
            try:
                decoded = json.loads(value)
                value = decoded if isinstance(decoded, (dict, list, bool, int)) else value
            except RecursionError:
                problems.append(Problem(key, "nests too deeply to read", "a config value a few levels deep"))
            except ValueError:
                pass
        result[key] = value
    if problems:
        raise ConfigError(problems)
    return result


def main() -> None:
    """Entry of `pulumi up`: config → settings → build → exports; bad config is a clean error."""
    try:
        settings = parse_settings(config_from_runtime(), pulumi.get_stack())  # both raise ConfigError
    except ConfigError as error:
        for problem in error.problems:
            pulumi.log.error(str(problem))
        raise pulumi.RunError(f"invalid stack configuration: {len(error.problems)} problem(s), listed above") from None
    gc_tuning.tune()
    for warning in settings.warnings:
        pulumi.log.warn(warning)
    for key, value in build(settings).items():
        pulumi.export(key, value)
