"""The AWS resources irsa registers, through pulumi-aws's own generated classes, and its two lookups.

Users get the typed resources (`aws.iam.Role`, `aws.iam.RolePolicy`, …) they can pass on, and what the
engine receives is what pulumi-aws sends (tests/test_sdk_registration.py compares each type against the
SDK's class called directly). Only `pulumi_aws.iam` and `pulumi_aws.eks` are imported (about 0.03 s), never
the whole SDK. Every input passes the placeholder guard (components/placeholders.py).
"""

from __future__ import annotations

import functools
import importlib.util
import json
from pathlib import Path
from typing import Any

import pulumi
from pulumi_aws import eks, iam

from components.placeholders import guarded


@functools.cache
def plugin_version() -> str:
    """The installed pulumi-aws SDK's provider version (its pulumi-plugin.json), without importing it."""
    spec = importlib.util.find_spec("pulumi_aws")
    assert spec is not None and spec.submodule_search_locations, "pulumi-aws is not installed"
    found = Path(next(iter(spec.submodule_search_locations))) / "pulumi-plugin.json"
    return str(json.loads(found.read_text())["version"])


def _checked(kind: str, name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    """The inputs that are set, each through the placeholder guard."""
    return {key: guarded(f"{kind} {name} {key}", v) for key, v in inputs.items() if v is not None}


def adopting(resource_id: str, unchanged: tuple[str, ...]) -> pulumi.ResourceOptions:
    """Options that import an existing resource by its ID, leaving `unchanged` as it is until the next `up`
    without them (the adoption's second step applies irsa's values)."""
    return pulumi.ResourceOptions(import_=resource_id, ignore_changes=list(unchanged))


def role(
    name: str,
    *,
    role_name: str,
    assume_role_policy: pulumi.Input[str],
    max_session_duration: int | None = None,
    description: pulumi.Input[str] | None = None,
    path: str | None = None,
    permissions_boundary: str | None = None,
    tags: dict[str, str] | None = None,
    opts: pulumi.ResourceOptions | None = None,
) -> iam.Role:
    inputs = {
        "assume_role_policy": assume_role_policy,
        "description": description,
        "max_session_duration": max_session_duration,
        "name": role_name,
        "path": path,
        "permissions_boundary": permissions_boundary,
        "tags": tags,
    }
    return iam.Role(name, opts=opts, **_checked("Role", name, inputs))


def role_policy(
    name: str, *, role: pulumi.Input[str], policy_name: str, policy: pulumi.Input[str], opts: pulumi.ResourceOptions
) -> iam.RolePolicy:
    inputs = {"name": policy_name, "policy": policy, "role": role}
    return iam.RolePolicy(name, opts=opts, **_checked("RolePolicy", name, inputs))


def policy(
    name: str,
    *,
    policy_name: str,
    path: str,
    policy: pulumi.Input[str],
    description: str,
    tags: dict[str, str] | None,
    opts: pulumi.ResourceOptions,
) -> iam.Policy:
    inputs = {"description": description, "name": policy_name, "path": path, "policy": policy, "tags": tags}
    return iam.Policy(name, opts=opts, **_checked("Policy", name, inputs))


def role_policy_attachment(
    name: str, *, role: pulumi.Input[str], policy_arn: pulumi.Input[str], opts: pulumi.ResourceOptions
) -> iam.RolePolicyAttachment:
    inputs = {"policy_arn": policy_arn, "role": role}
    return iam.RolePolicyAttachment(name, opts=opts, **_checked("RolePolicyAttachment", name, inputs))


def open_id_connect_provider(
    name: str,
    *,
    url: pulumi.Input[str],
    client_id_list: list[str],
    thumbprint_list: list[str] | None,
    tags: dict[str, str] | None,
    opts: pulumi.ResourceOptions,
) -> iam.OpenIdConnectProvider:
    inputs = {"client_id_lists": client_id_list, "tags": tags, "thumbprint_lists": thumbprint_list, "url": url}
    return iam.OpenIdConnectProvider(name, opts=opts, **_checked("OpenIdConnectProvider", name, inputs))


def pod_identity_association(
    name: str,
    *,
    cluster_name: str,
    namespace: pulumi.Input[str],
    service_account: pulumi.Input[str],
    role_arn: pulumi.Input[str],
    tags: dict[str, str] | None,
    disable_session_tags: bool | None,
    target_role_arn: pulumi.Input[str] | None,
    opts: pulumi.ResourceOptions,
    policy: pulumi.Input[str] | None = None,
) -> eks.PodIdentityAssociation:
    inputs = {
        "cluster_name": cluster_name,
        "disable_session_tags": disable_session_tags,
        "namespace": namespace,
        "policy": policy,
        "role_arn": role_arn,
        "service_account": service_account,
        "tags": tags,
        "target_role_arn": target_role_arn,
    }
    return eks.PodIdentityAssociation(name, opts=opts, **_checked("PodIdentityAssociation", name, inputs))


def get_cluster(cluster_name: str) -> pulumi.Output[dict[str, Any]]:
    """`aws.eks.getCluster`: the cluster as the provider returns it (camelCase keys)."""
    opts = pulumi.InvokeOutputOptions(version=plugin_version())
    return pulumi.runtime.invoke_output("aws:eks/getCluster:getCluster", {"name": cluster_name}, opts=opts)


def caller_account() -> pulumi.Output[str]:
    """The deploying account's ID (one sts:GetCallerIdentity lookup)."""
    opts = pulumi.InvokeOutputOptions(version=plugin_version())
    found = pulumi.runtime.invoke_output("aws:index/getCallerIdentity:getCallerIdentity", {}, opts=opts)
    return found.apply(lambda r: str(r["accountId"]))
