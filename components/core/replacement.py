"""What the providers replace instead of updating (pure data, standard library only).

For each resource type irsa registers: the inputs whose change makes the provider delete the resource and
create a new one, and what that means for this type in one line. Read from the providers' code at these
versions (tests/engine/test_replacing_sources.py derives the same sets again from that code and fails on any
drift; the engine tests check that the real `pulumi preview` replaces what `diff` marks):

- AWS: `ForceNew: true` (plugin SDK) or `RequiresReplace()` (plugin framework) in the Terraform AWS provider's
  resource schemas behind pulumi-aws, at TERRAFORM_AWS. pulumi-aws bundles its own fork of that provider at a
  commit this machine cannot reach; TERRAFORM_AWS is the one version of the module the Go proxy serves here.
  Input names are the schema's, camelCased as pulumi-aws names them (`policy_arn` → `policyArn`).
- Kubernetes: `forceNewProperties` in pulumi-kubernetes at KUBERNETES (provider/pkg/provider/diff.go): every
  object's `metadata.name` and `metadata.namespace`; a ConfigMap's `data` and `binaryData` (the provider
  option `enableConfigMapMutable` is off: irsa never sets it); a Job's `spec.completions`, `spec.parallelism`,
  `spec.selector` and `spec.template`. A change at or below one of these paths replaces.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

TERRAFORM_AWS = "github.com/hashicorp/terraform-provider-aws@v1.60.1-0.20260602190131-5f2286d6d836"
KUBERNETES = "github.com/pulumi/pulumi-kubernetes/provider/v4@v4.0.0-20260115033456-f47bc2d6f199"


@dataclass(frozen=True)
class Replacing:
    """The inputs (dotted paths) whose change replaces a resource of one type, and what a replacement means."""

    inputs: tuple[str, ...]
    meaning: str
    source: str  # the file at TERRAFORM_AWS or KUBERNETES that says so
    defaults: Mapping[str, Any] = field(default_factory=dict)  # what an absent input is (the schema's Default)
    names: tuple[str, ...] = ()  # the inputs that name the object, when not the first of `inputs`

    @property
    def identity(self) -> tuple[str, ...]:
        """The inputs naming the object: two resources agreeing on them manage one object."""
        return self.names or self.inputs[:1]


_ROLE = "a new role: its ARN stays only if name and path stay, its unique ID (AROA…) changes, so trusts and " \
        "bucket policies naming that ID stop matching; pods lose credentials until it exists"  # fmt: skip
_OBJECT_IDENTITY = ("metadata.name", "metadata.namespace")

REPLACING: dict[str, Replacing] = {
    "aws:iam/role:Role": Replacing(
        ("name", "namePrefix", "path"), _ROLE, "internal/service/iam/role.go", {"path": "/"}
    ),
    "aws:iam/rolePolicy:RolePolicy": Replacing(
        ("name", "namePrefix", "role"),
        "the inline policy is deleted and put again: for a moment the role has none of these permissions",
        "internal/service/iam/role_policy.go",
        names=("name", "role"),
    ),
    "aws:iam/policy:Policy": Replacing(
        ("description", "name", "namePrefix", "path"),
        "a new managed policy (new ARN): detached and deleted, created and attached again",
        "internal/service/iam/policy.go",
        {"path": "/"},
        names=("name", "path"),
    ),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": Replacing(
        ("policyArn", "role"),
        "detached and attached again: for a moment the role lacks that policy",
        "internal/service/iam/role_policy_attachment.go",
        names=("policyArn", "role"),
    ),
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": Replacing(
        ("url",),
        "irsa protects it: `pulumi up` stops until `pulumi state unprotect` releases it; while it is recreated "
        "no role trusting it can be assumed with a web identity",
        "internal/service/iam/openid_connect_provider.go",
    ),
    "aws:eks/podIdentityAssociation:PodIdentityAssociation": Replacing(
        ("clusterName", "namespace", "serviceAccount"),
        "pods of that service account get no credentials between the delete and the create",
        "internal/service/eks/pod_identity_association.go",
        names=("clusterName", "namespace", "serviceAccount"),
    ),
    "kubernetes:core/v1:Namespace": Replacing(
        _OBJECT_IDENTITY,
        "deleting a namespace deletes everything in it",
        "provider/pkg/provider/diff.go",
        names=("metadata.name",),
    ),
    "kubernetes:core/v1:ServiceAccount": Replacing(
        _OBJECT_IDENTITY,
        "pods cannot start as it while it is recreated; running pods keep their token until it expires",
        "provider/pkg/provider/diff.go",
        names=_OBJECT_IDENTITY,
    ),
    "kubernetes:core/v1:ConfigMap": Replacing(
        (*_OBJECT_IDENTITY, "binaryData", "data"),
        "the verification script is deleted and created again (the Job that mounts it runs again)",
        "provider/pkg/provider/diff.go",
        names=_OBJECT_IDENTITY,
    ),
    "kubernetes:batch/v1:Job": Replacing(
        (*_OBJECT_IDENTITY, "spec.completions", "spec.parallelism", "spec.selector", "spec.template"),
        "the verification Job is deleted and runs again",
        "provider/pkg/provider/diff.go",
        names=_OBJECT_IDENTITY,
    ),
}

PROVIDER_MEANING = "another provider (cluster or account): created there, then deleted where it was"


def with_defaults(type_: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    """Inputs with the provider's default in place of each absent input it defaults (role path "/")."""
    found = REPLACING.get(type_)
    defaults = found.defaults if found else {}
    return {**{k: v for k, v in defaults.items() if inputs.get(k) is None}, **inputs}


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith((f"{prefix}.", f"{prefix}["))


def forcing(type_: str, changed: Iterable[str]) -> list[str]:
    """Of the changed input paths of a resource of `type_`, the ones that make its provider replace it."""
    found = REPLACING.get(type_)
    if found is None:
        return []
    hits: set[str] = set()
    for path in changed:
        hits.update(prefix for prefix in found.inputs if _under(path, prefix) or _under(prefix, path))
    return sorted(hits)


def meaning(type_: str) -> str:
    found = REPLACING.get(type_)
    return found.meaning if found else "deleted and created again"
