"""AWS resources and lookups under the aws provider's own tokens, without its generated classes.

Touching `pulumi_aws.iam` loads every IAM resource module and its enums, and `pulumi_aws.eks` every EKS
module: about 0.07 s of every run (`python -X importtime`), for six resource types and two lookups. They are
registered as the generated classes do it — the same type token, the same camelCase inputs, their output
properties declared so they resolve (`arn`), the SDK's plugin version — and nothing else; tests/golden pins
that the engine receives exactly what it did. The cross-account `aws.Provider` still comes from the SDK.
"""

from __future__ import annotations

import functools
import importlib.util
import json
from pathlib import Path
from typing import Any

import pulumi

from components.placeholders import guarded


@functools.cache
def plugin_version() -> str:
    """The installed pulumi-aws SDK's provider version (its pulumi-plugin.json), without importing it."""
    spec = importlib.util.find_spec("pulumi_aws")
    assert spec is not None and spec.submodule_search_locations, "pulumi-aws is not installed"
    found = Path(next(iter(spec.submodule_search_locations))) / "pulumi-plugin.json"
    return str(json.loads(found.read_text())["version"])


def _defaults() -> pulumi.ResourceOptions:
    return pulumi.ResourceOptions(version=plugin_version())


class AwsResource(pulumi.CustomResource):
    """One AWS resource: `inputs` as the provider names them, and the output properties it will read."""

    arn: pulumi.Output[str]
    name: pulumi.Output[str]
    url: pulumi.Output[str]

    def __init__(
        self,
        type_token: str,
        name: str,
        inputs: dict[str, Any],
        outputs: tuple[str, ...],
        opts: pulumi.ResourceOptions | None = None,
    ):
        props = {key: guarded(f"{type_token} {name} {key}", v) for key, v in inputs.items() if v is not None}
        props.update({key: None for key in outputs if key not in props})  # resolvers for what the provider sets
        super().__init__(type_token, name, props, pulumi.ResourceOptions.merge(_defaults(), opts))


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
) -> AwsResource:
    inputs = {
        "assumeRolePolicy": assume_role_policy,
        "description": description,
        "maxSessionDuration": max_session_duration,
        "name": role_name,
        "path": path,
        "permissionsBoundary": permissions_boundary,
        "tags": tags,
    }
    return AwsResource("aws:iam/role:Role", name, inputs, ("arn", "createDate", "tagsAll", "uniqueId"), opts)


def role_policy(
    name: str, *, role: pulumi.Input[str], policy_name: str, policy: pulumi.Input[str], opts: pulumi.ResourceOptions
) -> AwsResource:
    inputs = {"name": policy_name, "policy": policy, "role": role}
    return AwsResource("aws:iam/rolePolicy:RolePolicy", name, inputs, (), opts)


def policy(
    name: str,
    *,
    policy_name: str,
    path: str,
    policy: pulumi.Input[str],
    description: str,
    tags: dict[str, str] | None,
    opts: pulumi.ResourceOptions,
) -> AwsResource:
    inputs = {"description": description, "name": policy_name, "path": path, "policy": policy, "tags": tags}
    outputs = ("arn", "attachmentCount", "policyId", "tagsAll")
    return AwsResource("aws:iam/policy:Policy", name, inputs, outputs, opts)


def role_policy_attachment(
    name: str, *, role: pulumi.Input[str], policy_arn: pulumi.Input[str], opts: pulumi.ResourceOptions
) -> AwsResource:
    inputs = {"policyArn": policy_arn, "role": role}
    return AwsResource("aws:iam/rolePolicyAttachment:RolePolicyAttachment", name, inputs, (), opts)


def open_id_connect_provider(
    name: str,
    *,
    url: pulumi.Input[str],
    client_id_list: list[str],
    thumbprint_list: list[str] | None,
    tags: dict[str, str] | None,
    opts: pulumi.ResourceOptions,
) -> AwsResource:
    inputs = {"clientIdLists": client_id_list, "tags": tags, "thumbprintLists": thumbprint_list, "url": url}
    token = "aws:iam/openIdConnectProvider:OpenIdConnectProvider"
    return AwsResource(token, name, inputs, ("arn", "tagsAll"), opts)


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
) -> AwsResource:
    inputs = {
        "clusterName": cluster_name,
        "disableSessionTags": disable_session_tags,
        "namespace": namespace,
        "roleArn": role_arn,
        "serviceAccount": service_account,
        "tags": tags,
        "targetRoleArn": target_role_arn,
    }
    outputs = ("associationArn", "associationId", "externalId", "tagsAll")
    return AwsResource("aws:eks/podIdentityAssociation:PodIdentityAssociation", name, inputs, outputs, opts)


def get_cluster(cluster_name: str) -> pulumi.Output[dict[str, Any]]:
    """`aws.eks.getCluster`: the cluster as the provider returns it (camelCase keys)."""
    opts = pulumi.InvokeOutputOptions(version=plugin_version())
    return pulumi.runtime.invoke_output("aws:eks/getCluster:getCluster", {"name": cluster_name}, opts=opts)


def caller_account() -> pulumi.Output[str]:
    """The deploying account's ID (one sts:GetCallerIdentity lookup)."""
    opts = pulumi.InvokeOutputOptions(version=plugin_version())
    found = pulumi.runtime.invoke_output("aws:index/getCallerIdentity:getCallerIdentity", {}, opts=opts)
    return found.apply(lambda r: str(r["accountId"]))
